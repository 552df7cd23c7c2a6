"""``x @ w.T``, the one product the LSTM recurrence repeats, as fast as the CPU allows.

PyTorch sends float32 matrix products on the CPU to MKL, whose kernels can be
markedly slower than oneDNN's on some processors (oneDNN is what
``torch.nn.LSTM`` uses there). A layer multiplies by the same weight at every
time step, so :class:`Product` hands the weight to oneDNN once, in its packed
layout, and reuses it; where oneDNN cannot take it (float64, CUDA, a PyTorch
built without it) or the weight is small, it falls back to :func:`torch.addmm`.
Both compute the same product; they may differ in the last bits.
"""

from __future__ import annotations

import torch
from torch import Tensor


def _onednn_linear() -> object | None:
    """PyTorch's oneDNN linear operator, or ``None`` where this build has none."""
    try:
        return torch.ops.mkldnn._linear_pointwise
    except (AttributeError, RuntimeError):
        return None


_LINEAR = _onednn_linear()

#: Smallest product (multiply-adds: rows x weight elements) handed to oneDNN.
#: Measured on a 2-core AMD EPYC, one thread: oneDNN takes about 40% less time from
#: ~4M multiply-adds (B=64, H=128 or B=16, H=256 per step; any input projection of
#: T*B >= 3200 rows) and more below, where its per-call overhead (~20 µs) outweighs
#: its faster kernel.
ONEDNN_MIN_MACS = 1 << 22


class Product:
    """Right-multiplication by a fixed weight: ``product(x, add) = x @ w.T + add``.

    Parameters
    ----------
    w : Tensor, shape (N, K)
        The weight, torch.nn layout (like ``nn.Linear.weight``).
    rows : int
        Typical number of rows of ``x`` (oneDNN packs the weight for it).
    """

    def __init__(self, w: Tensor, rows: int) -> None:
        self.w = w
        self.packed: Tensor | None = None
        if (
            _LINEAR is not None
            and w.device.type == "cpu"
            and w.dtype in (torch.float32, torch.bfloat16)
            and rows * w.numel() >= ONEDNN_MIN_MACS
            and torch.backends.mkldnn.is_available()
            and torch.backends.mkldnn.enabled
        ):
            self.packed = torch.ops.mkldnn._reorder_linear_weight(w.contiguous(), rows)

    def __call__(self, x: Tensor, add: Tensor | None = None) -> Tensor:
        """``x @ w.T + add``.

        Parameters
        ----------
        x : Tensor, shape (M, K)
        add : Tensor, shape (M, N) or (N,), optional
            Added to the product (a bias when 1-D).

        Returns
        -------
        Tensor, shape (M, N)
        """
        if self.packed is None:
            return x @ self.w.t() if add is None else torch.addmm(add, x, self.w.t())
        linear = torch.ops.mkldnn._linear_pointwise
        x = x.contiguous()
        if add is None or add.dim() == 1:
            return linear(x, self.packed, add, "none", [], "")
        return linear.binary(x, add.contiguous(), self.packed, None, "add")
