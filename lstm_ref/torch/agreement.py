r"""Does our LSTM compute what ``torch.nn.LSTM`` computes? One comparison, used everywhere.

:func:`compare_with_torch` gives a :class:`torch.nn.LSTM` and our
:class:`~lstm_ref.torch.LSTM` (any ``impl``) the same weights, runs both on
the same random input and differentiates the same loss,

.. math::
    L = \sum_{t,b,k} R_{tbk}\, y_{tbk} + \sum h_n + \sum c_n,
    \qquad R \sim \mathcal{N}(0, 1),

so that the backward pass starts from a random upstream gradient of every
output and a nonzero one of both final states. It returns the relative error
(``max|a - b| / max(|a| + |b|)``, :func:`~lstm_ref.numpy.gradcheck.relative_error`) of
every output, final state and gradient. Chapter 10 checks each rung of the
optimisation ladder with it.

On a GPU, turn TF32 off on both sides first
(``torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False``):
cuDNN allows it by default, and TF32 products differ from float32 ones by
about :math:`10^{-3}`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from lstm_ref.checks import check_positive_int
from lstm_ref.numpy import relative_error

from .lstm import LSTM


def compare_with_torch(
    impl: str = "auto",
    dtype: torch.dtype = torch.float64,
    *,
    seed: int = 0,
    T: int = 8,
    B: int = 3,
    D: int = 4,
    H: int = 6,
    num_layers: int = 2,
    bias: bool = True,
    bidirectional: bool = False,
    proj_size: int = 0,
    initial_states: bool = False,
    device: torch.device | str | None = None,
) -> dict[str, float]:
    """Relative errors of our ``LSTM(impl=impl)`` against ``torch.nn.LSTM``, same weights.

    Seeds torch with ``seed``, then draws, in this order: the weights of
    ``torch.nn.LSTM`` (ours gets a copy), the input ``x`` (T, B, D), the
    upstream gradient ``R`` of the output and, with ``initial_states``, the
    states ``h_0`` and ``c_0``. Both models run forward on the same tensors and
    ``torch.autograd.grad`` differentiates the loss of the module docstring.

    Parameters
    ----------
    impl : str
        Our implementation to check: ``"auto"`` or a rung of
        ``lstm_ref.torch.IMPLS``.
    dtype : torch.dtype
        ``torch.float64`` or ``torch.float32``, for weights and data.
    seed : int
        Seeds the weights and data.
    T, B, D, H : int
        Steps, batch size, input features, hidden units.
    num_layers, bias, bidirectional, proj_size
        As for :class:`torch.nn.LSTM`.
    initial_states : bool
        Start from random ``(h_0, c_0)`` and compare their gradients too
        (default: zero states, as when ``hx`` is not given).
    device : torch.device or str, optional
        Where both models and the data live (default: the CPU).

    Returns
    -------
    dict of str to float
        ``"output"``, ``"h_n"``, ``"c_n"``, then the gradients: ``"dx"``,
        ``"dh_0"`` and ``"dc_0"`` with ``initial_states``, and ``"d" + name``
        for every parameter (``"dweight_ih_l0"``, ...), each the relative
        error between the two models; take ``max(errors.values())`` for the
        worst.

    Raises
    ------
    TypeError, ValueError
        A size that is not a positive int; and whatever the two LSTM
        constructors raise for their arguments (an unknown ``impl``, say).
    """
    for name, value in {"T": T, "B": B, "D": D, "H": H, "num_layers": num_layers}.items():
        check_positive_int(name, value)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed: expected an int, got {type(seed).__name__}")
    torch.manual_seed(seed)
    same: dict[str, Any] = {"num_layers": num_layers, "bias": bias, "proj_size": proj_size}
    same |= {"bidirectional": bidirectional, "device": device, "dtype": dtype}
    reference = nn.LSTM(D, H, **same)
    ours = LSTM(D, H, impl=impl, **same)
    ours.load_state_dict(reference.state_dict())
    directions = 2 if bidirectional else 1
    x = torch.randn(T, B, D, dtype=dtype, device=device)
    R = torch.randn(T, B, directions * (proj_size or H), dtype=dtype, device=device)
    states: tuple[Tensor, ...] = ()
    if initial_states:
        stacked = num_layers * directions
        h0 = torch.randn(stacked, B, proj_size or H, dtype=dtype, device=device)
        c0 = torch.randn(stacked, B, H, dtype=dtype, device=device)
        states = (h0, c0)
    names = [name for name, _ in reference.named_parameters()]
    results = [_outputs_and_gradients(model, x, states, R, names) for model in (reference, ours)]
    return {key: relative_error(results[0][key], results[1][key]) for key in results[0]}


def _outputs_and_gradients(
    model: nn.Module, x: Tensor, states: tuple[Tensor, ...], R: Tensor, names: list[str]
) -> dict[str, Tensor]:
    """Outputs, final states and the gradients of the loss, by name, for one model."""
    inputs = [t.clone().requires_grad_() for t in (x, *states)]
    y, (h_n, c_n) = model(inputs[0], tuple(inputs[1:]) or None)
    loss = (R * y).sum() + h_n.sum() + c_n.sum()
    parameters = dict(model.named_parameters())
    grads = torch.autograd.grad(loss, [*inputs, *(parameters[name] for name in names)])
    wrt = ["x", "h_0", "c_0"][: len(inputs)] + names
    return {"output": y, "h_n": h_n, "c_n": c_n} | {
        "d" + name: g for name, g in zip(wrt, grads, strict=True)
    }
