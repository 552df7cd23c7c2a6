r"""The GRU: forward pass and hand-written backward pass (BPTT).

Same equations, weight layout and gate order ``(r, z, n)`` as ``torch.nn.GRU``:

.. math::

    r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
    z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
    n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
    h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

``W_ih = [W_ir; W_iz; W_in]`` is ``(3H, D)``, ``W_hh`` is ``(3H, H)``, ``b_ih``
and ``b_hh`` are ``(3H,)``. Because the reset gate multiplies ``W_hn h + b_hn``
only, the input part ``a_x = W_ih x + b_ih`` and the hidden part
``a_h = W_hh h + b_hh`` are kept apart (the LSTM can add them).

Shapes: ``x`` is time-major ``(T, B, D)``; states are ``(B, H)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstm_ref.numpy._projections import Grads, projection_grads
from lstm_ref.numpy._validation import FloatArray, check_recurrent_inputs, upstream_gradient
from lstm_ref.numpy.activations import sigmoid, tanh


class GRUStepCache(NamedTuple):
    """What :func:`gru_step_backward` needs from one step.

    Memory: ``B·(D + 5H)`` numbers (plus references to the weights).
    """

    x: FloatArray  #: (B, D) the input
    h_prev: FloatArray  #: (B, H) the previous hidden state
    gates: FloatArray  #: (B, 3H) r, z, n after their nonlinearities
    a_hn: FloatArray  #: (B, H) W_hn h_prev + b_hn, the part the reset gate scales
    W_ih: FloatArray  #: (3H, D)
    W_hh: FloatArray  #: (3H, H)


class GRUCache(NamedTuple):
    """What :func:`gru_backward` needs from a whole sequence.

    Memory: ``T·B·D`` for ``x`` (a reference to the caller's array) plus
    ``(T+1)·B·H`` for ``h``, ``T·B·3H`` for ``gates`` and ``T·B·H`` for
    ``a_hn``: about ``T·B·(D + 5H)`` numbers. ``y`` is a view of ``h[1:]``.
    """

    x: FloatArray  #: (T, B, D) the inputs
    h: FloatArray  #: (T+1, B, H) h_0 … h_T
    gates: FloatArray  #: (T, B, 3H) r, z, n after their nonlinearities
    a_hn: FloatArray  #: (T, B, H) W_hn h_{t-1} + b_hn
    W_ih: FloatArray  #: (3H, D)
    W_hh: FloatArray  #: (3H, H)


def gru_cell_forward(
    a_x: FloatArray, a_h: FloatArray, h_prev: FloatArray, gates: FloatArray
) -> FloatArray:
    """The gates and the state update, given the two halves of the pre-activations.

    Parameters
    ----------
    a_x : numpy.ndarray
        Shape (B, 3H): input part ``W_ih x + b_ih``.
    a_h : numpy.ndarray
        Shape (B, 3H): hidden part ``W_hh h_prev + b_hh``.
    h_prev : numpy.ndarray
        Shape (B, H): previous hidden state.
    gates : numpy.ndarray
        Shape (B, 3H): output buffer, filled with ``[r, z, n]``.

    Returns
    -------
    h : numpy.ndarray
        Shape (B, H): new hidden state.
    """
    H = h_prev.shape[1]
    r = sigmoid(a_x[:, 0 * H : 1 * H] + a_h[:, 0 * H : 1 * H])  # reset gate
    z = sigmoid(a_x[:, 1 * H : 2 * H] + a_h[:, 1 * H : 2 * H])  # update gate
    n = tanh(a_x[:, 2 * H : 3 * H] + r * a_h[:, 2 * H : 3 * H])  # candidate
    h = (1 - z) * n + z * h_prev  # interpolate between candidate and old state
    np.concatenate((r, z, n), axis=1, out=gates)
    return h


def gru_cell_backward(
    dh: FloatArray,
    gates: FloatArray,
    a_hn: FloatArray,
    h_prev: FloatArray,
    da_x: FloatArray,
    da_h: FloatArray,
) -> FloatArray:
    r"""Backward through :func:`gru_cell_forward`.

    Parameters
    ----------
    dh : numpy.ndarray
        Shape (B, H): gradient of the loss w.r.t. the new hidden state.
    gates : numpy.ndarray
        Shape (B, 3H): the saved ``[r, z, n]``.
    a_hn : numpy.ndarray
        Shape (B, H): the saved ``W_hn h_prev + b_hn``.
    h_prev : numpy.ndarray
        Shape (B, H): previous hidden state.
    da_x : numpy.ndarray
        Shape (B, 3H): output buffer, filled with the gradient w.r.t. ``a_x``.
    da_h : numpy.ndarray
        Shape (B, 3H): output buffer, filled with the gradient w.r.t. ``a_h``.

    Returns
    -------
    dh_prev_direct : numpy.ndarray
        Shape (B, H): the gradient reaching ``h_prev`` through ``z ⊙ h_prev``
        only; the path through ``a_h`` is ``da_h W_hh``.
    """
    H = h_prev.shape[1]
    r, z, n = (gates[:, k * H : (k + 1) * H] for k in range(3))
    da_n = dh * (1 - z) * (1 - n**2)  # dL/dn = dh·(1 - z), times tanh'
    da_z = dh * (h_prev - n) * z * (1 - z)  # dL/dz = dh·(h_prev - n), times σ'
    da_r = da_n * a_hn * r * (1 - r)  # dL/dr = da_n·a_hn, times σ'
    np.concatenate((da_r, da_z, da_n), axis=1, out=da_x)
    np.concatenate((da_r, da_z, da_n * r), axis=1, out=da_h)  # r scales the n part of a_h
    return dh * z


def gru_step_forward(
    x: FloatArray,
    h_prev: FloatArray,
    W_ih: FloatArray,
    W_hh: FloatArray,
    b_ih: FloatArray,
    b_hh: FloatArray,
) -> tuple[FloatArray, GRUStepCache]:
    """One GRU time step (the equations of the module docstring at one t).

    Parameters
    ----------
    x : numpy.ndarray
        Shape (B, D): input at this step.
    h_prev : numpy.ndarray
        Shape (B, H): previous hidden state.
    W_ih : numpy.ndarray
        Shape (3H, D): input-to-hidden weights of the three gates (r, z, n).
    W_hh : numpy.ndarray
        Shape (3H, H): hidden-to-hidden weights.
    b_ih : numpy.ndarray
        Shape (3H,): input-to-hidden biases.
    b_hh : numpy.ndarray
        Shape (3H,): hidden-to-hidden biases.

    Returns
    -------
    h : numpy.ndarray
        Shape (B, H): new hidden state.
    cache : GRUStepCache
        What :func:`gru_step_backward` needs.
    """
    _, _, H = check_recurrent_inputs(
        x, {"h_prev": h_prev}, W_ih, W_hh, b_ih, b_hh, n_gates=3, sequence=False
    )
    a_x = x @ W_ih.T + b_ih
    a_h = h_prev @ W_hh.T + b_hh
    gates = np.empty_like(a_x)
    h = gru_cell_forward(a_x, a_h, h_prev, gates)
    a_hn = a_h[:, 2 * H :].copy()  # a copy, so the cache does not keep all of a_h alive
    return h, GRUStepCache(x, h_prev, gates, a_hn, W_ih, W_hh)


def gru_step_backward(dh: FloatArray | None, cache: GRUStepCache) -> Grads:
    """Backward through :func:`gru_step_forward`.

    Parameters
    ----------
    dh : numpy.ndarray or None
        Shape (B, H): gradient of the loss w.r.t. the returned h (None: zeros).
    cache : GRUStepCache
        From :func:`gru_step_forward`.

    Returns
    -------
    grads : dict[str, numpy.ndarray]
        One gradient per argument of :func:`gru_step_forward`:
        ``x`` (B, D), ``h_prev`` (B, H), ``W_ih`` (3H, D), ``W_hh`` (3H, H),
        ``b_ih`` (3H,), ``b_hh`` (3H,).
    """
    dh = upstream_gradient("dh", dh, cache.h_prev.shape, "(B, H)", cache.x)
    da_x = np.empty_like(cache.gates)
    da_h = np.empty_like(cache.gates)
    dh_prev = gru_cell_backward(dh, cache.gates, cache.a_hn, cache.h_prev, da_x, da_h)
    grads = projection_grads(da_x, da_h, cache.x, cache.h_prev, cache.W_ih)
    return {**grads, "h_prev": dh_prev + da_h @ cache.W_hh}


def gru_forward(
    x: FloatArray,
    h0: FloatArray,
    W_ih: FloatArray,
    W_hh: FloatArray,
    b_ih: FloatArray,
    b_hh: FloatArray,
) -> tuple[FloatArray, FloatArray, GRUCache]:
    """Run the GRU over a whole sequence.

    ``a_x = W_ih x_t + b_ih`` is computed for all T steps in one matrix
    product before the loop; the loop does only ``W_hh h_{t-1} + b_hh`` and
    the gates.

    Parameters
    ----------
    x : numpy.ndarray
        Shape (T, B, D): inputs, time-major.
    h0 : numpy.ndarray
        Shape (B, H): initial hidden state.
    W_ih : numpy.ndarray
        Shape (3H, D): input-to-hidden weights of the three gates (r, z, n).
    W_hh : numpy.ndarray
        Shape (3H, H): hidden-to-hidden weights.
    b_ih : numpy.ndarray
        Shape (3H,): input-to-hidden biases.
    b_hh : numpy.ndarray
        Shape (3H,): hidden-to-hidden biases.

    Returns
    -------
    y : numpy.ndarray
        Shape (T, B, H): hidden states h_1 … h_T.
    h_n : numpy.ndarray
        Shape (B, H): final hidden state.
        (``y`` and ``h_n`` are views into the cache: copy them before changing
        them in place.)
    cache : GRUCache
        What :func:`gru_backward` needs.
    """
    B, D, H = check_recurrent_inputs(
        x, {"h0": h0}, W_ih, W_hh, b_ih, b_hh, n_gates=3, sequence=True
    )
    T = x.shape[0]
    h = np.empty((T + 1, B, H), dtype=x.dtype)
    gates = np.empty((T, B, 3 * H), dtype=x.dtype)
    a_hn = np.empty((T, B, H), dtype=x.dtype)
    h[0] = h0

    a_x = (x.reshape(T * B, D) @ W_ih.T + b_ih).reshape(T, B, 3 * H)
    for t in range(T):
        a_h = h[t] @ W_hh.T + b_hh
        h[t + 1] = gru_cell_forward(a_x[t], a_h, h[t], gates[t])
        a_hn[t] = a_h[:, 2 * H :]

    return h[1:], h[T], GRUCache(x, h, gates, a_hn, W_ih, W_hh)


def gru_backward(dy: FloatArray | None, dh_n: FloatArray | None, cache: GRUCache) -> Grads:
    """Backpropagation through time for :func:`gru_forward`.

    Only ``da_h,t W_hh`` runs step by step; the weight gradients are matrix
    products over all T·B rows after the loop.

    Parameters
    ----------
    dy : numpy.ndarray or None
        Shape (T, B, H): gradient of the loss w.r.t. ``y`` (None: zeros).
    dh_n : numpy.ndarray or None
        Shape (B, H): gradient w.r.t. the final hidden state (None: zeros).
    cache : GRUCache
        From :func:`gru_forward`.

    Returns
    -------
    grads : dict[str, numpy.ndarray]
        One gradient per argument of :func:`gru_forward`:
        ``x`` (T, B, D), ``h0`` (B, H), ``W_ih`` (3H, D), ``W_hh`` (3H, H),
        ``b_ih`` (3H,), ``b_hh`` (3H,).
    """
    x, h, gates, a_hn, W_ih, W_hh = cache
    T, B, H = h.shape[0] - 1, h.shape[1], h.shape[2]
    dy = upstream_gradient("dy", dy, (T, B, H), "(T, B, H)", x)
    dh = upstream_gradient("dh_n", dh_n, (B, H), "(B, H)", x)

    da_x = np.empty_like(gates)
    da_h = np.empty_like(gates)
    for t in reversed(range(T)):
        dh = dh + dy[t]  # h_t feeds both y_t and step t+1
        dh_direct = gru_cell_backward(dh, gates[t], a_hn[t], h[t], da_x[t], da_h[t])
        dh = dh_direct + da_h[t] @ W_hh  # the recurrent product

    return {**projection_grads(da_x, da_h, x, h[:T], W_ih), "h0": dh}
