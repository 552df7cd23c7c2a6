"""What every task generator shares: the :class:`Task` container, padding and one-hot codes."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

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


def one_hot(indices: np.ndarray, depth: int) -> np.ndarray:
    """One-hot float32 encoding: ``indices (...,)`` of ints in ``[0, depth)`` -> ``(..., depth)``.

    Negative indices (padding) give all-zero rows.
    """
    out = np.zeros((*indices.shape, depth), dtype=np.float32)
    valid = indices >= 0
    out[valid, indices[valid]] = 1.0
    return out
