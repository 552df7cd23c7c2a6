"""The CPU products of the fast rungs (oneDNN, packed weights or not, or MKL) are exact enough."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch_helpers import max_rel_err, rel_err, twin

import lstm_ref.torch as lt
from lstm_ref.torch import gemm

BIG = 1024, 256  # a 4H x H weight at H = 256
ROWS = 16  # 16 rows times BIG: gemm.ONEDNN_MIN_MACS multiply-adds, handed to oneDNN


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_product_equals_matmul_with_and_without_addend(dtype: torch.dtype) -> None:
    torch.manual_seed(0)
    w = torch.randn(*BIG, dtype=dtype)
    x = torch.randn(ROWS, BIG[1], dtype=dtype)
    add, bias = torch.randn(ROWS, BIG[0], dtype=dtype), torch.randn(BIG[0], dtype=dtype)
    uses_onednn = gemm._LINEAR is not None and dtype == torch.float32
    uses_onednn = uses_onednn and torch.backends.mkldnn.is_available()
    tol = 1e-6 if dtype == torch.float32 else 1e-14
    for per_step in (True, False):  # packed for oneDNN, or read as it is
        product = gemm.Product(w, rows=ROWS, per_step=per_step)
        assert product.onednn == uses_onednn
        assert (product.packed is not None) == (uses_onednn and per_step)
        assert rel_err(product(x), x @ w.T) <= tol
        assert rel_err(product(x, add), x @ w.T + add) <= tol
        assert rel_err(product(x, bias), x @ w.T + bias) <= tol
        assert rel_err(product(x[:2]), x[:2] @ w.T) <= tol  # fewer rows than packed for
        # A transposed view of a weight: read in place.
        assert rel_err(gemm.Product(w.T, rows=ROWS, per_step=per_step)(add), add @ w) <= tol
    assert not gemm.Product(w[:8, :8].contiguous(), rows=ROWS).onednn  # small: addmm
    assert not gemm.Product(w, rows=1, per_step=True).onednn  # one row: addmm


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("rows", [3, 4096])  # MKL; oneDNN (4096 * 32 * 32 multiply-adds)
def test_transposed_product_equals_matmul(dtype: torch.dtype, rows: int) -> None:
    torch.manual_seed(0)
    a, b = torch.randn(rows, 32, dtype=dtype), torch.randn(rows, 32, dtype=dtype)
    product = gemm.transposed_product(a, b)
    assert product.is_contiguous() and product.shape == (32, 32)
    assert rel_err(product, a.T @ b) <= (1e-6 if dtype == torch.float32 else 1e-14)


@pytest.mark.parametrize("impl", ["input_proj", "fused_step"])
def test_lstm_on_the_onednn_path_matches_torch_float32(impl: str) -> None:
    torch.manual_seed(0)
    ref = nn.LSTM(BIG[1], BIG[1])  # W_ih, W_hh and W_hh.T all go to oneDNN
    ours = twin(lt.LSTM(BIG[1], BIG[1], impl=impl), ref)
    x = torch.randn(3, ROWS, BIG[1], requires_grad=True)
    results = []
    for model in (ours, ref):
        y, (h, c) = model(x)
        loss = y.sin().sum() + c.square().sum()
        results.append([y, h, c, *torch.autograd.grad(loss, [x, *model.parameters()])])
    assert max_rel_err(*results) <= 1e-5
