"""Argument checks and model helpers that every layer of ``lstm_ref`` shares.

One copy of each, so that a bad argument gets the same clear error wherever it
comes in: the message names the argument, says what was expected and what came.

This module imports neither torch nor matplotlib (the NumPy reference may use
it); the model helpers only call methods every ``torch.nn.Module`` has.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn

#: A seed, or a generator to draw from (it advances, so successive calls differ).
Seed: TypeAlias = "int | np.random.Generator | None"


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
