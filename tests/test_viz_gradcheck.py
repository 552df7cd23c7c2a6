"""The step-size figure of a gradient check (chapter 7)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_ref import viz


def test_draws_the_errors_and_both_guides(tmp_path: Path) -> None:
    epsilons = np.logspace(-9, -1, 9)
    errors = 1e-8 / epsilons + epsilons**2  # rounding on the left, truncation on the right
    fig = viz.central_difference_errors(
        epsilons, errors, quantity=r"\partial L / \partial W", title="steps"
    )
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "steps.png", dpi=40)  # it renders
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    measured, truncation, rounding = ax.lines
    np.testing.assert_allclose(measured.get_ydata(), errors)
    # each guide goes through the point it is anchored at, with its slope
    np.testing.assert_allclose(truncation.get_ydata(), errors[-1] * (epsilons / 1e-1) ** 2)
    np.testing.assert_allclose(rounding.get_ydata(), errors[0] * 1e-9 / epsilons)
    assert ax.get_ylim() == pytest.approx((errors.min() / 10, 1))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [r"truncation $\propto \epsilon^2$", r"rounding $\propto 1/\epsilon$"]
    assert ax.get_ylabel() == r"relative error of $\partial L / \partial W$"
    assert ax.get_title() == "steps"


def test_guides_follow_the_largest_and_smallest_step_in_any_order() -> None:
    epsilons = np.array([1e-2, 1e-6, 1e-4])
    errors = np.array([1e-4, 1e-2, 1e-8])
    _, truncation, rounding = viz.central_difference_errors(epsilons, errors).axes[0].lines
    np.testing.assert_allclose(truncation.get_ydata(), 1e-4 * (epsilons / 1e-2) ** 2)
    np.testing.assert_allclose(rounding.get_ydata(), 1e-2 * 1e-6 / epsilons)


@pytest.mark.parametrize(
    ("epsilons", "errors", "message"),
    [
        ([1e-3], [1e-5], r"epsilons: expected a 1-D array of at least 2 values, got shape \(1,\)"),
        ([[1e-3, 1e-2]], [1e-5, 1e-4], "epsilons: expected a 1-D array"),
        ([1e-3, 0.0], [1e-5, 1e-4], "epsilons: expected finite values > 0"),
        ([1e-3, 1e-2], [1e-5, np.nan], "errors: expected finite values > 0"),
        (
            [1e-3, 1e-2],
            [1e-5, 1e-4, 1e-3],
            r"errors: expected the shape of epsilons, \(2,\), got \(3,\)",
        ),
    ],
)
def test_bad_input_is_named(epsilons: list, errors: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        viz.central_difference_errors(epsilons, errors)
