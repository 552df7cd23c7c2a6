r"""Reading a trained LSTM: which units follow a known signal, and how saturated its gates are.

Both measures follow Karpathy, Johnson & Fei-Fei (2015). A unit *tracks* a
signal :math:`s_t` (inside a string, bracket depth, ...) when its activation
:math:`a_t` correlates with it over a long text,

.. math::
    r = \frac{\sum_t (a_t - \bar a)(s_t - \bar s)}
             {\sqrt{\sum_t (a_t - \bar a)^2}\,\sqrt{\sum_t (s_t - \bar s)^2}},

and a gate is *saturated* at a step when its value is below ``low`` (closed,
"left-saturated") or above ``high`` (open, "right-saturated").
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Saturation", "TopUnit", "gate_saturation", "top_units", "unit_correlations"]


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
