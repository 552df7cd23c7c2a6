"""Moving digits: short clips of real handwritten digits sliding over a blank canvas.

No openly licensed labelled video installs with a Python package, so, as
Srivastava et al. (2015) built Moving MNIST, the clips are synthetic motion
of *real* handwriting: each clip takes one digit image — by default one of
the 1,797 8 x 8 digits that scikit-learn ships (``sklearn.datasets.load_digits``,
the test set of UCI's "Optical Recognition of Handwritten Digits", written by
13 people on NIST forms and counted down to 8 x 8 blocks of 0-16) — and moves
it over a larger blank canvas. The digit is real; its path is
drawn by seeded code.

Two kinds of motion:

``"line"``
    One of four directions (:data:`DIRECTIONS`: right, left, down, up) at one
    pixel per frame, starting where the digit stays inside the canvas; the
    label of a clip is its digit and its direction.
``"bounce"``
    A random velocity with components in ``{-1, 0, 1}`` (not both zero) from a
    random start; the digit bounces off the canvas edges, as in Moving MNIST.

Every clip is a float32 array ``(T, S, S)`` in ``[0, 1]``, a batch of clips
``(N, T, S, S)``.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from lstm_ref.checks import Seed, as_generator, check_positive_int
from lstm_ref.optional import require

__all__ = [
    "DIRECTIONS",
    "MovingDigits",
    "check_clips",
    "load_small_digits",
    "moving_digits",
    "split_images",
]

#: Names of the ``"line"`` motions, in label order, and their (row, column) steps.
DIRECTIONS: tuple[str, ...] = ("right", "left", "down", "up")
_STEPS = np.array([(0, 1), (0, -1), (1, 0), (-1, 0)], dtype=np.int64)


def load_small_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits, 8 x 8, read offline.

    Returns
    -------
    images : np.ndarray, float32, shape (1797, 8, 8)
        Grey values scaled from 0-16 to ``[0, 1]`` (1 is ink), row 0 at the top.
    labels : np.ndarray, int64, shape (1797,)
        The digit, 0-9.
    """
    datasets = require(
        "sklearn.datasets", pip_name="scikit-learn", needed_for="load_small_digits()"
    )
    bunch = datasets.load_digits()
    images = (np.asarray(bunch.images) / 16.0).astype(np.float32)
    return images, np.asarray(bunch.target, dtype=np.int64)


def split_images(n: int, test: float = 0.25, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of ``n`` images split at random into training and test (disjoint, sorted).

    Clips for training and for testing are then made from different images,
    so a test clip never shows a handwritten digit seen in training.
    """
    n = check_positive_int("n", n, minimum=2)
    if not 0.0 < test < 1.0:
        raise ValueError(f"test: expected a fraction in (0, 1), got {test}")
    order = as_generator(seed).permutation(n)
    cut = max(1, min(n - 1, round(n * test)))
    return np.sort(order[cut:]), np.sort(order[:cut])


class MovingDigits(NamedTuple):
    """Clips made by :func:`moving_digits`.

    Attributes
    ----------
    frames : np.ndarray, float32, shape (N, T, S, S)
        The clips, values in ``[0, 1]``.
    digits : np.ndarray, int64, shape (N,)
        The digit shown.
    directions : np.ndarray, int64, shape (N,)
        Index into :data:`DIRECTIONS` for ``"line"`` motion; -1 for ``"bounce"``.
    positions : np.ndarray, int64, shape (N, T, 2)
        Row and column of the digit's top-left corner in each frame.
    sources : np.ndarray, int64, shape (N,)
        Row of the image array each clip was made from.
    """

    frames: np.ndarray
    digits: np.ndarray
    directions: np.ndarray
    positions: np.ndarray
    sources: np.ndarray


def _check_images(images: object, labels: object, canvas: int) -> tuple[np.ndarray, np.ndarray]:
    imgs = np.asarray(images, dtype=np.float32)
    if imgs.ndim != 3 or imgs.shape[0] == 0:
        raise ValueError(f"images: expected shape (N, h, w) with N > 0, got {imgs.shape}")
    if imgs.shape[1] >= canvas or imgs.shape[2] >= canvas:
        raise ValueError(
            f"images: expected digits smaller than the canvas ({canvas} x {canvas}), "
            f"got {imgs.shape[1]} x {imgs.shape[2]}"
        )
    labs = np.asarray(labels, dtype=np.int64)
    if labs.shape != (imgs.shape[0],):
        raise ValueError(f"labels: expected shape ({imgs.shape[0]},), got {labs.shape}")
    return imgs, labs


def _bounce(p: int, v: int, high: int) -> tuple[int, int]:
    """Advance one coordinate by ``v`` inside ``[0, high]``, reflecting at the ends."""
    p += v
    if p < 0 or p > high:
        v = -v
        p += 2 * v
    return p, v


def moving_digits(
    images: np.ndarray,
    labels: np.ndarray,
    n: int,
    *,
    frames: int = 6,
    canvas: int = 16,
    motion: Literal["line", "bounce"] = "line",
    seed: Seed = 0,
) -> MovingDigits:
    """``n`` clips of digits drawn at random from ``images``, each moving over a canvas.

    Parameters
    ----------
    images : np.ndarray, shape (M, h, w)
        Digit images in ``[0, 1]`` (e.g. :func:`load_small_digits`), smaller
        than the canvas.
    labels : np.ndarray, int, shape (M,)
        Their digits.
    n : int
        Number of clips.
    frames : int
        Frames per clip, ``T``; for ``"line"`` at most ``canvas - w + 1`` so the
        digit stays in view.
    canvas : int
        Side ``S`` of the square canvas in pixels.
    motion : {"line", "bounce"}
        See the module docstring.
    seed : int or np.random.Generator

    Returns
    -------
    MovingDigits
        ``frames (n, T, S, S)`` float32, labels and positions.
    """
    n = check_positive_int("n", n)
    T = check_positive_int("frames", frames, minimum=2)
    S = check_positive_int("canvas", canvas, minimum=2)
    imgs, labs = _check_images(images, labels, S)
    if motion not in ("line", "bounce"):
        raise ValueError(f"motion: expected 'line' or 'bounce', got {motion!r}")
    h, w = imgs.shape[1:]
    room = np.array([S - h, S - w])  # largest top-left row and column
    if motion == "line" and T - 1 > room.min():
        raise ValueError(
            f"frames: expected at most {room.min() + 1} for 'line' motion of a "
            f"{h} x {w} digit on a {S} x {S} canvas, got {T}"
        )
    rng = as_generator(seed)
    sources = rng.integers(0, len(imgs), n)
    out = np.zeros((n, T, S, S), dtype=np.float32)
    positions = np.zeros((n, T, 2), dtype=np.int64)
    directions = np.full(n, -1, dtype=np.int64)
    for k in range(n):
        if motion == "line":
            d = int(rng.integers(0, 4))
            directions[k] = d
            step = _STEPS[d]
            # start anywhere the whole path stays on the canvas
            low = np.where(step < 0, T - 1, 0)
            high = np.where(step > 0, room - (T - 1), room)
            start = np.array([rng.integers(low[a], high[a] + 1) for a in range(2)])
            positions[k] = start + np.arange(T)[:, None] * step
        else:
            velocity = np.zeros(2, dtype=np.int64)
            while not velocity.any():
                velocity = rng.integers(-1, 2, 2)
            p = [int(rng.integers(0, room[a] + 1)) for a in range(2)]
            v = [int(velocity[0]), int(velocity[1])]
            for t in range(T):
                positions[k, t] = p
                for a in range(2):
                    p[a], v[a] = _bounce(p[a], v[a], int(room[a]))
        for t in range(T):
            r, c = positions[k, t]
            out[k, t, r : r + h, c : c + w] = imgs[sources[k]]
    return MovingDigits(out, labs[sources], directions, positions, sources)


def check_clips(name: str, clips: object, *, min_frames: int = 1) -> np.ndarray:
    """``clips`` as a float32 array ``(N, T, S, S)``, or a ``ValueError`` naming ``name``.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    clips : array-like
        Square frames, shape ``(N, T, S, S)``.
    min_frames : int
        Least ``T`` accepted.
    """
    a = np.asarray(clips, dtype=np.float32)
    if a.ndim != 4 or a.shape[2] != a.shape[3]:
        raise ValueError(
            f"{name}: expected clips of square frames, shape (N, T, S, S), got {a.shape}"
        )
    if a.shape[1] < min_frames:
        raise ValueError(f"{name}: expected at least {min_frames} frames, got {a.shape[1]}")
    return a
