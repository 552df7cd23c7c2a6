r"""Reading a line of handwriting the classic way: cut at blank columns, classify each piece.

The *projection profile* of a line is its ink per column,
:math:`P_w = \sum_r I_{r,w}`. Runs of columns with :math:`P_w > 0` are the
pieces (:func:`projection_segments`); a piece much wider than a digit holds
several touching digits and is cut into equal parts (``typical_width``).
Each piece is centred in a 28 x 28 frame (:func:`center_piece`), as MNIST
digits are, and handed to an isolated-digit classifier.
"""

from __future__ import annotations

import itertools

import numpy as np


def projection_segments(
    line: np.ndarray, *, typical_width: float | None = None, threshold: float = 0.0
) -> np.ndarray:
    """Pieces of a line between blank columns: ``(n, 2)`` column ranges ``[start, end)``.

    Parameters
    ----------
    line : np.ndarray, shape (W, H)
        The line column by column, as
        :func:`lstm_ref.data.handwriting.compose_digit_lines` stores it.
    typical_width : float, optional
        If given, a piece wider than 1.5 times this is cut into
        ``round(width / typical_width)`` equal parts (touching digits).
    threshold : float
        A column is blank if its total ink is at most this.

    Returns
    -------
    np.ndarray, int64, shape (n, 2)
        Empty ``(0, 2)`` if the line has no ink.
    """
    columns = np.asarray(line)
    if columns.ndim != 2:
        raise ValueError(f"line: expected shape (W, H), got {columns.shape}")
    if typical_width is not None and not typical_width > 0:
        raise ValueError(f"typical_width: expected a positive width, got {typical_width}")
    ink = columns.sum(axis=1) > threshold
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ink.astype(np.int8), [0]))))
    pieces = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        width = end - start
        if typical_width is not None and width > 1.5 * typical_width:
            cuts = np.round(np.linspace(start, end, round(width / typical_width) + 1)).astype(int)
            pieces += [(a, b) for a, b in itertools.pairwise(cuts)]
        else:
            pieces.append((start, end))
    return np.array(pieces, dtype=np.int64).reshape(-1, 2)


def center_piece(line: np.ndarray, start: int, end: int, size: int = 28) -> np.ndarray:
    """Columns ``start:end`` of ``line (W, H)`` as an ``(H, size)`` image, centred by ink mass.

    The piece's horizontal centre of mass lands on the middle column, as in
    MNIST; columns falling outside the frame are dropped.
    """
    columns = np.asarray(line, dtype=np.float32)
    if columns.ndim != 2 or not 0 <= start < end <= len(columns):
        raise ValueError(
            f"start, end: expected 0 <= start < end <= {len(columns)} on a (W, H) line, "
            f"got {start}, {end} on shape {columns.shape}"
        )
    piece = columns[start:end].T  # (H, w)
    mass = piece.sum(axis=0)
    centre = float((mass * np.arange(piece.shape[1])).sum() / mass.sum()) if mass.sum() else 0.0
    offset = round(size / 2 - 0.5 - centre)
    out = np.zeros((piece.shape[0], size), dtype=np.float32)
    left, right = max(0, offset), min(size, offset + piece.shape[1])
    if left < right:
        out[:, left:right] = piece[:, left - offset : right - offset]
    return out


def pieces_of_lines(
    x: np.ndarray, lengths: np.ndarray, *, typical_width: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every piece of every line, centred, with the line it came from.

    Returns
    -------
    images : np.ndarray, float32, shape (P, 28, 28)
    line_of_piece : np.ndarray, int64, shape (P,)
        Pieces are in reading order within each line.
    """
    images, owner = [], []
    for k, n in enumerate(np.asarray(lengths)):
        for start, end in projection_segments(x[k, :n], typical_width=typical_width):
            images.append(center_piece(x[k, :n], int(start), int(end)))
            owner.append(k)
    if not images:
        return np.zeros((0, x.shape[2], 28), dtype=np.float32), np.zeros(0, dtype=np.int64)
    return np.stack(images), np.array(owner, dtype=np.int64)
