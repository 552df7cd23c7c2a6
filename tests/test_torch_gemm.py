"""The CPU products of the fast rungs (oneDNN with packed weights, or addmm) are exact enough."""

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
    product = gemm.Product(w, rows=ROWS)
    uses_onednn = gemm._LINEAR is not None and dtype == torch.float32
    assert (product.packed is not None) == (uses_onednn and torch.backends.mkldnn.is_available())
    tol = 1e-6 if dtype == torch.float32 else 1e-14
    assert rel_err(product(x), x @ w.T) <= tol
    assert rel_err(product(x, add), x @ w.T + add) <= tol
    assert rel_err(product(x, bias), x @ w.T + bias) <= tol
    assert rel_err(product(x[:2]), x[:2] @ w.T) <= tol  # fewer rows than packed for
    assert gemm.Product(w[:8, :8].contiguous(), rows=ROWS).packed is None  # small: addmm
    assert gemm.Product(w, rows=1).packed is None  # one row: addmm


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
