"""``LSTM`` and ``LSTMCell``: drop-ins for torch.nn's, built from matmuls and element-wise ops."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import torch
from torch import Tensor
from torch.nn.utils.rnn import PackedSequence

from .base import CellBase, RecurrentBase
from .cuda_graphs import GraphCache
from .functional import lstm_cell
from .ladder import IMPL_LAYERS, IMPLS, default_impl, fused_step
from .sequence import States, Weights
from .validation import CellSettings, RecurrentSettings, tracing

#: The rungs a tracer (``torch.jit.trace``, ``torch.onnx.export(..., dynamo=False)``)
#: can record: plain tensor operations at every step.
TRACEABLE = ("per_gate", "fused_gates")


class LSTM(RecurrentBase):
    r"""A multi-layer LSTM that is a drop-in for :class:`torch.nn.LSTM`.

    For each element of the input sequence, each layer computes

    .. math::
        \begin{array}{ll}
        i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
        f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
        g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
        o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
        c_t = f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t = o_t \odot \tanh(c_t) \quad \text{(then } h_t \leftarrow W_{hr} h_t
              \text{ when } \texttt{proj\_size} > 0)
        \end{array}

    where layer :math:`l > 0` reads :math:`x_t^{(l)} = \delta_t^{(l-1)} h_t^{(l-1)}`,
    :math:`\delta` being dropout (training only). It never calls PyTorch's RNN
    operators (``aten::lstm`` and friends), has the same parameters, inputs,
    outputs and numbers as :class:`torch.nn.LSTM`, and lets you choose how
    the recurrence is computed (``impl``, the optimisation ladder of chapter 10).

    Parameters
    ----------
    input_size : int
        Features of the input, ``D``.
    hidden_size : int
        Features of the cell state, ``H``.
    num_layers : int
        Stacked layers.
    bias : bool
        Use ``b_ih`` and ``b_hh``.
    batch_first : bool
        Input and output are (B, T, ·) instead of (T, B, ·) (states are not).
    dropout : float
        Dropout probability on the output of every layer but the last (training only).
    bidirectional : bool
        Add a layer reading the sequence backwards; outputs concatenated.
    proj_size : int
        If > 0, project the hidden state to ``R = proj_size`` features with ``W_hr``.
    device, dtype
        Where and in which precision to create the parameters.
    impl : str
        How the recurrence is computed, one of the ladder of
        ``lstm_ref.torch.ladder``: ``"per_gate"``,
        ``"fused_gates"``, ``"input_proj"``, ``"fused_step"``, ``"compiled_loop"``,
        ``"cuda_graphs"`` or ``"persistent"``; ``"auto"`` (the default) picks the
        fastest measured one for the input's device. ``"compiled_loop"`` (time loops
        compiled by Numba, ``lstm_ref.torch.numba_loops``) runs on the CPU. ``"persistent"`` (Triton
        kernels, :mod:`lstm_ref.torch.persistent`) needs CUDA (or
        ``TRITON_INTERPRET=1`` set before Triton is imported, to run them
        under Triton's interpreter), float32 or float64 and ``proj_size=0``.

    Attributes
    ----------
    weight_ih_l[k], weight_hh_l[k]
        Parameters, shapes (4H, D or num_directions * R) and (4H, R)
    bias_ih_l[k], bias_hh_l[k]
        Parameters, shape (4H,)
    weight_hr_l[k]
        Parameters, shape (R, H), only when ``proj_size > 0``
        Suffix ``_reverse`` for the backward direction.

    Inputs: ``input, (h_0, c_0)``
        ``input`` (T, B, D), (B, T, D) with ``batch_first``, unbatched (T, D), or a
        :class:`~torch.nn.utils.rnn.PackedSequence`; ``h_0`` (num_layers *
        num_directions, B, R) and ``c_0`` (num_layers * num_directions, B, H), or
        without the B axis for unbatched input; zeros if omitted.

    Outputs: ``output, (h_n, c_n)``
        ``output`` (T, B, num_directions * R) in the form of ``input``
        (``PackedSequence`` in, ``PackedSequence`` out); ``h_n`` and ``c_n`` shaped
        like ``h_0`` and ``c_0``: the states after each sequence's last element.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        impl: str = "auto",
    ) -> None:
        if impl != "auto" and impl not in IMPLS:
            raise ValueError(f"impl must be 'auto' or one of {IMPLS}, got {impl!r}")
        settings = RecurrentSettings(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        )
        super().__init__(
            n_gates=4, settings=settings, proj_size=proj_size, device=device, dtype=dtype
        )
        self.impl = impl
        self._graphs: GraphCache | None = None  # made at the first cuda_graphs forward

    def __getstate__(self) -> dict[str, Any]:
        """The module's state for pickling, without its CUDA graphs (a cache of this process).

        So ``torch.save(model)`` holds only parameters and settings, and
        ``torch.load(path, weights_only=True)`` needs no class of ours but the module's.
        """
        state = self.__dict__.copy()
        state["_graphs"] = None
        return state

    def state_sizes(self) -> tuple[int, ...]:
        """``(R, H)``: features of ``h`` and of ``c``."""
        return (self.proj_size or self.hidden_size, self.hidden_size)

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", impl={self.impl!r}" if self.impl != "auto" else "")

    def forward(
        self, input: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor | PackedSequence, tuple[Tensor, Tensor]]:
        """Run the LSTM; see the class docstring for shapes."""
        device = self.weight_ih_l0.device
        assert isinstance(device, torch.device)
        impl = default_impl(device) if self.impl == "auto" else self.impl
        if tracing() and impl not in TRACEABLE:
            # A tracer records the tensor operations of one call; the fast rungs run
            # operators of oneDNN or TorchScript inside one autograd Function, which an
            # exporter cannot follow. fused_gates computes the same numbers in plain ones.
            impl = "fused_gates"
        if impl == "compiled_loop" and device.type != "cpu":
            raise ValueError(
                f"impl='compiled_loop' compiles its time loops for the CPU, but the model is "
                f"on {device}; use impl='fused_step' there"
            )
        if impl == "cuda_graphs":
            if device.type != "cuda":
                raise ValueError(
                    f"impl='cuda_graphs' needs the model on a CUDA device, got {device}; "
                    "use impl='fused_step' (the same computation without graphs) instead"
                )
            output, (h, c) = self.run(input, hx, self._graphed_stack)
        else:
            output, (h, c) = self.run(input, hx, partial(self.run_stack, IMPL_LAYERS[impl]))
        return output, (h, c)

    def _graphed_stack(
        self,
        x: Tensor,
        states: States,
        weights: Sequence[Weights],
        batch_sizes: Sequence[int] | None,
    ) -> tuple[Tensor, States]:
        """The ``fused_step`` stack, recorded as a CUDA graph per input signature and replayed.

        Arguments and results as for :meth:`run_stack`: ``x`` (T, B, D), states
        (L, B, R) and (L, B, H), ``y`` (T, B, num_directions * R).
        """
        # The graph's arguments must be tensors: pass the weights flat, rebuild the tuples.
        present = tuple(tuple(w is not None for w in ws) for ws in weights)
        flat = tuple(w for ws in weights for w in ws if w is not None)

        def stack(x: Tensor, h: Tensor, c: Tensor, *flat_weights: Tensor) -> tuple[Tensor, ...]:
            given = iter(flat_weights)
            ws = [tuple(next(given) if p else None for p in row) for row in present]
            y, (h_n, c_n) = self.run_stack(fused_step, x, (h, c), ws, batch_sizes)
            return y, h_n, c_n

        key = (present, tuple(batch_sizes or ()), self.training)
        if self._graphs is None:
            self._graphs = GraphCache()
        y, h_n, c_n = self._graphs(stack, (x, *states, *flat), key)
        return y, (h_n, c_n)


class LSTMCell(CellBase):
    r"""One LSTM step, a drop-in for :class:`torch.nn.LSTMCell`.

    .. math::
        \begin{array}{ll}
        (i, f, g, o) = (\sigma, \sigma, \tanh, \sigma)(W_{ih} x + b_{ih} + W_{hh} h + b_{hh}) \\
        c' = f \odot c + i \odot g, \quad h' = o \odot \tanh(c')
        \end{array}

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    bias : bool
        Use ``bias_ih`` and ``bias_hh``.
    device, dtype
        Where and in which precision to create the parameters.

    Attributes
    ----------
    weight_ih, weight_hh
        Parameters, shapes (4H, D) and (4H, H)
    bias_ih, bias_hh
        Parameters, shape (4H,)

    Inputs: ``input, (h, c)``
        ``input`` (B, D) or unbatched (D,); ``h`` and ``c`` (B, H) or (H,), zeros if omitted.

    Outputs: ``(h', c')``
        Shaped like ``h`` and ``c``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        settings = CellSettings(input_size, hidden_size, bias)
        super().__init__(n_gates=4, settings=settings, device=device, dtype=dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        """One step; see the class docstring for shapes."""
        x, (h, c), batched = self.prepare(input, hx, n_states=2)
        h, c = lstm_cell(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))
