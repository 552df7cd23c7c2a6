r"""The cell equations, one time step at a time, in torch.nn's layout.

Every recurrent module of :mod:`lstm_ref.torch` is built from these functions
(or, for the fast impls of the ladder, from :func:`lstm_pointwise` and
:func:`lstm_pointwise_backward`, which split the LSTM step at its one GEMM).
Weights follow torch.nn: LSTM ``W_ih (4H, D)``, ``W_hh (4H, R)``, gates
``(i, f, g, o)``; GRU ``(3H, ·)``, gates ``(r, z, n)``; RNN ``(H, ·)``.
``R`` is the size of the hidden state: ``H``, or ``proj_size`` when the LSTM
has a projection ``W_hr (R, H)``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor


def lstm_cell(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    w_hr: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    r"""One LSTM step with the four gates in one GEMM per weight matrix.

    .. math::
        \begin{array}{ll}
        i = \sigma(W_{ii} x + b_{ii} + W_{hi} h + b_{hi}) \\
        f = \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf}) \\
        g = \tanh(W_{ig} x + b_{ig} + W_{hg} h + b_{hg}) \\
        o = \sigma(W_{io} x + b_{io} + W_{ho} h + b_{ho}) \\
        c' = f \odot c + i \odot g \\
        h' = W_{hr} (o \odot \tanh(c'))  \quad (W_{hr} = I \text{ without projection})
        \end{array}

    Parameters
    ----------
    x : Tensor, shape (B, D)
        Input at this step.
    h, c : Tensor, shapes (B, R) and (B, H)
        Hidden and cell state from the previous step.
    w_ih, w_hh : Tensor, shapes (4H, D) and (4H, R)
        Input and recurrent weights, rows in gate order (i, f, g, o).
    b_ih, b_hh : Tensor, shape (4H,), optional
        Biases (``None`` for ``bias=False``).
    w_hr : Tensor, shape (R, H), optional
        Projection of the hidden state (``proj_size > 0``).

    Returns
    -------
    h, c : Tensor, shapes (B, R) and (B, H)
        The new hidden and cell state.
    """
    preact = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)  # (B, 4H), all four gates
    a_i, a_f, a_g, a_o = preact.chunk(4, dim=-1)
    i = torch.sigmoid(a_i)
    f = torch.sigmoid(a_f)
    g = torch.tanh(a_g)
    o = torch.sigmoid(a_o)
    c = f * c + i * g
    h = o * torch.tanh(c)
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def lstm_cell_per_gate(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    w_hr: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    r"""The LSTM step of :func:`lstm_cell` written gate by gate: eight small matmuls.

    Same equations, arguments and results as :func:`lstm_cell`; each gate
    ``z`` in (i, f, g, o) gets its own :math:`W_{iz} x + b_{iz} + W_{hz} h + b_{hz}`,
    the way the equations read (and the slowest impl of the ladder, ``per_gate``).
    """
    w_i = w_ih.chunk(4)
    w_h = w_hh.chunk(4)
    b_i: tuple[Tensor | None, ...] = b_ih.chunk(4) if b_ih is not None else (None,) * 4
    b_h: tuple[Tensor | None, ...] = b_hh.chunk(4) if b_hh is not None else (None,) * 4

    def preact(k: int) -> Tensor:  # (B, H): W_iz x + b_iz + W_hz h + b_hz for gate k
        return F.linear(x, w_i[k], b_i[k]) + F.linear(h, w_h[k], b_h[k])

    i = torch.sigmoid(preact(0))
    f = torch.sigmoid(preact(1))
    g = torch.tanh(preact(2))
    o = torch.sigmoid(preact(3))
    c = f * c + i * g
    h = o * torch.tanh(c)
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def tanh_via_sigmoid(x: Tensor) -> Tensor:
    r""":math:`\tanh x = 2\sigma(2x) - 1`, computed that way because it is faster.

    PyTorch's CPU ``tanh`` is several times slower per element than its
    ``sigmoid`` (both vectorised, tanh to a tighter error bound); the identity
    is exact in real arithmetic and off by a few units in the last place in
    floating point, far inside the tolerances of this package.

    Parameters
    ----------
    x : Tensor, any shape

    Returns
    -------
    Tensor, shape of ``x``
    """
    return 2 * torch.sigmoid(2 * x) - 1


#: What :func:`lstm_pointwise` returns: i, f, g, o, c_new, tanh_c, m.
PointwiseResult = tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]


def double_g(w: Tensor) -> Tensor:
    r"""``w`` with its g block doubled, so a GEMM with it yields :math:`2 a_g` for free.

    Doubling is exact in floating point (a power of two), so
    ``x @ double_g(W).T == 2 * (x @ W.T)`` on the g block, bit for bit;
    :func:`lstm_pointwise` then needs a single sigmoid for all four gates.

    Parameters
    ----------
    w : Tensor, shape (4H, K) or (4H,)
        LSTM weight or bias in gate order (i, f, g, o).

    Returns
    -------
    Tensor, shape of ``w``
    """
    scale = torch.ones(4, 1, dtype=w.dtype, device=w.device)
    scale[2] = 2
    return (w.reshape(4, -1) * scale).view(w.shape)


def lstm_pointwise(preact: Tensor, c: Tensor) -> PointwiseResult:
    r"""The element-wise half of an LSTM step, after the gate GEMM.

    .. math::
        (i, f, g, o) = (\sigma, \sigma, \tanh, \sigma)(a_i, a_f, a_g, a_o), \quad
        c' = f \odot c + i \odot g, \quad m = o \odot \tanh(c')

    Both tanh are taken as :math:`\tanh a = 2\sigma(2a) - 1` (see
    :func:`tanh_via_sigmoid`); the g block arrives doubled (:func:`double_g`),
    so one sigmoid covers all four gates. Written without in-place updates so
    that a fuser (TorchScript on CUDA) can turn it into a single kernel.

    Parameters
    ----------
    preact : Tensor, shape (B, 4H)
        Gate pre-activations :math:`(a_i, a_f, 2 a_g, a_o)`, where
        :math:`a = W_{ih} x + b_{ih} + W_{hh} h + b_{hh}`.
    c : Tensor, shape (B, H)
        Previous cell state.

    Returns
    -------
    i, f, g, o : Tensor, each (B, H)
        Gate activations, kept for the backward pass.
    c_new : Tensor, shape (B, H)
        New cell state.
    tanh_c : Tensor, shape (B, H)
        :math:`\tanh(c')`, kept for the backward pass.
    m : Tensor, shape (B, H)
        The unprojected hidden state :math:`o \odot \tanh(c')`.
    """
    i, f, sigmoid_2a_g, o = torch.sigmoid(preact).chunk(4, 1)
    g = 2 * sigmoid_2a_g - 1
    c_new = f * c + i * g
    tanh_c = tanh_via_sigmoid(c_new)
    return i, f, g, o, c_new, tanh_c, o * tanh_c


def lstm_pointwise_backward(
    dm: Tensor, dc: Tensor, i: Tensor, f: Tensor, g: Tensor, o: Tensor, c: Tensor, tanh_c: Tensor
) -> tuple[Tensor, Tensor]:
    r"""Backward of :func:`lstm_pointwise`: from the gradients of ``m`` and ``c'``
    to those of the gate pre-activations and of the previous cell state.

    .. math::
        \begin{array}{ll}
        \delta c' = \delta c + \delta m \odot o \odot (1 - \tanh^2 c') \\
        \delta a_i = \delta c' \odot g \odot i (1 - i), \quad
        \delta a_f = \delta c' \odot c \odot f (1 - f) \\
        \delta a_g = \delta c' \odot i \odot (1 - g^2), \quad
        \delta a_o = \delta m \odot \tanh c' \odot o (1 - o) \\
        \delta c_{\text{prev}} = \delta c' \odot f
        \end{array}

    Parameters
    ----------
    dm : Tensor, shape (B, H)
        Gradient of the unprojected hidden state ``m``.
    dc : Tensor, shape (B, H)
        Gradient of the new cell state arriving from the next step.
    i, f, g, o, c, tanh_c : Tensor, each (B, H)
        Gate activations, previous cell state and :math:`\tanh(c')` saved by
        :func:`lstm_pointwise`.

    Returns
    -------
    d_preact : Tensor, shape (B, 4H)
        Gradient of the gate pre-activations, in gate order (i, f, g, o).
    dc_prev : Tensor, shape (B, H)
        Gradient of the previous cell state.
    """
    dc = dc + dm * o * (1 - tanh_c * tanh_c)
    d_preact = torch.cat(
        (
            dc * g * i * (1 - i),
            dc * c * f * (1 - f),
            dc * i * (1 - g * g),
            dm * tanh_c * o * (1 - o),
        ),
        1,
    )
    return d_preact, dc * f


def gru_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    r"""One GRU step (torch.nn's form: the reset gate acts after :math:`W_{hn}`).

    .. math::
        \begin{array}{ll}
        r = \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}) \\
        z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}) \\
        n = \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})) \\
        h' = (1 - z) \odot n + z \odot h
        \end{array}

    Parameters
    ----------
    x : Tensor, shape (B, D)
        Input at this step.
    h : Tensor, shape (B, H)
        Previous hidden state.
    w_ih, w_hh : Tensor, shapes (3H, D) and (3H, H)
        Weights, rows in gate order (r, z, n).
    b_ih, b_hh : Tensor, shape (3H,), optional
        Biases.

    Returns
    -------
    Tensor, shape (B, H)
        The new hidden state.
    """
    return gru_update(F.linear(x, w_ih, b_ih), h, w_hh, b_hh)


def gru_update(gx: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    r"""The GRU step of :func:`gru_cell` given the input projection ``gx``.

    Parameters
    ----------
    gx : Tensor, shape (B, 3H)
        :math:`W_{ih} x + b_{ih}`, computed for all steps at once by the GRU layer.
    h : Tensor, shape (B, H)
        Previous hidden state.
    w_hh : Tensor, shape (3H, H)
    b_hh : Tensor, shape (3H,), optional

    Returns
    -------
    Tensor, shape (B, H)
        The new hidden state.
    """
    gh = F.linear(h, w_hh, b_hh)  # (B, 3H)
    x_r, x_z, x_n = gx.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return n + z * (h - n)  # = (1 - z) * n + z * h


def rnn_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> Tensor:
    r"""One step of the plain (Elman) RNN.

    .. math::
        h' = \phi(W_{ih} x + b_{ih} + W_{hh} h + b_{hh}), \quad \phi \in \{\tanh, \mathrm{relu}\}

    Parameters
    ----------
    x : Tensor, shape (B, D)
    h : Tensor, shape (B, H)
    w_ih, w_hh : Tensor, shapes (H, D) and (H, H)
    b_ih, b_hh : Tensor, shape (H,), optional
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    Tensor, shape (B, H)
        The new hidden state.
    """
    return rnn_update(F.linear(x, w_ih, b_ih), h, w_hh, b_hh, activation(nonlinearity))


def rnn_update(
    gx: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, phi: Callable[[Tensor], Tensor]
) -> Tensor:
    r"""The RNN step of :func:`rnn_cell` given the input projection ``gx`` (B, H)."""
    return phi(gx + F.linear(h, w_hh, b_hh))


def activation(nonlinearity: str) -> Callable[[Tensor], Tensor]:
    """The function for an RNN ``nonlinearity`` name: ``"tanh"`` or ``"relu"``."""
    if nonlinearity == "tanh":
        return torch.tanh
    if nonlinearity == "relu":
        return torch.relu
    raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
