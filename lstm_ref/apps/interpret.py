r"""Reading a recurrent network: which units follow a known signal, how saturated its gates
are, and how far back its state's gradient reaches.

The first two measures follow Karpathy, Johnson & Fei-Fei (2015). A unit *tracks* a
signal :math:`s_t` (inside a string, bracket depth, ...) when its activation
:math:`a_t` correlates with it over a long text,

.. math::
    r = \frac{\sum_t (a_t - \bar a)(s_t - \bar s)}
             {\sqrt{\sum_t (a_t - \bar a)^2}\,\sqrt{\sum_t (s_t - \bar s)^2}},

and a gate is *saturated* at a step when its value is below ``low`` (closed,
"left-saturated") or above ``high`` (open, "right-saturated").

The third is the size of the Jacobian of the last state with respect to an
earlier one, for every lag :math:`k` (chapters 3 and 4),

.. math::
    n_k = \left\lVert \frac{\partial s_T}{\partial s_{T-k}} \right\rVert_2 ,

its largest singular value: vanishing gradients are :math:`n_k \to 0`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import torch

from lstm_ref.checks import check_positive_int

__all__ = [
    "Saturation",
    "TopUnit",
    "gate_saturation",
    "state_jacobian_norms",
    "top_units",
    "unit_correlations",
    "window_correlations",
]

Step = Callable[[torch.Tensor, tuple[torch.Tensor, ...]], Sequence[torch.Tensor]]


def _as_steps_by_units(values: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] < 2:
        raise ValueError(f"{name}: expected shape (T, H) with T >= 2, got {a.shape}")
    return a


def unit_correlations(values: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """Pearson correlation of every unit with ``signal``.

    Parameters
    ----------
    values : np.ndarray, shape (T, H)
        Activations of ``H`` units over ``T`` steps.
    signal : np.ndarray, shape (T,)
        The ground truth at each step (bool or numbers); must vary.

    Returns
    -------
    np.ndarray, float64, shape (H,)
        In ``[-1, 1]``; 0 for a unit that never changes.
    """
    a = _as_steps_by_units(values, "values")
    s = np.asarray(signal, dtype=np.float64)
    if s.shape != (a.shape[0],):
        raise ValueError(f"signal: expected shape ({a.shape[0]},), got {s.shape}")
    s = s - s.mean()
    if not np.any(s):
        raise ValueError("signal: expected a signal that varies, got a constant")
    a = a - a.mean(axis=0)
    norms = np.sqrt((a**2).sum(axis=0)) * np.sqrt((s**2).sum())
    return np.divide(s @ a, norms, out=np.zeros(a.shape[1]), where=norms > 0)


class TopUnit(NamedTuple):
    """The unit that tracks a signal best: its index and its (signed) correlation."""

    unit: int
    r: float


def top_units(values: np.ndarray, signals: dict[str, np.ndarray]) -> dict[str, TopUnit]:
    """For each named signal, the unit with the largest ``|r|`` (:func:`unit_correlations`)."""
    out = {}
    for name, signal in signals.items():
        r = unit_correlations(values, signal)
        best = int(np.argmax(np.abs(r)))
        out[name] = TopUnit(best, float(r[best]))
    return out


def window_correlations(
    values: np.ndarray, signal: np.ndarray, *, window: int, step: int
) -> tuple[np.ndarray, np.ndarray]:
    """One unit's correlation with ``signal`` over every stretch of ``window`` steps.

    A correlation over a long text is an average over very different
    stretches of it; this shows how it varies, e.g. to pick the stretch to
    display and to say how typical it is.

    Parameters
    ----------
    values : np.ndarray, shape (T,)
        One unit's activation.
    signal : np.ndarray, shape (T,)
        The ground truth (bool or numbers).
    window, step : int
        Stretch length and the distance between stretch starts.

    Returns
    -------
    starts : np.ndarray, int64, shape (K,)
        The first step of each stretch: ``0, step, 2 * step, ...`` while it fits.
    r : np.ndarray, float64, shape (K,)
        The correlation over each stretch; NaN where the unit or the signal is
        constant over it.
    """
    a = np.asarray(values, dtype=np.float64)
    s = np.asarray(signal, dtype=np.float64)
    if a.ndim != 1 or a.shape != s.shape:
        raise ValueError(
            f"values, signal: expected two arrays of shape (T,), got {a.shape} and {s.shape}"
        )
    window = check_positive_int("window", window)
    step = check_positive_int("step", step)
    if window < 2 or window > len(a):
        raise ValueError(f"window: expected 2 <= window <= {len(a)}, got {window}")
    starts = np.arange(0, len(a) - window + 1, step, dtype=np.int64)
    r = np.full(len(starts), np.nan)
    for k, start in enumerate(starts):
        x = a[start : start + window] - a[start : start + window].mean()
        y = s[start : start + window] - s[start : start + window].mean()
        norm = np.sqrt((x**2).sum() * (y**2).sum())
        if norm > 0:
            r[k] = float(x @ y) / norm
    return starts, r


class Saturation(NamedTuple):
    """Per-unit fractions of steps a gate spends closed and open, each ``(H,)``."""

    left: np.ndarray
    right: np.ndarray


def gate_saturation(gate: np.ndarray, *, low: float = 0.1, high: float = 0.9) -> Saturation:
    """How often each unit of a gate is below ``low`` (left) and above ``high`` (right).

    Parameters
    ----------
    gate : np.ndarray, shape (T, H)
        Gate values in ``[0, 1]`` over ``T`` steps.
    low, high : float
        The thresholds, ``0 <= low < high <= 1``.

    Returns
    -------
    Saturation
        ``left`` and ``right``, float64 arrays of shape ``(H,)`` in ``[0, 1]``.
    """
    g = _as_steps_by_units(gate, "gate")
    if not 0.0 <= low < high <= 1.0:
        raise ValueError(f"low, high: expected 0 <= low < high <= 1, got {low}, {high}")
    if g.min() < 0.0 or g.max() > 1.0:
        raise ValueError(f"gate: expected values in [0, 1], got {g.min():.3g}..{g.max():.3g}")
    return Saturation(left=(g < low).mean(axis=0), right=(g > high).mean(axis=0))


def state_jacobian_norms(
    step: Step, x: torch.Tensor, state: Sequence[torch.Tensor], *, which: int = 0
) -> np.ndarray:
    r"""Largest singular value of :math:`\partial s_T / \partial s_{T-k}` for every lag ``k``.

    .. math::
        n_k = \left\lVert \frac{\partial s_T}{\partial s_{T-k}} \right\rVert_2,
        \qquad s_t = \mathrm{state}_t[\mathrm{which}], \quad k = 0, \dots, T - 1,

    with every path from :math:`s_{T-k}` to :math:`s_T` included (through the
    other state components and the gates too), computed by autograd. One
    backward pass gives every row of every Jacobian: the sequence runs as a
    batch of ``H`` identical copies, and copy ``j`` back-propagates unit ``j``
    of :math:`s_T` (so ``step`` must treat batch rows independently, as every
    recurrent cell does).

    Parameters
    ----------
    step : callable
        One time step, ``step(x_t, state) -> new_state``: ``x_t`` is ``(H, D)``
        (the copies), ``state`` and ``new_state`` are tuples of ``(H, ·)``
        tensors. ``torch.nn.LSTMCell`` fits as it is; wrap the others, e.g.
        ``lambda x_t, s: (rnn_cell(x_t, s[0]),)``.
    x : Tensor, shape (T, D)
        One input sequence.
    state : sequence of Tensor, each of shape (H_i,)
        The initial state of that sequence; ``state[which]`` is ``(H,)``.
    which : int
        The state component :math:`s` to differentiate (``1`` is ``c`` in an
        LSTM's ``(h, c)``).

    Returns
    -------
    np.ndarray, float64, shape (T,)
        ``n[k]`` for lag ``k``; ``n[0] = 1``.
    """
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[0] < 1:
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"x: expected a tensor of shape (T, D) with T >= 1, got {got}")
    if not state or any(not isinstance(s, torch.Tensor) or s.dim() != 1 for s in state):
        got_shapes = [
            tuple(s.shape) if isinstance(s, torch.Tensor) else type(s).__name__ for s in state
        ]
        raise ValueError(f"state: expected tensors of shape (H_i,), got {got_shapes}")
    if check_positive_int("which", which, minimum=0) >= len(state):
        raise ValueError(
            f"which: expected an index into the {len(state)} state tensors, got {which}"
        )
    T, H = x.shape[0], state[which].shape[0]
    copies = tuple(s.expand(H, -1) for s in state)
    kept = []  # s_1 .. s_T, each (H, H)
    for x_t in x.expand(H, -1, -1).transpose(0, 1):  # (H, D) per step
        copies = tuple(step(x_t, copies))
        kept.append(copies[which])
    if not kept[-1].requires_grad:
        raise ValueError(
            "step: expected a state that depends on parameters or inputs that require grad"
        )
    # autograd.grad, not backward(): the parameters' .grad stay untouched.
    grads = torch.autograd.grad(torch.diagonal(kept[-1]).sum(), kept, allow_unused=True)
    per_lag = []
    for k in range(T):
        g = grads[T - 1 - k]  # (H, H): row j is d s_T[j] / d s_{T-k}
        if g is None:
            raise ValueError(f"step: state[{which}] {k} steps back does not reach the last one")
        per_lag.append(g)
    return torch.linalg.matrix_norm(torch.stack(per_lag), ord=2).detach().cpu().double().numpy()
