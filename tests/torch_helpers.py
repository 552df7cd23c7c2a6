"""Shared helpers of the lstm_ref.torch tests: relative error and twin models."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

#: PyTorch's own recurrent operators: lstm_ref.torch must never run any of them.
RNN_OPS = frozenset(
    {
        "aten::lstm",
        "aten::lstm_cell",
        "aten::_thnn_fused_lstm_cell",
        "aten::mkldnn_rnn_layer",
        "aten::mkldnn_rnn",
        "aten::_cudnn_rnn",
        "aten::miopen_rnn",
        "aten::rnn_tanh",
        "aten::rnn_relu",
        "aten::rnn_tanh_cell",
        "aten::rnn_relu_cell",
        "aten::gru",
        "aten::gru_cell",
        "aten::_thnn_fused_gru_cell",
        "aten::quantized_lstm",
    }
)


def rel_err(a: Tensor, b: Tensor) -> float:
    """max|a - b| / max(|a| + |b|) over the whole array (0 for two zero arrays)."""
    scale = (a.abs() + b.abs()).max().item()
    return 0.0 if scale == 0 else (a - b).abs().max().item() / scale


def max_rel_err(xs: Sequence[Tensor], ys: Sequence[Tensor]) -> float:
    """Largest :func:`rel_err` over paired tensors (which must have equal shapes)."""
    assert len(xs) == len(ys)
    for a, b in zip(xs, ys, strict=True):
        assert a.shape == b.shape, (a.shape, b.shape)
    return max(rel_err(a, b) for a, b in zip(xs, ys, strict=True))


def twin(ours: nn.Module, reference: nn.Module) -> nn.Module:
    """Give ``ours`` the weights of ``reference`` (same state_dict keys) and return it."""
    ours.load_state_dict(reference.state_dict())
    return ours


def ran_ops(fn: object) -> set[str]:
    """Names of the operators the autograd profiler saw while calling ``fn()``."""
    with torch.autograd.profiler.profile() as prof:
        fn()  # type: ignore[operator]
    return {e.name for e in prof.function_events}


def outputs_and_grads(
    model: nn.Module,
    x: Tensor | PackedSequence,
    hx: tuple[Tensor, ...],
    leaf: Tensor | None = None,
) -> list[Tensor]:
    """A recurrent model's outputs, and the gradients of a loss touching all of them.

    The gradients are with respect to ``leaf`` (the input ``x`` when it is a
    tensor; the padded tensor a ``PackedSequence`` was made from), the initial
    states ``hx`` and every parameter.
    """
    y, (h, c) = model(x, hx)
    y = y.data if isinstance(y, PackedSequence) else y
    loss = y.sin().sum() + h.square().sum() + (c * torch.arange(c.numel()).view(c.shape)).sum()
    inputs = [x if leaf is None else leaf, *hx, *model.parameters()]
    return [y, h, c, *torch.autograd.grad(loss, inputs)]
