r"""The linear recurrence :math:`h_t = a_t \odot h_{t-1} + b_t`, by a loop and by a parallel scan.

A recurrence whose step is *affine* in the state composes into another affine
map: applying step :math:`s` then step :math:`t` gives

.. math::
    h_t = a_t \odot (a_s \odot h + b_s) + b_t = (a_t \odot a_s) \odot h + (a_t \odot b_s + b_t),

so the pairs :math:`(a, b)` combine with the associative operator
:math:`(a_s, b_s) \bullet (a_t, b_t) = (a_t a_s,\; a_t b_s + b_t)`. Every prefix
of the sequence can then be combined in :math:`\lceil \log_2 T \rceil` rounds
(Hillis & Steele 1986): in round :math:`k` each position :math:`t` combines its
running pair with the one :math:`d = 2^k` steps earlier,

.. math::
    A_t \leftarrow A_t A_{t-d}, \qquad B_t \leftarrow A_t B_{t-d} + B_t
    \qquad (t \ge d),

after which :math:`A_t = \prod_{s \le t} a_s`, :math:`B_t = h_t` for
:math:`h_0 = 0`, and :math:`h_t = A_t \odot h_0 + B_t`. Each round is a few
whole-tensor operations, so the depth is :math:`O(\log T)` instead of
:math:`T`; the work is :math:`O(T \log T)` instead of :math:`O(T)`.

The scan multiplies and adds real numbers only, so it is exact (up to rounding)
for any real :math:`a` and :math:`b`, negative :math:`b` included. Heinsen's
(2023) log-space scan computes the same prefixes as cumulative sums of
:math:`\log a` and a log-cumulative-sum-exp of :math:`\log b - \log A`, which is
stabler for long products but needs complex logarithms (or a sign split) when
:math:`b < 0`; we keep to the direct form.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["parallel_scan", "sequential_scan"]


def _check(a: object, b: object, h0: object) -> tuple[Tensor, Tensor, Tensor]:
    for name, value in (("a", a), ("b", b), ("h0", h0)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}: expected a torch.Tensor, got {type(value).__name__}")
        if not value.is_floating_point():
            raise TypeError(f"{name}: expected a floating-point tensor, got dtype {value.dtype}")
    assert isinstance(a, Tensor) and isinstance(b, Tensor) and isinstance(h0, Tensor)
    if a.dim() != 3:
        raise ValueError(f"a: expected shape (B, T, H), got {tuple(a.shape)}")
    if b.shape != a.shape:
        raise ValueError(f"b: expected the shape of a, {tuple(a.shape)}, got {tuple(b.shape)}")
    if a.shape[1] == 0:
        raise ValueError("a: expected at least one time step (T >= 1), got T = 0")
    if h0.shape != (a.shape[0], a.shape[2]):
        raise ValueError(
            f"h0: expected shape (B, H) = {(a.shape[0], a.shape[2])}, got {tuple(h0.shape)}"
        )
    if not (a.dtype == b.dtype == h0.dtype):
        raise TypeError(f"a, b, h0: expected one dtype, got {a.dtype}, {b.dtype} and {h0.dtype}")
    return a, b, h0


def sequential_scan(a: Tensor, b: Tensor, h0: Tensor) -> Tensor:
    r"""Every :math:`h_t = a_t \odot h_{t-1} + b_t`, one step after another (the reference).

    Parameters
    ----------
    a, b : Tensor, shape (B, T, H)
        Decay and input of each step, any real values, one floating dtype.
    h0 : Tensor, shape (B, H)
        The state before the first step.

    Returns
    -------
    Tensor, shape (B, T, H)
        :math:`h_1, \dots, h_T`.
    """
    a, b, h = _check(a, b, h0)
    out = []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        out.append(h)
    return torch.stack(out, dim=1)


def parallel_scan(a: Tensor, b: Tensor, h0: Tensor) -> Tensor:
    r"""Every :math:`h_t = a_t \odot h_{t-1} + b_t` in :math:`\lceil\log_2 T\rceil` parallel rounds.

    Same inputs and output as :func:`sequential_scan`, and the same numbers up
    to rounding; differentiable (built from whole-tensor operations that
    autograd follows). Correct for any real ``a`` and ``b``; for long
    sequences :math:`\prod a_s` may underflow to 0, which is then also the
    exact answer's scale.

    Parameters
    ----------
    a, b : Tensor, shape (B, T, H)
    h0 : Tensor, shape (B, H)

    Returns
    -------
    Tensor, shape (B, T, H)
    """
    a, b, h0 = _check(a, b, h0)
    steps = a.shape[1]
    big_a, big_b = a, b  # running pairs: (A_t, B_t) = (a_t, b_t) before round 0
    d = 1
    while d < steps:
        # A_t <- A_t A_{t-d},  B_t <- A_t B_{t-d} + B_t  for t >= d; the first d stay.
        new_b = big_a[:, d:] * big_b[:, :-d] + big_b[:, d:]
        new_a = big_a[:, d:] * big_a[:, :-d]
        big_a = torch.cat([big_a[:, :d], new_a], dim=1)
        big_b = torch.cat([big_b[:, :d], new_b], dim=1)
        d *= 2
    return big_a * h0[:, None, :] + big_b  # h_t = A_t h_0 + B_t
