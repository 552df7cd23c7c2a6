"""The CTC figures draw, and reject malformed input by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_ref import viz


def test_ctc_alignment(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), size=5)
    fig = viz.ctc_alignment(
        rng.normal(size=(10, 4)), probs, ["-", "a", "b"], stride=2, bounds=[0, 4, 10], title="t"
    )
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "a.png", dpi=40)
    image = viz.ctc_alignment(rng.random((6, 4)), probs[:3], ["-", "a", "b"], stride=2, image=True)
    image.savefig(tmp_path / "b.png", dpi=40)
    with pytest.raises(ValueError, match=r"posteriors: expected shape \(ceil\(T / stride\), C\)"):
        viz.ctc_alignment(rng.normal(size=(10, 4)), probs, ["-", "a", "b"])
    with pytest.raises(ValueError, match="labels: expected 3 names, got 2"):
        viz.ctc_alignment(rng.normal(size=(10, 4)), probs, ["-", "a"], stride=2)


def test_rates_by_group(tmp_path: Path) -> None:
    fig = viz.rates_by_group(["2", "3"], {"a": [0.1, 0.2], "b": [0.0, 0.3]})
    fig.savefig(tmp_path / "r.png", dpi=40)
    assert len(fig.axes[0].patches) == 4
    with pytest.raises(ValueError, match="rates: 'a' has 1 values, expected 2"):
        viz.rates_by_group(["2", "3"], {"a": [0.1]})


def test_digit_images(tmp_path: Path) -> None:
    fig = viz.digit_images(np.random.default_rng(0).random((3, 28, 28)), ["a", "b", "c"])
    fig.savefig(tmp_path / "d.png", dpi=40)
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="titles: expected 3 titles, got 1"):
        viz.digit_images(np.zeros((3, 28, 28)), ["a"])
