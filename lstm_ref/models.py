"""Small sequence models for the chapters: a recurrent layer and a linear read-out.

Any recurrent class with ``torch.nn.LSTM``'s interface fits: ``torch.nn.LSTM``,
``torch.nn.GRU``, ``torch.nn.RNN``,
``lstm_ref.torch.LSTM`` or ``lstm_ref.torch.LayerNormLSTM``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def set_forget_bias(lstm: nn.Module, value: float) -> None:
    r"""Initialise an LSTM's forget-gate bias so that :math:`b_{if} + b_{hf} = \text{value}`.

    With gates ordered ``(i, f, g, o)`` the forget gate is the second quarter
    of every ``bias_ih_l*`` and ``bias_hh_l*``: ``bias_ih`` gets ``value``,
    ``bias_hh`` gets 0. A positive value keeps :math:`f_t \approx \sigma(\text{value})`
    open at the start of training, so gradients flow back along the cell
    (Gers et al. 2000; Jozefowicz et al. 2015 recommend 1).

    Raises
    ------
    ValueError
        If ``lstm`` has no LSTM biases (4 gates of ``hidden_size`` each).
    """
    hidden = getattr(lstm, "hidden_size", None)
    biases = [(name, p) for name, p in lstm.named_parameters() if name.startswith("bias_")]
    if hidden is None or not biases or any(p.shape != (4 * hidden,) for _, p in biases):
        shapes = [tuple(p.shape) for _, p in biases]
        raise ValueError(
            f"lstm: expected an LSTM with biases of shape (4*hidden_size,), got "
            f"{type(lstm).__name__} with hidden_size={hidden} and bias shapes {shapes}"
        )
    with torch.no_grad():
        for name, p in biases:
            p[hidden : 2 * hidden] = value if name.startswith("bias_ih") else 0.0


class RecurrentModel(nn.Module):
    r"""A recurrent layer followed by a linear read-out.

    .. math::
        h_t = \mathrm{RNN}(x_t, h_{t-1}), \qquad
        \hat y = W h_{L} + b \;\; (\texttt{readout="last"}), \qquad
        \hat y_t = W h_t + b \;\; (\texttt{readout="all"})

    where :math:`L` is each sequence's own length, so padding at the end never
    reaches the read-out. Use it as a regressor (MSE on ``output_size`` values)
    or a classifier (cross-entropy on ``output_size`` scores).

    Parameters
    ----------
    input_size, hidden_size, output_size : int
    rnn : class or callable
        Built as ``rnn(input_size, hidden_size, num_layers=num_layers,
        batch_first=True, **rnn_kwargs)``; ``torch.nn.LSTM`` by default.
    num_layers : int
    readout : {"last", "all"}
        One output per sequence, or one per step.
    forget_bias : float or None
        Initial forget-gate bias (LSTMs only, see :func:`set_forget_bias`);
        ``None`` keeps the layer's own initialisation.
    **rnn_kwargs
        Passed to ``rnn`` (``bidirectional=True``, ``dropout=...``, ...).

    Shape
    -----
    ``forward(x, lengths=None)``: ``x (N, T, input_size)``, ``lengths (N,)``
    ints (default: all ``T``); returns ``(N, output_size)`` or
    ``(N, T, output_size)``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        rnn: Callable[..., nn.Module] = nn.LSTM,
        num_layers: int = 1,
        readout: Literal["last", "all"] = "last",
        forget_bias: float | None = None,
        **rnn_kwargs: object,
    ) -> None:
        super().__init__()
        if readout not in ("last", "all"):
            raise ValueError(f"readout: expected 'last' or 'all', got {readout!r}")
        self.readout = readout
        self.rnn = rnn(
            input_size, hidden_size, num_layers=num_layers, batch_first=True, **rnn_kwargs
        )
        self.bidirectional = bool(getattr(self.rnn, "bidirectional", False))
        if forget_bias is not None:
            set_forget_bias(self.rnn, forget_bias)
        self.hidden_size = hidden_size
        self.linear = nn.Linear(hidden_size * (2 if self.bidirectional else 1), output_size)

    def features(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """The recurrent layer's outputs ``(N, T, H)`` (``2H`` if bidirectional), 0 past ends."""
        if x.dim() != 3:
            raise ValueError(f"x: expected shape (N, T, D), got {tuple(x.shape)}")
        if lengths is None or not self.bidirectional:
            # Padding sits at the end, so a left-to-right layer's outputs at
            # valid steps never depend on it: no packing needed.
            out = self.rnn(x)[0]
        else:
            # The right-to-left direction must start at each sequence's own end.
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out = pad_packed_sequence(
                self.rnn(packed)[0], batch_first=True, total_length=x.shape[1]
            )[0]
        if lengths is not None:
            valid = (
                torch.arange(x.shape[1], device=x.device)[None, :] < lengths.to(x.device)[:, None]
            )
            out = out * valid[..., None]
        return out

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Predictions ``(N, output_size)``, or ``(N, T, output_size)`` with ``readout="all"``."""
        out = self.features(x, lengths)
        if self.readout == "all":
            return self.linear(out)
        rows = torch.arange(x.shape[0], device=x.device)
        if lengths is None:
            last = torch.full_like(rows, x.shape[1] - 1)
        else:
            last = lengths.to(x.device).long() - 1
            if bool((last < 0).any()) or bool((last >= x.shape[1]).any()):
                raise ValueError(
                    f"lengths: expected values in [1, {x.shape[1]}], got {lengths.tolist()}"
                )
        summary = out[rows, last]
        if self.bidirectional:
            # The backward direction has read the whole sequence at step 0.
            summary = torch.cat(
                [summary[:, : self.hidden_size], out[:, 0, self.hidden_size :]], dim=1
            )
        return self.linear(summary)
