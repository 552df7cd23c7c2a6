"""``GRU`` and ``GRUCell``: drop-ins for torch.nn's, built from matmuls and element-wise ops."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn.utils.rnn import PackedSequence

from .base import CellBase, RecurrentBase
from .functional import gru_cell, gru_update
from .validation import CellSettings, RecurrentSettings, check_no_projection


class GRU(RecurrentBase):
    r"""A multi-layer GRU that is a drop-in for :class:`torch.nn.GRU`.

    .. math::
        \begin{array}{ll}
        r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
        z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}
        \end{array}

    Parameters
    ----------
    input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        As in :class:`lstm_ref.torch.LSTM`.
    device, dtype
        Where and in which precision to create the parameters.
    proj_size : None
        Refused with a :class:`ValueError`, as by :class:`torch.nn.GRU`: only
        the LSTM has a projection.

    Attributes
    ----------
    weight_ih_l[k], weight_hh_l[k]
        Parameters, shapes (3H, D or num_directions * H) and (3H, H)
    bias_ih_l[k], bias_hh_l[k]
        Parameters, shape (3H,)
        Rows in gate order (r, z, n); suffix ``_reverse`` for the backward direction.

    Inputs: ``input, h_0``
        ``input`` as for :class:`lstm_ref.torch.LSTM`; ``h_0`` (num_layers *
        num_directions, B, H), or (num_layers * num_directions, H) unbatched.

    Outputs: ``output, h_n``
        ``output`` (T, B, num_directions * H) in the form of ``input``; ``h_n`` like ``h_0``.
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
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        *,
        proj_size: int | None = None,
    ) -> None:
        check_no_projection(proj_size)
        settings = RecurrentSettings(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        )
        super().__init__(n_gates=3, settings=settings, proj_size=0, device=device, dtype=dtype)

    def state_sizes(self) -> tuple[int, ...]:
        """``(H,)``."""
        return (self.hidden_size,)

    def forward(
        self, input: Tensor | PackedSequence, hx: Tensor | None = None
    ) -> tuple[Tensor | PackedSequence, Tensor]:
        """Run the GRU; see the class docstring for shapes."""
        return self.run_projected(input, hx, gru_update)


class GRUCell(CellBase):
    r"""One GRU step, a drop-in for :class:`torch.nn.GRUCell` (equations in :class:`GRU`).

    Parameters
    ----------
    input_size, hidden_size, bias, device, dtype
        As in :class:`lstm_ref.torch.LSTMCell`.

    Inputs: ``input, h``
        ``input`` (B, D) or (D,); ``h`` (B, H) or (H,), zeros if omitted.

    Outputs: ``h'``
        Shaped like ``h``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        settings = CellSettings(input_size, hidden_size, bias)
        super().__init__(n_gates=3, settings=settings, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """One step; see the class docstring for shapes."""
        x, (h,), batched = self.prepare(input, None if hx is None else (hx,), n_states=1)
        h = gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)
