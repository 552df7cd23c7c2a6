r"""Gradient checks: how the error of a central difference depends on its step.

The central difference
:math:`(L(\theta + \epsilon e_k) - L(\theta - \epsilon e_k)) / 2\epsilon`
has two errors that pull :math:`\epsilon` in opposite directions: the
truncation error of the Taylor expansion, proportional to
:math:`\epsilon^2`, and the rounding error of subtracting two nearly equal
losses, proportional to :math:`1/\epsilon`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike


def _positive_vector(name: str, values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size < 2:
        raise ValueError(
            f"{name}: expected a 1-D array of at least 2 values, got shape {array.shape}"
        )
    if not np.all(np.isfinite(array) & (array > 0)):
        raise ValueError(f"{name}: expected finite values > 0 (a log axis), got {array}")
    return array


def central_difference_errors(
    epsilons: ArrayLike,
    errors: ArrayLike,
    *,
    quantity: str = r"\partial L / \partial \theta",
    title: str = "",
) -> Figure:
    r"""The error of a central-difference gradient against its step, on log-log axes.

    With two dashed guides: :math:`\propto \epsilon^2` (truncation) through
    the point of the largest step, and :math:`\propto 1/\epsilon` (rounding)
    through the point of the smallest.

    Parameters
    ----------
    epsilons : array_like, shape (n,)
        The steps, n >= 2, all > 0.
    errors : array_like, shape (n,)
        The relative error of the estimate at each step against the exact
        gradient, all > 0.
    quantity : str
        The gradient checked, in LaTeX without dollars, for the y label.
    title : str

    Raises
    ------
    ValueError
        ``epsilons`` or ``errors`` is not 1-D with at least two values, has a
        value that is not finite and > 0, or their shapes differ.
    """
    eps = _positive_vector("epsilons", epsilons)
    err = _positive_vector("errors", errors)
    if err.shape != eps.shape:
        raise ValueError(f"errors: expected the shape of epsilons, {eps.shape}, got {err.shape}")
    largest, smallest = eps.argmax(), eps.argmin()
    fig = Figure(figsize=(6, 3.4))
    ax = fig.subplots()
    ax.loglog(eps, err, "o-")
    truncation = err[largest] * (eps / eps[largest]) ** 2
    rounding = err[smallest] * eps[smallest] / eps
    ax.loglog(eps, truncation, "--", color="0.5", label=r"truncation $\propto \epsilon^2$")
    ax.loglog(eps, rounding, ":", color="0.5", label=r"rounding $\propto 1/\epsilon$")
    ax.set_ylim(err.min() / 10, 1)
    ax.set_xlabel(r"step $\epsilon$")
    ax.set_ylabel(f"relative error of ${quantity}$")
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig
