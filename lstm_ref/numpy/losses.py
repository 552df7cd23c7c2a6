r"""Loss functions with their gradients, for the read-out of the NumPy model.

Each returns ``(loss, dL/d(input))``: the mean loss as a Python float and the
gradient w.r.t. the predictions or logits, same shape and dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from lstm_ref.numpy._validation import FloatArray


def mse_loss(pred: FloatArray, target: npt.ArrayLike) -> tuple[float, FloatArray]:
    r"""Mean squared error :math:`L = \frac{1}{n}\sum_k (\hat y_k - y_k)^2` over all n entries.

    Parameters
    ----------
    pred : numpy.ndarray
        Shape (..., O): predictions.
    target : numpy.ndarray
        The same number of entries as ``pred``; ``(N,)`` for ``pred`` of shape
        ``(N, 1)`` is fine (reshaped, never broadcast).

    Returns
    -------
    loss : float
        The mean squared error.
    dpred : numpy.ndarray
        ``2 (pred - target) / n``, shape and dtype of ``pred``.
    """
    target = np.asarray(target)
    if target.size != pred.size:
        raise ValueError(
            f"target: expected {pred.size} values (pred has shape {pred.shape}), "
            f"got shape {target.shape}"
        )
    diff = pred - target.reshape(pred.shape).astype(pred.dtype, copy=False)
    return float(np.mean(np.square(diff, dtype=np.float64))), diff * (2 / diff.size)


def cross_entropy_loss(logits: FloatArray, target: npt.ArrayLike) -> tuple[float, FloatArray]:
    r"""Softmax cross-entropy :math:`L = -\frac{1}{n}\sum_k \log \mathrm{softmax}(z_k)_{y_k}`.

    Parameters
    ----------
    logits : numpy.ndarray
        Shape (..., C): unnormalised scores, one row per prediction.
    target : numpy.ndarray
        Shape (...): integer class labels in ``[0, C)``.

    Returns
    -------
    loss : float
        The mean cross-entropy (in nats).
    dlogits : numpy.ndarray
        ``(softmax(logits) - onehot(target)) / n``, shape and dtype of ``logits``.
    """
    labels: npt.NDArray[Any] = np.asarray(target)
    if labels.shape != logits.shape[:-1]:
        raise ValueError(f"target: expected shape {logits.shape[:-1]}, got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"target: expected integer class labels, got dtype {labels.dtype}")
    C = logits.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= C):
        raise ValueError(
            f"target: expected labels in [0, {C}), got [{labels.min()}, {labels.max()}]"
        )
    shifted = logits - logits.max(axis=-1, keepdims=True)  # exp cannot overflow
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    n = labels.size
    loss = -np.take_along_axis(log_probs, labels[..., None], axis=-1).sum(dtype=np.float64) / n
    onehot = np.zeros_like(logits)
    np.put_along_axis(onehot, labels[..., None], 1, axis=-1)
    return float(loss), (np.exp(log_probs) - onehot) / n
