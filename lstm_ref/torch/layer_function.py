r"""One LSTM layer (one direction) as a single autograd node with its own BPTT.

Autograd through a Python loop records ~15 nodes per time step and, in the
backward pass, computes each step's weight gradients with small GEMMs. Here
the forward pass saves what backpropagation through time needs and the
backward pass runs the recurrence by hand, so that everything that does not
depend on the recurrence happens once, for all steps together:

.. math::
    \begin{array}{ll}
    A = X W_{ih}^\top + b & \text{(forward: one GEMM, all } T \cdot B \text{ rows)} \\
    \delta X = \delta A\, W_{ih}, \quad \delta W_{ih} = \delta A^\top X &
        \text{(backward: one GEMM each)} \\
    \delta W_{hh} = \delta A^\top H_{\text{prev}}, \quad
        \delta W_{hr} = \delta H^\top M, \quad \delta b = \textstyle\sum \delta A
    \end{array}

with :math:`\delta A` (T·B, 4H) the gate gradients of all steps stacked.
Only :math:`h W_{hh}^\top` forwards and :math:`\delta a\, W_{hh}` backwards
stay inside the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx, once_differentiable

Pointwise = Callable[[Tensor, Tensor], tuple[Tensor, Tensor, Tensor, Tensor]]
PointwiseBackward = Callable[[Tensor, Tensor, Tensor, Tensor, Tensor], tuple[Tensor, Tensor]]


class LSTMLayerFunction(torch.autograd.Function):
    """``apply(x, h0, c0, w_ih, w_hh, b, w_hr, batch_sizes, reverse, pointwise, pointwise_bwd)``.

    Parameters (of ``apply``)
    -------------------------
    x : Tensor, shape (T, B, D)
    h0, c0 : Tensor, shapes (B, R) and (B, H)
    w_ih, w_hh : Tensor, shapes (4H, D) and (4H, R)
    b : Tensor, shape (4H,), or None
        ``b_ih + b_hh`` (autograd splits the gradient between the two).
    w_hr : Tensor, shape (R, H), or None
    batch_sizes : sequence of int, length T, or None
        Running rows per step (see :mod:`lstm_ref.torch.sequence`).
    reverse : bool
    pointwise, pointwise_bwd : callable
        The element-wise step and its backward
        (:func:`~lstm_ref.torch.functional.lstm_pointwise` or a fused version).

    Returns (of ``apply``)
    ----------------------
    y : Tensor, shape (T, B, R)
    h_n, c_n : Tensor, shapes (B, R) and (B, H)
    """

    @staticmethod
    def forward(
        ctx: FunctionCtx,
        x: Tensor,
        h0: Tensor,
        c0: Tensor,
        w_ih: Tensor,
        w_hh: Tensor,
        b: Tensor | None,
        w_hr: Tensor | None,
        batch_sizes: Sequence[int] | None,
        reverse: bool,
        pointwise: Pointwise,
        pointwise_backward: PointwiseBackward,
    ) -> tuple[Tensor, Tensor, Tensor]:
        steps, batch, features = x.shape
        gates_x = x.reshape(steps * batch, features) @ w_ih.t()
        if b is not None:
            gates_x += b
        gates_x = gates_x.view(steps, batch, -1)
        w_hh_t = w_hh.t()

        h, c = h0.clone(), c0.clone()
        y = x.new_zeros(steps, batch, h0.shape[1])
        h_prev = x.new_zeros(steps, batch, h0.shape[1])
        c_prev = x.new_zeros(steps, batch, c0.shape[1])
        acts = x.new_zeros(steps, batch, gates_x.shape[2])
        tanh_cs = x.new_zeros(steps, batch, c0.shape[1])
        ms = x.new_zeros(steps, batch, c0.shape[1]) if w_hr is not None else tanh_cs
        for t in range(steps - 1, -1, -1) if reverse else range(steps):
            n = batch if batch_sizes is None else batch_sizes[t]
            h_prev[t, :n] = h[:n]
            c_prev[t, :n] = c[:n]
            act, c_new, tanh_c, m = pointwise(torch.addmm(gates_x[t, :n], h[:n], w_hh_t), c[:n])
            acts[t, :n], tanh_cs[t, :n], c[:n] = act, tanh_c, c_new
            if w_hr is not None:
                ms[t, :n] = m
                m = m @ w_hr.t()
            h[:n] = y[t, :n] = m

        # save_for_backward accepts None (no projection); its stub says Tensor only.
        ctx.save_for_backward(x, w_ih, w_hh, w_hr, h_prev, c_prev, acts, tanh_cs, ms)  # type: ignore[arg-type]
        ctx.has_bias = b is not None  # type: ignore[attr-defined]
        ctx.schedule = (batch_sizes, reverse, pointwise_backward)  # type: ignore[attr-defined]
        return y, h, c

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, dy: Tensor, dh_n: Tensor, dc_n: Tensor) -> tuple[Tensor | None, ...]:
        x, w_ih, w_hh, w_hr, h_prev, c_prev, acts, tanh_cs, ms = ctx.saved_tensors
        batch_sizes, reverse, pointwise_backward = ctx.schedule
        steps, batch, features = x.shape

        dh, dc = dh_n.clone(), dc_n.clone()
        d_gates = acts.new_zeros(acts.shape)
        d_hs = dy.new_zeros(dy.shape) if w_hr is not None else dy
        # Walk the steps in the reverse of the forward order.
        for t in range(steps) if reverse else range(steps - 1, -1, -1):
            n = batch if batch_sizes is None else batch_sizes[t]
            d_h = dh[:n] + dy[t, :n]
            if w_hr is not None:
                d_hs[t, :n] = d_h
                d_h = d_h @ w_hr
            d_a, dc[:n] = pointwise_backward(
                d_h, dc[:n], acts[t, :n], c_prev[t, :n], tanh_cs[t, :n]
            )
            d_gates[t, :n] = d_a
            dh[:n] = d_a @ w_hh

        d_a = d_gates.view(steps * batch, -1)
        needs = ctx.needs_input_grad
        dx = (d_a @ w_ih).view(steps, batch, features) if needs[0] else None
        dw_ih = d_a.t() @ x.reshape(steps * batch, features) if needs[3] else None
        dw_hh = d_a.t() @ h_prev.view(steps * batch, -1) if needs[4] else None
        db = d_a.sum(0) if ctx.has_bias and needs[5] else None
        dw_hr = None
        if w_hr is not None and needs[6]:
            dw_hr = d_hs.view(steps * batch, -1).t() @ ms.view(steps * batch, -1)
        return dx, dh, dc, dw_ih, dw_hh, db, dw_hr, None, None, None, None
