"""The recurrent revival: parallel scan = loop, minGRU/minLSTM modes agree, sLSTM stabiliser."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_ref.torch import SLSTM, MinGRU, MinLSTM, parallel_scan, sequential_scan


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    scale = (a.abs() + b.abs()).max().item()
    return 0.0 if scale == 0 else (a - b).abs().max().item() / scale


def _inputs(B: int, T: int, H: int, seed: int, negative_a: bool = False):
    g = torch.Generator().manual_seed(seed)
    a = torch.rand(B, T, H, generator=g, dtype=torch.float64)
    if negative_a:
        a = 2 * a - 1
    b = 3 * torch.randn(B, T, H, generator=g, dtype=torch.float64)  # negative values too
    h0 = torch.randn(B, H, generator=g, dtype=torch.float64)
    return [t.requires_grad_() for t in (a, b, h0)]


@settings(max_examples=25, deadline=None)
@given(
    B=st.integers(1, 3),
    T=st.integers(1, 70),
    H=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    negative_a=st.booleans(),
)
def test_scan_equals_loop_forward_and_gradients(B, T, H, seed, negative_a):
    a, b, h0 = _inputs(B, T, H, seed, negative_a)
    dy = torch.randn(B, T, H, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    fast, slow = parallel_scan(a, b, h0), sequential_scan(a, b, h0)
    assert rel_err(fast, slow) <= 1e-10
    g_fast = torch.autograd.grad(fast, (a, b, h0), dy)
    g_slow = torch.autograd.grad(slow, (a, b, h0), dy)
    for x, y in zip(g_fast, g_slow, strict=True):
        assert rel_err(x, y) <= 1e-10


def test_scan_edge_values():
    # a = 0 resets the state, a = 1 accumulates: h_t = b_t and h_t = h0 + cumsum(b).
    b = torch.randn(2, 9, 3, dtype=torch.float64)
    h0 = torch.randn(2, 3, dtype=torch.float64)
    zeros, ones = torch.zeros_like(b), torch.ones_like(b)
    assert torch.allclose(parallel_scan(zeros, b, h0), b)
    assert torch.allclose(parallel_scan(ones, b, h0), h0[:, None] + b.cumsum(1))
    assert torch.allclose(parallel_scan(ones, -b.abs(), h0), h0[:, None] - b.abs().cumsum(1))


def test_scan_gradcheck():
    a, b, h0 = _inputs(2, 11, 3, seed=1)
    assert torch.autograd.gradcheck(parallel_scan, (a, b, h0))


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((torch.rand(2, 5), torch.rand(2, 5), torch.rand(2, 1)), ValueError, "a: expected shape"),
        ((torch.rand(2, 5, 3), torch.rand(2, 5, 4), torch.rand(2, 3)), ValueError, "b: expected"),
        ((torch.rand(2, 0, 3), torch.rand(2, 0, 3), torch.rand(2, 3)), ValueError, "T = 0"),
        ((torch.rand(2, 5, 3), torch.rand(2, 5, 3), torch.rand(3, 3)), ValueError, "h0"),
        (
            (torch.ones(2, 5, 3, dtype=torch.long),) * 2 + (torch.ones(2, 3, dtype=torch.long),),
            TypeError,
            "floating-point",
        ),
        ((torch.rand(2, 5, 3), torch.rand(2, 5, 3).double(), torch.rand(2, 3)), TypeError, "one"),
        (([[1.0]], torch.rand(1, 1, 1), torch.rand(1, 1)), TypeError, "torch.Tensor"),
    ],
)
def test_scan_errors(args, error, match):
    for scan in (parallel_scan, sequential_scan):
        with pytest.raises(error, match=match):
            scan(*args)


@pytest.mark.parametrize("cls", [MinGRU, MinLSTM])
def test_min_rnn_parallel_equals_sequential(cls):
    torch.manual_seed(0)
    model = cls(4, 6).double()
    x = torch.randn(3, 45, 4, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(3, 6, dtype=torch.float64)
    fast, last = model(x, h0)
    slow, _ = model(x, h0, mode="sequential")
    assert rel_err(fast, slow) <= 1e-10 and torch.equal(last, fast[:, -1])
    dy = torch.randn_like(fast)
    g_fast = torch.autograd.grad(fast, [x, *model.parameters()], dy)
    g_slow = torch.autograd.grad(slow, [x, *model.parameters()], dy)
    for p, q in zip(g_fast, g_slow, strict=True):
        assert rel_err(p, q) <= 1e-10


@pytest.mark.parametrize("cls", [MinGRU, MinLSTM])
def test_min_rnn_matches_its_equations(cls):
    torch.manual_seed(1)
    model = cls(2, 3).double()
    x = torch.randn(1, 6, 2, dtype=torch.float64)
    h = torch.zeros(1, 3, dtype=torch.float64)
    w, bias = model.proj.weight, model.proj.bias
    H = 3
    for t in range(6):
        pre = x[:, t] @ w.T + bias
        if cls is MinGRU:
            z = torch.sigmoid(pre[:, :H])
            h = (1 - z) * h + z * pre[:, H:]
        else:
            f, i = torch.sigmoid(pre[:, :H]), torch.sigmoid(pre[:, H : 2 * H])
            h = f / (f + i) * h + i / (f + i) * pre[:, 2 * H :]
    assert rel_err(model(x)[1], h) <= 1e-12
    assert sum(p.numel() for p in model.parameters()) == cls.n_gates * H * (2 + 1)


@pytest.mark.parametrize("cls", [MinGRU, MinLSTM, SLSTM])
def test_bad_input(cls):
    model = cls(4, 5)
    with pytest.raises(ValueError, match="expected 4 input features"):
        model(torch.randn(2, 3, 7))
    with pytest.raises(ValueError, match="expected shape"):
        model(torch.randn(3, 4))
    with pytest.raises(ValueError, match="T = 0"):
        model(torch.randn(2, 0, 4))
    with pytest.raises(TypeError, match="floating-point"):
        model(torch.ones(2, 3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="hidden_size"):
        cls(4, 0)


def test_min_rnn_bad_mode_and_state():
    model = MinLSTM(4, 5)
    with pytest.raises(ValueError, match="mode"):
        model(torch.randn(2, 3, 4), mode="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="h0"):
        model(torch.randn(2, 3, 4), torch.zeros(2, 4))


def _twins(D: int, H: int, dtype: torch.dtype) -> tuple[SLSTM, SLSTM]:
    torch.manual_seed(0)
    stable = SLSTM(D, H).to(dtype)
    plain = SLSTM(D, H, stabilised=False).to(dtype)
    plain.load_state_dict(stable.state_dict())
    return stable, plain


def test_slstm_stabilised_equals_plain_where_finite():
    stable, plain = _twins(3, 4, torch.float64)
    x = torch.randn(2, 40, 3, dtype=torch.float64, requires_grad=True)
    ys, (h, *_) = stable(x)
    yp, _ = plain(x)
    assert rel_err(ys, yp) <= 1e-10
    dy = torch.randn_like(ys)
    gs = torch.autograd.grad(ys, [x, *stable.parameters()], dy)
    gp = torch.autograd.grad(yp, [x, *plain.parameters()], dy)
    for p, q in zip(gs, gp, strict=True):
        assert rel_err(p, q) <= 1e-10
    # the normalised cell c/n is an average of tanh candidates: |h| < 1
    assert ys.abs().max() < 1 and torch.equal(h, ys[:, -1])


def test_slstm_plain_overflows_and_stabilised_does_not():
    stable, plain = _twins(3, 4, torch.float32)
    with torch.no_grad():
        for model in (stable, plain):
            model.bias[4:8] = 2.0  # forget pre-activation about 2: prod f ~ e^(2T)
    x = torch.randn(1, 100, 3)
    ys, _ = stable(x)
    yp, _ = plain(x)
    assert torch.isfinite(ys).all()
    assert not torch.isfinite(yp).all()
    # step the plain form one step at a time to find where its c or n first overflows
    state, first_bad = None, None
    for t in range(100):
        _, state = plain(x[:, t : t + 1], state)
        if first_bad is None and not all(torch.isfinite(s).all() for s in state[1:3]):
            first_bad = t
    assert first_bad is not None and first_bad > 20  # finite for a while, and equal there
    assert rel_err(ys[:, :first_bad], yp[:, :first_bad]) < 1e-5


def test_slstm_state_carries_over():
    stable, plain = _twins(2, 3, torch.float64)
    x = torch.randn(2, 20, 2, dtype=torch.float64)
    whole, _ = stable(x)
    first, state = stable(x[:, :8])
    second, _ = stable(x[:, 8:], state)
    assert rel_err(torch.cat([first, second], 1), whole) <= 1e-12
    # the plain form reads the stabilised state (c = c' e^m) and continues the same way
    second_plain, _ = plain(x[:, 8:], state)
    assert rel_err(second_plain, second) <= 1e-10
    with pytest.raises(ValueError, match="state"):
        stable(x, (state[0],))  # type: ignore[arg-type]


def test_slstm_gradcheck():
    stable, _ = _twins(2, 2, torch.float64)
    x = torch.randn(1, 5, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: stable(v)[0], (x,))
