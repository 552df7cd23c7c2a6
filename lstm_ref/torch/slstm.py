r"""sLSTM (Beck et al. 2024, xLSTM): exponential gates, a normaliser and a log-domain stabiliser.

One step, from pre-activations :math:`\tilde u_t = W_u x_t + R_u h_{t-1} + b_u`
for :math:`u \in \{i, f, z, o\}`:

.. math::
    z_t = \tanh(\tilde z_t), \quad o_t = \sigma(\tilde o_t), \quad
    i_t = \exp(\tilde i_t), \quad f_t = \exp(\tilde f_t), \\
    c_t = f_t c_{t-1} + i_t z_t, \quad n_t = f_t n_{t-1} + i_t, \quad
    h_t = o_t \, c_t / n_t .

The normaliser :math:`n_t` sums the same gate weights as the cell, so
:math:`c_t / n_t` is a weighted *average* of the candidates :math:`z_s` and
stays in :math:`(-1, 1)` however large the gates grow. The gates themselves
overflow, though: :math:`\prod_s f_s = \exp(\sum_s \tilde f_s)` exceeds the
float32 range (about :math:`e^{88.7}`) after a few dozen steps with
:math:`\tilde f > 1`, and then :math:`c_t / n_t = \infty / \infty`.

The **stabiliser** :math:`m_t` (a running maximum in the log domain) keeps
:math:`c'_t = c_t e^{-m_t}` and :math:`n'_t = n_t e^{-m_t}` instead:

.. math::
    m_t = \max(\tilde f_t + m_{t-1},\; \tilde i_t), \quad
    i'_t = \exp(\tilde i_t - m_t), \quad f'_t = \exp(\tilde f_t + m_{t-1} - m_t), \\
    c'_t = f'_t c'_{t-1} + i'_t z_t, \quad n'_t = f'_t n'_{t-1} + i'_t, \quad
    h_t = o_t \, c'_t / n'_t ,

every exponent now :math:`\le 0`, and the ratio, hence :math:`h_t`, is the
same. Here :math:`R` is one full matrix (the paper splits it into heads with
block-diagonal :math:`R`; one head is the special case).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from lstm_ref.checks import check_positive_int

__all__ = ["SLSTM", "SLSTMState"]

#: ``(h, c', n', m)``, each of shape ``(B, H)``: the stabilised state.
SLSTMState = tuple[Tensor, Tensor, Tensor, Tensor]


class SLSTM(nn.Module):
    r"""One sLSTM layer with exponential input and forget gates, batch-major.

    Parameters
    ----------
    input_size : int
        :math:`D`.
    hidden_size : int
        :math:`H`.
    stabilised : bool
        Run the stabilised recurrence (default) or the plain one, which
        overflows once :math:`\sum \tilde f` or :math:`\tilde i` passes the
        dtype's range.

    Attributes
    ----------
    weight_ih : Parameter, shape (4H, D)
        :math:`W`, gates in the order ``(i, f, z, o)``.
    weight_hh : Parameter, shape (4H, H)
        :math:`R`.
    bias : Parameter, shape (4H,)

    Shape
    -----
    ``forward(x, state=None)``: ``x (B, T, D)``; returns ``h (B, T, H)`` and
    the final state ``(h, c', n', m)``, each ``(B, H)``. The default initial
    state is zeros. Parameters: ``4H(D + H + 1)``, as an LSTM's with one bias.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        stabilised: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            check_positive_int(name, value)
        self.input_size, self.hidden_size, self.stabilised = input_size, hidden_size, stabilised
        four = 4 * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(four, input_size, device=device, dtype=dtype))
        self.weight_hh = nn.Parameter(torch.empty(four, hidden_size, device=device, dtype=dtype))
        self.bias = nn.Parameter(torch.empty(four, device=device, dtype=dtype))
        bound = 1 / math.sqrt(hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _check(self, x: object, state: object) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(f"x: expected a torch.Tensor, got {type(x).__name__}")
        if not x.is_floating_point():
            raise TypeError(f"x: expected a floating-point tensor, got dtype {x.dtype}")
        if x.dim() != 3:
            raise ValueError(f"x: expected shape (B, T, {self.input_size}), got {tuple(x.shape)}")
        if x.shape[2] != self.input_size:
            raise ValueError(
                f"x: expected {self.input_size} input features (last dimension), got {x.shape[2]}"
            )
        if x.shape[1] == 0:
            raise ValueError("x: expected at least one time step (T >= 1), got T = 0")
        if state is not None:
            want = (x.shape[0], self.hidden_size)
            if not isinstance(state, tuple | list) or len(state) != 4:
                raise ValueError("state: expected a tuple (h, c, n, m) of four (B, H) tensors")
            for name, s in zip("hcnm", state, strict=True):
                if not isinstance(s, Tensor) or s.shape != want:
                    got = tuple(s.shape) if isinstance(s, Tensor) else type(s).__name__
                    raise ValueError(f"state: expected {name} of shape (B, H) = {want}, got {got}")
        return x

    def forward(self, x: Tensor, state: SLSTMState | None = None) -> tuple[Tensor, SLSTMState]:
        """Every ``h_t (B, T, H)`` and the final state for ``x (B, T, D)``."""
        x = self._check(x, state)
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_size)
            state = (zeros, zeros, zeros, zeros)
        h, c, n, m = state
        if not self.stabilised:  # the plain form keeps c, n themselves: c = c' e^m
            c, n, m = c * torch.exp(m), n * torch.exp(m), torch.zeros_like(m)
        pre_x = torch.nn.functional.linear(x, self.weight_ih, self.bias)  # W x_t + b, all t
        out = []
        for t in range(x.shape[1]):
            pre = pre_x[:, t] + h @ self.weight_hh.T  # u~_t = W_u x_t + R_u h_{t-1} + b_u
            i_pre, f_pre, z_pre, o_pre = pre.chunk(4, dim=-1)
            z, o = torch.tanh(z_pre), torch.sigmoid(o_pre)
            if self.stabilised:
                m_new = torch.maximum(f_pre + m, i_pre)  # m_t = max(f~_t + m_{t-1}, i~_t)
                i = torch.exp(i_pre - m_new)  # i'_t = exp(i~_t - m_t)
                f = torch.exp(f_pre + m - m_new)  # f'_t = exp(f~_t + m_{t-1} - m_t)
                m = m_new
            else:
                i, f = torch.exp(i_pre), torch.exp(f_pre)  # i_t = exp(i~_t), f_t = exp(f~_t)
            c = f * c + i * z  # c_t = f_t c_{t-1} + i_t z_t
            n = f * n + i  # n_t = f_t n_{t-1} + i_t
            h = o * c / n  # h_t = o_t c_t / n_t
            out.append(h)
        return torch.stack(out, dim=1), (h, c, n, m)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, stabilised={self.stabilised}"
