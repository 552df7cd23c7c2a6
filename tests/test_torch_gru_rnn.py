"""GRU, GRUCell, RNN and RNNCell of lstm_ref.torch equal torch.nn's."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch_helpers import RNN_OPS, max_rel_err, ran_ops, rel_err, twin

import lstm_ref.torch as lt

D, H, T, B = 4, 5, 5, 3
F64 = torch.float64
SEQUENCE_MODELS: list[tuple[type[nn.Module], type[nn.Module], dict[str, Any]]] = [
    (nn.GRU, lt.GRU, {}),
    (nn.GRU, lt.GRU, {"num_layers": 2, "bidirectional": True, "bias": False}),
    (nn.RNN, lt.RNN, {}),
    (nn.RNN, lt.RNN, {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}),
    (nn.RNN, lt.RNN, {"nonlinearity": "relu", "batch_first": True}),
]


def make(ref_cls: type[nn.Module], our_cls: type[nn.Module], **kw: Any) -> tuple[Any, Any]:
    torch.manual_seed(0)
    ref = ref_cls(D, H, dtype=F64, **kw)
    return ref, twin(our_cls(D, H, dtype=F64, **kw), ref)


def outputs_and_grads(model: nn.Module, x: Tensor, h0: Tensor) -> list[Tensor]:
    y, h = model(x, h0)
    loss = (y * y.detach().cos()).sum() + h.sin().sum()
    return [y, h, *torch.autograd.grad(loss, [x, h0, *model.parameters()])]


@pytest.mark.parametrize(("ref_cls", "our_cls", "kw"), SEQUENCE_MODELS, ids=str)
def test_sequence_models_equal_torch(
    ref_cls: type[nn.Module], our_cls: type[nn.Module], kw: dict[str, Any]
) -> None:
    ref, ours = make(ref_cls, our_cls, **kw)
    assert list(ours.state_dict()) == list(ref.state_dict())
    x = torch.randn(*((B, T) if ref.batch_first else (T, B)), D, dtype=F64, requires_grad=True)
    h0 = torch.randn(ref.num_layers * (1 + ref.bidirectional), B, H, dtype=F64, requires_grad=True)
    assert max_rel_err(outputs_and_grads(ours, x, h0), outputs_and_grads(ref, x, h0)) <= 1e-10
    assert not RNN_OPS & ran_ops(lambda: outputs_and_grads(ours, x, h0))


@pytest.mark.parametrize(("ref_cls", "our_cls"), [(nn.GRU, lt.GRU), (nn.RNN, lt.RNN)])
def test_packed_and_unbatched_equal_torch(
    ref_cls: type[nn.Module], our_cls: type[nn.Module]
) -> None:
    ref, ours = make(ref_cls, our_cls, bidirectional=True)
    lengths = torch.tensor([3, 5, 1])
    padded = torch.randn(T, B, D, dtype=F64)
    results = []
    for model in (ours, ref):
        x = padded.clone().requires_grad_()
        y, h = model(pack_padded_sequence(x, lengths, enforce_sorted=False))
        out, _ = pad_packed_sequence(y)
        results.append([out, h, *torch.autograd.grad(out.sum() + h.sum(), [x])])
    assert max_rel_err(*results) <= 1e-10
    y, h = ours(padded[:, 0])
    assert y.shape == (T, 2 * H) and h.shape == (2, H)
    assert max_rel_err([y, h], list(ref(padded[:, 0]))) <= 1e-10


@pytest.mark.parametrize(
    ("ref_cls", "our_cls", "kw"),
    [
        (nn.GRUCell, lt.GRUCell, {}),
        (nn.RNNCell, lt.RNNCell, {}),
        (nn.RNNCell, lt.RNNCell, {"nonlinearity": "relu", "bias": False}),
    ],
    ids=str,
)
def test_cells_equal_torch(
    ref_cls: type[nn.Module], our_cls: type[nn.Module], kw: dict[str, Any]
) -> None:
    ref, ours = make(ref_cls, our_cls, **kw)
    x = torch.randn(B, D, dtype=F64, requires_grad=True)
    h0 = torch.randn(B, H, dtype=F64, requires_grad=True)
    results = []
    for model in (ours, ref):
        h = model(x, h0)
        results.append([h, *torch.autograd.grad(h.sin().sum(), [x, h0, *model.parameters()])])
    assert max_rel_err(*results) <= 1e-10
    assert rel_err(ours(x[0]), ref(x[0])) <= 1e-10  # unbatched, zero state
    assert not RNN_OPS & ran_ops(lambda: ours(x, h0))


def test_gru_and_rnn_errors() -> None:
    with pytest.raises(ValueError, match=r"Expected hidden size \(1, 3, 5\), got \[1, 2, 5\]"):
        lt.GRU(D, H)(torch.randn(T, B, D), torch.zeros(1, 2, H))
    with pytest.raises(ValueError, match="For batched 3-D input, hx should also be 3-D"):
        lt.RNN(D, H)(torch.randn(T, B, D), torch.zeros(B, H))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        lt.RNN(D, H, nonlinearity="gelu")
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        lt.RNNCell(D, H, nonlinearity="gelu")
    with pytest.raises(ValueError, match="GRUCell: Expected input to be 1D or 2D, got 3D"):
        lt.GRUCell(D, H)(torch.randn(1, B, D))


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            (torch.randn(3, 10), torch.randn(1, 20)),
            RuntimeError,
            "Input batch size 3 doesn't match hidden0 batch size 1",
        ),
        (
            (torch.randn(3, 11), torch.randn(3, 20)),
            RuntimeError,
            "input has inconsistent input_size: got 11 expected 10",
        ),
        (
            (torch.randn(3, 10), torch.randn(3, 21)),
            RuntimeError,
            "hidden0 has inconsistent hidden_size: got 21, expected 20",
        ),
        (
            (torch.randn(3, 10), torch.randn(3, 1, 20)),
            ValueError,
            "RNNCell: Expected hidden to be 1D or 2D, got 3D instead",
        ),
    ],
)
def test_cell_errors_are_worded_like_torch(
    args: tuple[Tensor, Tensor], error: type[Exception], message: str
) -> None:
    for cls in (nn.RNNCell, lt.RNNCell):  # torch.nn first: its words are the expectation
        with pytest.raises(error, match=message):
            cls(10, 20)(*args)


@pytest.mark.parametrize(("ref_cls", "our_cls"), [(nn.GRU, lt.GRU), (nn.RNN, lt.RNN)])
def test_sequence_errors_are_worded_like_torch(
    ref_cls: type[nn.Module], our_cls: type[nn.Module]
) -> None:
    x = torch.randn(T, B, D, dtype=F64)
    for cls in (ref_cls, our_cls):
        with pytest.raises(ValueError, match=r"^RNN input dtype \(torch.float64\) does not match"):
            cls(D, H)(x)
        with pytest.raises(RuntimeError, match=r"input.size\(-1\) must be equal to input_size"):
            cls(D + 1, H)(x.float())
        with pytest.raises(
            RuntimeError, match=r"Expected hidden size \(1, 3, 5\), got \[1, 2, 5\]"
        ):
            cls(D, H)(x.float(), torch.zeros(1, 2, H))


@pytest.mark.parametrize("cls", [lt.GRU, lt.RNN])
def test_autocast_bfloat16_on_cpu(cls: type[nn.Module]) -> None:
    torch.manual_seed(0)
    model = cls(D, H, num_layers=2)
    x = torch.randn(T, B, D, requires_grad=True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y, h = model(x)
    assert y.dtype == h.dtype == torch.bfloat16
    assert rel_err(y.float(), model(x)[0]) < 2e-2
    y.float().sum().backward()
    assert x.grad is not None
