r"""The compiled kernels behind :mod:`~lstm_ref.torch.numba_loops` (importing this needs Numba).

Three functions over NumPy arrays, compiled by Numba on first use and cached
on disk: :func:`forward` and :func:`backward`, the two time loops of one LSTM
layer direction, and :func:`tanh_all`, the loops' :math:`\tanh` over an array
(to measure its accuracy). The GEMM of each step is PyTorch's own BLAS
``sgemm`` (:func:`~lstm_ref.torch.numba_loops.torch_blas`), called by name:
importing this module makes that library's symbols visible to the code Numba
compiles, and fails where PyTorch has no such BLAS.

Numba's defaults that would stop LLVM from vectorising the loops over hidden
units are switched off: ``error_model="numpy"`` (no check for a zero divisor
in :func:`tanh_`) and ``fastmath`` (a sum may be reassociated, as a BLAS does).
"""

from __future__ import annotations

from typing import Any

import llvmlite.binding
import numba
import numpy as np
from numba import types

from .numba_loops import GEMM_SYMBOL, TANH_CLIP, TANH_DENOMINATOR, TANH_NUMERATOR, torch_blas

_BLAS = torch_blas()
if _BLAS is None:
    raise ImportError(f"this PyTorch exports no BLAS {GEMM_SYMBOL!r} for compiled code to call")
# By name, so that the compiled code can be cached on disk and linked again in a new process.
llvmlite.binding.load_library_permanently(str(_BLAS))

_P0, _P1, _P2, _P3, _P4, _P5, _P6 = (np.float32(v) for v in TANH_NUMERATOR)
_Q0, _Q1, _Q2, _Q3 = (np.float32(v) for v in TANH_DENOMINATOR)
_CLIP = np.float32(TANH_CLIP)
_HALF = np.float32(0.5)
_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)
_TRANSPOSE, _KEEP = np.uint8(ord("T")), np.uint8(ord("N"))

#: The BLAS product, column-major :math:`C \leftarrow \alpha\, \mathrm{op}(A)\, \mathrm{op}(B)
#: + \beta C`, called as ``sgemm_(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)``
#: with every argument by pointer.
sgemm = types.ExternalFunction(GEMM_SYMBOL, types.void(*[types.voidptr] * 13))

_jit = numba.njit(cache=True, fastmath=True, error_model="numpy", nogil=True)
_inline = numba.njit(inline="always", fastmath=True, error_model="numpy")


@_inline
def tanh_(x: Any) -> Any:
    """:func:`~lstm_ref.torch.numba_loops.tanh_rational` of one float32."""
    x = min(max(x, -_CLIP), _CLIP)
    s = x * x
    num = ((((((_P6 * s + _P5) * s + _P4) * s + _P3) * s + _P2) * s + _P1) * s + _P0) * x
    den = ((_Q3 * s + _Q2) * s + _Q1) * s + _Q0
    return min(max(num / den, -_ONE), _ONE)


@_inline
def sigmoid_(x: Any) -> Any:
    r""":math:`\sigma(x) = \tfrac12 + \tfrac12 \tanh(x / 2)`."""
    return _HALF + _HALF * tanh_(_HALF * x)


@_inline
def gemm(trans_a: Any, m: int, n: int, k: int, a: Any, lda: int, b: Any, ldb: int, c: Any) -> None:
    """Row-major ``c[:n] = b[:n] @ a.T`` (``trans_a`` "T", ``a`` (m, k)) or ``b[:n] @ a``
    ("N", ``a`` (k, m)), as the column-major product ``c^T = op(a) b^T`` that ``sgemm`` computes.

    ``b`` has ``k`` columns (leading dimension ``ldb``), ``c`` has ``m``.
    """
    ints = np.empty(6, dtype=np.int32)
    ints[0], ints[1], ints[2], ints[3], ints[4], ints[5] = m, n, k, lda, ldb, m
    scalars = np.empty(2, dtype=np.float32)
    scalars[0], scalars[1] = _ONE, _ZERO
    flags = np.empty(2, dtype=np.uint8)
    flags[0], flags[1] = trans_a, _KEEP
    sgemm(  # type: ignore[call-overload]  # a Numba external function, typed by Numba
        flags[0:].ctypes,
        flags[1:].ctypes,
        ints[0:].ctypes,
        ints[1:].ctypes,
        ints[2:].ctypes,
        scalars[0:].ctypes,
        a.ctypes,
        ints[3:].ctypes,
        b.ctypes,
        ints[4:].ctypes,
        scalars[1:].ctypes,
        c.ctypes,
        ints[5:].ctypes,
    )


@_inline
def cell_forward(a, pre, acts, c, h, tanh_c, y, n):  # type: ignore[no-untyped-def]
    """One step's element-wise work for the first ``n`` rows (the rest keep their state).

    ``a`` (B, 4H): :math:`W_{hh} h`; ``pre`` (B, 4H): :math:`W_{ih} x_t + b`;
    ``c``, ``h`` (B, H) are updated in place; ``acts`` (B, 4H), ``tanh_c`` and
    ``y`` (B, H) are written (``y`` is 0 for the rows that did not run).
    """
    # Sizes from a floor division, which LLVM knows is not negative: with hidden = c.shape[1]
    # it could not rule out a negative 2 * hidden, kept numba's negative-index fix-ups and
    # vectorised less (measured twice as slow).
    gate_rows = acts.shape[1]
    hidden = gate_rows // 4
    for b in range(n):
        ab, pb, gb = a[b], pre[b], acts[b]
        for j in range(gate_rows):
            gb[j] = sigmoid_(ab[j] + pb[j])
        for j in range(2 * hidden, 3 * hidden):  # the g block: tanh, not sigmoid
            gb[j] = tanh_(ab[j] + pb[j])
    for b in range(n):
        gb, cb, hb, tb = acts[b], c[b], h[b], tanh_c[b]
        for j in range(hidden):
            # The constant error carousel: c' = f c + i g.
            cb[j] = gb[hidden + j] * cb[j] + gb[j] * gb[2 * hidden + j]
            tb[j] = tanh_(cb[j])
            hb[j] = gb[3 * hidden + j] * tb[j]
    y[:n] = h[:n]
    y[n:] = _ZERO


@_inline
def cell_backward(dh, dy, dc, acts, tanh_c, c_prev, d_a, n):  # type: ignore[no-untyped-def]
    r"""One step's element-wise backward for the first ``n`` rows.

    ``dh``, ``dc`` (B, H): gradients of the step's output states; ``dc`` becomes
    that of :math:`c_{t-1}` (``dh`` is left for the GEMM :math:`W_{hh}^\top \delta a`).
    ``dy`` (B, H); ``acts``, ``tanh_c``, ``c_prev`` as the forward pass kept
    them; ``d_a`` (B, 4H) is written, 0 for the rows that did not run.
    """
    hidden = d_a.shape[1] // 4  # not dc.shape[1]: see cell_forward
    # In three passes, so that each loop touches few arrays and LLVM vectorises it.
    for b in range(n):
        dhb, dyb = dh[b], dy[b]
        for j in range(hidden):
            dhb[j] += dyb[j]  # the gradient reaching h_t: from above and from step t+1
    for b in range(n):
        gb, tb, dab, dhb, dcb = acts[b], tanh_c[b], d_a[b], dh[b], dc[b]
        for j in range(hidden):
            o = gb[3 * hidden + j]
            dab[3 * hidden + j] = dhb[j] * tb[j] * o * (_ONE - o)
            dcb[j] += dhb[j] * o * (_ONE - tb[j] * tb[j])
    for b in range(n):
        gb, cpb, dab, dcb = acts[b], c_prev[b], d_a[b], dc[b]
        for j in range(hidden):
            i, f, g = gb[j], gb[hidden + j], gb[2 * hidden + j]
            dab[j] = dcb[j] * g * i * (_ONE - i)
            dab[hidden + j] = dcb[j] * cpb[j] * f * (_ONE - f)
            dab[2 * hidden + j] = dcb[j] * i * (_ONE - g * g)
            dcb[j] *= f  # what flows on to c_{t-1}: through the forget gate only
    d_a[n:] = _ZERO  # rows that did not run: their gradients pass through


@_jit
def forward(  # type: ignore[no-untyped-def]
    preact, h, c, w_hh, batch_sizes, reverse, y, acts, tanh_c, c_prev, h_prev, keep
):
    """The whole forward loop: ``h``, ``c`` (B, H) become ``h_n``, ``c_n``; ``y`` (T, B, H).

    ``preact`` (T, B, 4H) holds :math:`W_{ih} x_t + b`; ``w_hh`` (4H, H);
    ``batch_sizes`` (T,) running rows per step, or empty for all. With
    ``keep``, ``acts`` (T, B, 4H), ``tanh_c``, ``c_prev``, ``h_prev`` (T, B, H)
    are written at each step; without, their index 0 is scratch.
    """
    steps, batch, gate_rows = preact.shape
    hidden = gate_rows // 4
    a = np.empty((batch, gate_rows), dtype=preact.dtype)  # W_hh h of the step
    for k in range(steps):
        t = steps - 1 - k if reverse else k
        n = batch_sizes[t] if batch_sizes.size > 0 else batch
        s = t if keep else 0
        if keep:
            h_prev[t] = h
            c_prev[t] = c
        gemm(_TRANSPOSE, gate_rows, n, hidden, w_hh, hidden, h, hidden, a)
        cell_forward(a, preact[t], acts[s], c, h, tanh_c[s], y[t], n)


@_jit
def forward_step(  # type: ignore[no-untyped-def]
    a, preact, h, c, y, acts, tanh_c, c_prev, h_prev, t, n, keep
):
    """Step ``t`` of :func:`forward` after its GEMM ``a`` (B, 4H), done elsewhere."""
    s = t if keep else 0
    if keep:
        h_prev[t] = h
        c_prev[t] = c
    cell_forward(a, preact[t], acts[s], c, h, tanh_c[s], y[t], n)


@_jit
def backward(  # type: ignore[no-untyped-def]
    dy, dh, dc, acts, tanh_c, c_prev, w_hh, batch_sizes, reverse, d_preact
):
    """The whole backward loop: ``dh``, ``dc`` (B, H) become the gradients of ``h_0``, ``c_0``.

    ``dy`` (T, B, H); ``acts``, ``tanh_c``, ``c_prev`` as :func:`forward` kept
    them; ``w_hh`` (4H, H); ``d_preact`` (T, B, 4H) is written.
    """
    steps, batch, gate_rows = acts.shape
    hidden = gate_rows // 4
    for k in range(steps):
        t = k if reverse else steps - 1 - k
        n = batch_sizes[t] if batch_sizes.size > 0 else batch
        cell_backward(dh, dy[t], dc, acts[t], tanh_c[t], c_prev[t], d_preact[t], n)
        # dh_{t-1} = W_hh^T da_t for the running rows (the others keep theirs).
        gemm(_KEEP, hidden, n, gate_rows, w_hh, hidden, d_preact[t], gate_rows, dh)


@_jit
def backward_step(dy, dh, dc, acts, tanh_c, c_prev, d_preact, t, n):  # type: ignore[no-untyped-def]
    """Step ``t`` of :func:`backward` before its GEMM, which is done elsewhere."""
    cell_backward(dh, dy[t], dc, acts[t], tanh_c[t], c_prev[t], d_preact[t], n)


@_jit
def tanh_all(x, out):  # type: ignore[no-untyped-def]
    """``out[j] = tanh_(x[j])`` over a float32 vector."""
    for j in range(x.size):
        out[j] = tanh_(x[j])
