r"""The layer-normalised LSTM of Ba, Kiros & Hinton (2016), "Layer Normalization":
:class:`LayerNormLSTM` and :class:`LayerNormLSTMCell`.

Layer normalisation rescales each example's vector of gate pre-activations by
its own mean and standard deviation over the units, so nothing depends on the
batch or the time step. The LSTM normalises the input and the recurrent
contributions separately, and the cell state before the output :math:`\tanh`;
the carried cell state itself is not normalised. The equations are in the
class docstrings.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from .base import CellBase, RecurrentBase
from .sequence import States, Weights, cell_step, run_steps
from .validation import CellSettings, RecurrentSettings

#: The layer-norm parameters of one layer, in the order the layer function reads them.
_LN_PARAMETERS = ("gamma_ih", "gamma_hh", "gamma_c", "beta_c")


def _normalise(a: Tensor, gamma: Tensor, beta: Tensor | None, eps: float) -> Tensor:
    r""":math:`\operatorname{LN}(a; \gamma, \beta)` over the last axis of ``a``."""
    return F.layer_norm(a, a.shape[-1:], gamma, beta, eps)


def _input_part(
    x: Tensor, w_ih: Tensor, b_ih: Tensor | None, gamma_ih: Tensor, eps: float
) -> Tensor:
    r""":math:`\operatorname{LN}(W_{ih} x; \gamma_{ih}, b_{ih})` , ``x (..., D)``."""
    return _normalise(F.linear(x, w_ih), gamma_ih, b_ih, eps)


def _step(
    a_x: Tensor,
    h: Tensor,
    c: Tensor,
    w_hh: Tensor,
    b_hh: Tensor | None,
    gamma_hh: Tensor,
    gamma_c: Tensor,
    beta_c: Tensor,
    eps: float,
) -> tuple[Tensor, Tensor]:
    """One step given the normalised input part ``a_x (B, 4H)``; returns ``(h, c)``, each (B, H)."""
    a = a_x + _normalise(F.linear(h, w_hh), gamma_hh, b_hh, eps)
    i, f, g, o = a.chunk(4, -1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(_normalise(c, gamma_c, beta_c, eps))
    return h, c


def _layer(
    x: Tensor,
    state: States,
    weights: Weights,
    batch_sizes: Sequence[int] | None,
    reverse: bool,
    eps: float,
) -> tuple[Tensor, States]:
    """One direction of one layer over ``x (T, B, D)``; the layer function of ``run_stack``."""
    w_ih, w_hh, b_ih, b_hh, _, gamma_ih, gamma_hh, gamma_c, beta_c = weights
    assert w_ih is not None and w_hh is not None and gamma_ih is not None
    assert gamma_hh is not None and gamma_c is not None and beta_c is not None
    # The input part does not depend on the recurrence: normalise all T steps at once.
    a_x = _input_part(x, w_ih, b_ih, gamma_ih, eps)
    step = cell_step(_step, w_hh, b_hh, gamma_hh, gamma_c, beta_c, eps)
    return run_steps(step, a_x, state, batch_sizes, reverse)


def _check_eps(eps: object) -> None:
    if not isinstance(eps, float | int) or isinstance(eps, bool) or eps < 0:
        raise ValueError(f"eps must be a number >= 0, got {eps!r}")


def _reset_layer_norm(module: nn.Module) -> None:
    """Gains :math:`\\gamma = 1`, shift :math:`\\beta_c = 0`: LN starts as pure standardisation."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.startswith("gamma_"):
                p.fill_(1.0)
            elif name.startswith("beta_"):
                p.zero_()


class LayerNormLSTM(RecurrentBase):
    r"""A multi-layer layer-normalised LSTM (Ba, Kiros & Hinton 2016).

    For each element of the input sequence, each layer computes

    .. math::
        \begin{array}{ll}
        (a_i, a_f, a_g, a_o) = \operatorname{LN}(W_{ih} x_t; \gamma_{ih}, b_{ih})
            + \operatorname{LN}(W_{hh} h_{t-1}; \gamma_{hh}, b_{hh}) \\
        i_t = \sigma(a_i), \quad f_t = \sigma(a_f), \quad g_t = \tanh(a_g),
            \quad o_t = \sigma(a_o) \\
        c_t = f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t = o_t \odot \tanh(\operatorname{LN}(c_t; \gamma_c, \beta_c))
        \end{array}

    where :math:`\operatorname{LN}` standardises a vector :math:`a \in \mathbb{R}^n` by
    its own mean and variance over the units, then scales and shifts it,

    .. math::
        \operatorname{LN}(a; \gamma, \beta) = \gamma \odot \frac{a - \mu}{\sqrt{\sigma^2
        + \epsilon}} + \beta, \qquad \mu = \frac1n \sum_j a_j, \quad
        \sigma^2 = \frac1n \sum_j (a_j - \mu)^2,

    taken over all :math:`4H` gate pre-activations at once (as in the paper;
    some implementations normalise each gate's block separately). The output
    does not change when :math:`W_{ih}` or :math:`W_{hh}` is multiplied by a
    positive constant (exactly for :math:`\epsilon = 0`).

    The biases :math:`b_{ih}, b_{hh}` are the shifts :math:`\beta` of the two
    gate normalisations (the paper's extra bias :math:`b` would only add to
    them), so the weights have :class:`torch.nn.LSTM`'s names, shapes and gate
    order, and :func:`lstm_ref.models.set_forget_bias` works unchanged. Layer
    :math:`l > 0` reads :math:`\delta_t^{(l-1)} h_t^{(l-1)}`, :math:`\delta`
    being dropout (training only), as in :class:`torch.nn.LSTM`.

    Parameters
    ----------
    input_size : int
        Features of the input, ``D``.
    hidden_size : int
        Features of the hidden and cell state, ``H``.
    num_layers : int
        Stacked layers.
    bias : bool
        Use ``b_ih`` and ``b_hh`` (without them the gate normalisations have no shift).
    batch_first : bool
        Input and output are (B, T, ·) instead of (T, B, ·) (states are not).
    dropout : float
        Dropout probability on the output of every layer but the last (training only).
    bidirectional : bool
        Add a layer reading the sequence backwards; outputs concatenated.
    eps : float
        :math:`\epsilon` of every normalisation, as in ``torch.nn.LayerNorm``.
    device, dtype
        Where and in which precision to create the parameters.

    Attributes
    ----------
    weight_ih_l[k], weight_hh_l[k]
        Parameters, shapes (4H, D or num_directions * H) and (4H, H),
        from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})` as in torch.nn
    bias_ih_l[k], bias_hh_l[k]
        Parameters, shape (4H,), likewise
    gamma_ih_l[k], gamma_hh_l[k]
        Parameters, shape (4H,): gains :math:`\gamma_{ih}, \gamma_{hh}`, initially 1
    gamma_c_l[k], beta_c_l[k]
        Parameters, shape (H,): gain and shift of the cell normalisation, initially 1 and 0
        Suffix ``_reverse`` for the backward direction.

    Inputs: ``input, (h_0, c_0)``
        ``input`` (T, B, D), (B, T, D) with ``batch_first``, unbatched (T, D), or a
        :class:`~torch.nn.utils.rnn.PackedSequence`; ``h_0`` and ``c_0`` (num_layers *
        num_directions, B, H), or without the B axis for unbatched input; zeros if omitted.

    Outputs: ``output, (h_n, c_n)``
        ``output`` (T, B, num_directions * H) in the form of ``input``; ``h_n`` and ``c_n``
        shaped like ``h_0`` and ``c_0``: the states after each sequence's last element.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        eps: float = 1e-5,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        _check_eps(eps)
        settings = RecurrentSettings(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        )
        super().__init__(n_gates=4, settings=settings, proj_size=0, device=device, dtype=dtype)
        self.eps = float(eps)
        names = []
        for layer_names in self._weight_names:
            suffix = layer_names[0].removeprefix("weight_ih")  # "_l0", "_l0_reverse", ...
            for kind in _LN_PARAMETERS:
                size = 4 * hidden_size if kind in ("gamma_ih", "gamma_hh") else hidden_size
                self.register_parameter(
                    kind + suffix,
                    nn.Parameter(torch.empty(size, device=device, dtype=dtype)),
                )
            names.append(layer_names + tuple(kind + suffix for kind in _LN_PARAMETERS))
        self._weight_names = names
        _reset_layer_norm(self)

    def reset_parameters(self) -> None:
        r"""Weights and biases from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`; gains 1, shifts 0."""
        super().reset_parameters()
        _reset_layer_norm(self)

    def state_sizes(self) -> tuple[int, ...]:
        """``(H, H)``: features of ``h`` and of ``c``."""
        return (self.hidden_size, self.hidden_size)

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", eps={self.eps}" if self.eps != 1e-5 else "")

    def forward(
        self, input: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor | PackedSequence, tuple[Tensor, Tensor]]:
        """Run the layer-normalised LSTM; see the class docstring for shapes."""
        output, (h, c) = self.run(input, hx, partial(self.run_stack, partial(_layer, eps=self.eps)))
        return output, (h, c)


class LayerNormLSTMCell(CellBase):
    r"""One step of the layer-normalised LSTM (Ba, Kiros & Hinton 2016).

    .. math::
        \begin{array}{ll}
        (a_i, a_f, a_g, a_o) = \operatorname{LN}(W_{ih} x; \gamma_{ih}, b_{ih})
            + \operatorname{LN}(W_{hh} h; \gamma_{hh}, b_{hh}) \\
        (i, f, g, o) = (\sigma(a_i), \sigma(a_f), \tanh(a_g), \sigma(a_o)) \\
        c' = f \odot c + i \odot g, \quad
        h' = o \odot \tanh(\operatorname{LN}(c'; \gamma_c, \beta_c))
        \end{array}

    Parameters
    ----------
    input_size, hidden_size, bias
        As in :class:`lstm_ref.torch.LSTMCell`.
    eps : float
        :math:`\epsilon` of every normalisation.
    device, dtype
        As in :class:`lstm_ref.torch.LSTMCell`.

    Attributes
    ----------
    weight_ih, weight_hh
        Parameters, shapes (4H, D) and (4H, H)
    bias_ih, bias_hh
        Parameters, shape (4H,)
    gamma_ih, gamma_hh
        Parameters, shape (4H,), initially 1
    gamma_c, beta_c
        Parameters, shape (H,), initially 1 and 0

    Inputs: ``input, (h, c)``
        ``input`` (B, D) or unbatched (D,); ``h`` and ``c`` (B, H) or (H,), zeros if omitted.

    Outputs: ``(h', c')``
        Shaped like ``h`` and ``c``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        eps: float = 1e-5,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        _check_eps(eps)
        settings = CellSettings(input_size, hidden_size, bias)
        super().__init__(n_gates=4, settings=settings, device=device, dtype=dtype)
        self.eps = float(eps)
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self.gamma_ih = nn.Parameter(torch.empty(4 * hidden_size, **factory))
        self.gamma_hh = nn.Parameter(torch.empty(4 * hidden_size, **factory))
        self.gamma_c = nn.Parameter(torch.empty(hidden_size, **factory))
        self.beta_c = nn.Parameter(torch.empty(hidden_size, **factory))
        _reset_layer_norm(self)

    def reset_parameters(self) -> None:
        r"""Weights and biases from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`; gains 1, shifts 0."""
        super().reset_parameters()
        _reset_layer_norm(self)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        """One step; see the class docstring for shapes."""
        x, (h, c), batched = self.prepare(input, hx, n_states=2)
        a_x = _input_part(x, self.weight_ih, self.bias_ih, self.gamma_ih, self.eps)
        h, c = _step(
            a_x,
            h,
            c,
            self.weight_hh,
            self.bias_hh,
            self.gamma_hh,
            self.gamma_c,
            self.beta_c,
            self.eps,
        )
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))
