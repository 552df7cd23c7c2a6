"""Gradients of the two affine maps every recurrent cell starts with.

Each cell computes ``a_x = x W_ihᵀ + b_ih`` and ``a_h = h_prev W_hhᵀ + b_hh``.
Given the gradients of the loss w.r.t. ``a_x`` and ``a_h`` (for the RNN and
the LSTM both are the same ``da``; the GRU's reset gate makes them differ),
the gradients of ``x`` and of the weights are matrix products over *all*
rows at once: one time step (B rows) or a whole sequence (T·B rows).
"""

from __future__ import annotations

from lstm_ref.numpy._validation import FloatArray

Grads = dict[str, FloatArray]


def projection_grads(
    da_x: FloatArray, da_h: FloatArray, x: FloatArray, h_prev: FloatArray, W_ih: FloatArray
) -> Grads:
    """Gradients w.r.t. ``x``, ``W_ih``, ``W_hh``, ``b_ih``, ``b_hh``.

    Parameters
    ----------
    da_x : numpy.ndarray
        Shape (..., G): gradient w.r.t. ``a_x``. ``...`` is (B,) for one step
        or (T, B) for a sequence; ``G`` is H, 3H or 4H.
    da_h : numpy.ndarray
        Shape (..., G): gradient w.r.t. ``a_h``.
    x : numpy.ndarray
        Shape (..., D): the inputs.
    h_prev : numpy.ndarray
        Shape (..., H): the hidden state each step started from.
    W_ih : numpy.ndarray
        Shape (G, D): input-to-hidden weights.

    Returns
    -------
    grads : dict[str, numpy.ndarray]
        ``x`` (..., D), ``W_ih`` (G, D), ``W_hh`` (G, H), ``b_ih`` (G,), ``b_hh`` (G,).
    """
    G, D, H = W_ih.shape[0], x.shape[-1], h_prev.shape[-1]
    da_x = da_x.reshape(-1, G)  # (rows, G): every time step and batch element is a row
    da_h = da_h.reshape(-1, G)
    return {
        "x": (da_x @ W_ih).reshape(x.shape),
        "W_ih": da_x.T @ x.reshape(-1, D),
        "W_hh": da_h.T @ h_prev.reshape(-1, H),
        "b_ih": da_x.sum(axis=0),
        "b_hh": da_h.sum(axis=0),
    }
