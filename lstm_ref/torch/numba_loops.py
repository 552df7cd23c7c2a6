r"""The time loops of one LSTM layer direction, compiled by Numba: no operator call per step.

At the sizes most models train at (H up to a few hundred, small batches) a
step of the recurrence is little arithmetic, and calling a dozen operators a
step from Python (or from TorchScript's interpreter, :mod:`~lstm_ref.torch.loops`)
costs more than computing it. Here each time loop is one compiled function
over the NumPy views of the CPU tensors: per step one GEMM, by the BLAS
inside PyTorch (:func:`torch_blas`), and passes of plain loops over the batch
rows, which LLVM vectorises. Where a step's GEMM is large enough for oneDNN
to be faster (:class:`~lstm_ref.torch.gemm.Product`), the loop is Python
instead: per step one oneDNN product and one compiled element-wise call. It
is what :class:`~lstm_ref.torch.layer_function.LSTMLayerFunction` runs on the
CPU for the ``compiled_loop`` impl, in float32 without projection; the first
call compiles (a few seconds, then cached on disk).

Forward, at each step :math:`t` (in reading order, backwards for ``reverse``),
with :math:`A_t = W_{ih} x_t + b` computed beforehand for all steps:

.. math::
    a = A_t + W_{hh} h, \quad (i, f, g, o) = (\sigma, \sigma, \tanh, \sigma)(a), \quad
    c' = f \odot c + i \odot g, \quad h' = o \odot \tanh c'

Backward, the same steps in the opposite order (chapter 7's BPTT):

.. math::
    \delta c \mathrel{+}= \delta h \odot o \odot (1 - \tanh^2 c'), \quad
    \delta a = \big(\delta c \odot g\, i(1-i),\ \delta c \odot c\, f(1-f),\
        \delta c \odot i\,(1-g^2),\ \delta h \odot \tanh c'\, o(1-o)\big)

then :math:`\delta h \leftarrow W_{hh}^\top \delta a` and
:math:`\delta c \leftarrow f \odot \delta c`. The weight gradients are left to
GEMMs over all steps at once, as for the other loops.

The nonlinearities are not libm's: a loop that calls ``tanhf`` cannot be
vectorised, and the element-wise work then costs several times the GEMM. Both
are computed from one rational function (:func:`tanh_rational`), accurate to
about :data:`TANH_MAX_ERROR` in float32 (a few units in the last place), with
:math:`\sigma(x) = \tfrac12 + \tfrac12 \tanh(x / 2)`.

Memory: with ``keep`` the forward pass stores, per step, the gate activations
(B, 4H), :math:`\tanh c_t`, :math:`c_{t-1}` and :math:`h_{t-1}` (B, H each):
7·T·B·H numbers, what the other loops keep too.
"""

from __future__ import annotations

import ctypes
import importlib.util
import platform
import sys
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

from .gemm import Product

#: The numerator of :func:`tanh_rational`, coefficients of :math:`x^1, x^3, \ldots, x^{13}`
#: (a weighted least-squares fit of the relative error on :math:`[0, 9]`, refined for the
#: largest error; ``benchmarks/tanh_rational.py`` fits and checks them).
TANH_NUMERATOR = (
    0.9999999933956797,
    0.13084043247527544,
    0.003103993263331384,
    1.1154696825252909e-05,
    -2.022681009310141e-08,
    5.278716251509614e-11,
    -8.490695715209886e-14,
)
#: The denominator of :func:`tanh_rational`, coefficients of :math:`x^0, x^2, x^4, x^6`.
TANH_DENOMINATOR = (1.0, 0.4641737035695221, 0.024495325864042166, 0.0002546199226864513)
#: Beyond this :math:`|x|` the rational function is not used: float32 :math:`\tanh` is ±1 there
#: to within half a unit in the last place.
TANH_CLIP = 9.0
#: A bound on the absolute error of :func:`tanh_rational` in float32 against the exact tanh
#: (:func:`tanh_error` over every 64th float32 in ±[2⁻³⁰, 10] measures 2.6e-7).
TANH_MAX_ERROR = 4e-7
#: The BLAS routine the loops call: ``sgemm_``, Fortran calling convention, 32-bit integers.
GEMM_SYMBOL = "sgemm_"


@cache
def torch_blas() -> Path | None:
    """The shared library of PyTorch's CPU operators, if it exports :data:`GEMM_SYMBOL`.

    PyTorch's x86-64 Linux wheels link Intel MKL into ``libtorch_cpu`` and
    export its BLAS: the same ``sgemm`` that ``torch.mm`` calls there, with
    32-bit integers, following ``torch.set_num_threads``. Elsewhere (macOS,
    Windows, ARM) the symbol's provider and integer width are not known here,
    so this returns ``None`` and the layer runs the TorchScript loops.
    """
    if sys.platform != "linux" or platform.machine() != "x86_64":
        return None
    path = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    try:
        return path if path.exists() and hasattr(ctypes.CDLL(str(path)), GEMM_SYMBOL) else None
    except OSError:
        return None


@cache
def available() -> bool:
    """Whether the compiled loops can run here: Numba installed, PyTorch's BLAS found."""
    return importlib.util.find_spec("numba") is not None and torch_blas() is not None


class Saved(NamedTuple):
    r"""What the forward pass keeps for the backward pass, per step in time order.

    ``acts`` (T, B, 4H): :math:`i, f, g, o`; ``tanh_c``, ``c_prev``, ``h_prev``
    (T, B, H): :math:`\tanh c_t` and the states the step started from. Rows
    that did not run at a step hold whatever was there (never read).
    """

    acts: Tensor
    tanh_c: Tensor
    c_prev: Tensor
    h_prev: Tensor


def _kernels() -> Any:
    """The compiled loops, :mod:`~lstm_ref.torch.numba_kernels` (imported on first use)."""
    from . import numba_kernels

    return numba_kernels


def tanh_rational(x: np.ndarray) -> np.ndarray:
    r"""The compiled loops' :math:`\tanh`, on a float32 array (for checking its accuracy).

    .. math::
        \tanh x \approx \frac{x\,(p_0 + p_1 x^2 + \cdots + p_6 x^{12})}{q_0 + q_1 x^2 + q_2 x^4
        + q_3 x^6}, \quad |x| \le 9

    with the coefficients :data:`TANH_NUMERATOR` and :data:`TANH_DENOMINATOR`,
    :math:`x` clipped to ±9 and the result to ±1.
    """
    flat = np.ascontiguousarray(x, dtype=np.float32).ravel()
    out = np.empty_like(flat)
    _kernels().tanh_all(flat, out)
    return out.reshape(np.shape(x))


def float32_grid(*, every: int, low: float = 2**-30, high: float = 10.0) -> np.ndarray:
    """Every ``every``-th float32 from ``low`` to ``high`` (in bit order), and their negatives."""
    bits = np.arange(np.float32(low).view(np.int32), np.float32(high).view(np.int32), every)
    x = bits.astype(np.int32).view(np.float32)
    return np.concatenate([x, -x])


def tanh_error(x: np.ndarray) -> float:
    """The largest absolute error of :func:`tanh_rational` over ``x``, against float64 tanh."""
    exact = np.tanh(np.asarray(x, dtype=np.float64))
    return float(np.abs(tanh_rational(x).astype(np.float64) - exact).max())


def runs(x: Tensor) -> bool:
    """Whether these loops can run on ``x``: a float32 batch with steps, Numba and the BLAS here."""
    return x.dtype == torch.float32 and x.shape[0] > 0 and x.shape[1] > 0 and available()


def _numpy(t: Tensor) -> np.ndarray:
    """The NumPy view of a CPU tensor (``detach`` is an operator call: only where needed)."""
    return t.detach().numpy() if t.requires_grad else t.numpy()


def _rows(batch_sizes: list[int], t: int, batch: int) -> int:
    return batch_sizes[t] if batch_sizes else batch


def forward_loop(
    preact_x: Tensor,
    h0: Tensor,
    c0: Tensor,
    w_hh: Tensor,
    batch_sizes: list[int],
    reverse: bool,
    keep: bool,
) -> tuple[Tensor, Tensor, Tensor, Saved | None]:
    r"""Run the recurrence of one LSTM layer direction.

    The step's GEMM runs inside the compiled loop (PyTorch's BLAS) unless
    :class:`~lstm_ref.torch.gemm.Product` would hand it to oneDNN (large
    steps, where oneDNN's kernels are faster): then the loop is Python, one
    oneDNN product and one compiled element-wise call per step.

    Parameters
    ----------
    preact_x : Tensor, shape (T, B, 4H), float32, contiguous
        :math:`W_{ih} x_t + b` for every step, gate order (i, f, g, o).
    h0, c0 : Tensor, shape (B, H)
        Initial states (not modified).
    w_hh : Tensor, shape (4H, H)
    batch_sizes : list of int
        Running rows per step, as in :mod:`~lstm_ref.torch.sequence`; empty
        when all ``B`` rows run at every step.
    reverse : bool
        Walk from ``t = T - 1`` down to 0.
    keep : bool
        Return what :func:`backward_loop` needs.

    Returns
    -------
    y : Tensor, shape (T, B, H)
    h_n, c_n : Tensor, shape (B, H)
    saved : Saved or None
        ``None`` unless ``keep``.
    """
    kernels = _kernels()
    steps, batch, gate_rows = preact_x.shape
    hidden = gate_rows // 4
    h = h0.clone(memory_format=torch.contiguous_format)
    c = c0.clone(memory_format=torch.contiguous_format)
    y = preact_x.new_empty(steps, batch, hidden)
    kept = steps if keep else 1  # without keep, index 0 is the kernels' scratch
    saved = Saved(
        acts=preact_x.new_empty(kept, batch, gate_rows),
        tanh_c=preact_x.new_empty(kept, batch, hidden),
        c_prev=preact_x.new_empty(kept, batch, hidden),
        h_prev=preact_x.new_empty(kept, batch, hidden),
    )
    arrays = [_numpy(t) for t in (preact_x, h, c)]
    outputs = [_numpy(t) for t in (y, *saved)]
    recurrent = Product(w_hh, batch, per_step=True)
    if not recurrent.onednn:
        kernels.forward(
            *arrays,
            _numpy(w_hh.contiguous()),
            np.asarray(batch_sizes, dtype=np.int64),
            reverse,
            *outputs,
            keep,
        )
    else:
        for k in range(steps):
            t = steps - 1 - k if reverse else k
            n = _rows(batch_sizes, t, batch)
            a = recurrent(h if n == batch else h[:n])
            kernels.forward_step(_numpy(a), *arrays, *outputs, t, n, keep)
    return y, h, c, saved if keep else None


def backward_loop(
    dy: Tensor,
    dh_n: Tensor,
    dc_n: Tensor,
    saved: Saved,
    w_hh: Tensor,
    batch_sizes: list[int],
    reverse: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """Backpropagate through the steps of :func:`forward_loop`, last step first.

    The step's GEMM :math:`W_{hh}^\top \\delta a` runs where the forward
    pass ran its own (the same rule, :class:`~lstm_ref.torch.gemm.Product`).

    Parameters
    ----------
    dy : Tensor, shape (T, B, H)
        Gradient of the output ``y``.
    dh_n, dc_n : Tensor, shape (B, H)
        Gradients of the final states.
    saved : Saved
        As returned by :func:`forward_loop`.
    w_hh : Tensor, shape (4H, H)
    batch_sizes, reverse
        As in the forward pass.

    Returns
    -------
    d_preact : Tensor, shape (T, B, 4H)
        Gradient of the gate pre-activations of every step, in time order
        (zero for rows that did not run).
    dh0, dc0 : Tensor, shape (B, H)
        Gradients of the initial states.
    """
    kernels = _kernels()
    steps, batch, _ = dy.shape
    dy = dy.contiguous()
    dh = dh_n.clone(memory_format=torch.contiguous_format)
    dc = dc_n.clone(memory_format=torch.contiguous_format)
    d_preact = torch.empty_like(saved.acts)
    arrays = [_numpy(t) for t in (dy, dh, dc, saved.acts, saved.tanh_c, saved.c_prev)]
    recurrent = Product(w_hh.t(), batch, per_step=True)
    if not recurrent.onednn:
        kernels.backward(
            *arrays,
            _numpy(w_hh.contiguous()),
            np.asarray(batch_sizes, dtype=np.int64),
            reverse,
            _numpy(d_preact),
        )
    else:
        d_preact_np = _numpy(d_preact)
        for k in range(steps):
            t = k if reverse else steps - 1 - k
            n = _rows(batch_sizes, t, batch)
            kernels.backward_step(*arrays, d_preact_np, t, n)
            dh[:n] = recurrent(d_preact[t, :n])
    return d_preact, dh, dc
