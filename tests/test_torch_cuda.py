"""On a CUDA GPU: every rung equals cuDNN's nn.LSTM with TF32 off (skipped without CUDA).

Run on the GPU machine with ``PYTHONPATH=. python -m pytest tests/test_torch_cuda.py -m cuda``.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch_helpers import RNN_OPS, max_rel_err, ran_ops, rel_err, twin

import lstm_ref.torch as lt
from lstm_ref import bench

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
    pytest.mark.usefixtures("no_tf32"),
]
GPU_IMPLS = [*lt.IMPLS, "auto"]
#: The rungs with a projection (the persistent kernel has none and says so).
PROJ_IMPLS = [impl for impl in GPU_IMPLS if impl != "persistent"]
D, H, T, B = 16, 32, 7, 4


def pair(dtype: torch.dtype, impl: str, **kw: Any) -> tuple[nn.LSTM, lt.LSTM]:
    torch.manual_seed(0)
    ref = nn.LSTM(D, H, device="cuda", dtype=dtype, **kw)
    ours = lt.LSTM(D, H, device="cuda", dtype=dtype, impl=impl, **kw)
    return ref, twin(ours, ref)  # type: ignore[return-value]


def results(model: nn.Module, x: Tensor) -> list[Tensor]:
    y, (h, c) = model(x)
    loss = (y * y.detach().cos()).sum() + h.sum() + (c * c).sum()
    return [y, h, c, *torch.autograd.grad(loss, [x, *model.parameters()])]


@pytest.mark.parametrize("impl", GPU_IMPLS)
@pytest.mark.parametrize(("dtype", "tol"), [(torch.float64, 1e-10), (torch.float32, 1e-5)])
def test_every_rung_equals_cudnn(impl: str, dtype: torch.dtype, tol: float) -> None:
    ref, ours = pair(dtype, impl, num_layers=2, bidirectional=True)
    x = torch.randn(T, B, D, device="cuda", dtype=dtype, requires_grad=True)
    assert max_rel_err(results(ours, x), results(ref, x)) <= tol
    if impl == "cuda_graphs":  # a replay with new inputs, and a second replay, still agree
        for _ in range(2):
            x = torch.randn(T, B, D, device="cuda", dtype=dtype, requires_grad=True)
            assert max_rel_err(results(ours, x), results(ref, x)) <= tol
        with torch.no_grad():
            assert rel_err(ours(x)[0], ref(x)[0]) <= tol


@pytest.mark.parametrize("impl", PROJ_IMPLS)
def test_packed_projection_on_gpu(impl: str) -> None:
    ref, ours = pair(torch.float64, impl, num_layers=2, bidirectional=True, proj_size=8)
    padded = torch.randn(T, B, D, device="cuda", dtype=torch.float64)
    lengths = torch.tensor([3, 7, 1, 5])
    outs = []
    for model in (ours, ref):
        x = padded.clone().requires_grad_()
        y, (h, c) = model(pack_padded_sequence(x, lengths, enforce_sorted=False))
        out, _ = pad_packed_sequence(y)
        outs.append(
            [out, h, c, *torch.autograd.grad(out.sum() + c.sum(), [x, *model.parameters()])]
        )
    assert max_rel_err(*outs) <= 1e-10


@pytest.mark.parametrize(
    ("T_", "B_", "H_"), [(50, 16, 256), (1024, 1, 128), (20, 64, 1024), (30, 5, 200)]
)
def test_persistent_kernel_compiled_equals_cudnn(T_: int, B_: int, H_: int) -> None:
    # Benchmark-sized shapes: many tiles of units, several programs, long sequences;
    # the forward pass and every gradient, float32 with TF32 off on both sides.
    from lstm_ref.torch import persistent

    assert not persistent.kernel_module().INTERPRETED  # the compiled kernels, not the interpreter
    torch.manual_seed(0)
    ref = nn.LSTM(H_, H_, device="cuda")
    ours = twin(lt.LSTM(H_, H_, device="cuda", impl="persistent"), ref)
    x = torch.randn(T_, B_, H_, device="cuda", requires_grad=True)
    assert max_rel_err(results(ours, x), results(ref, x)) <= 1e-5


def test_cuda_graphs_trains_like_fused_step() -> None:
    torch.manual_seed(0)
    models = [lt.LSTM(D, H, device="cuda", impl=i) for i in ("fused_step", "cuda_graphs")]
    models[1].load_state_dict(models[0].state_dict())
    optimisers = [torch.optim.SGD(m.parameters(), lr=0.1) for m in models]
    for _ in range(3):
        x = torch.randn(T, B, D, device="cuda")
        for model, opt in zip(models, optimisers, strict=True):
            opt.zero_grad()
            model(x)[0].square().mean().backward()
            opt.step()
    for p, q in zip(models[0].parameters(), models[1].parameters(), strict=True):
        assert rel_err(p, q) <= 1e-5


@pytest.mark.parametrize("impl", GPU_IMPLS)
def test_no_pytorch_rnn_operators_on_gpu(impl: str) -> None:
    _, ours = pair(torch.float32, impl)
    x = torch.randn(T, B, D, device="cuda", requires_grad=True)
    ours(x)  # record the graph outside the profiler
    assert not RNN_OPS & ran_ops(lambda: ours(x)[0].sum().backward())


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_autocast_on_gpu(dtype: torch.dtype) -> None:
    ref, ours = pair(torch.float32, "fused_step")
    x = torch.randn(T, B, D, device="cuda", requires_grad=True)
    with torch.autocast("cuda", dtype=dtype):
        y, _ = ours(x)
    assert y.dtype == dtype
    assert rel_err(y.float(), ref(x)[0]) < 2e-2
    y.float().sum().backward()
    assert x.grad is not None


def test_bench_quick_on_gpu() -> None:
    report = bench.run_benchmark(bench.QUICK_SHAPES, device="cuda", repeats=2, progress=False)
    assert report["device"] == torch.cuda.get_device_name()
    assert {r["impl"] for r in report["results"]} == {"torch.nn", *lt.IMPLS}
