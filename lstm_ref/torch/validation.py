"""Checks of a recurrent module's arguments and inputs, with torch.nn's words and exception types.

A drop-in must fail where torch.nn fails, in a way the same ``except`` clause
catches, with the message a reader would search for. Where PyTorch raises
``RuntimeError`` for a wrong input (its C++ checks), we raise
:class:`RecurrentInputError`, which is both a ``RuntimeError`` (code written
for torch.nn catches it) and a ``ValueError`` (a wrong value was passed).
Where PyTorch raises ``ValueError`` or ``TypeError`` (its Python checks), so
do we.

Under a tracer (``torch.jit.trace``, the TorchScript-based ONNX exporter) the
size checks are skipped (:func:`tracing`): there sizes are tensors, and a
Python ``if`` on one would only be frozen into the trace, with a warning.

The constructor arguments that all recurrent layers share travel together as
:class:`RecurrentSettings` (those of the cells as :class:`CellSettings`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import torch
from torch import Tensor


def tracing() -> bool:
    """Whether a tracer is recording this call (``torch.jit.trace``, ``torch.onnx.export``
    with ``dynamo=False``).

    A trace records tensor operations for one example input; the sizes it
    sees are tensors, and a Python comparison of them could not be recorded,
    only frozen (with a ``TracerWarning``). So the size checks stand aside
    while tracing: the trace is of an input that ran, and a wrong size still
    fails at the first matrix product of the traced model.
    """
    return torch.jit.is_tracing()


class RecurrentInputError(ValueError, RuntimeError):
    """A wrong input or state for a recurrent module (torch.nn raises ``RuntimeError``)."""


def _check_int(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero")


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")


def check_cell_sizes(input_size: object, hidden_size: object) -> None:
    """Check a cell's sizes: integers > 0 (torch.nn's cells take any ``bias``, so do we).

    Raises
    ------
    TypeError
        For a size that is not an ``int``, as torch.nn's recurrent layers word it
        (``"input_size should be of type int, got: float"``).
    ValueError
        For a size <= 0 (``"input_size must be greater than zero"``).
    """
    _check_int("input_size", input_size)
    _check_int("hidden_size", hidden_size)


@dataclass(frozen=True)
class CellSettings:
    """The constructor arguments torch.nn's recurrent cells share, in their order.

    ``LSTMCell``, ``GRUCell``, ``RNNCell`` and ``LayerNormLSTMCell`` take these
    explicitly, as torch.nn does, and hand them on together to
    :class:`~lstm_ref.torch.base.CellBase`.

    Parameters
    ----------
    input_size, hidden_size, bias
        As in :class:`torch.nn.LSTMCell`.
    """

    input_size: int
    hidden_size: int
    bias: bool


@dataclass(frozen=True)
class RecurrentSettings:
    """The constructor arguments all of torch.nn's recurrent layers share, in their order.

    ``LSTM``, ``GRU``, ``RNN`` and ``LayerNormLSTM`` take these explicitly, as
    torch.nn does, and hand them on together to
    :class:`~lstm_ref.torch.base.RecurrentBase`, which checks them
    (:func:`check_arguments`) and keeps each as an attribute of the module.

    Parameters
    ----------
    input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        As in :class:`torch.nn.LSTM`.
    """

    input_size: int
    hidden_size: int
    num_layers: int
    bias: bool
    batch_first: bool
    dropout: float
    bidirectional: bool


def check_arguments(settings: RecurrentSettings, proj_size: int) -> None:
    """Check the constructor arguments of a recurrent layer, in torch.nn's order and words.

    Parameters
    ----------
    settings : RecurrentSettings
        The arguments every recurrent layer takes.
    proj_size : int
        The LSTM's projection size (0 for the other layers).

    Raises
    ------
    TypeError
        For an argument of the wrong type (``batch_first="False"``, ``bias=1``,
        ``input_size=3.0``).
    ValueError
        For a value out of range (``hidden_size=0``, ``dropout=2``,
        ``proj_size >= hidden_size``).

    Warns
    -----
    UserWarning
        For dropout with a single layer (it would never be applied).
    """
    dropout, num_layers = settings.dropout, settings.num_layers
    if isinstance(dropout, bool) or not isinstance(dropout, Real) or not 0 <= float(dropout) <= 1:
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of "
            f"an element being zeroed, got {dropout!r}"
        )
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero "
            f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
            f"num_layers={num_layers}",
            UserWarning,
            stacklevel=4,
        )
    _check_bool("bias", settings.bias)
    _check_bool("batch_first", settings.batch_first)
    _check_int("input_size", settings.input_size)
    _check_int("hidden_size", settings.hidden_size)
    _check_int("num_layers", num_layers)
    if not isinstance(proj_size, int) or isinstance(proj_size, bool):
        raise TypeError(f"proj_size should be of type int, got: {type(proj_size).__name__}")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= settings.hidden_size:
        raise ValueError(
            f"proj_size has to be smaller than hidden_size, got proj_size={proj_size} "
            f"and hidden_size={settings.hidden_size}"
        )


def check_no_projection(proj_size: int | None) -> None:
    """Refuse ``proj_size`` given to a GRU or RNN at all, as torch.nn does."""
    if proj_size is not None:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")


def check_input(
    module: str,
    x: Tensor,
    input_size: int,
    weight: Tensor,
    ranks: tuple[int, int],
    match_dtype: bool = True,
) -> bool:
    """Check a sequence module's input tensor against its parameters.

    Parameters
    ----------
    module : str
        Class name used in messages (``"LSTM"``).
    x : Tensor
        The input: batched of rank ``ranks[1]`` or unbatched of rank ``ranks[0]``.
    input_size : int
        Expected size of the last dimension.
    weight : Tensor
        A parameter of the module: the input must share its dtype and device.
    ranks : tuple of int
        (unbatched rank, batched rank): (2, 3) for sequences, (2, 2) for the
        data of a ``PackedSequence``.
    match_dtype : bool
        Require the weight's dtype (not under autocast, which casts both).

    Returns
    -------
    bool
        Whether the input is batched.
    """
    check_rank(module, "input", x, ranks)
    check_like(x, weight, "input", match_dtype)
    if not tracing() and x.size(-1) != input_size:
        raise RecurrentInputError(
            f"input.size(-1) must be equal to input_size. Expected {input_size}, got {x.size(-1)}"
        )
    return x.dim() == ranks[1]


def check_rank(module: str, name: str, t: Tensor, ranks: tuple[int, int]) -> None:
    """Refuse tensor ``t`` (called ``name``) unless its rank is one of ``ranks``."""
    if t.dim() not in ranks:
        # torch.nn.RNN (alone) says "tensor instead".
        tensor = " tensor" if module == "RNN" else ""
        raise ValueError(
            f"{module}: Expected {name} to be {ranks[0]}D or {ranks[1]}D, "
            f"got {t.dim()}D{tensor} instead"
        )


def check_length(steps: int) -> None:
    """Refuse a sequence of ``steps == 0`` time steps (nothing to recur over)."""
    if not tracing() and steps == 0:
        raise RecurrentInputError("Expected sequence length to be larger than 0 in RNN")


def check_like(t: Tensor, weight: Tensor, name: str, match_dtype: bool = True) -> None:
    """Check that tensor ``t`` (called ``name``) has the device (and dtype) of ``weight``."""
    if t.device != weight.device:
        raise RecurrentInputError(
            f"Input and parameter tensors are not at the same device, found {name} tensor at "
            f"{t.device} and parameter tensor at {weight.device}"
        )
    if match_dtype and t.dtype != weight.dtype:
        raise ValueError(
            f"RNN {name} dtype ({t.dtype}) does not match weight dtype ({weight.dtype}). "
            f"Convert {name}: {name}.to({weight.dtype}), or convert model: "
            f"model.to({t.dtype})"
        )


def check_states(
    states: Sequence[Tensor],
    expected: Sequence[tuple[int, ...]],
    weight: Tensor,
    match_dtype: bool = True,
) -> None:
    """Check a sequence module's initial states against the shapes it expects.

    Parameters
    ----------
    states : sequence of Tensor
        ``(h_0,)`` or ``(h_0, c_0)``, already made batched (3-D).
    expected : sequence of tuple of int
        Expected shape of each state, e.g. ``(num_layers * num_directions, B, H)``.
    weight : Tensor
        A parameter: the states must share its device (and dtype).
    match_dtype : bool
        Require the weight's dtype (not under autocast).
    """
    names = ["hidden"] if len(states) == 1 else [f"hidden[{k}]" for k in range(len(states))]
    for name, state, shape in zip(names, states, expected, strict=True):
        if not tracing() and tuple(state.shape) != tuple(shape):
            raise RecurrentInputError(
                f"Expected {name} size {tuple(shape)}, got {list(state.shape)}"
            )
        check_like(state, weight, name, match_dtype)


def check_state_ranks(states: Sequence[Tensor], batched: bool, rank: int) -> None:
    """Check that states have rank ``rank`` (batched) or ``rank - 1`` (unbatched).

    Worded like torch.nn: "For batched 3-D input, hx and cx should also be 3-D
    but got (2-D, 2-D) tensors", "For batched 3-D input, hx should also be 3-D
    but got 2-D tensor".
    """
    want = rank if batched else rank - 1
    if all(s.dim() == want for s in states):
        return
    kind = f"batched {rank}-D" if batched else f"unbatched {rank - 1}-D"
    if len(states) == 1:
        got = f"{states[0].dim()}-D tensor"
        names = "hx"
    else:
        got = "(" + ", ".join(f"{s.dim()}-D" for s in states) + ") tensors"
        names = "hx and cx"
    raise RecurrentInputError(f"For {kind} input, {names} should also be {want}-D but got {got}")


def check_cell(
    x: Tensor,
    states: Sequence[Tensor],
    input_size: int,
    hidden_size: int,
    weight: Tensor,
    match_dtype: bool = True,
) -> None:
    """Check a cell's batched input and states, in torch's order and words.

    Sizes first (``"input has inconsistent input_size: got 11 expected 10"``,
    ``"Input batch size 3 doesn't match hidden0 batch size 5"``,
    ``"hidden1 has inconsistent hidden_size: got 21, expected 20"``), then
    devices and dtypes.

    Parameters
    ----------
    x : Tensor, shape (B, D)
        The input.
    states : sequence of Tensor
        ``(h,)`` or ``(h, c)``, each expected (B, H).
    input_size, hidden_size : int
        ``D`` and ``H``.
    weight : Tensor
        A parameter: input and states must share its device (and dtype).
    match_dtype : bool
        Require the weight's dtype (not under autocast).
    """
    if x.size(1) != input_size:
        raise RecurrentInputError(
            f"input has inconsistent input_size: got {x.size(1)} expected {input_size}"
        )
    for k, state in enumerate(states):
        if state.size(0) != x.size(0):
            raise RecurrentInputError(
                f"Input batch size {x.size(0)} doesn't match hidden{k} batch size {state.size(0)}"
            )
        if state.size(1) != hidden_size:
            raise RecurrentInputError(
                f"hidden{k} has inconsistent hidden_size: got {state.size(1)}, "
                f"expected {hidden_size}"
            )
    check_like(x, weight, "input", match_dtype)
    for k, state in enumerate(states):
        check_like(state, weight, f"hidden{k}", match_dtype)
