"""The two squashing functions of every recurrent cell, stable for any finite input.

Both keep the dtype they are given (float32 in, float32 out) and never raise an
overflow, divide or invalid floating-point warning, even at ``|x| = 1e4``.
"""

from __future__ import annotations

import numpy as np

from lstm_ref.numpy._validation import FloatArray


def sigmoid(x: FloatArray) -> FloatArray:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, element-wise.

    The textbook formula overflows: ``np.exp(-x)`` is ``inf`` for ``x < -89``
    in float32. We use the exact identity

    .. math:: \sigma(x) = \tfrac{1}{2}\,\bigl(1 + \tanh(x / 2)\bigr),

    and ``tanh`` saturates at :math:`\pm 1` instead of overflowing. It is also
    the fastest form in NumPy (one transcendental call, three cheap passes).
    The price: for very negative ``x`` the result is accurate to a few units
    in the last place *of 1*, not of the tiny value itself (irrelevant for a
    gate, which multiplies numbers of order 1).

    Parameters
    ----------
    x : numpy.ndarray, float32 or float64, any shape

    Returns
    -------
    numpy.ndarray, same shape and dtype as ``x``, values in [0, 1]
    """
    out = np.tanh(0.5 * x)
    out += 1
    out *= 0.5
    return out


def tanh(x: FloatArray) -> FloatArray:
    r"""Hyperbolic tangent :math:`\tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x})`, element-wise.

    ``np.tanh`` is already stable (it saturates at :math:`\pm 1`); this
    wrapper exists so that the cells read ``sigmoid(...)`` and ``tanh(...)``
    side by side, like the equations.

    Parameters
    ----------
    x : numpy.ndarray, float32 or float64, any shape

    Returns
    -------
    numpy.ndarray, same shape and dtype as ``x``, values in [-1, 1]
    """
    return np.tanh(x)
