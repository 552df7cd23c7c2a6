r"""The LSTM: forward pass and hand-written backward pass (BPTT).

Same equations, weight layout and gate order ``(i, f, g, o)`` as
``torch.nn.LSTM``, so weights move freely between the two:

.. math::

    i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
    f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
    g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
    o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
    c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
    h_t &= o_t \odot \tanh(c_t)

``W_ih = [W_ii; W_if; W_ig; W_io]`` is ``(4H, D)``, ``W_hh`` is ``(4H, H)``,
``b_ih`` and ``b_hh`` are ``(4H,)``. All four gates' pre-activations
``a = W_ih x + b_ih + W_hh h + b_hh`` come out of one matrix product, ``(B, 4H)``.

Shapes: ``x`` is time-major ``(T, B, D)``; states are ``(B, H)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstm_ref.numpy._projections import Grads, projection_grads
from lstm_ref.numpy._validation import FloatArray, check_recurrent_inputs, upstream_gradient
from lstm_ref.numpy.activations import sigmoid, tanh


class LSTMStepCache(NamedTuple):
    """What :func:`lstm_step_backward` needs from one step.

    Memory: ``B·(D + 7H)`` numbers (plus references to the weights).
    """

    x: FloatArray  #: (B, D) the input
    h_prev: FloatArray  #: (B, H) the previous hidden state
    c_prev: FloatArray  #: (B, H) the previous cell state
    gates: FloatArray  #: (B, 4H) i, f, g, o after their nonlinearities
    tanh_c: FloatArray  #: (B, H) tanh of the new cell state
    W_ih: FloatArray  #: (4H, D)
    W_hh: FloatArray  #: (4H, H)


class LSTMCache(NamedTuple):
    """What :func:`lstm_backward` needs from a whole sequence.

    Memory: ``T·B·D`` for ``x`` (a reference to the caller's array) plus
    ``(T+1)·B·H`` each for ``h`` and ``c``, ``T·B·4H`` for ``gates`` and
    ``T·B·H`` for ``tanh_c``: about ``T·B·(D + 7H)`` numbers. ``y`` is a view
    of ``h[1:]``, so returning it costs nothing extra.
    """

    x: FloatArray  #: (T, B, D) the inputs
    h: FloatArray  #: (T+1, B, H) h_0 … h_T
    c: FloatArray  #: (T+1, B, H) c_0 … c_T
    gates: FloatArray  #: (T, B, 4H) i, f, g, o after their nonlinearities
    tanh_c: FloatArray  #: (T, B, H) tanh(c_1) … tanh(c_T)
    W_ih: FloatArray  #: (4H, D)
    W_hh: FloatArray  #: (4H, H)


def lstm_cell_forward(
    a: FloatArray, c_prev: FloatArray, gates: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The gates and the state update, given the pre-activations of one step.

    Parameters
    ----------
    a : numpy.ndarray
        Shape (B, 4H): pre-activations ``W_ih x + b_ih + W_hh h_prev + b_hh``.
    c_prev : numpy.ndarray
        Shape (B, H): previous cell state.
    gates : numpy.ndarray
        Shape (B, 4H): output buffer, filled with ``[i, f, g, o]``.

    Returns
    -------
    h : numpy.ndarray
        Shape (B, H): new hidden state.
    c : numpy.ndarray
        Shape (B, H): new cell state.
    tanh_c : numpy.ndarray
        Shape (B, H): ``tanh(c)``, kept for the backward pass.
    """
    H = c_prev.shape[1]
    i = sigmoid(a[:, 0 * H : 1 * H])  # input gate: how much of g to write
    f = sigmoid(a[:, 1 * H : 2 * H])  # forget gate: how much of c_prev to keep
    g = tanh(a[:, 2 * H : 3 * H])  # candidate: what to write
    o = sigmoid(a[:, 3 * H : 4 * H])  # output gate: how much of the cell to show
    c = f * c_prev + i * g  # the additive cell update
    tanh_c = tanh(c)
    h = o * tanh_c
    np.concatenate((i, f, g, o), axis=1, out=gates)
    return h, c, tanh_c


def lstm_cell_backward(
    dh: FloatArray,
    dc: FloatArray,
    gates: FloatArray,
    c_prev: FloatArray,
    tanh_c: FloatArray,
    da: FloatArray,
) -> FloatArray:
    r"""Backward through :func:`lstm_cell_forward`: from ``dL/dh, dL/dc`` to ``dL/da``.

    Uses :math:`\sigma' = \sigma(1 - \sigma)` and :math:`\tanh' = 1 - \tanh^2`,
    both written in terms of the saved outputs.

    Parameters
    ----------
    dh : numpy.ndarray
        Shape (B, H): gradient of the loss w.r.t. the new hidden state h.
    dc : numpy.ndarray
        Shape (B, H): gradient w.r.t. the new cell state c from *later* steps.
    gates : numpy.ndarray
        Shape (B, 4H): the saved ``[i, f, g, o]``.
    c_prev : numpy.ndarray
        Shape (B, H): the previous cell state.
    tanh_c : numpy.ndarray
        Shape (B, H): the saved ``tanh(c)``.
    da : numpy.ndarray
        Shape (B, 4H): output buffer, filled with the gradient w.r.t. the pre-activations ``a``.

    Returns
    -------
    dc_prev : numpy.ndarray
        Shape (B, H): gradient w.r.t. the previous cell state.
    """
    H = c_prev.shape[1]
    i, f, g, o = (gates[:, k * H : (k + 1) * H] for k in range(4))
    dc = dc + dh * o * (1 - tanh_c**2)  # c reaches the loss through h = o·tanh(c) too
    da[:, 0 * H : 1 * H] = dc * g * i * (1 - i)  # dL/di = dc·g,      times σ'
    da[:, 1 * H : 2 * H] = dc * c_prev * f * (1 - f)  # dL/df = dc·c_prev, times σ'
    da[:, 2 * H : 3 * H] = dc * i * (1 - g**2)  # dL/dg = dc·i,      times tanh'
    da[:, 3 * H : 4 * H] = dh * tanh_c * o * (1 - o)  # dL/do = dh·tanh(c), times σ'
    return dc * f  # the constant error carousel: c_prev reaches c through f only


def lstm_step_forward(
    x: FloatArray,
    h_prev: FloatArray,
    c_prev: FloatArray,
    W_ih: FloatArray,
    W_hh: FloatArray,
    b_ih: FloatArray,
    b_hh: FloatArray,
) -> tuple[FloatArray, FloatArray, LSTMStepCache]:
    """One LSTM time step (the equations of the module docstring at one t).

    Parameters
    ----------
    x : numpy.ndarray
        Shape (B, D): input at this step.
    h_prev : numpy.ndarray
        Shape (B, H): previous hidden state.
    c_prev : numpy.ndarray
        Shape (B, H): previous cell state.
    W_ih : numpy.ndarray
        Shape (4H, D): input-to-hidden weights of the four gates (i, f, g, o).
    W_hh : numpy.ndarray
        Shape (4H, H): hidden-to-hidden weights.
    b_ih : numpy.ndarray
        Shape (4H,): input-to-hidden biases.
    b_hh : numpy.ndarray
        Shape (4H,): hidden-to-hidden biases.

    Returns
    -------
    h : numpy.ndarray
        Shape (B, H): new hidden state.
    c : numpy.ndarray
        Shape (B, H): new cell state.
    cache : LSTMStepCache
        What :func:`lstm_step_backward` needs.
    """
    check_recurrent_inputs(
        x, {"h_prev": h_prev, "c_prev": c_prev}, W_ih, W_hh, b_ih, b_hh, n_gates=4, sequence=False
    )
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 4H): all four gates at once
    gates = np.empty_like(a)
    h, c, tanh_c = lstm_cell_forward(a, c_prev, gates)
    return h, c, LSTMStepCache(x, h_prev, c_prev, gates, tanh_c, W_ih, W_hh)


def lstm_step_backward(dh: FloatArray | None, dc: FloatArray | None, cache: LSTMStepCache) -> Grads:
    """Backward through :func:`lstm_step_forward`.

    Parameters
    ----------
    dh : numpy.ndarray or None
        Shape (B, H): gradient of the loss w.r.t. the returned h (None: zeros).
    dc : numpy.ndarray or None
        Shape (B, H): gradient of the loss w.r.t. the returned c (None: zeros).
    cache : LSTMStepCache
        From :func:`lstm_step_forward`.

    Returns
    -------
    grads : dict[str, numpy.ndarray]
        One gradient per argument of :func:`lstm_step_forward`:
        ``x`` (B, D), ``h_prev`` (B, H), ``c_prev`` (B, H), ``W_ih`` (4H, D),
        ``W_hh`` (4H, H), ``b_ih`` (4H,), ``b_hh`` (4H,).
    """
    shape = cache.h_prev.shape
    dh = upstream_gradient("dh", dh, shape, "(B, H)", cache.x)
    dc = upstream_gradient("dc", dc, shape, "(B, H)", cache.x)
    da = np.empty_like(cache.gates)
    dc_prev = lstm_cell_backward(dh, dc, cache.gates, cache.c_prev, cache.tanh_c, da)
    grads = projection_grads(da, da, cache.x, cache.h_prev, cache.W_ih)
    return {**grads, "h_prev": da @ cache.W_hh, "c_prev": dc_prev}


def lstm_forward(
    x: FloatArray,
    h0: FloatArray,
    c0: FloatArray,
    W_ih: FloatArray,
    W_hh: FloatArray,
    b_ih: FloatArray,
    b_hh: FloatArray,
) -> tuple[FloatArray, tuple[FloatArray, FloatArray], LSTMCache]:
    """Run the LSTM over a whole sequence.

    The input half of every pre-activation, ``W_ih x_t + b_ih + b_hh``, does
    not depend on the previous step, so it is computed for all T steps in one
    matrix product before the loop; the loop does only ``W_hh h_{t-1}`` and the
    gates. Same numbers as calling :func:`lstm_step_forward` T times, faster.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (T, B, D): inputs, time-major.
    h0 : numpy.ndarray
        Shape (B, H): initial hidden state.
    c0 : numpy.ndarray
        Shape (B, H): initial cell state.
    W_ih : numpy.ndarray
        Shape (4H, D): input-to-hidden weights of the four gates (i, f, g, o).
    W_hh : numpy.ndarray
        Shape (4H, H): hidden-to-hidden weights.
    b_ih : numpy.ndarray
        Shape (4H,): input-to-hidden biases.
    b_hh : numpy.ndarray
        Shape (4H,): hidden-to-hidden biases.

    Returns
    -------
    y : numpy.ndarray
        Shape (T, B, H): hidden states h_1 … h_T.
    (h_n, c_n) : tuple[numpy.ndarray, numpy.ndarray]
        Shape (B, H) each: the final hidden and cell states.
        (``y`` and the final states are views into the cache: copy them before
        changing them in place.)
    cache : LSTMCache
        What :func:`lstm_backward` needs.
    """
    B, D, H = check_recurrent_inputs(
        x, {"h0": h0, "c0": c0}, W_ih, W_hh, b_ih, b_hh, n_gates=4, sequence=True
    )
    T = x.shape[0]
    h = np.empty((T + 1, B, H), dtype=x.dtype)
    c = np.empty((T + 1, B, H), dtype=x.dtype)
    gates = np.empty((T, B, 4 * H), dtype=x.dtype)
    tanh_c = np.empty((T, B, H), dtype=x.dtype)
    h[0], c[0] = h0, c0

    # The input half of every step's pre-activations, all T steps in one matrix product.
    a_x = (x.reshape(T * B, D) @ W_ih.T + (b_ih + b_hh)).reshape(T, B, 4 * H)
    for t in range(T):
        a = a_x[t] + h[t] @ W_hh.T
        h[t + 1], c[t + 1], tanh_c[t] = lstm_cell_forward(a, c[t], gates[t])

    y = h[1:]
    return y, (h[T], c[T]), LSTMCache(x, h, c, gates, tanh_c, W_ih, W_hh)


def lstm_backward(
    dy: FloatArray | None,
    dh_n: FloatArray | None,
    dc_n: FloatArray | None,
    cache: LSTMCache,
) -> Grads:
    """Backpropagation through time for :func:`lstm_forward`.

    Only the recurrent product ``da_t W_hh`` must run step by step; the loop
    stores every ``da_t`` and the weight gradients are three matrix products
    over all T·B rows after it:
    ``dW_ih = Σ_t da_tᵀ x_t``, ``dW_hh = Σ_t da_tᵀ h_{t-1}``, ``db = Σ_t Σ_b da_t``
    (all three in ``projection_grads``, shared with the RNN and the GRU).

    Parameters
    ----------
    dy : numpy.ndarray or None
        Shape (T, B, H): gradient of the loss w.r.t. ``y`` (None: zeros).
    dh_n : numpy.ndarray or None
        Shape (B, H): gradient w.r.t. the final hidden state (None: zeros).
    dc_n : numpy.ndarray or None
        Shape (B, H): gradient w.r.t. the final cell state (None: zeros).
    cache : LSTMCache
        From :func:`lstm_forward`.

    Returns
    -------
    grads : dict[str, numpy.ndarray]
        One gradient per argument of :func:`lstm_forward`:
        ``x`` (T, B, D), ``h0`` (B, H), ``c0`` (B, H), ``W_ih`` (4H, D),
        ``W_hh`` (4H, H), ``b_ih`` (4H,), ``b_hh`` (4H,).
    """
    x, h, c, gates, tanh_c, W_ih, W_hh = cache
    T, B, H = h.shape[0] - 1, h.shape[1], h.shape[2]
    dy = upstream_gradient("dy", dy, (T, B, H), "(T, B, H)", x)
    dh = upstream_gradient("dh_n", dh_n, (B, H), "(B, H)", x)
    dc = upstream_gradient("dc_n", dc_n, (B, H), "(B, H)", x)

    da = np.empty_like(gates)
    for t in reversed(range(T)):
        dh = dh + dy[t]  # h_t feeds both y_t and step t+1
        dc = lstm_cell_backward(dh, dc, gates[t], c[t], tanh_c[t], da[t])
        dh = da[t] @ W_hh  # the recurrent product: the only matrix product in the loop

    return {**projection_grads(da, da, x, h[:T], W_ih), "h0": dh, "c0": dc}
