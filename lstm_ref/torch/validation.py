"""Checks of a recurrent module's input, with errors worded like torch.nn's own.

PyTorch raises ``RuntimeError`` for most of these; we raise ``ValueError``
(a wrong value was passed) with PyTorch's wording where it has one, so the
message a reader searches for is the familiar one.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor


def check_input(
    module: str,
    x: Tensor,
    input_size: int,
    weight: Tensor,
    ranks: tuple[int, int],
    match_dtype: bool = True,
) -> bool:
    """Check a module's input tensor against its parameters.

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
        (unbatched rank, batched rank): (2, 3) for sequences, (1, 2) for cells.
    match_dtype : bool
        Require the weight's dtype (not under autocast, which casts both).

    Returns
    -------
    bool
        Whether the input is batched.
    """
    if x.dim() not in ranks:
        raise ValueError(
            f"{module}: Expected input to be {ranks[0]}D or {ranks[1]}D, got {x.dim()}D instead"
        )
    if x.size(-1) != input_size:
        raise ValueError(
            f"input.size(-1) must be equal to input_size. Expected {input_size}, got {x.size(-1)}"
        )
    check_like(x, weight, "input", match_dtype)
    return x.dim() == ranks[1]


def check_length(steps: int) -> None:
    """Refuse a sequence of ``steps == 0`` time steps (nothing to recur over)."""
    if steps == 0:
        raise ValueError("Expected sequence length to be larger than 0 in RNN")


def check_like(t: Tensor, weight: Tensor, name: str, match_dtype: bool = True) -> None:
    """Check that tensor ``t`` (called ``name``) has the device (and dtype) of ``weight``."""
    if t.device != weight.device:
        raise ValueError(
            f"Input and parameter tensors are not at the same device, found {name} tensor at "
            f"{t.device} and parameter tensor at {weight.device}"
        )
    if match_dtype and t.dtype != weight.dtype:
        raise ValueError(
            f"{name} dtype ({t.dtype}) does not match weight dtype ({weight.dtype}). "
            f"Convert {name}: {name}.to({weight.dtype}), or convert the model: "
            f"model.to({t.dtype})"
        )


def check_states(
    states: Sequence[Tensor],
    expected: Sequence[tuple[int, ...]],
    weight: Tensor,
    match_dtype: bool = True,
) -> None:
    """Check initial states against the shapes the module expects.

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
        if tuple(state.shape) != tuple(shape):
            raise ValueError(f"Expected {name} size {tuple(shape)}, got {list(state.shape)}")
        check_like(state, weight, name, match_dtype)


def check_state_ranks(states: Sequence[Tensor], batched: bool, rank: int) -> None:
    """Check that states have rank ``rank`` (batched) or ``rank - 1`` (unbatched).

    Worded like torch.nn: "For batched 3-D input, hx and cx should also be 3-D
    but got (2-D, 2-D) tensors".
    """
    want = rank if batched else rank - 1
    if all(s.dim() == want for s in states):
        return
    kind = f"batched {rank}-D" if batched else f"unbatched {rank - 1}-D"
    names = "hx and cx" if len(states) == 2 else "hx"
    got = ", ".join(f"{s.dim()}-D" for s in states)
    raise ValueError(f"For {kind} input, {names} should also be {want}-D but got ({got}) tensors")
