"""What every task generator shares: the :class:`Task` container and seeding."""

from __future__ import annotations

from typing import NamedTuple, TypeAlias

import numpy as np

#: A seed, or a generator to draw from (it advances, so successive calls differ).
Seed: TypeAlias = "int | np.random.Generator | None"

#: Fill value of integer targets past a sequence's end: ``torch.nn.CrossEntropyLoss``
#: ignores it by default, so padded steps never contribute to the loss.
PAD_TARGET = -100


class Task(NamedTuple):
    """A batch of a task, batch-major: unpack it as ``x, y, lengths = task``.

    Attributes
    ----------
    x : np.ndarray, float32, shape (N, T, D)
        Inputs; ``T`` is the longest sequence, shorter ones are zero-padded at
        the end.
    y : np.ndarray
        Targets; the shape and dtype depend on the task (documented by each
        generator): float32 ``(N, 1)`` for regression at the sequence end,
        int64 ``(N,)`` for a class at the sequence end, int64 ``(N, T)`` for a
        symbol at every step (padded with :data:`PAD_TARGET`).
    lengths : np.ndarray, int64, shape (N,)
        Valid steps of each sequence (all equal to ``T`` for fixed-length tasks).
    """

    x: np.ndarray
    y: np.ndarray
    lengths: np.ndarray


def as_generator(seed: Seed) -> np.random.Generator:
    """Turn ``seed`` (int, ``None`` or a Generator) into a ``np.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(
        f"seed: expected an int, None or np.random.Generator, got {type(seed).__name__}"
    )


def check_positive_int(name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise naming ``name`` if it is not an int >= minimum."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def one_hot(indices: np.ndarray, depth: int) -> np.ndarray:
    """One-hot float32 encoding: ``indices (...,)`` of ints in ``[0, depth)`` -> ``(..., depth)``.

    Negative indices (padding) give all-zero rows.
    """
    out = np.zeros((*indices.shape, depth), dtype=np.float32)
    valid = indices >= 0
    out[valid, indices[valid]] = 1.0
    return out


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
