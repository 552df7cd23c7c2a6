"""The compiled time loops of the compiled_loop rung (lstm_ref.torch.numba_loops)."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence
from torch_helpers import max_rel_err, outputs_and_grads, twin

import lstm_ref.torch as lt
from lstm_ref.torch import layer_function, numba_loops
from lstm_ref.torch.gemm import Product

pytestmark = pytest.mark.skipif(not numba_loops.available(), reason="needs Numba")


def test_the_rational_tanh_is_accurate_to_a_few_units_in_the_last_place() -> None:
    # Every 64th float32 from 2^-30 to 10 (4.4 million numbers), their negatives, and more.
    grid = numba_loops.float32_grid(every=64)
    assert grid.size > 8 * 10**6 and grid.max() < 10 and grid.min() > -10
    x = np.concatenate([grid, np.float32([0, 20, -20, np.inf, -np.inf])])
    error = numba_loops.tanh_error(x)
    assert error <= numba_loops.TANH_MAX_ERROR
    assert error > numba_loops.TANH_MAX_ERROR / 4  # the stated bound is not loose
    assert numba_loops.tanh_rational(np.float32([0, 30, -30])).tolist() == [0, 1, -1]


def test_the_rung_runs_the_compiled_loops_in_float32_only() -> None:
    x32, x64 = torch.zeros(3, 2, 4), torch.zeros(3, 2, 4, dtype=torch.float64)
    assert layer_function.compiled_loops(x32, None, numba=True) == "numba"
    assert layer_function.compiled_loops(x64, None, numba=True) == "torchscript"
    assert layer_function.compiled_loops(x32, None, numba=False) == "torchscript"
    assert layer_function.compiled_loops(x32, torch.zeros(2, 4), numba=True) is None


# B * 4H * H: 2 * 4 * 5 * 5 multiply-adds are done inside the compiled loop; 64 * 4 * 128 *
# 128 = 2^22 are handed to oneDNN step by step (lstm_ref.torch.gemm.ONEDNN_MIN_MACS).
SIZES = pytest.mark.parametrize(("B", "H"), [(3, 5), (64, 128)], ids=["in-loop", "oneDNN"])


@SIZES
@pytest.mark.parametrize("bidirectional", [False, True])
def test_compiled_loops_agree_with_torch(B: int, H: int, bidirectional: bool) -> None:
    assert Product(torch.zeros(4 * H, H), B, per_step=True).onednn == (H == 128)
    torch.manual_seed(0)
    ref = torch.nn.LSTM(4, H, num_layers=2, bidirectional=bidirectional)
    ours = twin(lt.LSTM(4, H, num_layers=2, bidirectional=bidirectional, impl="compiled_loop"), ref)
    x = torch.randn(7, B, 4, requires_grad=True)
    shape = (2 * ours.num_directions, B, H)
    hx = tuple(torch.randn(shape, requires_grad=True) for _ in range(2))
    assert max_rel_err(outputs_and_grads(ours, x, hx, x), outputs_and_grads(ref, x, hx, x)) < 1e-5


@SIZES
def test_compiled_loops_agree_with_torch_on_packed_sequences(B: int, H: int) -> None:
    torch.manual_seed(0)
    ref = torch.nn.LSTM(4, H, bidirectional=True)
    ours = twin(lt.LSTM(4, H, bidirectional=True, impl="compiled_loop"), ref)
    x = torch.randn(7, B, 4, requires_grad=True)
    lengths = torch.randint(1, 8, (B,))
    lengths[0] = 7
    hx = tuple(torch.randn(2, B, H, requires_grad=True) for _ in range(2))

    def run(model: torch.nn.Module) -> list[torch.Tensor]:
        packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
        return outputs_and_grads(model, packed, hx, x)

    assert max_rel_err(run(ours), run(ref)) < 1e-5


def test_compiled_loops_equal_the_torchscript_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(0)
    model = lt.LSTM(3, 6, num_layers=2, bidirectional=True, impl="compiled_loop")
    x = torch.randn(9, 4, 3, requires_grad=True)
    hx = tuple(torch.randn(4, 4, 6, requires_grad=True) for _ in range(2))
    compiled = outputs_and_grads(model, x, hx, x)
    monkeypatch.setattr(layer_function, "compiled_loops", lambda *a, numba: "torchscript")
    assert max_rel_err(compiled, outputs_and_grads(model, x, hx, x)) < 1e-6


def test_without_gradients_the_forward_pass_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = []
    run = numba_loops.forward_loop

    def spy(*args: Any) -> Any:
        kept.append(args[-1])
        return run(*args)

    monkeypatch.setattr(numba_loops, "forward_loop", spy)
    model = lt.LSTM(3, 5, impl="compiled_loop")
    x = torch.randn(4, 2, 3)
    with torch.no_grad():
        model(x)
    with torch.inference_mode():
        model(x)
    model(x)[0].sum().backward()
    assert kept == [False, False, True]


def test_double_backward_through_the_compiled_rung() -> None:
    torch.manual_seed(0)
    model = lt.LSTM(3, 4, impl="compiled_loop").double()
    x = torch.randn(4, 2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradgradcheck(lambda x: model(x)[0], (x,))
    model.float()  # in float32 the compiled loops run; second derivatives go through autograd
    x32 = x.detach().float().requires_grad_()
    (g,) = torch.autograd.grad(model(x32)[0].square().sum(), x32, create_graph=True)
    (gg,) = torch.autograd.grad(g.square().sum(), x32)
    assert gg.abs().sum() > 0


def test_the_rung_refuses_a_device_other_than_the_cpu() -> None:
    model = lt.LSTM(3, 4, impl="compiled_loop", device="meta")
    with pytest.raises(
        ValueError, match="impl='compiled_loop' compiles its time loops for the CPU"
    ):
        model(torch.zeros(2, 1, 3, device="meta"))


def test_auto_picks_the_compiled_rung_on_the_cpu() -> None:
    from lstm_ref.torch.ladder import default_impl

    assert default_impl(torch.device("cpu")) == "compiled_loop"


def test_the_blas_is_taken_only_where_it_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    assert numba_loops.torch_blas() is not None  # x86-64 Linux: MKL inside libtorch_cpu
    monkeypatch.setattr(numba_loops.platform, "machine", lambda: "aarch64")
    numba_loops.torch_blas.cache_clear()
    try:
        assert numba_loops.torch_blas() is None  # another BLAS, integer width unknown
    finally:
        monkeypatch.undo()
        numba_loops.torch_blas.cache_clear()
    assert numba_loops.torch_blas() is not None


def test_the_coefficients_are_the_documented_fit() -> None:
    # benchmarks/tanh_rational.py fits them; its fit reproduces the stored ones.
    from lstm_ref.bench import benchmarks_dir

    spec = importlib.util.spec_from_file_location(
        "tanh_rational", benchmarks_dir() / "tanh_rational.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    numerator, denominator = script.fit()
    np.testing.assert_allclose(numerator, numba_loops.TANH_NUMERATOR, rtol=1e-5)
    np.testing.assert_allclose(denominator, numba_loops.TANH_DENOMINATOR, rtol=1e-5)
