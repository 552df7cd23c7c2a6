r"""The LSTM variants of Greff et al. (2017), "LSTM: A Search Space Odyssey":
:class:`VariantLSTM`, with the equations of each variant in its docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .base import initial_states, input_layout, time_major, uniform_init
from .sequence import States, run_steps
from .validation import check_cell_sizes

VARIANTS = ("vanilla", "NIG", "NFG", "NOG", "NIAF", "NOAF", "NP", "CIFG", "FGR")

#: Gates with their own weights, per variant (torch.nn order, missing ones left out).
_GATES = {"NIG": "fgo", "NFG": "igo", "NOG": "ifg", "CIFG": "igo"}


def _identity(a: Tensor) -> Tensor:
    return a


class VariantLSTM(nn.Module):
    r"""A one-layer LSTM in one of the Greff et al. (2017) variants.

    The *vanilla* LSTM of that paper has peepholes (the cell state feeds the
    gates through diagonal weights :math:`p`). Each other variant changes one
    thing. With :math:`a_z = W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}`:

    .. math::
        \begin{array}{ll}
        i_t = \sigma(a_i + p_i \odot c_{t-1}) \\
        f_t = \sigma(a_f + p_f \odot c_{t-1}) \\
        g_t = \tanh(a_g) \\
        c_t = f_t \odot c_{t-1} + i_t \odot g_t \\
        o_t = \sigma(a_o + p_o \odot c_t) \\
        h_t = o_t \odot \tanh(c_t)
        \end{array}

    =========  ==============================================================================
    variant    change to vanilla
    =========  ==============================================================================
    ``NIG``    no input gate: :math:`i_t = 1`
    ``NFG``    no forget gate: :math:`f_t = 1`, so :math:`c_t = c_{t-1} + i_t \odot g_t`
               (the original LSTM of Hochreiter & Schmidhuber 1997)
    ``NOG``    no output gate: :math:`o_t = 1`
    ``NIAF``   no input activation function: :math:`g_t = a_g`
    ``NOAF``   no output activation function: :math:`h_t = o_t \odot c_t`
    ``NP``     no peepholes: :math:`p_i = p_f = p_o = 0` (the torch.nn LSTM)
    ``CIFG``   coupled input and forget gate: :math:`f_t = 1 - i_t` (as in the GRU)
    ``FGR``    full gate recurrence: every gate also sees all gates of the previous step,
               :math:`a_z \mathrel{+}= R_{zi} i_{t-1} + R_{zf} f_{t-1} + R_{zo} o_{t-1}`
               for :math:`z \in \{i, f, o\}` (9 more :math:`H \times H` matrices)
    =========  ==============================================================================

    A variant without a gate has no parameters for it: its weights hold only the
    gates it computes, in torch.nn's order (i, f, g, o) with the missing block left out.

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    variant : {"vanilla", "NIG", "NFG", "NOG", "NIAF", "NOAF", "NP", "CIFG", "FGR"}
        Which LSTM (equations above).
    batch_first : bool
        Input, output and recorded gates are (B, T, ·) instead of (T, B, ·).
    device, dtype
        Where and in which precision to create the parameters.

    Attributes
    ----------
    gates : str
        The gates with weights, e.g. ``"igo"`` for NFG; ``G = len(gates)``.
    weight_ih, weight_hh
        Parameters, shapes (G·H, D) and (G·H, H)
    bias_ih, bias_hh
        Parameters, shape (G·H,)
    peephole_i, peephole_f, peephole_o
        Parameters, shape (H,)
        :math:`p_i, p_f, p_o`, for the gates that exist; none for ``NP``.
    weight_gates
        Parameters, shape (3H, 3H), ``FGR`` only
        :math:`R` mapping :math:`(i_{t-1}, f_{t-1}, o_{t-1})` to the i, f, o pre-activations.

    All parameters start from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`, as in torch.nn.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        variant: str = "vanilla",
        batch_first: bool = False,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        check_cell_sizes(input_size, hidden_size)
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.variant = variant
        self.batch_first = batch_first
        self.gates = _GATES.get(variant, "ifgo")
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        rows = len(self.gates) * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size, **factory))
        self.bias_ih = nn.Parameter(torch.empty(rows, **factory))
        self.bias_hh = nn.Parameter(torch.empty(rows, **factory))
        self.peepholes = "" if variant == "NP" else self.gates.replace("g", "")
        for gate in self.peepholes:
            self.register_parameter(
                f"peephole_{gate}", nn.Parameter(torch.empty(hidden_size, **factory))
            )
        if variant == "FGR":
            square = (3 * hidden_size, 3 * hidden_size)
            self.weight_gates = nn.Parameter(torch.empty(square, **factory))
        self.reset_parameters()

    @property
    def input_activation(self) -> Callable[[Tensor], Tensor]:
        """The function giving :math:`g_t` from :math:`a_g`: tanh, the identity for ``NIAF``."""
        return _identity if self.variant == "NIAF" else torch.tanh

    @property
    def output_activation(self) -> Callable[[Tensor], Tensor]:
        """The function of :math:`c_t` in :math:`h_t`: tanh, the identity for ``NOAF``."""
        return _identity if self.variant == "NOAF" else torch.tanh

    def reset_parameters(self) -> None:
        r"""Draw every parameter from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`."""
        uniform_init(self, self.hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, variant={self.variant!r}"

    def step(self, x: Tensor, state: States) -> tuple[Tensor, States]:
        """One time step.

        Parameters
        ----------
        x : Tensor, shape (B, D)
        state : tuple of Tensor
            ``(h, c)``, each (B, H); ``FGR`` adds the previous gates ``(i, f, o)`` as (B, 3H).

        Returns
        -------
        record : Tensor, shape (B, 6H)
            ``h, i, f, g, o, c`` of this step concatenated.
        state : tuple of Tensor
            The new state, as ``state``.
        """
        h, c = state[0], state[1]
        pre = F.linear(x, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh, self.bias_hh)
        a = dict(zip(self.gates, pre.chunk(len(self.gates), -1), strict=True))
        if self.variant == "FGR":
            a["i"], a["f"], a["o"] = (
                a[z] + r
                for z, r in zip(
                    "ifo", F.linear(state[2], self.weight_gates).chunk(3, -1), strict=True
                )
            )
        one = torch.ones_like(c)

        def gate(z: str, cell: Tensor) -> Tensor:
            if z not in a:
                return one
            peep = getattr(self, f"peephole_{z}") * cell if z in self.peepholes else 0
            return torch.sigmoid(a[z] + peep)

        i = gate("i", c)
        f = 1 - i if self.variant == "CIFG" else gate("f", c)
        g = self.input_activation(a["g"])
        c = f * c + i * g
        o = gate("o", c)  # the output gate peeps at the new cell state
        h = o * self.output_activation(c)
        new: States = (h, c, torch.cat((i, f, o), -1)) if self.variant == "FGR" else (h, c)
        return torch.cat((h, i, f, g, o, c), -1), new

    def forward(
        self,
        input: Tensor,
        hx: tuple[Tensor, Tensor] | None = None,
        return_gates: bool = False,
    ) -> (
        tuple[Tensor, tuple[Tensor, Tensor]]
        | tuple[Tensor, tuple[Tensor, Tensor], dict[str, Tensor]]
    ):
        """Run the variant over a sequence.

        Parameters
        ----------
        input : Tensor, shape (T, B, D), (B, T, D) with ``batch_first``, or unbatched (T, D)
        hx : tuple of Tensor, optional
            ``(h_0, c_0)``, each (1, B, H) or unbatched (1, H), as for torch.nn.LSTM;
            zeros if omitted.
        return_gates : bool
            Also return the gate activations and cell states of every step.

        Returns
        -------
        output : Tensor, shape (T, B, H) (in the layout of ``input``)
            :math:`h_t` for every step.
        (h_n, c_n) : tuple of Tensor, each (1, B, H) (or (1, H))
            The final states.
        gates : dict of str to Tensor, only with ``return_gates``
            ``"i", "f", "g", "o", "c"``, each shaped like ``output``: gates
            :math:`i_t, f_t, g_t, o_t` (constant 1 for a removed gate) and cell state :math:`c_t`.
        """
        name = type(self).__name__
        x, batched = time_major(name, input, self.input_size, self.weight_ih, self.batch_first)
        shape = (1, x.size(1), self.hidden_size)
        h_0, c_0 = initial_states(x, hx, [shape, shape], batched, self.weight_ih)
        start: States = (h_0[0], c_0[0])
        if self.variant == "FGR":
            start += (x.new_zeros(x.size(1), 3 * self.hidden_size),)
        records, final = run_steps(self.step, x, start, batch_sizes=None, reverse=False)
        finals = (final[0].unsqueeze(0), final[1].unsqueeze(0))
        records, (h_n, c_n) = input_layout(records, finals, batched, self.batch_first)
        output, i, f, g, o, c = records.chunk(6, -1)
        if return_gates:
            return output, (h_n, c_n), {"i": i, "f": f, "g": g, "o": o, "c": c}
        return output, (h_n, c_n)
