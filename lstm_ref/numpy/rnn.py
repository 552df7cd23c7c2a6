r"""The plain (Elman) RNN: forward pass and hand-written backward pass (BPTT).

Same equation and weight layout as ``torch.nn.RNN(nonlinearity="tanh")``:

.. math::

    h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

``W_ih`` is ``(H, D)``, ``W_hh`` is ``(H, H)``, ``b_ih`` and ``b_hh`` are ``(H,)``.
Shapes: ``x`` is time-major ``(T, B, D)``; states are ``(B, H)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstm_ref.numpy._projections import Grads, projection_grads
from lstm_ref.numpy._validation import FloatArray, check_recurrent_inputs, upstream_gradient
from lstm_ref.numpy.activations import tanh


class RNNStepCache(NamedTuple):
    """What :func:`rnn_step_backward` needs from one step.

    Memory: ``B·(D + 2H)`` numbers (plus references to the weights).
    """

    x: FloatArray  #: (B, D) the input
    h_prev: FloatArray  #: (B, H) the previous hidden state
    h: FloatArray  #: (B, H) the new hidden state (tanh' = 1 - h²)
    W_ih: FloatArray  #: (H, D)
    W_hh: FloatArray  #: (H, H)


class RNNCache(NamedTuple):
    """What :func:`rnn_backward` needs from a whole sequence.

    Memory: ``T·B·D`` for ``x`` (a reference to the caller's array) plus
    ``(T+1)·B·H`` for ``h``: about ``T·B·(D + H)`` numbers. ``y`` is a view
    of ``h[1:]``.
    """

    x: FloatArray  #: (T, B, D) the inputs
    h: FloatArray  #: (T+1, B, H) h_0 … h_T
    W_ih: FloatArray  #: (H, D)
    W_hh: FloatArray  #: (H, H)


def rnn_step_forward(
    x: FloatArray,
    h_prev: FloatArray,
    W_ih: FloatArray,
    W_hh: FloatArray,
    b_ih: FloatArray,
    b_hh: FloatArray,
) -> tuple[FloatArray, RNNStepCache]:
    """One RNN time step, ``h = tanh(W_ih x + b_ih + W_hh h_prev + b_hh)``.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (B, D): input at this step.
    h_prev : numpy.ndarray
        Shape (B, H): previous hidden state.
    W_ih : numpy.ndarray
        Shape (H, D): input-to-hidden weights of the cell.
    W_hh : numpy.ndarray
        Shape (H, H): hidden-to-hidden weights.
    b_ih : numpy.ndarray
        Shape (H,): input-to-hidden biases.
    b_hh : numpy.ndarray
        Shape (H,): hidden-to-hidden biases.

    Returns
    -------
    h : numpy.ndarray
        Shape (B, H): new hidden state.
    cache : RNNStepCache
        What :func:`rnn_step_backward` needs.
    """
    check_recurrent_inputs(x, {"h_prev": h_prev}, W_ih, W_hh, b_ih, b_hh, n_gates=1, sequence=False)
    h = tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
    return h, RNNStepCache(x, h_prev, h, W_ih, W_hh)


def rnn_step_backward(dh: FloatArray | None, cache: RNNStepCache) -> Grads:
    """Backward through :func:`rnn_step_forward`.

    Parameters
    ----------
    dh : numpy.ndarray or None
        Shape (B, H): gradient of the loss w.r.t. the returned h (None: zeros).
    cache : RNNStepCache
        From :func:`rnn_step_forward`.

    Returns
    -------
    grads : dict[str, numpy.ndarray]
        One gradient per argument of :func:`rnn_step_forward`:
        ``x`` (B, D), ``h_prev`` (B, H), ``W_ih`` (H, D), ``W_hh`` (H, H),
        ``b_ih`` (H,), ``b_hh`` (H,).
    """
    dh = upstream_gradient("dh", dh, cache.h.shape, "(B, H)", cache.x)
    da = dh * (1 - cache.h**2)  # through tanh: tanh' = 1 - tanh²
    grads = projection_grads(da, da, cache.x, cache.h_prev, cache.W_ih)
    return {**grads, "h_prev": da @ cache.W_hh}


def rnn_forward(
    x: FloatArray,
    h0: FloatArray,
    W_ih: FloatArray,
    W_hh: FloatArray,
    b_ih: FloatArray,
    b_hh: FloatArray,
) -> tuple[FloatArray, FloatArray, RNNCache]:
    """Run the RNN over a whole sequence.

    ``W_ih x_t + b_ih + b_hh`` is computed for all T steps in one matrix
    product before the loop; the loop does only ``W_hh h_{t-1}`` and ``tanh``.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (T, B, D): inputs, time-major.
    h0 : numpy.ndarray
        Shape (B, H): initial hidden state.
    W_ih : numpy.ndarray
        Shape (H, D): input-to-hidden weights of the cell.
    W_hh : numpy.ndarray
        Shape (H, H): hidden-to-hidden weights.
    b_ih : numpy.ndarray
        Shape (H,): input-to-hidden biases.
    b_hh : numpy.ndarray
        Shape (H,): hidden-to-hidden biases.

    Returns
    -------
    y : numpy.ndarray
        Shape (T, B, H): hidden states h_1 … h_T.
    h_n : numpy.ndarray
        Shape (B, H): final hidden state.
        (``y`` and ``h_n`` are views into the cache: copy them before changing
        them in place.)
    cache : RNNCache
        What :func:`rnn_backward` needs.
    """
    B, D, H = check_recurrent_inputs(
        x, {"h0": h0}, W_ih, W_hh, b_ih, b_hh, n_gates=1, sequence=True
    )
    T = x.shape[0]
    h = np.empty((T + 1, B, H), dtype=x.dtype)
    h[0] = h0

    a_x = (x.reshape(T * B, D) @ W_ih.T + (b_ih + b_hh)).reshape(T, B, H)
    for t in range(T):
        h[t + 1] = tanh(a_x[t] + h[t] @ W_hh.T)

    return h[1:], h[T], RNNCache(x, h, W_ih, W_hh)


def rnn_backward(dy: FloatArray | None, dh_n: FloatArray | None, cache: RNNCache) -> Grads:
    """Backpropagation through time for :func:`rnn_forward`.

    Only ``da_t W_hh`` runs step by step; the weight gradients are matrix
    products over all T·B rows after the loop.

    Parameters
    ----------
    dy : numpy.ndarray or None
        Shape (T, B, H): gradient of the loss w.r.t. ``y`` (None: zeros).
    dh_n : numpy.ndarray or None
        Shape (B, H): gradient w.r.t. the final hidden state (None: zeros).
    cache : RNNCache
        From :func:`rnn_forward`.

    Returns
    -------
    grads : dict[str, numpy.ndarray]
        One gradient per argument of :func:`rnn_forward`:
        ``x`` (T, B, D), ``h0`` (B, H), ``W_ih`` (H, D), ``W_hh`` (H, H),
        ``b_ih`` (H,), ``b_hh`` (H,).
    """
    x, h, W_ih, W_hh = cache
    T, B, H = h.shape[0] - 1, h.shape[1], h.shape[2]
    dy = upstream_gradient("dy", dy, (T, B, H), "(T, B, H)", x)
    dh = upstream_gradient("dh_n", dh_n, (B, H), "(B, H)", x)

    da = np.empty_like(h[1:])
    for t in reversed(range(T)):
        da[t] = (dh + dy[t]) * (1 - h[t + 1] ** 2)  # h_t feeds y_t and step t+1; then tanh'
        dh = da[t] @ W_hh  # the recurrent product: the only matrix product in the loop

    return {**projection_grads(da, da, x, h[:T], W_ih), "h0": dh}
