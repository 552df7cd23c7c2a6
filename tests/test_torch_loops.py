"""The TorchScript time loops of the CPU rungs (lstm_ref.torch.loops) equal the Python loop."""

from __future__ import annotations

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence
from torch_helpers import max_rel_err, outputs_and_grads, twin

import lstm_ref.torch as lt
from lstm_ref.torch import layer_function, loops

F64 = torch.float64


def test_the_loops_run_without_projection_on_the_cpu() -> None:
    x = torch.zeros(3, 2, 4)
    assert layer_function.compiled_loops(x, None, numba=False) == "torchscript"
    # Projection: the Python loop.
    assert layer_function.compiled_loops(x, torch.zeros(2, 4), numba=False) is None
    assert layer_function.compiled_loops(x, torch.zeros(2, 4), numba=True) is None


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("impl", ["input_proj", "fused_step"])
def test_scripted_loops_equal_the_python_loop(
    bidirectional: bool, impl: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.manual_seed(0)
    model = lt.LSTM(3, 5, num_layers=2, bidirectional=bidirectional, dtype=F64, impl=impl)
    x = torch.randn(6, 4, 3, dtype=F64, requires_grad=True)
    shape = (2 * model.num_directions, 4, 5)
    hx = tuple(torch.randn(shape, dtype=F64, requires_grad=True) for _ in range(2))
    scripted = outputs_and_grads(model, x, hx)
    monkeypatch.setattr(layer_function, "compiled_loops", lambda *args, **kw: None)
    python = outputs_and_grads(model, x, hx)
    assert max_rel_err(scripted, python) <= 1e-12


@pytest.mark.parametrize("bidirectional", [False, True])
def test_scripted_loops_equal_the_python_loop_on_packed_sequences(
    bidirectional: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.manual_seed(0)
    model = lt.LSTM(3, 5, num_layers=2, bidirectional=bidirectional, dtype=F64)
    x = torch.randn(4, 6, 3, dtype=F64, requires_grad=True)  # batch first
    shape = (2 * model.num_directions, 4, 5)
    hx = tuple(torch.randn(shape, dtype=F64, requires_grad=True) for _ in range(2))

    def run() -> list[torch.Tensor]:
        packed = pack_padded_sequence(x, [3, 6, 1, 4], batch_first=True, enforce_sorted=False)
        return outputs_and_grads(model, packed, hx, x)

    scripted = run()
    monkeypatch.setattr(layer_function, "compiled_loops", lambda *args, **kw: None)
    assert max_rel_err(scripted, run()) <= 1e-12


def test_scripted_loops_agree_with_torch_in_float32() -> None:
    torch.manual_seed(0)
    ref = torch.nn.LSTM(8, 16, bidirectional=True)
    ours = twin(lt.LSTM(8, 16, bidirectional=True), ref)
    x = torch.randn(20, 3, 8, requires_grad=True)
    hx = (torch.randn(2, 3, 16, requires_grad=True), torch.randn(2, 3, 16, requires_grad=True))
    assert max_rel_err(outputs_and_grads(ours, x, hx), outputs_and_grads(ref, x, hx)) <= 1e-5


def test_double_backward_through_the_scripted_loops() -> None:
    torch.manual_seed(0)
    model = lt.LSTM(3, 4, num_layers=2, bidirectional=True, dtype=F64)
    x = torch.randn(4, 2, 3, dtype=F64, requires_grad=True)
    h0 = torch.randn(4, 2, 4, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, h0: model(x, (h0, h0))[0], (x, h0))
    assert torch.autograd.gradgradcheck(lambda x, h0: model(x, (h0, h0))[0], (x, h0))
    packed = lambda x: model(pack_padded_sequence(x, [4, 2]))[0].data  # noqa: E731
    assert torch.autograd.gradcheck(packed, (x,))


def test_the_loops_are_compiled_here_and_equal_as_plain_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert all(isinstance(f, torch.jit.ScriptFunction) for f in loops.scripted())
    torch.manual_seed(0)
    model = lt.LSTM(3, 5, bidirectional=True, dtype=F64)
    x = torch.randn(6, 4, 3, dtype=F64, requires_grad=True)
    hx = tuple(torch.randn(2, 4, 5, dtype=F64, requires_grad=True) for _ in range(2))
    compiled = outputs_and_grads(model, x, hx)
    # Without TorchScript the same functions run as Python.
    monkeypatch.setattr(
        layer_function, "scripted", lambda: (loops.forward_loop, loops.backward_loop)
    )
    assert max_rel_err(outputs_and_grads(model, x, hx), compiled) <= 1e-12
