"""Fit the rational tanh of the compiled CPU loops (``lstm_ref.torch.numba_loops``).

    python benchmarks/tanh_rational.py

Fits tanh(x) ~ x P(x^2) / Q(x^2) on [0, 9], P of degree 6 and Q of degree 3 in
x^2 with Q(0) = 1, by linearised least squares of the relative error
(Loeb's method: weights 1 / Q from the previous pass), the weights of the
points with the largest error raised a little at every pass (Lawson's
method), so that the fit moves towards the smallest largest error. Prints the
coefficients next to the stored ones (``TANH_NUMERATOR``, ``TANH_DENOMINATOR``)
and the largest float32 error of the stored function, over every 64th float32.
Runs in a few seconds.
"""

from __future__ import annotations

import numpy as np

from lstm_ref.torch import numba_loops

CLIP = numba_loops.TANH_CLIP
NUMERATOR_TERMS, DENOMINATOR_TERMS, PASSES = 7, 3, 40


def fit() -> tuple[np.ndarray, np.ndarray]:
    """The coefficients of P (x^0 .. x^12) and Q (x^0 .. x^6), in powers of x^2."""
    x = np.concatenate([np.linspace(1e-5, 1, 5000), np.linspace(1, CLIP, 30000)])
    y = np.tanh(x)
    s = (x / CLIP) ** 2  # scaled, for a well-conditioned system
    q_values, emphasis = np.ones_like(x), np.ones_like(x)
    for _ in range(PASSES):
        columns = [x * s**k for k in range(NUMERATOR_TERMS)]
        columns += [-y * s**k for k in range(1, DENOMINATOR_TERMS + 1)]
        weights = emphasis / (y * q_values)
        coef, *_ = np.linalg.lstsq(np.stack(columns, 1) * weights[:, None], y * weights)
        p, q = coef[:NUMERATOR_TERMS], np.concatenate([[1.0], coef[NUMERATOR_TERMS:]])
        q_values = np.polyval(q[::-1], s)
        error = np.abs(x * np.polyval(p[::-1], s) / q_values / y - 1)
        emphasis = emphasis * (1 + error / error.max())
        emphasis /= emphasis.mean()
    scale = CLIP ** (2 * np.arange(max(NUMERATOR_TERMS, DENOMINATOR_TERMS + 1)))
    return p / scale[:NUMERATOR_TERMS], q / scale[: DENOMINATOR_TERMS + 1]


def main() -> None:
    p, q = fit()
    stored_p, stored_q = (
        np.array(numba_loops.TANH_NUMERATOR),
        np.array(numba_loops.TANH_DENOMINATOR),
    )
    print("numerator:  ", p.tolist())
    print("denominator:", q.tolist())
    change = max(np.abs(p / stored_p - 1).max(), np.abs(q / stored_q - 1).max())
    print(f"largest relative change from the stored coefficients: {change:.1e}")
    grid = numba_loops.float32_grid(every=64)
    error = numba_loops.tanh_error(grid)
    print(f"stored function, {grid.size} float32 numbers: largest error {error:.2e}")
    print(f"(bound stated as TANH_MAX_ERROR = {numba_loops.TANH_MAX_ERROR:.0e})")


if __name__ == "__main__":
    main()
