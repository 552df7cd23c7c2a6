"""The ``cuda_graphs`` impl: a whole LSTM stack recorded as CUDA graphs and replayed.

A CUDA graph records every kernel a function launches, once, and replays them
all with one launch. The recorded function must see the same shapes, so
graphs are cached per input signature; inputs are copied into the graph's
static buffers at each call. :func:`torch.cuda.make_graphed_callables`
records the backward pass too. As with any graphed callable, run each forward's
backward before the next forward of the same shape.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

import torch
from torch import Tensor

Graphed = Callable[..., tuple[Tensor, ...]]


class GraphCache:
    """Graphed versions of one function, one per input signature (the newest ``size`` kept).

    Parameters
    ----------
    size : int
        How many signatures (shapes, dtypes, grad modes) to keep graphs for.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.graphs: OrderedDict[Hashable, Graphed] = OrderedDict()

    def __call__(self, fn: Graphed, args: tuple[Tensor, ...], key: Hashable) -> tuple[Tensor, ...]:
        """Run ``fn(*args)`` (CUDA tensors) through its graph for this ``key``, recording it if new.

        Parameters
        ----------
        fn : callable
            A function of tensors returning a tuple of tensors; it must not
            depend on anything that ``key`` does not describe besides ``args``.
        args : tuple of Tensor
            The arguments, all on one CUDA device.
        key : hashable
            Everything else ``fn`` depends on (flags, lengths).
        """
        grad = torch.is_grad_enabled() and any(a.requires_grad for a in args)
        signature = (key, grad, *((a.shape, a.dtype, a.device, a.requires_grad) for a in args))
        graphed = self.graphs.get(signature)
        if graphed is None:
            graphed = _record_with_backward(fn, args) if grad else _record_forward(fn, args)
            self.graphs[signature] = graphed
            if len(self.graphs) > self.size:
                self.graphs.popitem(last=False)
        self.graphs.move_to_end(signature)
        # The graph's outputs are static buffers that the next replay overwrites.
        return tuple(out.clone() for out in graphed(*args))


def _record_with_backward(fn: Graphed, args: tuple[Tensor, ...]) -> Graphed:
    sample = tuple(a.detach().clone().requires_grad_(a.requires_grad) for a in args)
    graphed: Graphed = torch.cuda.make_graphed_callables(fn, sample)  # type: ignore[assignment]
    return graphed


def _record_forward(fn: Graphed, args: tuple[Tensor, ...]) -> Graphed:
    static = tuple(a.detach().clone() for a in args)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.no_grad(), torch.cuda.stream(side):
        for _ in range(3):  # warm-up: TorchScript profiling runs, cuBLAS workspaces
            fn(*static)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.no_grad(), torch.cuda.graph(graph):
        outputs = fn(*static)

    def replay(*new: Tensor) -> tuple[Tensor, ...]:
        for buffer, a in zip(static, new, strict=True):
            buffer.copy_(a)
        graph.replay()
        return outputs

    return replay
