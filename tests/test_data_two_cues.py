"""The two-cues task: layout, targets, seeding, criterion and baseline."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.data import (
    TWO_CUES_CHANNELS,
    TWO_CUES_MSE_THRESHOLD,
    two_cues,
    two_cues_baseline_mse,
    two_cues_mse,
    two_cues_solved,
)


def test_shapes_and_dtypes() -> None:
    x, y, lengths = two_cues(32, 20, seed=0)
    assert x.shape == (32, 20, len(TWO_CUES_CHANNELS)) and x.dtype == np.float32
    assert y.shape == (32, 20, 1) and y.dtype == np.float32
    assert lengths.dtype == np.int64 and (lengths == 20).all()


@pytest.mark.parametrize("T", [8, 13, 20, 41])
def test_each_flag_once_in_its_window(T: int) -> None:
    x, _, _ = two_cues(200, T, seed=1)
    flags = x[..., 1:]
    assert (flags.sum(axis=1) == 1).all()  # every flag exactly once per sequence
    steps = flags.argmax(axis=1)  # (N, 4): store A, store B, cue A, cue B
    assert (steps[:, 0] < T // 4).all()
    assert ((steps[:, 1] >= T // 4) & (steps[:, 1] < T // 2)).all()
    assert (steps[:, 2:] >= T // 2).all() and (steps[:, 2] != steps[:, 3]).all()
    # both orders of the cues occur
    assert (steps[:, 2] < steps[:, 3]).any() and (steps[:, 2] > steps[:, 3]).any()


def test_targets_recall_at_cues_and_echo_elsewhere() -> None:
    x, y, _ = two_cues(100, 16, seed=2)
    rows = np.arange(100)
    store_a, store_b, cue_a, cue_b = x[..., 1:].argmax(axis=1).T
    np.testing.assert_array_equal(y[rows, cue_a, 0], x[rows, store_a, 0])
    np.testing.assert_array_equal(y[rows, cue_b, 0], x[rows, store_b, 0])
    cue = np.zeros((100, 16), dtype=bool)
    cue[rows, cue_a] = cue[rows, cue_b] = True
    np.testing.assert_array_equal(y[~cue, 0], x[~cue, 0])
    assert (x[cue, 0] == 0).all()  # nothing to echo at a cue step
    assert np.abs(x[..., 0]).max() <= 1


def test_seeding() -> None:
    a, b = two_cues(8, 12, seed=5), two_cues(8, 12, seed=5)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, two_cues(8, 12, seed=6).x)
    g = np.random.default_rng(0)
    assert not np.array_equal(two_cues(8, 12, seed=g).x, two_cues(8, 12, seed=g).x)


def test_criterion_and_baseline() -> None:
    x, y, _ = two_cues(2000, 20, seed=3)
    assert two_cues_mse(y, y, x) == (0.0, 0.0) and two_cues_solved(y, y, x)
    # The echo-only network: it outputs the value channel at every step.
    recall, echo_err = two_cues_mse(x[..., :1], y, x)
    assert echo_err == 0.0
    assert recall == pytest.approx(two_cues_baseline_mse()[0], rel=0.06)
    assert not two_cues_solved(x[..., :1], y, x)
    noisy = y + np.sqrt(2 * TWO_CUES_MSE_THRESHOLD)
    assert not two_cues_solved(noisy, y, x)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="T"):
        two_cues(4, 7)
    with pytest.raises(ValueError, match="n"):
        two_cues(0, 20)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, T, 5\)"):
        two_cues_mse(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3, 2)))
