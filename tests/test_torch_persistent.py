"""impl="persistent" (Triton) equals torch.nn.LSTM, forward and backward, and refuses clearly.

Without a GPU these tests run the kernels under Triton's interpreter on the CPU
(tests/conftest.py sets TRITON_INTERPRET=1 before Triton is imported), so they
run in CI; with a GPU they run the compiled kernels against cuDNN. Shapes are
tiny because the interpreter executes every block operation in NumPy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch_helpers import RNN_OPS, max_rel_err, ran_ops, twin

import lstm_ref.torch as lt
from lstm_ref.torch import persistent

pytestmark = pytest.mark.usefixtures("no_tf32")
DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")
D, H, T, B = 4, 5, 5, 3
TOL = {torch.float64: 1e-10, torch.float32: 1e-5}


def pair(dtype: torch.dtype, d: int = D, h: int = H, **kw: Any) -> tuple[nn.LSTM, lt.LSTM]:
    torch.manual_seed(0)
    ref = nn.LSTM(d, h, device=DEVICE, dtype=dtype, **kw)
    ours = lt.LSTM(d, h, device=DEVICE, dtype=dtype, impl="persistent", **kw)
    return ref, twin(ours, ref)  # type: ignore[return-value]


def results(model: nn.Module, x: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> list[Tensor]:
    """Outputs, and the gradients of a loss touching all of them w.r.t. inputs and parameters."""
    y, (h, c) = model(x, hx)
    loss = (y * y.detach().cos()).sum() + h.sin().sum() + (c * c).sum()
    return [y, h, c, *torch.autograd.grad(loss, [x, *(hx or ()), *model.parameters()])]


def initial_states(ref: nn.LSTM, batch: int, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
    shape = (ref.num_layers * (2 if ref.bidirectional else 1), batch, ref.hidden_size)
    return tuple(  # type: ignore[return-value]
        torch.randn(shape, device=DEVICE, dtype=dtype, requires_grad=True) for _ in range(2)
    )


def test_kernels_run_compiled_on_gpu_interpreted_on_cpu() -> None:
    kernels = persistent.kernel_module()
    assert kernels.INTERPRETED == (DEVICE.type == "cpu")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
@pytest.mark.parametrize(
    "kw", [{}, {"bias": False}, {"num_layers": 2, "bidirectional": True}], ids=str
)
def test_forward_and_backward_equal_torch(dtype: torch.dtype, kw: dict[str, Any]) -> None:
    ref, ours = pair(dtype, **kw)
    x = torch.randn(T, B, D, device=DEVICE, dtype=dtype, requires_grad=True)
    hx = initial_states(ref, B, dtype)
    assert max_rel_err(results(ours, x, hx), results(ref, x, hx)) <= TOL[dtype]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=str)
def test_several_tiles_and_programs(dtype: torch.dtype) -> None:
    # H = 40: two tiles of 32 units (the second mostly masked); B = 6: two programs of 4 rows.
    ref, ours = pair(dtype, d=3, h=40)
    x = torch.randn(4, 6, 3, device=DEVICE, dtype=dtype, requires_grad=True)
    assert max_rel_err(results(ours, x), results(ref, x)) <= TOL[dtype]


def test_packed_sequence_runs_in_the_kernel() -> None:
    ref, ours = pair(torch.float64, num_layers=2, bidirectional=True)
    padded = torch.randn(T, 4, D, device=DEVICE, dtype=torch.float64)
    lengths = torch.tensor([2, 5, 1, 4])
    hx = initial_states(ref, 4, torch.float64)
    outs = []
    for model in (ours, ref):
        x = padded.clone().requires_grad_()
        y, (h, c) = model(pack_padded_sequence(x, lengths, enforce_sorted=False), hx)
        out, _ = pad_packed_sequence(y)
        loss = (out * out.detach().cos()).sum() + h.sin().sum() + (c * c).sum()
        outs.append([out, h, c, *torch.autograd.grad(loss, [x, *hx, *model.parameters()])])
    assert max_rel_err(*outs) <= 1e-10


def test_batch_first_unbatched_and_inference() -> None:
    ref, ours = pair(torch.float32, batch_first=True)
    x = torch.randn(B, T, D, device=DEVICE)
    with torch.no_grad():
        assert max_rel_err([*flat(ours(x))], [*flat(ref(x))]) <= 1e-5
        assert max_rel_err([*flat(ours(x[0]))], [*flat(ref(x[0]))]) <= 1e-5


def flat(out: tuple[Tensor, tuple[Tensor, Tensor]]) -> tuple[Tensor, Tensor, Tensor]:
    y, (h, c) = out
    return y, h, c


def test_never_runs_pytorch_rnn_operators() -> None:
    _, ours = pair(torch.float32)
    x = torch.randn(T, B, D, device=DEVICE, requires_grad=True)
    assert not RNN_OPS & ran_ops(lambda: ours(x)[0].sum().backward())


def test_refuses_projection_and_other_dtypes() -> None:
    x = torch.randn(T, B, D, device=DEVICE)
    with pytest.raises(ValueError, match=r"proj_size must be 0.*impl='fused_step'"):
        lt.LSTM(D, H, proj_size=2, impl="persistent", device=DEVICE)(x)
    with pytest.raises(ValueError, match=r"float32 or float64, got torch\.float16"):
        lt.LSTM(D, H, impl="persistent", device=DEVICE, dtype=torch.float16)(x.half())
    with pytest.raises(ValueError, match=r"float32 or float64, got torch\.bfloat16"):
        with torch.autocast(DEVICE.type, dtype=torch.bfloat16):
            lt.LSTM(D, H, impl="persistent", device=DEVICE)(x)


def test_refuses_the_cpu_without_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(persistent.kernel_module(), "INTERPRETED", False)
    model = lt.LSTM(D, H, impl="persistent")
    with pytest.raises(ValueError, match=r"needs the model on a CUDA device.*TRITON_INTERPRET=1"):
        model(torch.randn(T, B, D))


def test_missing_triton_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "lstm_ref.torch.persistent_kernels", raising=False)
    monkeypatch.setitem(sys.modules, "triton", None)  # makes `import triton` fail
    with pytest.raises(ImportError, match="pip install triton"):
        lt.LSTM(D, H, impl="persistent", device=DEVICE)(torch.randn(T, B, D, device=DEVICE))


def test_importing_lstm_ref_torch_does_not_import_triton() -> None:
    code = "import sys, lstm_ref.torch; print('triton' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


#: Compiles both kernels (W_hh streamed, and resident) for an H100 (sm_90) with the ptxas that
#: ships in Triton's wheel, in a process without the interpreter, and prints ptxas' resource
#: usage of each. No GPU needed.
COMPILE = """
import json, os, subprocess, sys, tempfile
import triton, triton.language as tl
from triton.backends.compiler import GPUTarget
from triton.compiler import ASTSource
from lstm_ref.torch import persistent_kernels as k

common = {"T": "i32", "B": "i32", "H": "i32", "ACC": "constexpr", "REVERSE": "constexpr",
          "RESIDENT": "constexpr", "BLOCK_B": "constexpr", "BLOCK_H": "constexpr",
          "BLOCK_K": "constexpr"}
blocks = {"ACC": tl.float32, "REVERSE": True, "BLOCK_B": 4, "BLOCK_H": 32, "BLOCK_K": 32}
kernels = {
    "forward": (k.lstm_forward_kernel, ["gx", "w_hh", "hs", "cs", "acts"], {"SAVE": True}),
    "backward": (k.lstm_backward_kernel, ["dy", "w_hh", "cs", "acts", "d_preact", "dh", "dc"], {}),
}
cuobjdump = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia", "bin", "cuobjdump")
usage = {}
runs = [(name, spec, resident) for name, spec in kernels.items() for resident in (False, True)]
for name, (kernel, pointers, flags), resident in runs:
    signature = {**{p: "*fp32" for p in pointers}, "batch_sizes": "*i32", **common}
    signature.update({f: "constexpr" for f in flags})
    source = ASTSource(kernel, signature, {**blocks, **flags, "RESIDENT": resident})
    compiled = triton.compile(source, target=GPUTarget("cuda", 90, 32))
    with tempfile.NamedTemporaryFile(suffix=".cubin") as f:
        f.write(compiled.asm["cubin"])
        f.flush()
        out = subprocess.run([cuobjdump, "-res-usage", f.name], capture_output=True, text=True)
    fields = out.stdout.split("REG:")[1].split()
    key = name + (" resident" if resident else "")
    usage[key] = {"REG": int(fields[0]), **{f.split(":")[0]: f.split(":")[1] for f in fields[1:]}}
    usage[key]["barriers"] = compiled.asm["ptx"].count("bar.sync")
print(json.dumps(usage))
"""


def test_kernels_compile_for_a_gpu_without_spilling() -> None:
    # The interpreter cannot tell whether Triton compiles the kernels: compile them for real.
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    env["TRITON_DEFAULT_FP_FUSION"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", COMPILE], capture_output=True, text=True, check=True, env=env
    )
    usage = json.loads(out.stdout)
    for kernel in ("forward", "backward", "forward resident", "backward resident"):
        assert usage[kernel]["LOCAL"] == "0"  # no register spills to local memory
        assert usage[kernel]["REG"] <= 128  # of 255: room for several programs per multiprocessor
        assert usage[kernel]["barriers"] >= 1  # the per-step barrier between the threads


@pytest.mark.parametrize(
    ("triton_version", "numpy_version", "refused"),
    [("3.6.0", "2.4.6", True), ("3.6.0", "2.3.5", False), ("3.7.1", "2.4.6", False)],
)
def test_interpreter_refuses_triton_before_3_7_with_numpy_2_4(
    monkeypatch: pytest.MonkeyPatch, triton_version: str, numpy_version: str, refused: bool
) -> None:
    kernels = persistent.kernel_module()
    monkeypatch.setattr(kernels, "INTERPRETED", True)
    monkeypatch.setattr(kernels.triton, "__version__", triton_version)
    monkeypatch.setattr(kernels.np, "__version__", numpy_version)
    if refused:
        with pytest.raises(RuntimeError, match=r"needs Triton >= 3\.7 with NumPy >= 2\.4"):
            kernels.check_interpreter()
    else:
        kernels.check_interpreter()
    monkeypatch.setattr(kernels, "INTERPRETED", False)  # compiled kernels: any version >= 3.4
    monkeypatch.setattr(kernels.triton, "__version__", "3.6.0")
    monkeypatch.setattr(kernels.np, "__version__", "2.4.6")
    kernels.check_interpreter()


def test_double_backward_and_empty_batch() -> None:
    ref, ours = pair(torch.float64, d=2, h=3, bidirectional=True)
    x = torch.randn(3, 2, 2, device=DEVICE, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradgradcheck(lambda x: ours(x)[0], (x,))
    empty = torch.zeros(3, 0, 2, device=DEVICE, dtype=torch.float64, requires_grad=True)
    y, (h, c) = ours(empty)
    y_ref, (h_ref, c_ref) = ref(empty)
    assert (y.shape, h.shape, c.shape) == (y_ref.shape, h_ref.shape, c_ref.shape)
