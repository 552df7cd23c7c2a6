r"""minGRU and minLSTM (Feng et al. 2024): gates that read only the input, and a parallel scan.

Dropping :math:`h_{t-1}` from every gate and from the candidate makes the
recurrence *linear* in the state, :math:`h_t = a_t \odot h_{t-1} + b_t` with
:math:`a_t, b_t` functions of :math:`x_t` alone, so all :math:`a_t, b_t` are
computed at once and every :math:`h_t` follows from
:func:`~lstm_ref.torch.scan.parallel_scan` in :math:`O(\log T)` rounds.

minGRU:

.. math::
    z_t = \sigma(W_z x_t + b_z), \quad \tilde h_t = W_h x_t + b_h, \quad
    h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t .

minLSTM (forget and input gates normalised to sum to one):

.. math::
    f_t = \sigma(W_f x_t + b_f), \quad i_t = \sigma(W_i x_t + b_i), \quad
    \tilde h_t = W_h x_t + b_h, \\
    f'_t = \frac{f_t}{f_t + i_t}, \quad i'_t = \frac{i_t}{f_t + i_t}, \quad
    h_t = f'_t \odot h_{t-1} + i'_t \odot \tilde h_t .

Both decays :math:`a_t = 1 - z_t` and :math:`a_t = f'_t` lie in :math:`(0, 1)`:
the state can shrink towards zero but never change sign from one step to
the next by itself, which is why such a layer cannot count modulo 2 over an
unbounded sequence (Merrill et al. 2024).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from lstm_ref.checks import check_positive_int

from .scan import parallel_scan, sequential_scan

__all__ = ["MinGRU", "MinLSTM", "ScanMode"]

ScanMode = Literal["parallel", "sequential"]


def _check_input(module: nn.Module, x: object, h0: object, mode: str) -> Tensor:
    input_size, hidden_size = module.input_size, module.hidden_size
    if not isinstance(x, Tensor):
        raise TypeError(f"x: expected a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"x: expected a floating-point tensor, got dtype {x.dtype}")
    if x.dim() != 3:
        raise ValueError(f"x: expected shape (B, T, {input_size}), got {tuple(x.shape)}")
    if x.shape[2] != input_size:
        raise ValueError(
            f"x: expected {input_size} input features (last dimension), got {x.shape[2]}"
        )
    if x.shape[1] == 0:
        raise ValueError("x: expected at least one time step (T >= 1), got T = 0")
    if h0 is not None and (not isinstance(h0, Tensor) or h0.shape != (x.shape[0], hidden_size)):
        got = tuple(h0.shape) if isinstance(h0, Tensor) else type(h0).__name__
        raise ValueError(f"h0: expected shape (B, H) = {(x.shape[0], hidden_size)}, got {got}")
    if mode not in ("parallel", "sequential"):
        raise ValueError(f"mode: expected 'parallel' or 'sequential', got {mode!r}")
    return x


class _MinRNN(nn.Module):
    """Shared parts: one input projection for all gates, then a linear recurrence."""

    n_gates: int

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            check_positive_int(name, value)
        self.input_size, self.hidden_size = input_size, hidden_size
        self.proj = nn.Linear(input_size, self.n_gates * hidden_size, device=device, dtype=dtype)

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor]:  # pragma: no cover - abstract
        raise NotImplementedError

    def forward(
        self, x: Tensor, h0: Tensor | None = None, *, mode: ScanMode = "parallel"
    ) -> tuple[Tensor, Tensor]:
        """All states ``(B, T, H)`` and the last one ``(B, H)`` for ``x (B, T, D)``.

        ``mode="parallel"`` uses :func:`parallel_scan`, ``"sequential"`` a
        loop over time; they agree to rounding. ``h0`` defaults to zeros.
        """
        x = _check_input(self, x, h0, mode)
        a, b = self.coefficients(x)
        if h0 is None:
            h0 = x.new_zeros(x.shape[0], self.hidden_size)
        scan = parallel_scan if mode == "parallel" else sequential_scan
        h = scan(a, b, h0)
        return h, h[:, -1]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class MinGRU(_MinRNN):
    r"""minGRU: :math:`h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t`, gates from the input.

    Parameters
    ----------
    input_size : int
        :math:`D`.
    hidden_size : int
        :math:`H`.

    Shape
    -----
    ``forward(x, h0=None, *, mode="parallel")``: ``x (B, T, D)``, ``h0 (B, H)``;
    returns ``(h (B, T, H), h_T (B, H))``. Parameters: ``2H(D + 1)``.
    """

    n_gates = 2

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor]:
        r"""Decay :math:`a_t = 1 - z_t`, input :math:`b_t = z_t \tilde h_t`, each ``(B, T, H)``."""
        gate, candidate = self.proj(x).chunk(2, dim=-1)
        z = torch.sigmoid(gate)  # z_t = sigma(W_z x_t + b_z)
        return 1 - z, z * candidate  # h_t = (1 - z_t) h_{t-1} + z_t h~_t


class MinLSTM(_MinRNN):
    r"""minLSTM: :math:`h_t = f'_t \odot h_{t-1} + i'_t \odot \tilde h_t`, gates from :math:`x_t`.

    Parameters
    ----------
    input_size : int
        :math:`D`.
    hidden_size : int
        :math:`H`.

    Shape
    -----
    ``forward(x, h0=None, *, mode="parallel")``: ``x (B, T, D)``, ``h0 (B, H)``;
    returns ``(h (B, T, H), h_T (B, H))``. Parameters: ``3H(D + 1)``.
    """

    n_gates = 3

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor]:
        r"""Decay :math:`a_t = f'_t` and input :math:`b_t = i'_t \tilde h_t`, each ``(B, T, H)``."""
        f_pre, i_pre, candidate = self.proj(x).chunk(3, dim=-1)
        f, i = torch.sigmoid(f_pre), torch.sigmoid(i_pre)  # f_t, i_t = sigma(W x_t + b)
        total = f + i
        return f / total, i / total * candidate  # f'_t, i'_t h~_t
