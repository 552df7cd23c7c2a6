"""``RNN`` and ``RNNCell``: drop-ins for torch.nn's Elman RNN (tanh or relu)."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn.utils.rnn import PackedSequence

from .base import CellBase, RecurrentBase
from .functional import activation, rnn_cell, rnn_update
from .validation import CellSettings, RecurrentSettings, check_no_projection


class RNN(RecurrentBase):
    r"""A multi-layer Elman RNN that is a drop-in for :class:`torch.nn.RNN`.

    .. math::
        h_t = \phi(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}),
        \quad \phi = \tanh \text{ or } \mathrm{relu}

    Parameters
    ----------
    input_size, hidden_size, num_layers : int
        As in :class:`lstm_ref.torch.LSTM`.
    nonlinearity : {"tanh", "relu"}
        :math:`\phi`.
    bias, batch_first, dropout, bidirectional
        As in :class:`lstm_ref.torch.LSTM`.
    device, dtype, proj_size
        As in :class:`lstm_ref.torch.GRU` (``proj_size`` is refused, as by
        :class:`torch.nn.RNN`).

    Attributes
    ----------
    weight_ih_l[k], weight_hh_l[k]
        Parameters, shapes (H, D or num_directions * H) and (H, H)
    bias_ih_l[k], bias_hh_l[k]
        Parameters, shape (H,)

    Inputs: ``input, h_0`` and outputs ``output, h_n``
        As for :class:`lstm_ref.torch.GRU`.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        *,
        proj_size: int | None = None,
    ) -> None:
        check_no_projection(proj_size)
        activation(nonlinearity)  # reject an unknown name now, not at the first step
        settings = RecurrentSettings(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        )
        super().__init__(n_gates=1, settings=settings, proj_size=0, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def state_sizes(self) -> tuple[int, ...]:
        """``(H,)``."""
        return (self.hidden_size,)

    def _update(self, gx: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
        return rnn_update(gx, h, w_hh, b_hh, activation(self.nonlinearity))

    def extra_repr(self) -> str:
        extra = f", nonlinearity={self.nonlinearity!r}" if self.nonlinearity != "tanh" else ""
        return super().extra_repr() + extra

    def forward(
        self, input: Tensor | PackedSequence, hx: Tensor | None = None
    ) -> tuple[Tensor | PackedSequence, Tensor]:
        """Run the RNN; see the class docstring for shapes."""
        return self.run_projected(input, hx, self._update)


class RNNCell(CellBase):
    r"""One Elman RNN step, a drop-in for :class:`torch.nn.RNNCell`.

    .. math::
        h' = \phi(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})

    Parameters
    ----------
    input_size, hidden_size, bias
        As in :class:`lstm_ref.torch.LSTMCell`.
    nonlinearity : {"tanh", "relu"}
        :math:`\phi`.
    device, dtype
        As in :class:`lstm_ref.torch.LSTMCell`.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        activation(nonlinearity)  # reject an unknown name now, not at the first step
        settings = CellSettings(input_size, hidden_size, bias)
        super().__init__(n_gates=1, settings=settings, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """One step: ``input`` (B, D) or (D,), ``hx`` (B, H) or (H,) -> ``h'`` like ``hx``."""
        x, (h,), batched = self.prepare(input, None if hx is None else (hx,), n_states=1)
        h = rnn_cell(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity
        )
        return h if batched else h.squeeze(0)
