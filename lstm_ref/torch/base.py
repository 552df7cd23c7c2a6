"""What LSTM, GRU and RNN share: parameters in torch.nn's layout, input handling.

:class:`RecurrentBase` owns the parameters (same names, shapes, order and
initialisation as ``torch.nn.RNNBase``, so ``state_dict`` moves both ways)
and turns every accepted input form (batched, batch-first, unbatched,
``PackedSequence``) into one canonical form: time-major padded ``x`` of shape
(T, B, D) plus ``batch_sizes``. Subclasses say how many gates they have, what
their states are and which layer function runs them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from .sequence import LayerFn, States, Update, Weights, projected_layer, run_stack
from .validation import (
    CellSettings,
    RecurrentSettings,
    check_arguments,
    check_cell,
    check_cell_sizes,
    check_input,
    check_length,
    check_rank,
    check_state_ranks,
    check_states,
)

StackFn = Callable[[Tensor, States, Sequence[Weights], Sequence[int] | None], tuple[Tensor, States]]


def refuse_scripting(module: nn.Module) -> nn.Module:
    """Refuse ``torch.jit.script(module)`` at once, saying what to use instead.

    ``torch.jit.script`` compiles a module's Python source into TorchScript,
    a subset of Python that these modules, written for readability, are not
    kept within; without this it would fail deep inside, on whichever line it
    meets first. ``torch.compile`` and ``torch.export`` trace them as they are.
    ``torch.jit.script`` calls this, as ``__prepare_scriptable__``, on every
    module it is given and every submodule of it.

    Raises
    ------
    RuntimeError
        Always.
    """
    name = f"lstm_ref.torch.{type(module).__name__}"
    raise RuntimeError(
        f"{name} does not support torch.jit.script (TorchScript is deprecated); "
        "use torch.compile(model) or torch.export instead"
    )


class RecurrentBase(nn.Module):
    """Parameters and input plumbing of a stacked (bi)directional recurrent network.

    The settings and ``proj_size`` are checked as torch.nn checks them
    (:func:`~lstm_ref.torch.validation.check_arguments`) and kept as attributes
    of the same names (``self.hidden_size``, ...), as in torch.nn.

    Parameters (keyword only)
    -------------------------
    n_gates : int
        Gate blocks stacked in each weight: 4 (LSTM), 3 (GRU), 1 (RNN).
    settings : RecurrentSettings
        ``input_size``, ``hidden_size``, ``num_layers``, ``bias``, ``batch_first``,
        ``dropout`` and ``bidirectional``, as in :class:`torch.nn.LSTM`.
    proj_size : int
        As in :class:`torch.nn.LSTM`; 0 for every layer but the LSTM.
    device, dtype
        Where and in which precision to create the parameters.
    """

    def __init__(
        self,
        *,
        n_gates: int,
        settings: RecurrentSettings,
        proj_size: int,
        device: torch.device | str | None,
        dtype: torch.dtype | None,
    ) -> None:
        super().__init__()
        check_arguments(settings, proj_size)
        self.input_size = settings.input_size
        self.hidden_size = settings.hidden_size
        self.num_layers = settings.num_layers
        self.bias = settings.bias
        self.batch_first = settings.batch_first
        self.dropout = float(settings.dropout)
        self.bidirectional = settings.bidirectional
        self.proj_size = proj_size

        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        rows, state = n_gates * self.hidden_size, self.proj_size or self.hidden_size
        self._weight_names: list[tuple[str, ...]] = []
        for layer in range(self.num_layers):
            for suffix in ("", "_reverse")[: self.num_directions]:
                width = self.input_size if layer == 0 else state * self.num_directions
                shapes: dict[str, tuple[int, ...]] = {
                    "weight_ih": (rows, width),
                    "weight_hh": (rows, state),
                }
                if self.bias:
                    shapes["bias_ih"] = shapes["bias_hh"] = (rows,)
                if self.proj_size:
                    shapes["weight_hr"] = (self.proj_size, self.hidden_size)
                for kind, shape in shapes.items():
                    self.register_parameter(
                        f"{kind}_l{layer}{suffix}", nn.Parameter(torch.empty(shape, **factory))
                    )
                self._weight_names.append(
                    tuple(
                        f"{kind}_l{layer}{suffix}"
                        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
                    )
                )
        self.reset_parameters()

    __prepare_scriptable__ = refuse_scripting

    @property
    def num_directions(self) -> int:
        """2 for a bidirectional network, else 1."""
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        r"""Draw every parameter from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`, as torch.nn does."""
        uniform_init(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """Do nothing: kept so code written for torch.nn (cuDNN) runs unchanged."""

    @property
    def all_weights(self) -> list[list[nn.Parameter]]:
        """The parameters of each (layer, direction), as ``torch.nn.RNNBase.all_weights``."""
        return [
            [getattr(self, n) for n in names if hasattr(self, n)] for names in self._weight_names
        ]

    def layer_weights(self) -> list[Weights]:
        """``(w_ih, w_hh, b_ih, b_hh, w_hr)`` per (layer, direction), ``None`` where absent."""
        return [tuple(getattr(self, n, None) for n in names) for names in self._weight_names]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for arg, default in (
            ("proj_size", 0),
            ("num_layers", 1),
            ("bias", True),
            ("batch_first", False),
            ("dropout", 0.0),
            ("bidirectional", False),
        ):
            if getattr(self, arg) != default:
                s += f", {arg}={getattr(self, arg)}"
        return s

    def state_sizes(self) -> tuple[int, ...]:
        """Feature size of each state: ``(R, H)`` for LSTM, ``(H,)`` for GRU and RNN."""
        raise NotImplementedError

    def run(
        self,
        input: Tensor | PackedSequence,
        hx: Sequence[Tensor] | None,
        stack: StackFn,
    ) -> tuple[Tensor | PackedSequence, States]:
        """Check and canonicalise the input, run ``stack`` on it, restore the input's form.

        Parameters
        ----------
        input : Tensor or PackedSequence
            (T, B, D), (B, T, D) when ``batch_first``, unbatched (T, D), or packed.
        hx : sequence of Tensor, optional
            Initial states, each (num_layers * num_directions, B, ·) or unbatched
            (num_layers * num_directions, ·); zeros when ``None``.
        stack : callable
            ``stack(x, states, weights, batch_sizes) -> (y, states)`` runs all
            layers on the canonical form, e.g. :meth:`run_stack` with a layer function.

        Returns
        -------
        output : Tensor or PackedSequence
            In the form of ``input``, features ``num_directions * R``.
        states : tuple of Tensor
            Final states, shaped like ``hx``.
        """
        weight = self.weight_ih_l0
        assert isinstance(weight, Tensor)
        autocast = torch.is_autocast_enabled(weight.device.type)
        sorted_indices = unsorted_indices = None
        batch_sizes: list[int] | None = None
        packed_sizes = None
        if isinstance(input, PackedSequence):
            data = input.data
            check_input(type(self).__name__, data, self.input_size, weight, (2, 2), not autocast)
            # Without sorted_indices, padding keeps the packed (sorted) batch order.
            x, _ = pad_packed_sequence(PackedSequence(data, input.batch_sizes))
            packed_sizes = input.batch_sizes
            batch_sizes = packed_sizes.tolist()
            sorted_indices, unsorted_indices = input.sorted_indices, input.unsorted_indices
            batched = True
        else:
            x, batched = time_major(
                type(self).__name__, input, self.input_size, weight, self.batch_first, not autocast
            )
        stacks = self.num_layers * self.num_directions
        shapes = [(stacks, x.size(1), size) for size in self.state_sizes()]
        states = initial_states(x, hx, shapes, batched, weight, not autocast)
        if hx is not None and sorted_indices is not None:
            states = tuple(s.index_select(1, sorted_indices) for s in states)

        weights = self.layer_weights()
        if autocast:
            # Run the whole recurrence in the autocast dtype, as cuDNN does in fp16.
            low = torch.get_autocast_dtype(weight.device.type)
            x, states = x.to(low), tuple(s.to(low) for s in states)
            weights = [tuple(w.to(low) if w is not None else None for w in ws) for ws in weights]
        with torch.autocast(weight.device.type, enabled=False):
            y, finals = stack(x, states, weights, batch_sizes)

        output: Tensor | PackedSequence
        if batch_sizes is not None:
            data = torch.cat([y[t, :n] for t, n in enumerate(batch_sizes)])
            output = PackedSequence(data, packed_sizes, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                finals = tuple(s.index_select(1, unsorted_indices) for s in finals)
        else:
            output, finals = input_layout(y, finals, batched, self.batch_first)
        return output, finals

    def run_projected(
        self, input: Tensor | PackedSequence, hx: Tensor | None, update: Update
    ) -> tuple[Tensor | PackedSequence, Tensor]:
        """:meth:`run` for a network whose only state is ``h`` (GRU, RNN).

        Every layer direction is a :func:`~lstm_ref.torch.sequence.projected_layer`:
        the input projection in one GEMM, then ``h' = update(gx, h, w_hh, b_hh)``
        at each step. ``hx`` and the final ``h`` are single tensors, (num_layers *
        num_directions, B, H) or unbatched (num_layers * num_directions, H), as in
        torch.nn's GRU and RNN.
        """
        layer_fn = partial(projected_layer, update)
        output, (h,) = self.run(
            input, None if hx is None else (hx,), partial(self.run_stack, layer_fn)
        )
        return output, h

    def run_stack(
        self,
        layer_fn: LayerFn,
        x: Tensor,
        states: States,
        weights: Sequence[Weights],
        batch_sizes: Sequence[int] | None,
    ) -> tuple[Tensor, States]:
        """:func:`~lstm_ref.torch.sequence.run_stack` with this module's settings."""
        return run_stack(
            layer_fn,
            x,
            states,
            weights,
            batch_sizes,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            training=self.training,
        )


def time_major(
    module: str,
    input: Tensor,
    input_size: int,
    weight: Tensor,
    batch_first: bool,
    match_dtype: bool = True,
) -> tuple[Tensor, bool]:
    """Check a padded input sequence and make it time-major and batched.

    Parameters
    ----------
    module : str
        Class name used in messages.
    input : Tensor, shape (T, B, D), (B, T, D) with ``batch_first``, or unbatched (T, D)
    input_size : int
        ``D``.
    weight : Tensor
        A parameter: the input must share its device (and dtype).
    batch_first : bool
        Whether a batched ``input`` is (B, T, D).
    match_dtype : bool
        Require the weight's dtype (not under autocast).

    Returns
    -------
    x : Tensor, shape (T, B, D)
    batched : bool
        Whether ``input`` had a batch axis.
    """
    batched = check_input(module, input, input_size, weight, (2, 3), match_dtype)
    x = input if batched else input.unsqueeze(1)
    if batched and batch_first:
        x = x.transpose(0, 1)
    check_length(x.size(0))
    return x, batched


def initial_states(
    x: Tensor,
    hx: Sequence[Tensor] | None,
    shapes: Sequence[tuple[int, ...]],
    batched: bool,
    weight: Tensor,
    match_dtype: bool = True,
) -> States:
    """The initial states, checked against ``shapes`` and made batched; zeros when ``hx`` is None.

    Parameters
    ----------
    x : Tensor, shape (T, B, D)
        The time-major input (for the zeros' dtype and device).
    hx : sequence of Tensor, optional
        Each (L, B, ·), or (L, ·) for unbatched input.
    shapes : sequence of tuple of int
        The batched shape (L, B, ·) of each state.
    batched : bool
        Whether the input had a batch axis.
    weight : Tensor
        A parameter: the states must share its device (and dtype).
    match_dtype : bool
        Require the weight's dtype (not under autocast).

    Returns
    -------
    tuple of Tensor
        One per shape, batched.
    """
    if hx is None:
        return tuple(x.new_zeros(shape) for shape in shapes)
    states = batched_states(hx, batched, 3)
    check_states(states, shapes, weight, match_dtype)
    return states


def batched_states(hx: Sequence[Tensor], batched: bool, rank: int) -> States:
    """Check that the states have rank ``rank`` (``rank - 1`` unbatched); give them a batch axis.

    Parameters
    ----------
    hx : sequence of Tensor
        Each (L, B, ·) or unbatched (L, ·) for a sequence module (``rank`` 3),
        (B, H) or unbatched (H,) for a cell (``rank`` 2).
    batched : bool
        Whether the input had a batch axis.
    rank : int
        The rank of a batched state.

    Returns
    -------
    tuple of Tensor
        ``hx``, each with the batch axis (the one before the features).
    """
    check_state_ranks(hx, batched, rank)
    return tuple(hx) if batched else tuple(h.unsqueeze(rank - 2) for h in hx)


def input_layout(
    y: Tensor, finals: States, batched: bool, batch_first: bool
) -> tuple[Tensor, States]:
    """Give the output ``y`` (T, B, ·) and final states (L, B, ·) the layout of the input."""
    if not batched:
        return y.squeeze(1), tuple(s.squeeze(1) for s in finals)
    return (y.transpose(0, 1) if batch_first else y), finals


class CellBase(nn.Module):
    """Parameters and input checks of a single-step cell (LSTMCell, GRUCell, RNNCell).

    Parameters (keyword only)
    -------------------------
    n_gates : int
        As in :class:`RecurrentBase`.
    settings : CellSettings
        ``input_size``, ``hidden_size`` and ``bias`` as in :class:`torch.nn.LSTMCell`,
        kept as attributes of the same names.
    device, dtype
        As in :class:`RecurrentBase`.
    """

    def __init__(
        self,
        *,
        n_gates: int,
        settings: CellSettings,
        device: torch.device | str | None,
        dtype: torch.dtype | None,
    ) -> None:
        super().__init__()
        check_cell_sizes(settings.input_size, settings.hidden_size)
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self.input_size = settings.input_size
        self.hidden_size = settings.hidden_size
        self.bias = settings.bias
        rows = n_gates * self.hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, self.input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(rows, self.hidden_size, **factory))
        self.bias_ih: nn.Parameter | None = None
        self.bias_hh: nn.Parameter | None = None
        if self.bias:
            self.bias_ih = nn.Parameter(torch.empty(rows, **factory))
            self.bias_hh = nn.Parameter(torch.empty(rows, **factory))
        self.reset_parameters()

    __prepare_scriptable__ = refuse_scripting

    def reset_parameters(self) -> None:
        r"""Draw every parameter from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`, as torch.nn does."""
        uniform_init(self, self.hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")

    def prepare(
        self, input: Tensor, hx: Sequence[Tensor] | None, *, n_states: int
    ) -> tuple[Tensor, States, bool]:
        """Check the input and states, in torch.nn's order and words; make both batched.

        Parameters
        ----------
        input : Tensor, shape (B, D) or unbatched (D,)
        hx : sequence of Tensor, each (B, H) or (H,), optional
            ``n_states`` states; zeros when ``None``.
        n_states : int
            Number of states (2 for LSTM, 1 for GRU and RNN).

        Returns
        -------
        x : Tensor, shape (B, D)
        states : tuple of Tensor, each (B, H)
        batched : bool
        """
        name = type(self).__name__
        autocast = torch.is_autocast_enabled(input.device.type)
        check_rank(name, "input", input, (1, 2))
        for k, state in enumerate(hx or ()):
            check_rank(name, "hidden" if n_states == 1 else f"hx[{k}]", state, (1, 2))
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            states = tuple(x.new_zeros(x.size(0), self.hidden_size) for _ in range(n_states))
        else:
            states = batched_states(hx, batched, 2)
        check_cell(x, states, self.input_size, self.hidden_size, self.weight_ih, not autocast)
        return x, states, batched


def uniform_init(module: nn.Module, hidden_size: int) -> None:
    r"""Draw every parameter of ``module`` from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})` (torch.nn's)."""
    bound = 1.0 / math.sqrt(hidden_size)
    for p in module.parameters():
        nn.init.uniform_(p, -bound, bound)
