"""Spoken digits: the FSDD MFCC file as documented, and strings glued from its recordings."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.data import compose_digit_strings, load_spoken_digits


def test_load_spoken_digits_as_documented() -> None:
    x, y, lengths = load_spoken_digits()
    assert x.shape == (3000, 92, 13) and x.dtype == np.float32
    assert np.all(np.bincount(y) == 300) and y.dtype == np.int64
    assert (lengths.min(), lengths.max()) == (6, 92)
    past_end = np.arange(92)[None, :] >= lengths[:, None]
    assert np.all(x[past_end] == 0)
    assert np.all(np.abs(x[~past_end]).sum(axis=1) > 0)


def _toy() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lengths = np.array([2, 3, 1, 4])
    x = np.zeros((4, 4, 2), dtype=np.float32)
    for k, n in enumerate(lengths):
        x[k, :n] = k + 1 + np.arange(n)[:, None] / 10
    return x, np.array([7, 8, 9, 0]), lengths


def test_compose_glues_recordings_in_order() -> None:
    x, y, lengths = _toy()
    strings = compose_digit_strings(x, y, lengths, 20, min_digits=2, max_digits=3, seed=0)
    assert strings.x.shape[0] == 20 and strings.targets.shape == (20, 3)
    for k in range(20):
        rows, bounds = strings.sources[k], strings.bounds[k]
        assert 2 <= len(rows) <= 3 == strings.targets.shape[1]
        assert strings.target_lengths[k] == len(rows)
        assert strings.targets[k, : len(rows)].tolist() == y[rows].tolist()
        assert np.all(strings.targets[k, len(rows) :] == -1)
        assert bounds[-1] == strings.lengths[k] == lengths[rows].sum()
        for j, row in enumerate(rows):
            np.testing.assert_array_equal(
                strings.x[k, bounds[j] : bounds[j + 1]], x[row, : lengths[row]]
            )
        assert np.all(strings.x[k, strings.lengths[k] :] == 0)
    again = compose_digit_strings(x, y, lengths, 20, min_digits=2, max_digits=3, seed=0)
    np.testing.assert_array_equal(again.x, strings.x)


def test_compose_rejects_bad_arguments() -> None:
    x, y, lengths = _toy()
    with pytest.raises(ValueError, match="max_digits: expected >= min_digits = 3"):
        compose_digit_strings(x, y, lengths, 2, min_digits=3, max_digits=2)
    with pytest.raises(ValueError, match=r"x, y, lengths: expected shapes"):
        compose_digit_strings(x, y[:2], lengths, 2)
    with pytest.raises(ValueError, match="n_strings: expected an int >= 1"):
        compose_digit_strings(x, y, lengths, 0)
