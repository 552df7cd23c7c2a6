"""``x @ w.T`` and ``a.T @ b``, the products of an LSTM layer, as fast as the CPU allows.

PyTorch sends float32 matrix products on the CPU to MKL, whose kernels can be
markedly slower than oneDNN's on some processors (about half as fast on the
AMD EPYC of the stored benchmarks, where MKL runs its AVX2 code and oneDNN its
AVX-512 code; oneDNN is what ``torch.nn.LSTM`` uses there). So large products
go to oneDNN. A layer multiplies by the same weight at every time step, so
for those :class:`Product` hands the weight to oneDNN once, in its packed
layout, and reuses it; a product made once (all steps' inputs, the weight
gradients) passes the weight as it is, since packing would cost more than it
saves. Where oneDNN cannot take the product (float64, CUDA, a PyTorch built
without it) or it is small, :func:`torch.addmm` and :func:`torch.mm` do it.
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


def _onednn_takes(w: Tensor, macs: int) -> bool:
    return (
        _LINEAR is not None
        and w.device.type == "cpu"
        and w.dtype in (torch.float32, torch.bfloat16)
        and macs >= ONEDNN_MIN_MACS
        and torch.backends.mkldnn.is_available()
        and bool(torch.backends.mkldnn.enabled)
    )


class Product:
    """Right-multiplication by a fixed weight: ``product(x, add) = x @ w.T + add``.

    Parameters
    ----------
    w : Tensor, shape (N, K)
        The weight, torch.nn layout (like ``nn.Linear.weight``).
    rows : int
        Typical number of rows of ``x`` (oneDNN packs the weight for it).
    per_step : bool
        The product repeats at every time step: pack the weight for oneDNN
        (a one-off cost of a copy, repaid over the steps). Otherwise oneDNN
        reads ``w`` as it is.

    Attributes
    ----------
    packed : Tensor or None
        ``w`` packed for oneDNN (``per_step`` products it takes), else ``None``.
    """

    def __init__(self, w: Tensor, rows: int, *, per_step: bool = False) -> None:
        self.w = w
        self.packed: Tensor | None = None
        self.onednn = _onednn_takes(w, rows * w.numel())
        if self.onednn and per_step:
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
        if not self.onednn:
            return x @ self.w.t() if add is None else torch.addmm(add, x, self.w.t())
        w = self.packed if self.packed is not None else self.w
        linear = torch.ops.mkldnn._linear_pointwise
        x = x.contiguous()
        if add is None or add.dim() == 1:
            return linear(x, w, add, "none", [], "")
        return linear.binary(x, add.contiguous(), w, None, "add")


def transposed_product(a: Tensor, b: Tensor) -> Tensor:
    """``a.T @ b``, the form of a weight gradient (a sum over all steps' rows).

    Parameters
    ----------
    a : Tensor, shape (M, N)
    b : Tensor, shape (M, K)

    Returns
    -------
    Tensor, shape (N, K), contiguous
    """
    if not _onednn_takes(a, a.shape[0] * a.shape[1] * b.shape[1]):
        return a.t() @ b
    # oneDNN computes input @ weight.T: here b.T @ (a.T).T = (a.T @ b).T, with a read in place.
    product = torch.ops.mkldnn._linear_pointwise(b.t().contiguous(), a.t(), None, "none", [], "")
    return product.t().contiguous()
