import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from lstm_ref.apps.anomaly import (
    EventCounts,
    GaussianErrors,
    event_counts,
    forecast_errors,
    precision_recall,
    roc_auc,
    rolling_mean,
    rolling_zscore,
)
from lstm_ref.data import make_windows, segments


def test_rolling_zscore_matches_its_definition() -> None:
    x = np.random.default_rng(0).normal(size=50)
    s = rolling_zscore(x, 7)
    assert np.isnan(s[:7]).all()
    for t in (7, 20, 49):
        past = x[t - 7 : t]
        assert s[t] == pytest.approx(abs(x[t] - past.mean()) / past.std())


def test_rolling_zscore_flags_a_spike_and_handles_a_flat_past() -> None:
    x = np.sin(np.arange(200) / 5.0)
    x[150] += 5.0
    s = rolling_zscore(x, 20)
    assert np.nanargmax(s) == 150
    flat = rolling_zscore(np.array([1.0, 1.0, 1.0, 1.0, 2.0]), 3)
    assert flat[3] == 0.0 and flat[4] == np.inf


def test_rolling_mean_is_a_trailing_mean_that_keeps_nans() -> None:
    s = np.array([np.nan, 1.0, 2.0, 3.0, 4.0, 5.0])
    out = rolling_mean(s, 2)
    assert np.isnan(out[:2]).all()
    np.testing.assert_allclose(out[2:], [1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(rolling_mean(s[1:], 1), s[1:])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rolling_zscore(np.zeros((3, 2)), 2), "series"),
        (lambda: rolling_zscore(np.zeros(5), 0), "window"),
        (lambda: rolling_zscore(np.zeros(5), 5), "window"),
        (lambda: rolling_mean(np.zeros(5), 6), "window"),
        (lambda: rolling_mean(np.zeros(5), 2.0), "window"),
    ],
)
def test_scores_reject_bad_input(call: object, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()  # type: ignore[operator]


def test_forecast_errors_line_up_with_make_windows() -> None:
    x = np.arange(30, dtype=float) ** 1.5
    L, h = 5, 3
    _, targets = make_windows(x, L, h)
    # A perfect forecaster has zero error wherever it predicted.
    errors = forecast_errors(targets, x, L)
    assert errors.shape == (30, h)
    for k in range(h):
        defined = ~np.isnan(errors[:, k])
        assert np.flatnonzero(defined).tolist() == list(range(L + k, 30 - h + 1 + k))
        assert np.allclose(errors[defined, k], 0.0, atol=1e-3)
    # A forecaster that predicts 0 leaves the value itself as the error.
    np.testing.assert_allclose(forecast_errors(np.zeros_like(targets), x, L)[10], x[10])


def test_forecast_errors_reject_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="predictions"):
        forecast_errors(np.zeros((30, 3)), np.zeros(30), 5)
    with pytest.raises(ValueError, match="predictions"):
        forecast_errors(np.zeros(10), np.zeros(30), 5)


def test_gaussian_errors_score_is_the_mahalanobis_distance() -> None:
    rng = np.random.default_rng(1)
    cov = np.array([[1.0, 0.8], [0.8, 1.0]])
    normal = rng.multivariate_normal([0.0, 0.0], cov, size=4000)
    model = GaussianErrors().fit(np.vstack([normal, [[np.nan, 1.0]]]))  # incomplete row skipped
    np.testing.assert_allclose(model.mean_, 0.0, atol=0.05)
    np.testing.assert_allclose(model.cov_, cov, atol=0.06)
    e = np.array([[1.0, 1.0], [1.0, -1.0], [np.nan, 0.0]])
    s = model.score(e)
    d = e[:2] - model.mean_
    expected = [v @ np.linalg.inv(model.cov_) @ v for v in d]
    np.testing.assert_allclose(s[:2], expected)
    # Along the correlation is ordinary; against it is unusual.
    assert s[1] > 5 * s[0]
    assert np.isnan(s[2])
    # Squared distances of normal data average h = 2.
    assert model.score(normal).mean() == pytest.approx(2.0, rel=0.01)


def test_gaussian_errors_reject_bad_input() -> None:
    with pytest.raises(RuntimeError, match="fit"):
        GaussianErrors().score(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="complete rows"):
        GaussianErrors().fit(np.zeros((2, 2)))
    model = GaussianErrors().fit(np.random.default_rng(0).normal(size=(50, 2)))
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        model.score(np.zeros((3, 3)))


def test_roc_auc_agrees_with_scikit_learn_including_ties() -> None:
    rng = np.random.default_rng(2)
    for _ in range(5):
        y = rng.random(200) < 0.2
        s = np.round(rng.normal(size=200) + y, 1)  # rounding makes ties
        assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert roc_auc([0, 0, 1, 1], [0.4, 0.3, 0.2, 0.1]) == 0.0
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5


@pytest.mark.parametrize(
    ("labels", "scores", "match"),
    [
        ([0, 0], [0.1, 0.2], "both classes"),
        ([0, 1], [0.1, np.nan], "finite"),
        ([0, 1, 1], [0.1, 0.2], "scores"),
        ([0, 2], [0.1, 0.2], "labels"),
    ],
)
def test_roc_auc_rejects_bad_input(labels: list, scores: list, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        roc_auc(np.array(labels), np.array(scores))


def test_precision_recall_counts_steps() -> None:
    y = np.array([0, 1, 1, 1, 0, 0])
    d = np.array([0, 0, 1, 1, 1, 0])
    assert precision_recall(y, d) == pytest.approx((2 / 3, 2 / 3))
    assert precision_recall(y, np.zeros(6, bool)) == (1.0, 0.0)
    with pytest.raises(ValueError, match="at least one"):
        precision_recall(np.zeros(6), d)
    with pytest.raises(ValueError, match="detections"):
        precision_recall(y, d[:5])


def test_segments_and_event_counts() -> None:
    y = np.array([0, 1, 1, 0, 0, 1, 0, 0, 0, 1], bool)
    d = np.array([1, 0, 1, 1, 0, 0, 0, 1, 1, 0], bool)
    assert segments(y) == [(1, 3), (5, 6), (9, 10)]
    assert segments(np.zeros(4, bool)) == []
    # Segment (1, 3) is found; (5, 6) and (9, 10) are missed; runs [0] and [7, 8] are false.
    assert event_counts(y, d) == EventCounts(found=1, missed=2, false_alarms=2)
    assert event_counts(y, y) == EventCounts(3, 0, 0)
