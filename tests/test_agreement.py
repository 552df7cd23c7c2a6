"""compare_with_torch: every impl of our LSTM against torch.nn.LSTM, and the comparison itself."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import Tensor

import lstm_ref.torch as lt
from lstm_ref.torch import agreement, compare_with_torch

CPU_IMPLS = ["auto", "per_gate", "fused_gates", "input_proj", "fused_step", "compiled_loop"]
TOL = {torch.float64: 1e-10, torch.float32: 1e-5}
CONFIGS: list[dict[str, Any]] = [
    {},
    {"num_layers": 1, "bias": False},
    {"bidirectional": True, "proj_size": 3, "initial_states": True},
    {"num_layers": 3, "T": 1, "B": 1},
]
DTYPES = pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)


# torch.nn.LSTM itself warns that oneDNN has no projection (it falls back to its own loop).
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@DTYPES
@pytest.mark.parametrize("impl", CPU_IMPLS)
@pytest.mark.parametrize("kw", CONFIGS, ids=str)
def test_every_cpu_impl_agrees_with_torch(
    impl: str, dtype: torch.dtype, kw: dict[str, Any]
) -> None:
    errors = compare_with_torch(impl, dtype, **kw)
    assert max(errors.values()) <= TOL[dtype], errors


@DTYPES
def test_persistent_kernel_agrees_with_torch(dtype: torch.dtype) -> None:
    # On a CPU the kernel runs under Triton's interpreter (tests/conftest.py sets it).
    device = "cuda" if torch.cuda.is_available() else "cpu"
    errors = compare_with_torch("persistent", dtype, num_layers=1, device=device)
    assert max(errors.values()) <= TOL[dtype], errors


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.usefixtures("no_tf32")
@DTYPES
@pytest.mark.parametrize("impl", [*lt.IMPLS, "auto"])
def test_every_impl_agrees_with_cudnn(impl: str, dtype: torch.dtype) -> None:
    kw: dict[str, Any] = {} if impl == "persistent" else {"bidirectional": True, "proj_size": 4}
    errors = compare_with_torch(impl, dtype, D=16, H=32, device="cuda", **kw)
    assert max(errors.values()) <= TOL[dtype], errors


def test_names_every_output_state_and_gradient() -> None:
    errors = compare_with_torch("fused_gates", num_layers=1, initial_states=True)
    params = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    expected = ["output", "h_n", "c_n", "dx", "dh_0", "dc_0"] + ["d" + p for p in params]
    assert list(errors) == expected
    assert all(isinstance(e, float) and 0 <= e <= 1 for e in errors.values())
    assert list(compare_with_torch("fused_gates", num_layers=1))[:4] == [
        "output",
        "h_n",
        "c_n",
        "dx",
    ]


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    first = compare_with_torch("per_gate", torch.float32, seed=3)
    assert compare_with_torch("per_gate", torch.float32, seed=3) == first
    assert compare_with_torch("per_gate", torch.float32, seed=4) != first


class _Nudged(lt.LSTM):
    """Our LSTM with its output scaled by 1 + 1e-6: a bug compare_with_torch must see."""

    def forward(self, input: Tensor, hx: Any = None) -> Any:
        y, states = super().forward(input, hx)
        return y * (1 + 1e-6), states


def test_sees_a_disagreement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agreement, "LSTM", _Nudged)
    errors = compare_with_torch("fused_gates")
    assert 1e-7 < errors["output"] < 1e-6  # 1e-6 / (2 + 1e-6)
    assert errors["h_n"] <= 1e-10 and errors["c_n"] <= 1e-10  # the states are not nudged
    assert errors["dx"] > 1e-8  # the gradient of R * y changes too


@pytest.mark.parametrize("name", ["T", "B", "D", "H", "num_layers"])
def test_sizes_must_be_positive_ints(name: str) -> None:
    with pytest.raises(ValueError, match=f"{name}: expected an int >= 1, got 0"):
        compare_with_torch(**{name: 0})
    with pytest.raises(TypeError, match=f"{name}: expected an int, got float"):
        compare_with_torch(**{name: 2.0})


def test_bad_seed_and_impl_are_named() -> None:
    with pytest.raises(TypeError, match="seed: expected an int, got str"):
        compare_with_torch(seed="0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="impl must be"):
        compare_with_torch("fast")
