"""Running a cell over time, over layers and over both directions.

The recurrent modules keep their sequences time-major and padded, ``x`` of
shape (T, B, D), and describe variable lengths the way a ``PackedSequence``
does: ``batch_sizes[t]`` is the number of sequences still running at step
``t``, with the batch sorted by decreasing length. At step ``t`` only the
first ``batch_sizes[t]`` rows advance; the others keep their state. Read
forwards, a finished sequence keeps its last state (its ``h_n``); read
backwards, a sequence that has not started yet keeps its initial state, so one
loop serves both directions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

States = tuple[Tensor, ...]
Step = Callable[[Tensor, States], tuple[Tensor, States]]
Weights = tuple[Tensor | None, ...]
LayerFn = Callable[[Tensor, States, Weights, Sequence[int] | None, bool], tuple[Tensor, States]]
#: ``update(gx, h, w_hh, b_hh) -> h'``: one step of a GRU or RNN given ``gx = W_ih x + b_ih``.
Update = Callable[[Tensor, Tensor, Tensor, Tensor | None], Tensor]
#: ``cell(x_t, h, c, *weights) -> (h', c')``: one step of an LSTM.
Cell = Callable[..., tuple[Tensor, Tensor]]


def run_steps(
    step: Step, xs: Tensor, state: States, batch_sizes: Sequence[int] | None, reverse: bool
) -> tuple[Tensor, States]:
    """Apply ``step`` at every time step of one direction of one layer.

    Parameters
    ----------
    step : callable
        ``step(x_t, state) -> (out_t, state)`` with ``x_t`` of shape (b, ·),
        ``out_t`` (b, R) and each state (b, ·), for the ``b`` running rows.
    xs : Tensor, shape (T, B, ·)
        Per-step inputs (the raw input or its projection).
    state : tuple of Tensor, each (B, ·)
        Initial states.
    batch_sizes : sequence of int, length T, optional
        Running rows per step; ``None`` when all ``B`` rows run at every step.
    reverse : bool
        Walk from ``t = T - 1`` down to 0.

    Returns
    -------
    out : Tensor, shape (T, B, R)
        Outputs, zero where a row is not running.
    state : tuple of Tensor, each (B, ·)
        Final states.
    """
    steps, batch = xs.shape[:2]
    outs: list[Tensor] = [xs] * steps  # placeholders, each overwritten below
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        # (Full batches compare no sizes: under a tracer they are tensors.)
        if batch_sizes is None or batch_sizes[t] == batch:
            outs[t], state = step(xs[t], state)
        else:
            running = batch_sizes[t]
            out, new = step(xs[t, :running], tuple(s[:running] for s in state))
            state = tuple(torch.cat((n, s[running:])) for n, s in zip(new, state, strict=True))
            outs[t] = F.pad(out, (0, 0, 0, batch - running))
    return torch.stack(outs), state


def cell_step(cell: Cell, *weights: Any) -> Step:
    """The ``step`` of :func:`run_steps` that runs an LSTM ``cell`` with ``weights``.

    Parameters
    ----------
    cell : callable
        ``cell(x_t, h, c, *weights) -> (h', c')``, e.g.
        :func:`~lstm_ref.torch.functional.lstm_cell`.
    *weights
        Its arguments after ``c``, the same at every step.

    Returns
    -------
    callable
        ``step(x_t, (h, c)) -> (h', (h', c'))``: the output of a step is ``h'``.
    """

    def step(x_t: Tensor, state: States) -> tuple[Tensor, States]:
        h, c = cell(x_t, state[0], state[1], *weights)
        return h, (h, c)

    return step


def projected_layer(
    update: Update,
    x: Tensor,
    state: States,
    weights: Weights,
    batch_sizes: Sequence[int] | None,
    reverse: bool,
) -> tuple[Tensor, States]:
    r"""One direction of one GRU or RNN layer: the input projection, then the recurrence.

    .. math::
        G = X W_{ih}^\top + b_{ih} \quad \text{(one GEMM, all } T \cdot B \text{ rows)},
        \qquad h_t = \mathrm{update}(G_t, h_{t-1})

    Parameters
    ----------
    update : callable
        ``update(gx, h, w_hh, b_hh) -> h'``, e.g.
        :func:`~lstm_ref.torch.functional.gru_update`.
    x : Tensor, shape (T, B, D)
    state : tuple of one Tensor, shape (B, H)
    weights : tuple
        ``(w_ih (GH, D), w_hh (GH, H), b_ih (GH,) or None, b_hh (GH,) or None, None)``
        with ``G`` gate blocks (3 for the GRU, 1 for the RNN).
    batch_sizes, reverse
        As in :func:`run_steps`.

    Returns
    -------
    y : Tensor, shape (T, B, H)
    state : tuple of one Tensor, shape (B, H)
    """
    w_ih, w_hh, b_ih, b_hh, _ = weights
    assert w_ih is not None and w_hh is not None

    def step(gx: Tensor, s: States) -> tuple[Tensor, States]:
        h = update(gx, s[0], w_hh, b_hh)
        return h, (h,)

    return run_steps(step, F.linear(x, w_ih, b_ih), state, batch_sizes, reverse)


def run_stack(
    layer_fn: LayerFn,
    x: Tensor,
    states: States,
    weights: Sequence[Weights],
    batch_sizes: Sequence[int] | None,
    *,
    num_layers: int,
    bidirectional: bool,
    dropout: float,
    training: bool,
) -> tuple[Tensor, States]:
    """Run a stack of (bi)directional recurrent layers, as torch.nn.RNNBase does.

    Layer ``l`` reads the output of layer ``l - 1`` (both directions
    concatenated along features), with dropout between layers in training mode.

    Parameters
    ----------
    layer_fn : callable
        ``layer_fn(x, state, weights, batch_sizes, reverse) -> (out, state)`` runs
        one direction of one layer.
    x : Tensor, shape (T, B, D)
        Time-major input.
    states : tuple of Tensor, each (num_layers * num_directions, B, ·)
        Initial states, index ``l * num_directions + d`` for layer ``l`` direction ``d``.
    weights : sequence of tuple of Tensor
        Parameters of each (layer, direction), same indexing.
    batch_sizes : sequence of int, optional
        As in :func:`run_steps`.
    num_layers, bidirectional, dropout : keyword only
        As in torch.nn.LSTM.
    training : bool, keyword only
        Apply dropout (the module's training mode).

    Returns
    -------
    out : Tensor, shape (T, B, num_directions * R)
        Output of the last layer.
    states : tuple of Tensor, each (num_layers * num_directions, B, ·)
        Final states.
    """
    directions = 2 if bidirectional else 1
    finals: list[list[Tensor]] = [[] for _ in states]
    for layer in range(num_layers):
        outs = []
        for d in range(directions):
            k = layer * directions + d
            out, final = layer_fn(x, tuple(s[k] for s in states), weights[k], batch_sizes, d == 1)
            outs.append(out)
            for collected, s in zip(finals, final, strict=True):
                collected.append(s)
        x = outs[0] if directions == 1 else torch.cat(outs, -1)
        if dropout > 0 and training and layer < num_layers - 1:
            x = F.dropout(x, dropout, training=True)
    return x, tuple(torch.stack(f) for f in finals)
