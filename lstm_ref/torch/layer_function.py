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

That backward runs outside autograd. Asked for a gradient that will itself be
differentiated (``create_graph=True``: Hessian-vector products, gradient
penalties), the layer instead recomputes its steps under autograd and
differentiates them (:func:`differentiable_backward`), so second derivatives
are right rather than silently missing.

On the CPU, without projection, both time loops run compiled: in float32,
where Numba is installed, as one compiled function each
(:mod:`~lstm_ref.torch.numba_loops`); otherwise in TorchScript
(:mod:`~lstm_ref.torch.loops`), the same operators called from C++ instead
of Python. At small sizes calling the operators is most of the time a step
takes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import FunctionCtx

from . import numba_loops
from .functional import double_g, lstm_cell
from .gemm import Product, transposed_product
from .loops import scripted
from .sequence import cell_step, run_steps

Pointwise = Callable[[Tensor, Tensor], tuple[Tensor, ...]]
PointwiseBackward = Callable[..., tuple[Tensor, Tensor]]


class LSTMLayerFunction(torch.autograd.Function):
    """``apply(x, h0, c0, w_ih, w_hh, b, w_hr, batch_sizes, reverse, pointwise, pointwise_bwd,
    record, compiled)``.

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
        (:func:`~lstm_ref.torch.functional.lstm_pointwise` or a fused version);
        ``pointwise`` receives the g pre-activations doubled
        (:func:`~lstm_ref.torch.functional.double_g`).
    record : bool
        Whether autograd records the call (:func:`torch.is_grad_enabled` where
        ``apply`` is called). Only then does the forward pass keep what the
        backward pass needs: under :func:`torch.no_grad` ``ctx.needs_input_grad``
        still says which inputs require a gradient, and keeping would cost
        memory and time for nothing.
    compiled : bool
        Run the time loops compiled by Numba where they can run
        (:func:`compiled_loops`; the ``compiled_loop`` impl).

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
        record: bool,
        compiled: bool,
    ) -> tuple[Tensor, Tensor, Tensor]:
        steps, batch, features = x.shape
        gate_rows = w_ih.shape[0]  # 4H
        keep = record and any(ctx.needs_input_grad)  # type: ignore[attr-defined]
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b, w_hr)  # type: ignore[arg-type]
        ctx.has_bias = b is not None  # type: ignore[attr-defined]
        ctx.schedule = (batch_sizes, reverse, pointwise_backward)  # type: ignore[attr-defined]
        ctx.by_loops = compiled_loops(x, w_hr, numba=compiled)  # type: ignore[attr-defined]
        if ctx.by_loops is not None:  # type: ignore[attr-defined]
            return _forward_by_loops(ctx, x, h0, c0, w_ih, w_hh, b, batch_sizes, reverse, keep)
        # Products with the g rows doubled give 2 a_g, which lstm_pointwise expects.
        bias = double_g(b) if b is not None else None
        preact_x = Product(double_g(w_ih), steps * batch)(x.reshape(steps * batch, features), bias)
        preact_x = preact_x.view(steps, batch, gate_rows)
        recurrent = Product(double_g(w_hh), batch, per_step=True)
        project = Product(w_hr, batch, per_step=True) if w_hr is not None else None

        h, c = h0, c0
        ys: list[Tensor] = [h0] * steps  # placeholders, each overwritten below
        # Per time step: the states it started from, its gate activations i, f, g, o, tanh(c'), m.
        saved: list[tuple[Tensor, ...]] = [()] * steps
        for t in range(steps - 1, -1, -1) if reverse else range(steps):
            n = batch if batch_sizes is None else batch_sizes[t]
            i, f, g, o, c_new, tanh_c, m = pointwise(recurrent(h[:n], preact_x[t, :n]), c[:n])
            h_new = project(m) if project is not None else m
            if keep:
                saved[t] = (h, c, i, f, g, o, tanh_c, m)
            if n == batch:
                h, c, ys[t] = h_new, c_new, h_new
            else:  # rows n: are not running: they keep their state, output zero
                h, c = torch.cat((h_new, h[n:])), torch.cat((c_new, c[n:]))
                ys[t] = F.pad(h_new, (0, 0, 0, batch - n))

        ctx.steps = saved  # type: ignore[attr-defined]
        return torch.stack(ys), h, c

    @staticmethod
    def backward(ctx: Any, dy: Tensor, dh_n: Tensor, dc_n: Tensor) -> tuple[Tensor | None, ...]:
        x, h0, c0, w_ih, w_hh, b, w_hr = ctx.saved_tensors
        batch_sizes, reverse, pointwise_backward = ctx.schedule
        if torch.is_grad_enabled():  # create_graph=True: the gradient must be differentiable
            grads = differentiable_backward(
                (x, h0, c0, w_ih, w_hh, b, w_hr),
                (dy, dh_n, dc_n),
                ctx.needs_input_grad,
                batch_sizes,
                reverse,
            )
            return (*grads, None, None, None, None, None, None)
        if ctx.by_loops is not None:
            dx, dh, dc, dw_ih, dw_hh, db = _backward_by_loops(ctx, dy, dh_n, dc_n)
            return dx, dh, dc, dw_ih, dw_hh, db, None, None, None, None, None, None, None

        steps, batch, _ = x.shape
        needs = ctx.needs_input_grad
        recurrent = Product(w_hh.t(), batch, per_step=True)
        project = Product(w_hr.t(), batch, per_step=True) if w_hr is not None else None
        dh, dc = dh_n, dc_n
        d_preact: list[Tensor] = [dy] * steps  # placeholders, each overwritten below
        d_hs: list[Tensor] = [dy] * steps  # gradient of each step's h (projection only)
        # Walk the steps in the reverse of the forward order.
        for t in range(steps) if reverse else range(steps - 1, -1, -1):
            _, c_prev, i, f, g, o, tanh_c, _ = ctx.steps[t]
            n = batch if batch_sizes is None else batch_sizes[t]
            d_h = dh[:n] + dy[t, :n]
            if project is not None:
                d_hs[t] = F.pad(d_h, (0, 0, 0, batch - n))
                d_h = project(d_h)
            d_a, dc_prev = pointwise_backward(d_h, dc[:n], i, f, g, o, c_prev[:n], tanh_c)
            dh_prev = recurrent(d_a)
            if n == batch:
                dh, dc, d_preact[t] = dh_prev, dc_prev, d_a
            else:  # rows n: did not run at this step: their gradients pass through
                dh, dc = torch.cat((dh_prev, dh[n:])), torch.cat((dc_prev, dc[n:]))
                d_preact[t] = F.pad(d_a, (0, 0, 0, batch - n))

        d_a = torch.stack(d_preact).view(steps * batch, w_ih.shape[0])
        h_prev = torch.stack([h for h, *_ in ctx.steps]) if needs[4] else None
        dx, dw_ih, dw_hh, db = _weight_gradients(d_a, x, w_ih, h_prev, needs, ctx.has_bias)
        dw_hr = None
        if w_hr is not None and needs[6]:
            ms = torch.stack([F.pad(m, (0, 0, 0, batch - m.shape[0])) for *_, m in ctx.steps])
            d_h_all = torch.stack(d_hs).view(steps * batch, w_hr.shape[0])
            dw_hr = d_h_all.t() @ ms.view(steps * batch, w_hr.shape[1])
        return dx, dh, dc, dw_ih, dw_hh, db, dw_hr, None, None, None, None, None, None


def compiled_loops(x: Tensor, w_hr: Tensor | None, *, numba: bool) -> str | None:
    """Which compiled time loops the layer runs: ``"numba"``, ``"torchscript"`` or ``None``.

    Compiled loops run on the CPU, where calling an operator from Python costs
    as much as a small step computes; without projection, the case they
    cover; and not under ``torch.compile`` or ``torch.export``, which trace
    Python and cannot enter compiled code (they get the Python loop). With
    ``numba``, Numba's (:mod:`~lstm_ref.torch.numba_loops`) where they can run
    (float32, Numba installed); otherwise TorchScript's (:mod:`~lstm_ref.torch.loops`).
    """
    if x.device.type != "cpu" or w_hr is not None or torch.compiler.is_compiling():
        return None
    return "numba" if numba and numba_loops.runs(x) else "torchscript"


def _forward_by_loops(
    ctx: Any,
    x: Tensor,
    h0: Tensor,
    c0: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b: Tensor | None,
    batch_sizes: Sequence[int] | None,
    reverse: bool,
    keep: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """:meth:`LSTMLayerFunction.forward` by the compiled loops of :func:`compiled_loops`.

    Keeps on ``ctx`` (when ``keep``) what :func:`_backward_by_loops` needs.
    """
    steps, batch, features = x.shape
    preact_x = Product(w_ih, steps * batch)(x.reshape(steps * batch, features), b)
    preact_x = preact_x.view(steps, batch, w_ih.shape[0])
    schedule = list(batch_sizes or ())
    if ctx.by_loops == "numba":
        y, h, c, saved = numba_loops.forward_loop(preact_x, h0, c0, w_hh, schedule, reverse, keep)
    else:
        forward_loop = scripted()[0]
        # Plain interpretation: the graph as written, no re-profiling for each new shape.
        with torch.jit.optimized_execution(False):
            y, h, c, saved = forward_loop(
                preact_x,
                h0,
                c0,
                w_hh.t(),
                Product(w_hh, batch, per_step=True).packed,
                schedule,
                reverse,
                keep,
            )
    ctx.loop_saved = saved
    return y, h, c


def _backward_by_loops(
    ctx: Any, dy: Tensor, dh_n: Tensor, dc_n: Tensor
) -> tuple[Tensor | None, ...]:
    """:meth:`LSTMLayerFunction.backward` by the loops :func:`_forward_by_loops` ran.

    Returns the gradients of ``x, h0, c0, w_ih, w_hh, b``.
    """
    x, _, _, w_ih, w_hh, _, _ = ctx.saved_tensors
    batch_sizes, reverse, _ = ctx.schedule
    steps, batch, _ = x.shape
    saved = ctx.loop_saved
    if ctx.by_loops == "numba":
        d_a, dh, dc = numba_loops.backward_loop(
            dy, dh_n, dc_n, saved, w_hh, list(batch_sizes or ()), reverse
        )
        h_prev = saved.h_prev  # each step's starting h
    else:
        backward_loop = scripted()[1]
        with torch.jit.optimized_execution(False):
            d_a, dh, dc = backward_loop(
                dy, dh_n, dc_n, saved, w_hh, Product(w_hh.t(), batch, per_step=True).packed, reverse
            )
        h_prev = torch.stack(saved[0])  # each step's starting h
    d_a = d_a.view(steps * batch, w_ih.shape[0])
    needs = ctx.needs_input_grad
    dx, dw_ih, dw_hh, db = _weight_gradients(
        d_a, x, w_ih, h_prev if needs[4] else None, needs, ctx.has_bias
    )
    return dx, dh, dc, dw_ih, dw_hh, db


def _weight_gradients(
    d_a: Tensor,
    x: Tensor,
    w_ih: Tensor,
    h_prev: Tensor | None,
    needs: Sequence[bool],
    has_bias: bool,
) -> tuple[Tensor | None, Tensor | None, Tensor | None, Tensor | None]:
    r"""The gradients that need no recurrence, each one GEMM (or sum) over all steps.

    .. math::
        \delta X = \delta A\, W_{ih}, \quad \delta W_{ih} = \delta A^\top X, \quad
        \delta W_{hh} = \delta A^\top H_{\text{prev}}, \quad \delta b = \textstyle\sum \delta A

    Parameters
    ----------
    d_a : Tensor, shape (T·B, 4H)
        Gradient of the gate pre-activations of all steps, time-major.
    x : Tensor, shape (T, B, D)
    w_ih : Tensor, shape (4H, D)
    h_prev : Tensor, shape (T, B, R), or None
        The hidden state each step started from (needed for ``δW_hh`` only).
    needs : sequence of bool
        ``ctx.needs_input_grad`` of :class:`LSTMLayerFunction`.
    has_bias : bool

    Returns
    -------
    dx, dw_ih, dw_hh, db : Tensor or None
        ``None`` where not needed.
    """
    steps, batch, features = x.shape
    dx = None
    if needs[0]:
        dx = Product(w_ih.t(), steps * batch)(d_a).view(steps, batch, features)
    dw_ih = transposed_product(d_a, x.reshape(steps * batch, features)) if needs[3] else None
    dw_hh = None
    if needs[4] and h_prev is not None:
        dw_hh = transposed_product(d_a, h_prev.reshape(steps * batch, h_prev.shape[-1]))
    db = d_a.sum(0) if has_bias and needs[5] else None
    return dx, dw_ih, dw_hh, db


def differentiable_backward(
    inputs: tuple[Tensor | None, ...],
    grads: tuple[Tensor, Tensor, Tensor],
    needs: Sequence[bool],
    batch_sizes: Sequence[int] | None,
    reverse: bool,
) -> tuple[Tensor | None, ...]:
    r"""The backward of one layer direction, computed so that autograd can differentiate it.

    A hand-written backward (:class:`LSTMLayerFunction`, the ``persistent``
    impl) runs outside autograd: a gradient taken with ``create_graph=True``
    would carry no graph, and its own gradient (a Hessian-vector product, a
    gradient penalty) would come out missing, i.e. zero. So under
    ``create_graph=True`` the layer is recomputed step by step with
    :func:`~lstm_ref.torch.functional.lstm_cell` (the same function) and
    differentiated by autograd, which records the backward too.

    Parameters
    ----------
    inputs : tuple
        ``(x (T, B, D), h0 (B, R), c0 (B, H), w_ih (4H, D), w_hh (4H, R), b (4H,) or None,
        w_hr (R, H) or None)``, as saved by the forward pass (so connected to their graph).
    grads : tuple of Tensor
        Gradients of the outputs ``y`` (T, B, R), ``h_n`` (B, R) and ``c_n`` (B, H).
    needs : sequence of bool
        Which of ``inputs`` need a gradient (``ctx.needs_input_grad``, same order first).
    batch_sizes, reverse
        As in :func:`~lstm_ref.torch.sequence.run_steps`.

    Returns
    -------
    tuple of Tensor or None
        The gradient of each of ``inputs`` (``None`` where not needed).
    """
    x, h0, c0, w_ih, w_hh, b, w_hr = inputs
    assert x is not None and h0 is not None and c0 is not None
    assert w_ih is not None and w_hh is not None

    step = cell_step(lstm_cell, w_ih, w_hh, b, None, w_hr)
    wanted = {k: t for k, t in enumerate(inputs) if t is not None and needs[k]}
    with torch.enable_grad():
        y, (h_n, c_n) = run_steps(step, x, (h0, c0), batch_sizes, reverse)
        found = torch.autograd.grad(
            (y, h_n, c_n), list(wanted.values()), grads, create_graph=True, allow_unused=True
        )
    result: list[Tensor | None] = [None] * len(inputs)
    for (k, t), g in zip(wanted.items(), found, strict=True):
        result[k] = g if g is not None else torch.zeros_like(t)
    return tuple(result)
