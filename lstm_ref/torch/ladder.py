"""The optimisation ladder: one LSTM layer direction, seven ways, the ``impl`` of an LSTM.

Each impl is a :data:`~lstm_ref.torch.sequence.LayerFn`: it runs one direction
of one layer, ``layer(x, (h0, c0), weights, batch_sizes, reverse) -> (y, (h_n, c_n))``
with ``x`` (T, B, D), states (B, R) and (B, H), ``y`` (T, B, R) and
``weights = (w_ih, w_hh, b_ih, b_hh, w_hr)`` (biases and ``w_hr`` may be
``None``). All impls compute the same numbers; each removes one cost of the
impl before it (chapter 10 measures them):

``per_gate``
    The equations as written: eight small matmuls per step, autograd through
    the Python loop.
``fused_gates``
    The four gates stacked into one (4H, ·) weight: one GEMM per weight matrix
    and step.
``input_proj``
    :math:`W_{ih} x_t` does not depend on the recurrence, so it is one GEMM over
    all T·B rows; one autograd node per layer whose hand-written backward also
    computes the weight gradients as GEMMs over all steps
    (:mod:`~lstm_ref.torch.layer_function`); on the CPU its products go through
    oneDNN with packed weights where that pays (:mod:`~lstm_ref.torch.gemm`),
    and for full batches without projection its two time loops run in
    TorchScript, which calls the same operators from C++
    (:mod:`~lstm_ref.torch.loops`). That backward is
    not itself recorded by autograd: under ``create_graph=True`` (double
    backward) the layer's gradient is recomputed through autograd instead.
``fused_step``
    ``input_proj`` with the element-wise step (forward and backward) compiled by
    TorchScript, which fuses it into one kernel on CUDA. On CPU TorchScript does
    not fuse, and ``torch.compile`` of the step was measured no faster there
    (78 vs 82 µs per step at B=64, H=256, after a 15 s first compilation), so
    this impl equals ``input_proj`` on CPU (the same TorchScript loops).
``compiled_loop``
    ``input_proj`` with each of the two time loops compiled as a whole, by
    Numba, on the CPU: one call per layer direction instead of a dozen
    operator calls per step, each step's product by PyTorch's own BLAS from
    the compiled code (or by oneDNN, called per step, where the step's
    product is large enough for oneDNN to be faster). Float32 on the CPU with
    Numba installed; other dtypes run ``input_proj``'s loops. See
    :mod:`~lstm_ref.torch.numba_loops`.
``cuda_graphs``
    ``fused_step`` recorded once per shape as a CUDA graph and replayed: one
    launch instead of thousands. CUDA only; see :mod:`~lstm_ref.torch.cuda_graphs`.
``persistent``
    The input projection as one GEMM, then the whole time loop of a layer
    direction in one Triton kernel launch (and the backward loop in a second),
    one program per tile of batch rows re-reading :math:`W_{hh}` from L2 at
    every step (or holding it in registers, for H ≤ 32) instead of launching
    kernels per step. CUDA, or any device under Triton's interpreter
    (``TRITON_INTERPRET=1`` before Triton is imported); float32/float64, no
    projection. See :mod:`~lstm_ref.torch.persistent`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache

import torch
from torch import Tensor

from . import numba_loops
from .functional import lstm_cell, lstm_cell_per_gate, lstm_pointwise, lstm_pointwise_backward
from .layer_function import LSTMLayerFunction, Pointwise, PointwiseBackward
from .persistent import persistent
from .sequence import LayerFn, States, Weights, cell_step, run_steps

#: The impls in ladder order (``cuda_graphs`` is applied to a whole stack by
#: :class:`~lstm_ref.torch.LSTM`, so it has no layer function in :data:`IMPL_LAYERS`).
IMPLS = (
    "per_gate",
    "fused_gates",
    "input_proj",
    "fused_step",
    "compiled_loop",
    "cuda_graphs",
    "persistent",
)


def per_gate(
    x: Tensor, state: States, weights: Weights, batch_sizes: Sequence[int] | None, reverse: bool
) -> tuple[Tensor, States]:
    """Impl 1 of the ladder: :func:`~lstm_ref.torch.functional.lstm_cell_per_gate` each step."""
    return run_steps(cell_step(lstm_cell_per_gate, *weights), x, state, batch_sizes, reverse)


def fused_gates(
    x: Tensor, state: States, weights: Weights, batch_sizes: Sequence[int] | None, reverse: bool
) -> tuple[Tensor, States]:
    """Impl 2 of the ladder: :func:`~lstm_ref.torch.functional.lstm_cell` at every step."""
    return run_steps(cell_step(lstm_cell, *weights), x, state, batch_sizes, reverse)


def _as_one_autograd_node(
    x: Tensor,
    state: States,
    weights: Weights,
    batch_sizes: Sequence[int] | None,
    reverse: bool,
    pointwise: Pointwise,
    pointwise_backward: PointwiseBackward,
    *,
    compiled: bool = False,
) -> tuple[Tensor, States]:
    """The layer direction as one :class:`LSTMLayerFunction` node, its BPTT written by hand.

    ``compiled``: run the time loops compiled by Numba where they can run
    (:func:`~lstm_ref.torch.layer_function.compiled_loops`).
    """
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    assert w_ih is not None and w_hh is not None
    # One bias vector inside; autograd hands its gradient to both b_ih and b_hh.
    b = b_ih + b_hh if b_ih is not None and b_hh is not None else None
    y, h, c = LSTMLayerFunction.apply(
        x,
        state[0],
        state[1],
        w_ih,
        w_hh,
        b,
        w_hr,
        batch_sizes,
        reverse,
        pointwise,
        pointwise_backward,
        torch.is_grad_enabled(),
        compiled,
    )
    return y, (h, c)


def input_proj(
    x: Tensor, state: States, weights: Weights, batch_sizes: Sequence[int] | None, reverse: bool
) -> tuple[Tensor, States]:
    """Impl 3 of the ladder: input projection in one GEMM, BPTT by hand, weight gradients
    as GEMMs over all steps."""
    return _as_one_autograd_node(
        x, state, weights, batch_sizes, reverse, lstm_pointwise, lstm_pointwise_backward
    )


@cache
def _scripted_pointwise() -> tuple[Pointwise, PointwiseBackward]:
    with warnings.catch_warnings():
        # torch >= 2.10 marks TorchScript deprecated; it is still the one fuser that
        # compiles in milliseconds, which is what a per-step kernel needs here.
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.jit.script(lstm_pointwise), torch.jit.script(lstm_pointwise_backward)


def fused_step(
    x: Tensor, state: States, weights: Weights, batch_sizes: Sequence[int] | None, reverse: bool
) -> tuple[Tensor, States]:
    """Impl 4 of the ladder: ``input_proj`` with the element-wise step compiled by TorchScript."""
    return _as_one_autograd_node(x, state, weights, batch_sizes, reverse, *_scripted_pointwise())


def compiled_loop(
    x: Tensor, state: States, weights: Weights, batch_sizes: Sequence[int] | None, reverse: bool
) -> tuple[Tensor, States]:
    """Impl 5 of the ladder: ``input_proj`` with its time loops compiled as a whole (CPU)."""
    return _as_one_autograd_node(
        x,
        state,
        weights,
        batch_sizes,
        reverse,
        lstm_pointwise,
        lstm_pointwise_backward,
        compiled=True,
    )


#: The layer function of each impl (all but ``cuda_graphs``).
IMPL_LAYERS: dict[str, LayerFn] = {
    "per_gate": per_gate,
    "fused_gates": fused_gates,
    "input_proj": input_proj,
    "fused_step": fused_step,
    "compiled_loop": compiled_loop,
    "persistent": persistent,
}


def default_impl(device: torch.device) -> str:
    """The impl that ``impl="auto"`` picks on ``device``.

    CPU: ``compiled_loop``, the fastest in ``python -m lstm_ref.bench`` on a
    2-core CPU (one thread and two) at every size measured forward, and with
    the backward pass at all but T=100, B=64, H=256, where ``input_proj`` was
    3–10 % faster; ``input_proj`` where the compiled loops cannot run. CUDA:
    ``fused_step``, whose element-wise step TorchScript fuses into one kernel;
    ``cuda_graphs`` is opt-in because it records a new graph for every new
    input shape.
    """
    if device.type == "cuda":
        return "fused_step"
    if torch.compiler.is_compiling():  # traced, both run the Python loop: ask nothing of Numba
        return "input_proj"
    return "compiled_loop" if numba_loops.available() else "input_proj"
