r"""The ``persistent`` impl: each LSTM layer direction in one Triton launch, forward and backward.

On a GPU at small batch, ``torch.nn.LSTM`` (cuDNN) and the impls before this
one launch at least one kernel per time step, and every step reads
:math:`W_{hh}` (4H, H) again from memory: the time goes into launches and
re-reads rather than arithmetic. Here one launch runs the whole time loop
(``lstm_ref.torch.persistent_kernels``):

.. math::
    \begin{array}{ll}
    A = X W_{ih}^\top + b_{ih} + b_{hh} & \text{(one GEMM, all } T \cdot B \text{ rows, PyTorch)} \\
    a_t = A_t + W_{hh} h_{t-1}, \quad (i, f, g, o) = (\sigma, \sigma, \tanh, \sigma)(a_t) &
        \text{(forward kernel, } t = 1 \ldots T \text{)} \\
    c_t = f \odot c_{t-1} + i \odot g, \quad h_t = o \odot \tanh c_t \\
    \delta a_t \text{ and } \delta h_{t-1} = W_{hh}^\top \delta a_t &
        \text{(backward kernel, } t = T \ldots 1 \text{)} \\
    \delta X = \delta A\, W_{ih}, \quad \delta W_{ih} = \delta A^\top X, \quad
        \delta W_{hh} = \delta A^\top H_{\text{prev}}, \quad \delta b = \textstyle\sum \delta A &
        \text{(GEMMs over all steps, PyTorch)}
    \end{array}

Where it runs: on a CUDA device (the kernels compiled by Triton), or on any
device under Triton's interpreter when ``TRITON_INTERPRET=1`` was set before
Triton was first imported (slow: for tests). It takes float32 and
float64 (not float16/bfloat16, so not under autocast) and no projection
(``proj_size=0``); anything else gets a :class:`ValueError` naming an impl that
does it. Variable lengths (``PackedSequence``) run in the kernel: rows past
``batch_sizes[t]`` keep their state. As for ``input_proj``, a gradient taken
with ``create_graph=True`` is recomputed by autograd
(``lstm_ref.torch.layer_function.differentiable_backward``), so second
derivatives are right.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx

from .layer_function import differentiable_backward
from .sequence import States, Weights

#: The dtypes the kernels take (they accumulate in float32, or float64 for float64).
DTYPES = (torch.float32, torch.float64)


def kernel_module() -> ModuleType:
    """:mod:`lstm_ref.torch.persistent_kernels`, importing Triton; a clear error without it."""
    try:
        return importlib.import_module("lstm_ref.torch.persistent_kernels")
    except ModuleNotFoundError as e:
        if e.name != "triton":
            raise
        raise ImportError(
            "impl='persistent' runs Triton kernels, and Triton is not installed: "
            "pip install triton (or use impl='fused_step')"
        ) from e


def check_supported(x: Tensor, weights: Weights) -> None:
    """Raise :class:`ValueError` unless the kernels can run this layer.

    Parameters
    ----------
    x : Tensor, shape (T, B, D)
    weights : tuple
        ``(w_ih, w_hh, b_ih, b_hh, w_hr)`` of one layer direction.
    """
    if weights[4] is not None:
        raise ValueError(
            "impl='persistent' has no projection: proj_size must be 0 (got a weight_hr of "
            f"shape {tuple(weights[4].shape)}); use impl='fused_step' for proj_size > 0"
        )
    if x.dtype not in DTYPES:
        raise ValueError(
            f"impl='persistent' runs in float32 or float64, got {x.dtype} "
            "(autocast gives float16/bfloat16); use impl='fused_step' for those"
        )
    steps, batch = x.shape[:2]
    hidden = weights[1].shape[1]  # type: ignore[union-attr]
    if (steps + 1) * batch * 4 * hidden >= 2**31:
        raise ValueError(
            f"impl='persistent' indexes with 32-bit integers: (T + 1) * B * 4H must be "
            f"< 2**31, got T={steps}, B={batch}, H={hidden}"
        )


def check_device(kernels: ModuleType, device: torch.device) -> None:
    """Raise :class:`ValueError` unless the kernels can run on ``device``.

    Under Triton's interpreter, also :class:`RuntimeError` where its version
    cannot run them (:func:`~lstm_ref.torch.persistent_kernels.check_interpreter`).
    """
    if device.type != "cuda" and not kernels.INTERPRETED:
        raise ValueError(
            f"impl='persistent' runs Triton kernels: it needs the model on a CUDA device, "
            f"got {device}; to run them on the CPU under Triton's interpreter (slow, meant "
            "for tests) set TRITON_INTERPRET=1 before Triton is first imported; "
            "or use impl='input_proj'"
        )
    kernels.check_interpreter()


def _pow2(n: int) -> int:
    return 1 << max(n - 1, 0).bit_length()


def launch_config(batch: int, hidden: int) -> dict[str, int]:
    """Tile sizes: ``BLOCK_B`` rows a program, ``BLOCK_H`` units and ``BLOCK_K`` features a tile.

    A program multiplies a (BLOCK_B, BLOCK_K) tile of :math:`h_{t-1}` by a
    (BLOCK_H, BLOCK_K) tile of each gate's :math:`W_{hh}` block as a
    (BLOCK_B, BLOCK_H, BLOCK_K) broadcast: at most 4 · 32 · 32 products per
    gate keeps it in registers. Few rows per program means more programs,
    on more multiprocessors, for a given batch. ``RESIDENT`` (H ≤ 32): all
    of :math:`W_{hh}` is one tile per gate, which the kernels load into
    registers once, before the time loop, instead of at every step. Not yet
    tuned on a GPU.
    """
    block_b = min(_pow2(batch), 4)
    block = min(_pow2(hidden), 32)
    return {"BLOCK_B": block_b, "BLOCK_H": block, "BLOCK_K": block, "RESIDENT": hidden <= block}


def _launch(kernel: Any, x: Tensor, config: dict[str, int], *args: Any, **flags: Any) -> None:
    """Run ``kernel`` with one program per ``BLOCK_B`` rows, accumulating in ``x``'s precision."""
    tl = kernel_module().tl
    programs = -(-x.shape[1] // config["BLOCK_B"])
    accumulator = tl.float64 if x.dtype == torch.float64 else tl.float32
    kernel[(programs,)](*args, ACC=accumulator, **config, **flags)


class PersistentLSTMFunction(torch.autograd.Function):
    """``apply(x, h0, c0, w_ih, w_hh, b, batch_sizes, reverse)``: one layer direction.

    Parameters (of ``apply``)
    -------------------------
    x : Tensor, shape (T, B, D)
    h0, c0 : Tensor, shape (B, H) each
    w_ih, w_hh : Tensor, shapes (4H, D) and (4H, H)
    b : Tensor, shape (4H,), or None
        ``b_ih + b_hh`` (autograd splits the gradient between the two).
    batch_sizes : sequence of int, length T, or None
        Running rows per step (see ``lstm_ref.torch.sequence``).
    reverse : bool

    Returns (of ``apply``)
    ----------------------
    y : Tensor, shape (T, B, H)
        Zero where a row is not running.
    h_n, c_n : Tensor, shape (B, H) each
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
        batch_sizes: Sequence[int] | None,
        reverse: bool,
    ) -> tuple[Tensor, Tensor, Tensor]:
        kernels = kernel_module()
        check_device(kernels, x.device)
        steps, batch, features = x.shape
        hidden = w_hh.shape[1]
        x2 = x.reshape(steps * batch, features)
        gx = x2 @ w_ih.t() if b is None else torch.addmm(b, x2, w_ih.t())
        # hs[s + 1], cs[s + 1]: the states after the s-th step processed (slot 0: initial).
        hs = x.new_empty(steps + 1, batch, hidden)
        cs = x.new_empty(steps + 1, batch, hidden)
        hs[0], cs[0] = h0, c0
        save = any(ctx.needs_input_grad)  # type: ignore[attr-defined]
        # The gate activations i, f, g, o of every step, for the backward kernel.
        acts = x.new_empty(steps, batch, 4 * hidden) if save else gx
        sizes = torch.tensor(batch_sizes or [batch] * steps, dtype=torch.int32, device=x.device)
        config = launch_config(batch, hidden)
        _launch(
            kernels.lstm_forward_kernel,
            x,
            config,
            gx.contiguous(),
            w_hh.contiguous(),
            hs,
            cs,
            acts,
            sizes,
            steps,
            batch,
            hidden,
            REVERSE=reverse,
            SAVE=save,
        )
        y = hs[1:].flip(0) if reverse else hs[1:]
        if batch_sizes is not None:  # outputs are zero where a row is not running
            running = torch.arange(batch, device=x.device) < sizes[:, None]
            y = y * running[..., None].to(y.dtype)
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b, hs, cs, acts, sizes)  # type: ignore[arg-type]
        ctx.flags = (b is not None, batch_sizes, reverse, config)  # type: ignore[attr-defined]
        return y.contiguous(), hs[steps].clone(), cs[steps].clone()

    @staticmethod
    def backward(ctx: Any, dy: Tensor, dh_n: Tensor, dc_n: Tensor) -> tuple[Tensor | None, ...]:
        x, h0, c0, w_ih, w_hh, b, hs, cs, acts, sizes = ctx.saved_tensors
        has_bias, batch_sizes, reverse, config = ctx.flags
        if torch.is_grad_enabled():  # create_graph=True: the gradient must be differentiable
            grads = differentiable_backward(
                (x, h0, c0, w_ih, w_hh, b, None),
                (dy, dh_n, dc_n),
                (*ctx.needs_input_grad[:6], False),
                batch_sizes,
                reverse,
            )
            return (*grads[:6], None, None)
        steps, batch, features = x.shape
        hidden = w_hh.shape[1]
        # Slot 0 of each pair holds the gradient arriving from after the last step.
        dh = torch.stack((dh_n, torch.empty_like(dh_n)))
        dc = torch.stack((dc_n, torch.empty_like(dc_n)))
        d_preact = torch.empty_like(acts)
        _launch(
            kernel_module().lstm_backward_kernel,
            x,
            config,
            (dy.flip(0) if reverse else dy).contiguous(),
            w_hh.contiguous(),
            cs,
            acts,
            d_preact,
            dh,
            dc,
            sizes,
            steps,
            batch,
            hidden,
            REVERSE=reverse,
        )
        # d_preact and hs are in processed order: pair them before flipping to time order.
        d_a = d_preact.view(steps * batch, 4 * hidden)
        needs = ctx.needs_input_grad
        dw_hh = d_a.t() @ hs[:steps].reshape(steps * batch, hidden) if needs[4] else None
        d_a = (d_preact.flip(0) if reverse else d_preact).reshape(steps * batch, 4 * hidden)
        dx = (d_a @ w_ih).view(steps, batch, features) if needs[0] else None
        dw_ih = d_a.t() @ x.reshape(steps * batch, features) if needs[3] else None
        db = d_a.sum(0) if has_bias and needs[5] else None
        return dx, dh[steps % 2], dc[steps % 2], dw_ih, dw_hh, db, None, None


def persistent(
    x: Tensor, state: States, weights: Weights, batch_sizes: Sequence[int] | None, reverse: bool
) -> tuple[Tensor, States]:
    """Impl 6 of the ladder: one layer direction as two persistent Triton kernels.

    A layer function (``lstm_ref.torch.sequence.LayerFn``) for
    :class:`~lstm_ref.torch.LSTM`'s layer driver; raises :class:`ValueError`
    for what the kernels do not take (see the module docstring).
    """
    check_supported(x, weights)
    w_ih, w_hh, b_ih, b_hh, _ = weights
    b = b_ih + b_hh if b_ih is not None and b_hh is not None else None
    y, h, c = PersistentLSTMFunction.apply(
        x, state[0], state[1], w_ih, w_hh, b, batch_sizes, reverse
    )
    return y, (h, c)
