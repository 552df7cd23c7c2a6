r"""Optimisers and gradient clipping on dicts of NumPy arrays.

Parameters and gradients are dicts with the same keys (``{"W_ih": ..., ...}``);
every update is in place, so the arrays a model holds are the ones that move.
The update rules are those of ``torch.optim.SGD`` and ``torch.optim.Adam``
(without weight decay), step for step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping

import numpy as np

from lstm_ref.checks import check_fraction, check_positive_float
from lstm_ref.numpy._validation import FloatArray


def _check_same_keys(params: Mapping[str, FloatArray], grads: Mapping[str, FloatArray]) -> None:
    if params.keys() != grads.keys():
        raise ValueError(
            f"grads: expected the keys of params, {sorted(params)}, got {sorted(grads)}"
        )


class SGD:
    r"""Stochastic gradient descent with (heavy-ball) momentum.

    .. math::

        v &\leftarrow \mu v + g \quad (v = g \text{ at the first step}) \\
        \theta &\leftarrow \theta - \eta v

    With ``momentum=0`` this is plain :math:`\theta \leftarrow \theta - \eta g`.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta`.
    momentum : float
        :math:`\mu` in [0, 1).
    """

    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        self.lr = check_positive_float("lr", lr)
        self.momentum = check_fraction("momentum", momentum)
        self.velocity: dict[str, FloatArray] = {}

    def step(
        self, params: MutableMapping[str, FloatArray], grads: Mapping[str, FloatArray]
    ) -> None:
        """Update every array of ``params`` in place from ``grads`` (same keys)."""
        _check_same_keys(params, grads)
        for name, g in grads.items():
            if not self.momentum:
                params[name] -= self.lr * g
                continue
            v = self.velocity.get(name)
            if v is None:
                v = self.velocity[name] = g.copy()
            else:
                v *= self.momentum
                v += g
            params[name] -= self.lr * v


class Adam:
    r"""Adam (Kingma & Ba 2015): per-parameter steps from running moments.

    .. math::

        m &\leftarrow \beta_1 m + (1 - \beta_1) g \\
        v &\leftarrow \beta_2 v + (1 - \beta_2) g^2 \\
        \theta &\leftarrow \theta - \eta \, \frac{m / (1 - \beta_1^t)}
                                           {\sqrt{v / (1 - \beta_2^t)} + \epsilon}

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta`.
    betas : tuple[float, float]
        :math:`(\beta_1, \beta_2)`, decay rates of the two moments.
    eps : float
        :math:`\epsilon`, keeps the step finite where :math:`v \approx 0`.
    """

    def __init__(
        self, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.lr = check_positive_float("lr", lr)
        beta1, beta2 = betas
        self.betas = (check_fraction("betas", beta1), check_fraction("betas", beta2))
        self.eps = eps
        self.t = 0
        self.m: dict[str, FloatArray] = {}
        self.v: dict[str, FloatArray] = {}

    def step(
        self, params: MutableMapping[str, FloatArray], grads: Mapping[str, FloatArray]
    ) -> None:
        """Update every array of ``params`` in place from ``grads`` (same keys)."""
        _check_same_keys(params, grads)
        beta1, beta2 = self.betas
        self.t += 1
        correction1 = 1 - beta1**self.t  # the moments start at 0: undo that bias
        correction2 = 1 - beta2**self.t
        for name, g in grads.items():
            m = self.m.setdefault(name, np.zeros_like(g))
            v = self.v.setdefault(name, np.zeros_like(g))
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g**2
            denominator = np.sqrt(v) / math.sqrt(correction2) + self.eps
            params[name] -= (self.lr / correction1) * m / denominator


def global_norm(grads: Mapping[str, FloatArray]) -> float:
    r"""The norm of all gradients taken as one vector, :math:`\sqrt{\sum_k \|g_k\|^2}`."""
    return math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values()))


def clip_grad_norm(grads: MutableMapping[str, FloatArray], max_norm: float) -> float:
    r"""Rescale all gradients together so that their global norm is at most ``max_norm``.

    .. math::

        \|g\| = \sqrt{\textstyle\sum_k \|g_k\|^2}, \qquad
        g \leftarrow g \cdot \min\!\Bigl(1, \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\Bigr)

    (Pascanu et al. 2013; the same rule as ``torch.nn.utils.clip_grad_norm_``.)
    The direction of the step is kept; only its length is capped, which
    tames exploding gradients (it cannot revive vanishing ones).

    Parameters
    ----------
    grads : dict[str, numpy.ndarray]
        The gradients, rescaled in place.
    max_norm : float
        The largest global norm allowed.

    Returns
    -------
    float
        The global norm *before* clipping (worth logging).
    """
    max_norm = check_positive_float("max_norm", max_norm)
    total = global_norm(grads)
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for g in grads.values():
            g *= scale
    return total
