"""Projection-profile segmentation and centring pieces in an MNIST-sized frame."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.apps.handwriting import center_piece, pieces_of_lines, projection_segments


def _line() -> np.ndarray:
    line = np.zeros((30, 4), dtype=np.float32)  # (W, H): columns as rows
    line[2:6] = 1.0  # a digit
    line[8:28] = 1.0  # two touching digits, 20 columns
    return line


def test_projection_segments() -> None:
    assert projection_segments(_line()).tolist() == [[2, 6], [8, 28]]
    assert projection_segments(_line(), typical_width=10).tolist() == [[2, 6], [8, 18], [18, 28]]
    assert projection_segments(np.zeros((5, 4))).shape == (0, 2)
    with pytest.raises(ValueError, match=r"line: expected shape \(W, H\)"):
        projection_segments(np.zeros(5))
    with pytest.raises(ValueError, match="typical_width: expected a positive width"):
        projection_segments(_line(), typical_width=0)


def test_center_piece_puts_the_centre_of_mass_in_the_middle() -> None:
    out = center_piece(_line(), 2, 6)
    assert out.shape == (4, 28)
    columns = np.flatnonzero(out.sum(axis=0))
    assert columns.tolist() == [12, 13, 14, 15]  # centre 13.5 = (28 - 1) / 2
    wide = center_piece(np.ones((40, 4), dtype=np.float32), 0, 40)
    assert wide.shape == (4, 28) and np.all(wide == 1)  # cropped to the frame
    with pytest.raises(ValueError, match="start, end: expected 0 <= start < end <= 30"):
        center_piece(_line(), 6, 2)


def test_pieces_of_lines() -> None:
    x = np.stack([_line(), np.zeros((30, 4), dtype=np.float32)])
    x[1, 3:9] = 1.0
    images, owner = pieces_of_lines(x, np.array([30, 30]))
    assert images.shape == (3, 4, 28) and owner.tolist() == [0, 0, 1]
