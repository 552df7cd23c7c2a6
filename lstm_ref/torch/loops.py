r"""The time loops of one LSTM layer direction, forward and backward, run by TorchScript.

At the sizes most models train at (H up to a few hundred, small batches) a
time step is a handful of small operators, and calling each from Python costs
more than computing it: a few µs per call, over ten calls a step. TorchScript
runs the same loop in its C++ interpreter, the same operators in the same
order, at about half the cost per call (measured on a 2-core AMD EPYC) and
with nothing to compile but the graph (milliseconds, once per process). The loops below are what
:class:`~lstm_ref.torch.layer_function.LSTMLayerFunction` runs on the CPU for
an LSTM without projection.

Forward, at each step :math:`t` (in reading order, backwards for ``reverse``):

.. math::
    a = A_t + h W_{hh}^\top, \quad (i, f, g, o) = (\sigma, \sigma, \tanh, \sigma)(a), \quad
    c' = f \odot c + i \odot g, \quad h' = o \odot \tanh c'

with :math:`A_t = W_{ih} x_t + b` computed beforehand for all steps. (Here
tanh is called as such: at these sizes one call less matters more than
:func:`~lstm_ref.torch.functional.tanh_via_sigmoid`'s cheaper elements.) Backward
walks the steps in the opposite order with
:func:`~lstm_ref.torch.functional.lstm_pointwise_backward` and
:math:`\delta h = \delta a\, W_{hh}`; the weight gradients are left to GEMMs
over all steps at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

import torch
from torch import Tensor

from .functional import lstm_pointwise_backward


def times_weight(x: Tensor, add: Tensor | None, w_t: Tensor, packed: Tensor | None) -> Tensor:
    """``x @ w_t (+ add)``; by oneDNN when ``packed`` holds ``w_t`` prepacked for it.

    The TorchScript twin of :class:`~lstm_ref.torch.gemm.Product`.
    """
    if packed is None:
        if add is None:
            return torch.mm(x, w_t)
        return torch.addmm(add, x, w_t)
    if add is None:
        return torch.ops.mkldnn._linear_pointwise(x, packed, None, "none", [], "")
    return torch.ops.mkldnn._linear_pointwise(x, add, packed, None, "add")


def forward_loop(
    preact_x: Tensor,
    h: Tensor,
    c: Tensor,
    w_hh_t: Tensor,
    packed: Tensor | None,
    batch_sizes: list[int],
    reverse: bool,
    keep: bool,
) -> tuple[Tensor, Tensor, Tensor, list[list[Tensor]]]:
    r"""Run the recurrence of one LSTM layer direction.

    Parameters
    ----------
    preact_x : Tensor, shape (T, B, 4H)
        :math:`W_{ih} x_t + b` for every step, gate order (i, f, g, o).
    h, c : Tensor, shape (B, H)
        Initial states.
    w_hh_t : Tensor, shape (H, 4H)
        :math:`W_{hh}^\top`.
    packed : Tensor, optional
        ``w_hh_t`` prepacked for oneDNN (:class:`~lstm_ref.torch.gemm.Product`).
    batch_sizes : list of int
        Running rows per step, as in :mod:`~lstm_ref.torch.sequence` (the first
        ones run; the others keep their state and output zeros); empty when all
        ``B`` rows run at every step.
    reverse : bool
        Walk from ``t = T - 1`` down to 0.
    keep : bool
        Return what the backward pass needs.

    Returns
    -------
    y : Tensor, shape (T, B, H)
        :math:`h_t` of every step.
    h_n, c_n : Tensor, shape (B, H)
        The final states.
    saved : list of list of Tensor
        Empty unless ``keep``: per step, in time order, :math:`h_{t-1}` (B, H)
        and, for the running rows, :math:`c_{t-1}, i_t, f_t, g_t, o_t, \tanh c_t`.
    """
    steps, batch, hidden = preact_x.size(0), h.size(0), c.size(1)
    hs: list[Tensor] = []
    kept: list[list[Tensor]] = [[], [], [], [], [], [], []]  # h, c before; i, f, g, o, tanh c
    inputs = preact_x.unbind(0)  # one call for all steps, not one indexing per step
    for k in range(steps):
        t = steps - 1 - k if reverse else k
        n = batch_sizes[t] if len(batch_sizes) > 0 else batch
        h_prev, c_prev, a_x = h, c, inputs[t]
        if n < batch:  # only the first n rows run
            c_prev, a_x = c.narrow(0, 0, n), a_x.narrow(0, 0, n)
        a = times_weight(h.narrow(0, 0, n) if n < batch else h, a_x, w_hh_t, packed)
        # One sigmoid call over all four blocks costs less than three; g's block goes unused.
        sigmoid_a = torch.sigmoid(a)
        i = sigmoid_a.narrow(1, 0, hidden)
        f = sigmoid_a.narrow(1, hidden, hidden)
        o = sigmoid_a.narrow(1, 3 * hidden, hidden)
        g = torch.tanh(a.narrow(1, 2 * hidden, hidden))
        c_new = torch.addcmul(f * c_prev, i, g)
        tanh_c = torch.tanh(c_new)
        h_new = o * tanh_c
        if n < batch:  # the other rows keep their state and output zeros
            h = torch.cat((h_new, h.narrow(0, n, batch - n)))
            c = torch.cat((c_new, c.narrow(0, n, batch - n)))
            hs.append(torch.constant_pad_nd(h_new, [0, 0, 0, batch - n]))
        else:
            h, c = h_new, c_new
            hs.append(h_new)
        if keep:
            # (TorchScript knows neither zip's strict= nor [*list].)
            for s, v in zip(kept, [h_prev, c_prev, i, f, g, o, tanh_c]):  # noqa: B905
                s.append(v)
    if reverse:  # filled in reading order: put in time order
        hs.reverse()
        for s in kept:
            s.reverse()
    none: list[list[Tensor]] = []
    return torch.stack(hs), h, c, kept if keep else none


def backward_loop(
    dy: Tensor,
    dh: Tensor,
    dc: Tensor,
    saved: list[list[Tensor]],
    w_hh: Tensor,
    packed: Tensor | None,
    reverse: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    r"""Backpropagate through the steps of :func:`forward_loop`, last step first.

    Parameters
    ----------
    dy : Tensor, shape (T, B, H)
        Gradient of the output ``y``.
    dh, dc : Tensor, shape (B, H)
        Gradients of the final states.
    saved : list of list of Tensor
        As returned by :func:`forward_loop` (its first list, :math:`h_{t-1}`,
        is not needed here).
    w_hh : Tensor, shape (4H, H)
    packed : Tensor, optional
        ``w_hh`` prepacked for oneDNN.
    reverse : bool
        As in the forward pass.

    Returns
    -------
    d_preact : Tensor, shape (T, B, 4H)
        Gradient of the gate pre-activations of every step, in time order
        (zero for rows that did not run).
    dh0, dc0 : Tensor, shape (B, H)
        Gradients of the initial states.
    """
    steps, batch = dy.size(0), dy.size(1)
    c_prev, i, f, g, o, tanh_c = saved[1], saved[2], saved[3], saved[4], saved[5], saved[6]
    dys = dy.unbind(0)  # one call for all steps, not one indexing per step
    d_preact: list[Tensor] = []
    for k in range(steps):
        t = k if reverse else steps - 1 - k
        n = i[t].size(0)
        if n == batch:
            d_a, dc = lstm_pointwise_backward(
                dh + dys[t], dc, i[t], f[t], g[t], o[t], c_prev[t], tanh_c[t]
            )
            dh = times_weight(d_a, None, w_hh, packed)
            d_preact.append(d_a)
        else:  # rows n: did not run at this step: their gradients pass through
            d_m = dh.narrow(0, 0, n) + dys[t].narrow(0, 0, n)
            d_a, dc_run = lstm_pointwise_backward(
                d_m, dc.narrow(0, 0, n), i[t], f[t], g[t], o[t], c_prev[t], tanh_c[t]
            )
            dh_run = times_weight(d_a, None, w_hh, packed)
            dh = torch.cat((dh_run, dh.narrow(0, n, batch - n)))
            dc = torch.cat((dc_run, dc.narrow(0, n, batch - n)))
            d_preact.append(torch.constant_pad_nd(d_a, [0, 0, 0, batch - n]))
    if not reverse:
        d_preact.reverse()
    return torch.stack(d_preact), dh, dc


@cache
def scripted() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """:func:`forward_loop` and :func:`backward_loop`, compiled by TorchScript (once).

    Where TorchScript cannot compile them (it is deprecated, and a PyTorch may
    come without it), the same two functions run as Python: slower, equal.
    """
    with warnings.catch_warnings():
        # torch >= 2.10 marks TorchScript deprecated; it still runs a loop of ATen calls
        # in C++ after compiling in milliseconds, which nothing else here does.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return torch.jit.script(forward_loop), torch.jit.script(backward_loop)
        except (RuntimeError, AttributeError, NotImplementedError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
    warnings.warn(
        f"TorchScript cannot compile the LSTM time loops here ({reason}); "
        "they run as Python, with the same results, more slowly",
        RuntimeWarning,
        stacklevel=2,
    )
    return forward_loop, backward_loop
