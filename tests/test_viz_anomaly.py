from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_ref.viz import anomaly_panels


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.sin(np.arange(300) / 8.0)
    labels = np.zeros(300, bool)
    labels[200:230] = True
    score = np.abs(np.random.default_rng(0).normal(size=300)) + 0.01
    score[:10] = np.nan
    score[205:215] += 10
    return x, labels, score


def test_anomaly_panels_shades_labels_and_marks_detections(tmp_path: Path) -> None:
    x, labels, score = _data()
    fig = anomaly_panels(
        x,
        labels,
        {"error": score, "z": score / 2},
        thresholds={"error": 5.0},
        time=np.arange(300) / 90,
        boundaries={"test": 2.0},
        xlabel="time (s)",
    )
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    fig.savefig(tmp_path / "f.png", dpi=40)
    assert (tmp_path / "f.png").stat().st_size > 1000
    top, error, z = fig.axes
    # One shaded span per labelled segment in every panel.
    assert all(len(ax.patches) == 1 for ax in fig.axes)
    # Detections are the points above the threshold: exactly the 10 raised steps.
    dots = [line for line in error.lines if line.get_linestyle() == "None"]
    assert len(dots) == 1 and len(dots[0].get_xdata()) == 10
    assert not [line for line in z.lines if line.get_linestyle() == "None"]
    assert top.texts[0].get_text() == "test"


def test_anomaly_panels_series_alone() -> None:
    x, labels, _ = _data()
    assert len(anomaly_panels(x, labels).axes) == 1


def test_anomaly_panels_rejects_bad_input() -> None:
    x, labels, score = _data()
    with pytest.raises(ValueError, match="labels"):
        anomaly_panels(x, labels[:10])
    with pytest.raises(ValueError, match=r"scores\['s'\]"):
        anomaly_panels(x, labels, {"s": score[:10]})
    with pytest.raises(ValueError, match="thresholds"):
        anomaly_panels(x, labels, {"s": score}, thresholds={"t": 1.0})
    with pytest.raises(ValueError, match="time"):
        anomaly_panels(x, labels, time=np.arange(3))
