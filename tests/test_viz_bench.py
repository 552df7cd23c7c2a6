"""The benchmark figures draw what a report holds (synthetic reports: they test the plotting)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from lstm_ref import viz

Ratio = Callable[[str, int, int, int, str], float]


def fake_report(
    shapes: list[tuple[int, int, int]], impls: list[str], ratio: Ratio
) -> dict[str, Any]:
    """A report in lstm_ref.bench's format with made-up numbers; torch.nn takes 2 ms."""
    rows = []
    for (T, B, H), pass_ in itertools.product(shapes, ("fwd", "fwd+bwd")):
        for impl in ["torch.nn", *impls]:
            r = 1.0 if impl == "torch.nn" else ratio(impl, T, B, H, pass_)
            rows.append(
                {"impl": impl, "T": T, "B": B, "I": H, "H": H, "layers": 1, "dtype": "float32",
                 "pass": pass_, "median_ms": 2.0 * r, "ratio_vs_torch": r}
            )  # fmt: skip
    return {"device": "test", "torch": "0", "date": "2026-01-01", "tf32": False, "results": rows}


def _renders(fig: Figure, tmp_path: Path) -> None:
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "figure.png", dpi=40)


def by_impl(impl: str, T: int, B: int, H: int, pass_: str) -> float:
    return {"a": 0.5, "b": 1.5}[impl] * (2 if pass_ == "fwd+bwd" else 1) * H / 256


def test_ladder_bars_one_panel_per_shape_and_pass(tmp_path: Path) -> None:
    report = fake_report([(100, 64, 256), (100, 64, 512)], ["a", "b"], by_impl)
    fig = viz.ladder_bars(report, title="t")
    _renders(fig, tmp_path)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["H=256, fwd", "H=512, fwd", "H=256, fwd+bwd", "H=512, fwd+bwd"]
    widths = [p.get_width() for p in fig.axes[3].patches]
    assert widths == [2.0, 2.0 * 0.5 * 2 * 2, 2.0 * 1.5 * 2 * 2]  # torch.nn, a, b at H=512
    small = viz.ladder_bars(report, where={"H": 256, "pass": "fwd"})
    assert [ax.get_title() for ax in small.axes] == ["H=256, fwd"]
    with pytest.raises(ValueError, match=r"no result rows match where=\{'B': 1\}"):
        viz.ladder_bars(report, where={"B": 1})
    with pytest.raises(TypeError, match="report: expected a benchmark report dict"):
        viz.ladder_bars({"rows": []})


def test_ratio_lines_one_line_per_case() -> None:
    report = fake_report([(100, 64, 256), (100, 64, 512)], ["a", "b"], by_impl)
    fig = viz.ratio_lines(report, ["a", "b", "missing"], title="t")
    ax = fig.axes[0]
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    assert list(lines)[:4] == ["H=256, fwd", "H=512, fwd", "H=256, fwd+bwd", "H=512, fwd+bwd"]
    np.testing.assert_allclose(lines["H=512, fwd+bwd"], [2.0, 6.0, np.nan])
    np.testing.assert_allclose(lines["torch.nn.LSTM"], [1, 1])  # the dashed line at 1


def test_ratio_grid_maps_every_shape(tmp_path: Path) -> None:
    shapes = [(100, b, h) for h in (256, 512) for b in (1, 16)]
    report = fake_report(shapes, ["a", "b"], by_impl)
    fig = viz.ratio_grid(report, title="t")
    _renders(fig, tmp_path)
    maps = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title() for ax in maps] == [
        "fwd: time / torch.nn.LSTM",
        "fwd+bwd: time / torch.nn.LSTM",
    ]
    image = maps[1].get_images()[0].get_array()
    assert image.shape == (2, 4)  # impls a, b by four shapes
    np.testing.assert_allclose(image[0], np.log2([1.0, 2.0, 1.0, 2.0]))  # a, fwd+bwd
    labels = [t.get_text() for t in maps[0].get_xticklabels()]
    assert labels == ["B=1\nH=256", "B=1\nH=512", "B=16\nH=256", "B=16\nH=512"]
    assert "3.00" in [t.get_text() for t in maps[0].texts]  # b at H=512, fwd: 1.5 * 2
    only_b = viz.ratio_grid(report, impls=["b"])
    assert [t.get_text() for t in only_b.axes[0].get_yticklabels()] == ["b"]
    with pytest.raises(ValueError, match="impls: expected at least one"):
        viz.ratio_grid(fake_report(shapes, [], by_impl))


def grid_ratio(impl: str, T: int, B: int, H: int, pass_: str) -> float:
    # Wins (0.25) at small B and H, loses (2.0) elsewhere; 2.5 times that with backward.
    return (0.25 if B <= 4 and H <= 256 else 2.0) * (2.5 if pass_ == "fwd+bwd" else 1.0)


def test_persistent_map_panels_contours_and_gaps(tmp_path: Path) -> None:
    grid = [(t, b, h) for t in (100, 1024) for b in (1, 4, 64) for h in (128, 256, 1024)]
    report = fake_report(grid, ["cuda_graphs", "persistent"], grid_ratio)
    report["results"] = [  # one cell not measured (a run stopped early)
        r for r in report["results"] if (r["T"], r["B"], r["H"]) != (1024, 64, 1024)
    ]
    fig = viz.persistent_map(report, title="t")
    _renders(fig, tmp_path)
    maps = [ax for ax in fig.axes if ax.get_images()]
    titles = ["T=100, fwd", "T=1024, fwd", "T=100, fwd+bwd", "T=1024, fwd+bwd"]
    assert [ax.get_title() for ax in maps] == titles
    image = maps[1].get_images()[0].get_array()  # T=1024, fwd: B rows (bottom up), H columns
    expected = np.log2([[0.25, 0.25, 2.0], [0.25, 0.25, 2.0], [2.0, 2.0, np.nan]])
    np.testing.assert_allclose(np.ma.filled(image, np.nan), expected)
    assert [t.get_text() for t in maps[0].get_yticklabels()] == ["1", "4", "64"]
    assert len(maps[1].texts) == 8  # the missing cell prints nothing
    levels = [list(c.levels) for ax in maps for c in ax.collections if isinstance(c, ContourSet)]
    assert levels == [[0.5], [1.0]] * 2 + [[1.0]] * 2  # fwd+bwd: 0.625 and 5.0 cross 1 only
    colorbar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    marks = sorted(line.get_ydata()[0] for line in colorbar.get_lines())
    assert marks == [-1.0, 0.0]  # log2 of 0.5 and 1
    with pytest.raises(ValueError, match=r"no result rows match where=\{'impl': 'persistent'\}"):
        viz.persistent_map(fake_report(grid, ["cuda_graphs"], grid_ratio))
    with pytest.raises(ValueError, match=r"passes: no 'persistent' rows for passes \['bwd'\]"):
        viz.persistent_map(report, passes=["bwd"])
