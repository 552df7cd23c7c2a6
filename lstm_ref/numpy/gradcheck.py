r"""Checking hand-written gradients against central differences.

.. math::

    \frac{\partial L}{\partial \theta_k} \approx
    \frac{L(\theta + \epsilon e_k) - L(\theta - \epsilon e_k)}{2\epsilon}

The error of this estimate is :math:`O(\epsilon^2)` (truncation) plus about
:math:`10^{-16} |L| / \epsilon` (round-off), so it needs float64: in float32
the round-off term alone is :math:`10^{-7} |L| / \epsilon`.

One line checks any forward/backward pair of this package::

    check_gradients(lstm_forward, lstm_backward, dict(x=x, h0=h0, c0=c0, W_ih=W_ih,
                    W_hh=W_hh, b_ih=b_ih, b_hh=b_hh))
    # {'x': 3e-11, 'h0': 2e-11, ...}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from lstm_ref.checks import Seed, as_generator
from lstm_ref.numpy._validation import FloatArray


def _as_float64(a: Any) -> FloatArray:
    # Duck-typed so that this module never imports torch: a tensor is detached,
    # moved to the CPU and widened (bfloat16 has no NumPy dtype) before conversion.
    if hasattr(a, "detach"):
        a = a.detach().cpu().double().numpy()
    return np.asarray(a, dtype=np.float64)


def relative_error(a: Any, b: Any) -> float:
    r"""``max|a - b| / max(|a| + |b|)`` over the whole array (0.0 when both are zero).

    Dividing by the largest magnitude of the array, not element by element,
    keeps entries that are tiny compared with the rest from dominating.

    Parameters
    ----------
    a : numpy.ndarray
        Any shape (or anything ``np.asarray`` accepts, torch tensors included,
        with or without gradient, on any device and of any float dtype).
    b : numpy.ndarray
        The shape of ``a``.

    Returns
    -------
    float
        In [0, 1].
    """
    a64, b64 = _as_float64(a), _as_float64(b)
    if a64.shape != b64.shape:
        raise ValueError(f"b: expected the shape of a, {a64.shape}, got {b64.shape}")
    if a64.size == 0:
        return 0.0
    scale = np.max(np.abs(a64) + np.abs(b64))
    if scale == 0:
        return 0.0
    return float(np.max(np.abs(a64 - b64)) / scale)


def numerical_gradient(
    f: Callable[[FloatArray], float], x: npt.ArrayLike, eps: float = 1e-6
) -> FloatArray:
    """Central-difference gradient of a scalar function, in float64.

    Parameters
    ----------
    f : Callable
        Function of one array returning a scalar, e.g. ``lambda W: loss(x, W)``.
    x : numpy.ndarray
        The point, any shape (copied to float64; the caller's array is untouched).
    eps : float
        The step.

    Returns
    -------
    numpy.ndarray
        ``df/dx`` in float64, the shape of ``x``.
    """
    point = np.array(x, dtype=np.float64)  # a private copy we may perturb
    grad = np.empty_like(point)
    for k in np.ndindex(point.shape):
        original = point[k]
        point[k] = original + eps
        f_plus = float(f(point))
        point[k] = original - eps
        f_minus = float(f(point))
        point[k] = original
        grad[k] = (f_plus - f_minus) / (2 * eps)
    return grad


def _outputs(result: tuple[Any, ...]) -> list[FloatArray]:
    """The arrays a forward pass returns, flattened, without its trailing cache.

    ``(y, (h_n, c_n), cache)`` gives ``[y, h_n, c_n]``; ``(h, cache)`` gives ``[h]``.
    """
    arrays: list[FloatArray] = []
    for item in result[:-1]:
        arrays.extend(item if isinstance(item, tuple) else (item,))
    return arrays


def check_gradients(
    forward: Callable[..., tuple[Any, ...]],
    backward: Callable[..., Mapping[str, FloatArray]],
    inputs: Mapping[str, npt.ArrayLike],
    *,
    names: Iterable[str] | None = None,
    eps: float = 1e-6,
    seed: Seed = 0,
) -> dict[str, float]:
    """Compare a backward pass with central differences, argument by argument.

    The scalar loss is ``L = Σ_k Σ R_k ⊙ out_k`` over the forward pass's
    outputs (``y``, then the final states), with fixed random ``R_k``; so the
    upstream gradients given to ``backward`` are exactly the ``R_k``. This
    fits every pair in this package: ``backward`` takes one gradient per
    output of ``forward``, in order, then the cache, and returns a dict keyed
    by the names of ``forward``'s arguments.

    Parameters
    ----------
    forward : Callable
        A forward pass, e.g. ``lstm_forward``, called with ``**inputs``.
    backward : Callable
        Its backward pass, e.g. ``lstm_backward``.
    inputs : Mapping[str, numpy.ndarray]
        The forward pass's arguments by name; converted to float64 copies.
    names : Iterable[str] or None
        Which arguments to check (default: all of ``inputs``).
    eps : float
        Central-difference step.
    seed : int, np.random.Generator or None
        For the random ``R_k``.

    Returns
    -------
    dict[str, float]
        For each checked argument, the :func:`relative_error` between the
        analytic and the numerical gradient (< 1e-7 for a correct backward).
    """
    point = {name: np.array(value, dtype=np.float64) for name, value in inputs.items()}
    result = forward(**point)
    rng = as_generator(seed)
    upstream = [rng.standard_normal(out.shape) for out in _outputs(result)]
    analytic = backward(*upstream, result[-1])

    def loss(args: Mapping[str, FloatArray]) -> float:
        outs = _outputs(forward(**args))
        return float(sum(np.sum(r * out) for r, out in zip(upstream, outs, strict=True)))

    errors = {}
    for name in point if names is None else names:

        def loss_of(value: FloatArray, name: str = name) -> float:
            return loss({**point, name: value})

        errors[name] = relative_error(analytic[name], numerical_gradient(loss_of, point[name], eps))
    return errors
