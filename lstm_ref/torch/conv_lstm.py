r"""The convolutional LSTM of Shi et al. (2015): the LSTM's gates as convolutions.

A plain LSTM reads a vector per step. For a sequence of images, flattening
each frame throws away which pixel is next to which. The ConvLSTM keeps the
frame's grid: the input :math:`X_t` has shape ``(C, H, W)``, the hidden and
cell states :math:`\mathcal{H}_t, \mathcal{C}_t` have shape ``(K, H, W)``,
and every matrix product of the LSTM becomes a convolution :math:`*` (zero
padding keeps the height and width):

.. math::
    \begin{array}{ll}
    (I_t, F_t, G_t, O_t) = (\sigma, \sigma, \tanh, \sigma)
        (W_{ih} * X_t + b_{ih} + W_{hh} * \mathcal{H}_{t-1} + b_{hh}) \\
    \mathcal{C}_t = F_t \odot \mathcal{C}_{t-1} + I_t \odot G_t, \quad
    \mathcal{H}_t = O_t \odot \tanh(\mathcal{C}_t)
    \end{array}

Weights follow torch.nn's LSTM layout and gate order ``(i, f, g, o)`` with
a kernel added: ``weight_ih (4K, C, k, k)``, ``weight_hh (4K, K, k, k)``,
``bias_ih (4K,)``, ``bias_hh (4K,)``. With a 1 x 1 kernel on a 1 x 1 image
the cell is exactly :class:`lstm_ref.torch.LSTMCell`. Shi et al. also give
the gates peephole terms :math:`W_c \odot \mathcal{C}`; these modules leave
them out, like torch.nn's LSTM.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_ref.checks import check_positive_int

__all__ = ["ConvLSTM", "ConvLSTMCell"]


def _check_image(name: str, what: str, t: Tensor, channels: int) -> None:
    if t.dim() != 4 or t.size(1) != channels:
        raise ValueError(
            f"{name}: expected {what} of shape (B, {channels}, H, W), got {tuple(t.shape)}"
        )


class ConvLSTMCell(nn.Module):
    r"""One ConvLSTM step (Shi et al. 2015), without peepholes.

    .. math::
        (I, F, G, O) = (\sigma, \sigma, \tanh, \sigma)(W_{ih} * X + b_{ih}
        + W_{hh} * \mathcal{H} + b_{hh}), \quad
        \mathcal{C}' = F \odot \mathcal{C} + I \odot G, \quad
        \mathcal{H}' = O \odot \tanh(\mathcal{C}')

    Parameters
    ----------
    input_channels, hidden_channels : int
        ``C`` and ``K``.
    kernel_size : int
        Odd side ``k`` of the square kernels; padding ``k // 2`` keeps ``H, W``.
    bias : bool
        Use ``bias_ih`` and ``bias_hh``.

    Attributes
    ----------
    weight_ih, weight_hh
        Parameters, shapes (4K, C, k, k) and (4K, K, k, k)
    bias_ih, bias_hh
        Parameters, shape (4K,), or ``None`` without bias

    Inputs: ``input, (h, c)``
        ``input`` (B, C, H, W); ``h`` and ``c`` (B, K, H, W), zeros if omitted.

    Outputs: ``(h', c')``
        Each (B, K, H, W).
    """

    def __init__(
        self, input_channels: int, hidden_channels: int, kernel_size: int = 3, bias: bool = True
    ) -> None:
        super().__init__()
        self.input_channels = check_positive_int("input_channels", input_channels)
        self.hidden_channels = check_positive_int("hidden_channels", hidden_channels)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size: expected an odd number, got {kernel_size}")
        k, C, K = kernel_size, input_channels, hidden_channels
        self.weight_ih = nn.Parameter(torch.empty(4 * K, C, k, k))
        self.weight_hh = nn.Parameter(torch.empty(4 * K, K, k, k))
        self.bias_ih: nn.Parameter | None
        self.bias_hh: nn.Parameter | None
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(4 * K))
            self.bias_hh = nn.Parameter(torch.empty(4 * K))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in ``±1/sqrt(K k^2)``, as torch.nn's LSTM with ``k = 1``."""
        bound = 1.0 / math.sqrt(self.hidden_channels * self.kernel_size**2)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.input_channels}, {self.hidden_channels}, kernel_size={self.kernel_size}"

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        """One step; see the class docstring for shapes."""
        name = type(self).__name__
        _check_image(name, "input", input, self.input_channels)
        B, _, H, W = input.shape
        if hx is None:
            h = input.new_zeros(B, self.hidden_channels, H, W)
            c = torch.zeros_like(h)
        else:
            h, c = hx
            for what, t in (("hx[0]", h), ("hx[1]", c)):
                if tuple(t.shape) != (B, self.hidden_channels, H, W):
                    raise ValueError(
                        f"{name}: expected {what} of shape "
                        f"{(B, self.hidden_channels, H, W)}, got {tuple(t.shape)}"
                    )
        pad = self.kernel_size // 2
        gates = F.conv2d(input, self.weight_ih, self.bias_ih, padding=pad) + F.conv2d(
            h, self.weight_hh, self.bias_hh, padding=pad
        )
        i, f, g, o = gates.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class ConvLSTM(nn.Module):
    """A ConvLSTM layer: :class:`ConvLSTMCell` applied along a sequence of images.

    Parameters
    ----------
    input_channels, hidden_channels, kernel_size, bias
        As for :class:`ConvLSTMCell`.
    batch_first : bool
        ``True``: input (B, T, C, H, W); ``False``: (T, B, C, H, W).

    Attributes
    ----------
    cell : ConvLSTMCell
        The step, with the parameters.

    Inputs: ``input, (h_0, c_0)``
        ``input`` of shape (B, T, C, H, W) (or time first); ``h_0, c_0`` (B, K, H, W),
        zeros if omitted.

    Outputs: ``output, (h_n, c_n)``
        ``output`` the hidden states of every step, (B, T, K, H, W) (or time
        first); ``h_n, c_n`` (B, K, H, W) after the last step.
    """

    def __init__(
        self,
        input_channels: int,
        hidden_channels: int,
        kernel_size: int = 3,
        bias: bool = True,
        batch_first: bool = True,
    ) -> None:
        super().__init__()
        self.cell = ConvLSTMCell(input_channels, hidden_channels, kernel_size, bias)
        self.batch_first = batch_first

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """Run the sequence; see the class docstring for shapes."""
        if input.dim() != 5:
            layout = "(B, T, C, H, W)" if self.batch_first else "(T, B, C, H, W)"
            raise ValueError(
                f"ConvLSTM: expected input of shape {layout}, got {tuple(input.shape)}"
            )
        steps = input.unbind(1 if self.batch_first else 0)
        if len(steps) == 0:
            raise ValueError("ConvLSTM: expected at least one time step, got T = 0")
        outputs = []
        state = hx
        for x in steps:
            state = self.cell(x, state)
            outputs.append(state[0])
        assert state is not None
        output = torch.stack(outputs, 1 if self.batch_first else 0)
        return output, state
