"""Argument checks and model helpers that every layer of ``lstm_ref`` shares.

One copy of each, so that a bad argument gets the same clear error wherever it
comes in: the message names the argument, says what was expected and what came.

This module imports neither torch nor matplotlib (the NumPy reference may use
it); the model helpers only call methods every ``torch.nn.Module`` has.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeAlias, TypeVar

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn

#: A seed, or a generator to draw from (it advances, so successive calls differ).
Seed: TypeAlias = "int | np.random.Generator | None"

_T = TypeVar("_T")


def check_positive_int(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an ``int``, or an error naming ``name`` if it is not an int ``>= minimum``.

    ``bool`` is refused although it is an ``int`` subclass: ``steps=True`` is a mistake.

    Raises
    ------
    TypeError
        ``value`` is not an integer.
    ValueError
        ``value < minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def check_positive_float(name: str, value: object) -> float:
    """``value`` as a ``float``, or an error naming ``name`` if it is not a number ``> 0``.

    For a learning rate or a largest gradient norm. ``inf`` passes (it is
    positive); ``nan`` does not.

    Raises
    ------
    TypeError
        ``value`` is not a real number (``bool`` is refused).
    ValueError
        ``value`` is not ``> 0``.
    """
    number = _as_number(name, value)
    if not number > 0:
        raise ValueError(f"{name}: expected a positive number, got {value}")
    return number


def check_fraction(name: str, value: object, *, high: float = 1.0, open_low: bool = False) -> float:
    """``value`` as a ``float`` in ``[0, high)``, or in ``(0, high)`` with ``open_low=True``.

    For a share of the data held out, a confidence level or a momentum.

    Raises
    ------
    TypeError
        ``value`` is not a real number (``bool`` is refused).
    ValueError
        ``value`` is outside the interval.
    """
    number = _as_number(name, value)
    if not ((number > 0 if open_low else number >= 0) and number < high):
        interval = f"{'(' if open_low else '['}0, {high:g})"
        raise ValueError(f"{name}: expected a fraction in {interval}, got {value}")
    return number


def check_type(name: str, value: object, kind: type[_T]) -> _T:
    """``value`` if it is a ``kind`` (e.g. ``str`` or ``bool``), or an error naming ``name``.

    ``check_type("monthly", monthly, bool)`` refuses ``1`` or ``"yes"`` for a switch.

    Raises
    ------
    TypeError
        ``value`` is not an instance of ``kind``.
    """
    if not isinstance(value, kind):
        raise TypeError(f"{name}: expected a {kind.__name__}, got {type(value).__name__}")
    return value


def check_series(name: str, values: object, *, length: int | None = None) -> np.ndarray:
    """``values`` as a float64 series of shape ``(T,)``, or ``(length,)`` when given.

    Returns
    -------
    np.ndarray, float64, shape (T,)

    Raises
    ------
    ValueError
        ``values`` is not 1-D, or has not ``length`` steps.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or (length is not None and len(array) != length):
        want = "(T,)" if length is None else f"({length},)"
        raise ValueError(f"{name}: expected shape {want}, got {array.shape}")
    return array


def check_ids(name: str, values: object, size: int) -> np.ndarray:
    """``values`` as an array of ids, each in ``[0, size)`` (any shape; none is fine).

    For token ids read back through a vocabulary of ``size`` entries, or class
    labels of ``size`` classes.

    Raises
    ------
    ValueError
        Some id is negative or ``>= size``.
    """
    ids = np.asarray(values)
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"{name}: expected values in [0, {size}), got {ids.min()}..{ids.max()}")
    return ids


def _as_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__}")
    return float(value)


def as_generator(seed: Seed) -> np.random.Generator:
    """Turn ``seed`` (int, ``None`` or a Generator) into a ``np.random.Generator``.

    A Generator is returned as it is, so successive calls that share it draw
    different numbers.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(
        f"seed: expected an int, None or np.random.Generator, got {type(seed).__name__}"
    )


def check_padded(x: object, lengths: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate a padded batch: ``x (N, T, D)`` and ``lengths (N,)`` with values in ``[1, T]``.

    Returns ``x`` as float64 and ``lengths`` as an array, or raises a
    ``ValueError`` naming the argument that does not fit.
    """
    values = np.asarray(x, dtype=np.float64)
    if values.ndim != 3:
        raise ValueError(f"x: expected shape (N, T, D), got {values.shape}")
    steps = np.asarray(lengths)
    if steps.shape != values.shape[:1] or steps.min() < 1 or steps.max() > values.shape[1]:
        raise ValueError(
            f"lengths: expected shape ({values.shape[0]},) with values in [1, {values.shape[1]}], "
            f"got shape {steps.shape}"
        )
    return values, steps


def check_mask(name: str, values: object) -> np.ndarray:
    """``values`` as a 1-D boolean mask ``(T,)``; booleans or 0/1 values are accepted."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of shape (T,), got shape {array.shape}")
    if array.dtype != np.bool_ and not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name}: expected booleans or 0/1 values, got {np.unique(array)[:5]}")
    return array.astype(bool)


def model_device(model: nn.Module) -> torch.device:
    """The device of ``model``'s first parameter (where its inputs must go).

    Raises
    ------
    ValueError
        ``model`` has no parameters, so it has no device of its own.
    """
    try:
        return next(model.parameters()).device
    except StopIteration:
        raise ValueError(
            f"model: expected a module with parameters, got a {type(model).__name__} with none"
        ) from None


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in evaluation mode for a ``with`` block, then restore its mode.

    ``with evaluating(model): ...`` switches dropout off inside the block and
    leaves the model training afterwards if it was training before, even when
    the block raises. It does not turn off autograd: add ``torch.no_grad()``.
    """
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
