"""Isolated-word baselines (DTW, HMMs) and segmenting a string by its energy."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.apps.speech import (
    dtw_distances,
    energy_segments,
    equal_segments,
    fit_word_hmms,
    hmm_log_likelihoods,
    segment_batch,
)


def _dtw(a: np.ndarray, b: np.ndarray) -> float:
    cost = np.full((len(a) + 1, len(b) + 1), np.inf)
    cost[0, 0] = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            step = float(np.sum((a[i - 1] - b[j - 1]) ** 2))
            cost[i, j] = step + min(cost[i - 1, j], cost[i, j - 1], cost[i - 1, j - 1])
    return float(np.sqrt(cost[-1, -1]))


def test_dtw_distances_match_the_recursion() -> None:
    rng = np.random.default_rng(0)
    q, m = rng.normal(size=(3, 7, 2)), rng.normal(size=(4, 6, 2))
    ql, ml = np.array([7, 4, 5]), np.array([6, 2, 5, 3])
    got = dtw_distances(q, ql, m, ml)
    assert got.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert got[i, j] == pytest.approx(_dtw(q[i, : ql[i]], m[j, : ml[j]]), rel=1e-9)
    # a sequence and its slowed-down copy are at distance 0
    slow = np.repeat(q[:1, :7], 2, axis=1)
    assert dtw_distances(q[:1], [7], slow, [14])[0, 0] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="templates: expected 2 features"):
        dtw_distances(q, ql, rng.normal(size=(1, 3, 3)), [3])


def test_word_hmms_tell_two_patterns_apart() -> None:
    rng = np.random.default_rng(0)
    rising = np.linspace(-2, 2, 12)[None, :, None] + 0.2 * rng.normal(size=(20, 12, 2))
    falling = -rising + 0.2 * rng.normal(size=(20, 12, 2))
    x = np.concatenate([rising, falling])
    y = np.repeat([0, 1], 20)
    lengths = np.full(40, 12)
    models = fit_word_hmms(x, y, lengths, n_states=3, n_iter=5)
    scores = hmm_log_likelihoods(models, x, lengths)
    assert scores.shape == (40, 2)
    assert np.all(scores.argmax(axis=1) == y)
    with pytest.raises(ValueError, match="class 1 has no examples"):
        fit_word_hmms(x, np.where(y == 1, 2, 0), lengths)


def test_energy_and_equal_segments() -> None:
    energy = np.concatenate([np.full(10, -100.0), np.full(3, -400.0), np.full(12, -120.0)])
    bounds = energy_segments(energy, prominence=100, min_distance=4)
    assert bounds[0] == 0 and bounds[-1] == 25 and len(bounds) == 3
    assert 10 <= bounds[1] <= 12
    assert energy_segments(np.full(8, -1.0)).tolist() == [0, 8]
    assert equal_segments(40, 18.0).tolist() == [0, 20, 40]
    assert equal_segments(5, 18.0).tolist() == [0, 5]
    with pytest.raises(ValueError, match="typical: expected a positive length"):
        equal_segments(5, 0.0)
    with pytest.raises(ValueError, match="energy: expected a non-empty 1-D array"):
        energy_segments(np.zeros((2, 2)))


def test_segment_batch() -> None:
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    pieces, lengths = segment_batch(x, np.array([0, 2, 6]))
    assert pieces.shape == (2, 4, 2) and lengths.tolist() == [2, 4]
    np.testing.assert_array_equal(pieces[1], x[2:6])
    np.testing.assert_array_equal(pieces[0, 2:], 0)
    with pytest.raises(ValueError, match="bounds: expected strictly increasing"):
        segment_batch(x, np.array([0, 2, 2, 6]))
    with pytest.raises(ValueError, match="bounds: expected 0 = b_0"):
        segment_batch(x, np.array([1, 6]))
