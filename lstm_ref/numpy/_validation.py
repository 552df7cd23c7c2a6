"""Input checks shared by the RNN, LSTM and GRU functions.

Every error names the argument, says what was expected and what came, e.g.
``h0: expected shape (B, H) = (4, 8), got (4, 7)``. Shape problems raise
``ValueError``; dtype problems raise :class:`DTypeError`, which is both a
``TypeError`` and a ``ValueError`` so either ``except`` catches it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating[Any]]
"""A float32 or float64 NumPy array (the dtype the caller chose is kept)."""


class DTypeError(TypeError, ValueError):
    """An array has the wrong dtype (not floating point, or not the dtype of ``x``)."""


def _gate_rows(n_gates: int) -> str:
    """How the row count of a weight matrix is written in messages: H, 3H or 4H."""
    return "H" if n_gates == 1 else f"{n_gates}H"


def check_float_array(name: str, a: Any, dtype: np.dtype[Any] | None = None) -> None:
    """Check that ``a`` is a floating-point ndarray (of ``dtype`` when given)."""
    if not isinstance(a, np.ndarray):
        raise DTypeError(f"{name}: expected a NumPy array, got {type(a).__name__}")
    if not np.issubdtype(a.dtype, np.floating):
        raise DTypeError(
            f"{name}: expected a floating-point array (float32 or float64), got dtype {a.dtype}"
        )
    if dtype is not None and a.dtype != dtype:
        raise DTypeError(f"{name}: expected dtype {dtype} (the dtype of x), got {a.dtype}")


def check_shape(name: str, a: FloatArray, expected: tuple[int, ...], symbols: str) -> None:
    """Check ``a.shape == expected``; ``symbols`` spells the shape, e.g. ``"(B, H)"``."""
    if a.shape != expected:
        raise ValueError(f"{name}: expected shape {symbols} = {expected}, got {a.shape}")


def check_recurrent_inputs(
    x: Any,
    states: dict[str, Any],
    W_ih: Any,
    W_hh: Any,
    b_ih: Any,
    b_hh: Any,
    *,
    n_gates: int,
    sequence: bool,
) -> tuple[int, int, int]:
    """Validate the inputs of a recurrent forward pass and return ``(B, D, H)``.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (T, B, D) when ``sequence``, else (B, D).
    states : dict[str, numpy.ndarray]
        The initial states by argument name, each (B, H).
    W_ih, W_hh, b_ih, b_hh : numpy.ndarray
        Shapes (G·H, D), (G·H, H), (G·H,), (G·H,) with G = ``n_gates``.
    n_gates : int
        1 for the RNN, 3 for the GRU, 4 for the LSTM.
    sequence : bool
        Whether ``x`` holds a whole sequence or one time step.
    """
    check_float_array("x", x)
    arrays = {**states, "W_ih": W_ih, "W_hh": W_hh, "b_ih": b_ih, "b_hh": b_hh}
    for name, a in arrays.items():
        check_float_array(name, a, x.dtype)

    rows = _gate_rows(n_gates)
    if sequence:
        if x.ndim != 3:
            raise ValueError(f"x: expected a 3-D array (T, B, D), got shape {x.shape}")
        if x.shape[0] == 0:
            raise ValueError(f"x: expected a sequence of length T >= 1, got shape {x.shape}")
        _, B, D = x.shape
    else:
        if x.ndim != 2:
            raise ValueError(f"x: expected a 2-D array (B, D), got shape {x.shape}")
        B, D = x.shape

    if W_hh.ndim != 2 or W_hh.shape[0] != n_gates * W_hh.shape[1]:
        raise ValueError(f"W_hh: expected shape ({rows}, H), got {W_hh.shape}")
    H = W_hh.shape[1]
    G = n_gates * H
    check_shape("W_ih", W_ih, (G, D), f"({rows}, D)")
    check_shape("b_ih", b_ih, (G,), f"({rows},)")
    check_shape("b_hh", b_hh, (G,), f"({rows},)")
    for name, state in states.items():
        check_shape(name, state, (B, H), "(B, H)")
    return B, D, H


def upstream_gradient(
    name: str, g: Any, shape: tuple[int, ...], symbols: str, like: FloatArray
) -> FloatArray:
    """An upstream gradient of a backward pass: checked, or zeros when ``None``.

    ``None`` means the loss does not depend on that output (e.g. ``dh_n`` when
    the loss reads only ``y``).
    """
    if g is None:
        return np.zeros(shape, dtype=like.dtype)
    check_float_array(name, g, like.dtype)
    check_shape(name, g, shape, symbols)
    return g
