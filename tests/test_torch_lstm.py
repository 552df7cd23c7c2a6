"""lstm_ref.torch.LSTM is a drop-in for torch.nn.LSTM: same API, same numbers, no RNN ops."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch_helpers import RNN_OPS, max_rel_err, ran_ops, rel_err, twin

import lstm_ref.torch as lt

CPU_IMPLS = ["per_gate", "fused_gates", "input_proj", "fused_step", "compiled_loop"]
F64 = torch.float64
CONFIGS: list[dict[str, Any]] = [
    {},
    {"bias": False},
    {"num_layers": 2, "bidirectional": True, "proj_size": 3},
    {"num_layers": 3, "proj_size": 2},
    {"bidirectional": True},
]
D, H, T, B = 4, 5, 5, 3


def pair(
    dtype: torch.dtype = torch.float64, impl: str = "auto", **kw: Any
) -> tuple[nn.LSTM, lt.LSTM]:
    torch.manual_seed(0)
    ref = nn.LSTM(D, H, dtype=dtype, **kw)
    return ref, twin(lt.LSTM(D, H, dtype=dtype, impl=impl, **kw), ref)  # type: ignore[return-value]


def states(ref: nn.LSTM, batch: int | None, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
    layers = ref.num_layers * (2 if ref.bidirectional else 1)
    lead = (layers,) if batch is None else (layers, batch)
    h0 = torch.randn(*lead, ref.proj_size or H, dtype=dtype, requires_grad=True)
    c0 = torch.randn(*lead, H, dtype=dtype, requires_grad=True)
    return h0, c0


def run_and_grad(model: nn.Module, x: Tensor, hx: tuple[Tensor, Tensor] | None) -> list[Tensor]:
    """Outputs and the gradients of a loss touching all of them w.r.t. inputs and parameters."""
    y, (h, c) = model(x, hx)
    loss = (y * torch.linspace(-1, 1, y.numel(), dtype=y.dtype).view(y.shape)).sum()
    loss = loss + h.sin().sum() + (c * c).sum()
    wrt = [x, *(hx or ()), *model.parameters()]
    return [y, h, c, *torch.autograd.grad(loss, wrt)]


@pytest.mark.parametrize("impl", CPU_IMPLS)
@pytest.mark.parametrize("kw", CONFIGS, ids=str)
def test_forward_and_backward_equal_torch_float64(impl: str, kw: dict[str, Any]) -> None:
    ref, ours = pair(impl=impl, **kw)
    x = torch.randn(T, B, D, dtype=torch.float64, requires_grad=True)
    hx = states(ref, B, torch.float64)
    assert max_rel_err(run_and_grad(ours, x, hx), run_and_grad(ref, x, hx)) <= 1e-10


@pytest.mark.parametrize("impl", CPU_IMPLS)
def test_forward_and_backward_equal_torch_float32(impl: str) -> None:
    ref, ours = pair(torch.float32, impl, num_layers=2, bidirectional=True)
    x = torch.randn(T, B, D, requires_grad=True)
    assert max_rel_err(run_and_grad(ours, x, None), run_and_grad(ref, x, None)) <= 1e-5


@pytest.mark.parametrize("impl", CPU_IMPLS)
def test_packed_sequence_unsorted_forward_and_backward(impl: str) -> None:
    ref, ours = pair(impl=impl, num_layers=2, bidirectional=True, proj_size=2)
    padded = torch.randn(T, 4, D, dtype=torch.float64)
    lengths = torch.tensor([2, 5, 1, 4])
    hx = states(ref, 4, torch.float64)
    results = []
    for model in (ours, ref):
        x = padded.clone().requires_grad_()
        packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
        y, (h, c) = model(packed, hx)
        assert isinstance(y, torch.nn.utils.rnn.PackedSequence)
        assert torch.equal(y.batch_sizes, packed.batch_sizes)
        assert torch.equal(y.unsorted_indices, packed.unsorted_indices)
        out, out_lengths = pad_packed_sequence(y)
        assert torch.equal(out_lengths, lengths)
        loss = out.sin().sum() + h.sum() + (c * c).sum()
        results.append([out, h, c, *torch.autograd.grad(loss, [x, *hx, *model.parameters()])])
    assert max_rel_err(*results) <= 1e-10


def test_batch_first_and_unbatched_match_torch() -> None:
    ref, ours = pair(batch_first=True, num_layers=2, proj_size=2)
    x = torch.randn(B, T, D, dtype=torch.float64, requires_grad=True)
    hx = states(ref, B, torch.float64)
    assert max_rel_err(run_and_grad(ours, x, hx), run_and_grad(ref, x, hx)) <= 1e-10
    xu = torch.randn(T, D, dtype=torch.float64, requires_grad=True)
    hu = states(ref, None, torch.float64)
    got, want = run_and_grad(ours, xu, hu), run_and_grad(ref, xu, hu)
    assert got[0].shape == (T, 2) and got[1].shape == (2, 2) and got[2].shape == (2, H)
    assert max_rel_err(got, want) <= 1e-10
    y, (h, c) = ours(xu)  # unbatched without states
    assert y.shape == (T, 2) and h.shape == (2, 2) and c.shape == (2, H)


def test_state_carries_over_across_calls() -> None:
    _, ours = pair()
    x = torch.randn(2 * T, B, D, dtype=torch.float64)
    y_all, (h_all, c_all) = ours(x)
    y1, hx = ours(x[:T])
    y2, (h2, c2) = ours(x[T:], hx)
    assert rel_err(torch.cat([y1, y2]), y_all) <= 1e-12
    assert rel_err(h2, h_all) <= 1e-12 and rel_err(c2, c_all) <= 1e-12


def test_state_dict_moves_both_ways_and_keys_match() -> None:
    ref = nn.LSTM(D, H, num_layers=2, bidirectional=True, proj_size=3)
    ours = lt.LSTM(D, H, num_layers=2, bidirectional=True, proj_size=3)
    assert list(ours.state_dict()) == list(ref.state_dict())
    for (name, p), (ref_name, q) in zip(
        ours.named_parameters(), ref.named_parameters(), strict=True
    ):
        assert name == ref_name and p.shape == q.shape
    assert [[p.shape for p in ws] for ws in ours.all_weights] == [
        [p.shape for p in ws] for ws in ref.all_weights
    ]
    ref.load_state_dict(ours.state_dict())
    x = torch.randn(T, B, D)
    assert rel_err(ours(x)[0], ref(x)[0]) <= 1e-5


def test_init_is_uniform_within_one_over_sqrt_hidden() -> None:
    torch.manual_seed(0)
    big = lt.LSTM(16, 64, num_layers=2, proj_size=8)
    bound = 1 / math.sqrt(64)
    values = torch.cat([p.detach().flatten() for p in big.parameters()])
    assert values.abs().max() <= bound
    assert values.abs().max() > 0.95 * bound and abs(values.mean().item()) < 0.01


def test_dropout_between_layers_in_training_only() -> None:
    ref, ours = pair(num_layers=2, dropout=1.0)
    x = torch.randn(T, B, D, dtype=torch.float64)
    ref.train(), ours.train()
    # p = 1 zeroes layer 1's input deterministically: the two must still agree.
    assert rel_err(ours(x)[0], ref(x)[0]) <= 1e-10
    ours.dropout = 0.5
    torch.manual_seed(1)
    first = ours(x)[0]
    assert not torch.equal(first, ours(x)[0])  # a fresh mask per call
    ref.eval(), ours.eval()
    ref.dropout = 0.0
    assert rel_err(ours(x)[0], ref(x)[0]) <= 1e-10
    assert torch.equal(ours(x)[0], ours(x)[0])


def test_single_layer_dropout_warns_like_torch() -> None:
    for cls in (lt.LSTM, lt.GRU, lt.RNN, lt.LayerNormLSTM):
        with pytest.warns(UserWarning, match="num_layers greater than 1") as record:
            cls(D, H, dropout=0.2)
        assert record[0].filename == __file__  # the warning points at the caller's line


@pytest.mark.parametrize("impl", CPU_IMPLS)
def test_never_runs_pytorch_rnn_operators(impl: str) -> None:
    ref, ours = pair(impl=impl, num_layers=2, bidirectional=True, proj_size=2)
    x = torch.randn(T, B, D, dtype=torch.float64, requires_grad=True)
    packed = pack_padded_sequence(
        torch.randn(T, 2, D, dtype=torch.float64), torch.tensor([3, 5]), enforce_sorted=False
    )

    def train_step(model: nn.Module) -> None:
        y, (h, _) = model(x)
        (y.sum() + h.sum()).backward()
        model(packed)

    assert RNN_OPS & ran_ops(lambda: train_step(ref))  # the check can see them...
    assert not RNN_OPS & ran_ops(lambda: train_step(ours))  # ...and ours runs none


@pytest.mark.parametrize("impl", ["fused_gates", "input_proj"])
def test_autocast_bfloat16_on_cpu(impl: str) -> None:
    ref, ours = pair(torch.float32, impl, num_layers=2)
    x = torch.randn(T, B, D, requires_grad=True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y, (h, c) = ours(x)
        y_ref, _ = ref(x)
    assert y.dtype == h.dtype == c.dtype == torch.bfloat16 == y_ref.dtype
    # bfloat16 keeps 8 bits of mantissa: compare with the float32 result at that precision.
    assert rel_err(y.float(), ref(x)[0]) < 2e-2
    y.float().sum().backward()
    assert x.grad is not None and all(p.grad is not None for p in ours.parameters())
    assert not RNN_OPS & ran_ops(lambda: ours(x))


def test_impl_names_and_cuda_graphs_needs_cuda() -> None:
    assert lt.IMPLS == (
        "per_gate",
        "fused_gates",
        "input_proj",
        "fused_step",
        "compiled_loop",
        "cuda_graphs",
        "persistent",
    )
    with pytest.raises(ValueError, match="impl must be"):
        lt.LSTM(D, H, impl="fast")
    with pytest.raises(ValueError, match="impl='cuda_graphs' needs the model on a CUDA device"):
        lt.LSTM(D, H, impl="cuda_graphs")(torch.randn(T, B, D))
    assert "impl='per_gate'" in repr(lt.LSTM(D, H, impl="per_gate"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda m: m(torch.randn(T, B, 7)),
            r"input.size\(-1\) must be equal to input_size. Expected 4, got 7",
        ),
        (lambda m: m(torch.randn(T)), "Expected input to be 2D or 3D, got 1D instead"),
        (
            lambda m: m(torch.randn(T, B, D), (torch.zeros(1, 2, H), torch.zeros(1, B, H))),
            r"Expected hidden\[0\] size \(1, 3, 5\), got \[1, 2, 5\]",
        ),
        (
            lambda m: m(torch.randn(T, B, D), (torch.zeros(1, B, H), torch.zeros(2, B, H))),
            r"Expected hidden\[1\] size \(1, 3, 5\), got \[2, 3, 5\]",
        ),
        (
            lambda m: m(torch.randn(T, B, D), (torch.zeros(B, H), torch.zeros(B, H))),
            "For batched 3-D input, hx and cx should also be 3-D but got",
        ),
        (
            lambda m: m(torch.randn(T, D), (torch.zeros(1, 1, H), torch.zeros(1, 1, H))),
            "For unbatched 2-D input, hx and cx should also be 2-D but got",
        ),
        (
            lambda m: m(torch.randn(T, B, D, dtype=torch.float64)),
            r"input dtype \(torch.float64\) does not match weight dtype \(torch.float32\)",
        ),
        (
            lambda m: m(
                torch.randn(T, B, D),
                (torch.zeros(1, B, H, dtype=torch.float64), torch.zeros(1, B, H)),
            ),
            r"hidden\[0\] dtype \(torch.float64\) does not match weight dtype",
        ),
        (
            lambda m: m(torch.randn(T, B, D, device="meta")),
            "Input and parameter tensors are not at the same device, found input tensor at meta",
        ),
        (lambda m: m(torch.randn(0, B, D)), "Expected sequence length to be larger than 0"),
    ],
)
def test_bad_input_errors_are_named_like_torch(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(lt.LSTM(D, H))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"proj_size": 5}, "proj_size has to be smaller than hidden_size"),
        ({"dropout": 1.5}, "dropout should be a number in range"),
        ({"num_layers": 0}, "num_layers must be greater than zero"),
        ({"proj_size": -1}, "proj_size should be a positive integer or zero"),
    ],
)
def test_bad_constructor_arguments(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lt.LSTM(D, H, **kw)


@pytest.mark.parametrize(
    ("args", "kw", "error", "message"),
    [
        (
            (3, 5),
            {"batch_first": "False"},
            TypeError,
            "batch_first should be of type bool, got: str",
        ),
        ((3, 5), {"bias": 1}, TypeError, "bias should be of type bool, got: int"),
        ((3.0, 5), {}, TypeError, "input_size should be of type int, got: float"),
        ((3, 5.0), {}, TypeError, "hidden_size should be of type int, got: float"),
        ((0, 5), {}, ValueError, "input_size must be greater than zero"),
        ((3, 0), {}, ValueError, "hidden_size must be greater than zero"),
    ],
)
@pytest.mark.parametrize("pair", [(nn.LSTM, lt.LSTM), (nn.GRU, lt.GRU), (nn.RNN, lt.RNN)], ids=str)
def test_constructor_arguments_torch_refuses_we_refuse_alike(
    pair: tuple[type[nn.Module], type[nn.Module]],
    args: tuple[Any, ...],
    kw: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    for cls in pair:  # torch.nn first: the expectation is torch's own behaviour
        with pytest.raises(error, match=message):
            cls(*args, **kw)


@pytest.mark.parametrize("pair", [(nn.GRU, lt.GRU), (nn.RNN, lt.RNN)], ids=str)
def test_proj_size_is_refused_by_gru_and_rnn(pair: tuple[type[nn.Module], ...]) -> None:
    for cls in pair:
        for proj_size in (10, 0):
            with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
                cls(D, H, proj_size=proj_size)


@pytest.mark.parametrize("impl", CPU_IMPLS)
def test_empty_batch_gives_empty_outputs_like_torch(impl: str) -> None:
    for kw in ({}, {"num_layers": 2, "bidirectional": True, "proj_size": 2}):
        ref = nn.LSTM(3, 4, **kw)
        x = torch.zeros(5, 0, 3, requires_grad=True)
        y, (h, c) = twin(lt.LSTM(3, 4, impl=impl, **kw), ref)(x)
        y_ref, (h_ref, c_ref) = ref(x)
        assert (y.shape, h.shape, c.shape) == (y_ref.shape, h_ref.shape, c_ref.shape)
        (y.sum() + h.sum() + c.sum()).backward()  # an empty batch trains too, as a no-op
        assert x.grad is not None and x.grad.shape == x.shape


@given(cut=st.integers(1, T - 1), impl=st.sampled_from(CPU_IMPLS))
def test_step_by_step_equals_whole_sequence(cut: int, impl: str) -> None:
    _, ours = pair(impl=impl, num_layers=2)
    x = torch.randn(T, B, D, dtype=torch.float64)
    y_all, hx_all = ours(x)
    ys, hx = [], None
    for t in range(T):
        y, hx = ours(x[t : t + 1], hx)
        ys.append(y)
    assert rel_err(torch.cat(ys), y_all) <= 1e-12
    y_head, hx_head = ours(x[:cut])
    y_tail, _ = ours(x[cut:], hx_head)
    assert rel_err(torch.cat([y_head, y_tail]), y_all) <= 1e-12
    assert hx is not None and rel_err(hx[1], hx_all[1]) <= 1e-12


@given(row=st.integers(0, B - 1), seed=st.integers(0, 2**16))
def test_batch_elements_are_independent(row: int, seed: int) -> None:
    _, ours = pair(num_layers=2, bidirectional=True)
    torch.manual_seed(seed)
    x = torch.randn(T, B, D, dtype=torch.float64)
    y, (h, c) = ours(x)
    y_row, (h_row, c_row) = ours(x[:, row])  # unbatched
    assert max_rel_err([y[:, row], h[:, row], c[:, row]], [y_row, h_row, c_row]) <= 1e-12


@given(seed=st.integers(0, 2**16))
def test_bidirectional_reversal_symmetry(seed: int) -> None:
    """The backward half on x is the forward half on x reversed, with the weights swapped."""
    torch.manual_seed(seed)
    bi = lt.LSTM(D, H, bidirectional=True, dtype=torch.float64)
    swapped = lt.LSTM(D, H, bidirectional=True, dtype=torch.float64)
    sd = bi.state_dict()
    swapped.load_state_dict(
        {
            k: sd[k + "_reverse" if not k.endswith("_reverse") else k.removesuffix("_reverse")]
            for k in sd
        }
    )
    x = torch.randn(T, B, D, dtype=torch.float64)
    y, _ = bi(x)
    y_rev, _ = swapped(x.flip(0))
    assert rel_err(y[..., H:], y_rev.flip(0)[..., :H]) <= 1e-12
    assert rel_err(y[..., :H], y_rev.flip(0)[..., H:]) <= 1e-12


def test_lstm_cell_matches_torch() -> None:
    torch.manual_seed(0)
    ref = nn.LSTMCell(D, H, dtype=torch.float64)
    ours = twin(lt.LSTMCell(D, H, dtype=torch.float64), ref)
    x = torch.randn(B, D, dtype=torch.float64, requires_grad=True)
    hx = (
        torch.randn(B, H, dtype=torch.float64, requires_grad=True),
        torch.randn(B, H, dtype=torch.float64, requires_grad=True),
    )
    results = []
    for model in (ours, ref):
        h, c = model(x, hx)
        results.append(
            [
                h,
                c,
                *torch.autograd.grad(h.sin().sum() + (c * c).sum(), [x, *hx, *model.parameters()]),
            ]
        )
    assert max_rel_err(*results) <= 1e-10
    h, c = ours(x[0])  # unbatched, zero states
    assert h.shape == (H,) and rel_err(h, ref(x[0])[0]) <= 1e-10
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D, got 3D"):
        ours(torch.randn(1, B, D, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="Input batch size 3 doesn't match hidden0 batch size 2"):
        ours(x, (torch.zeros(2, H, dtype=torch.float64), torch.zeros(B, H, dtype=torch.float64)))
    assert not RNN_OPS & ran_ops(lambda: ours(x, hx))


@pytest.mark.parametrize("impl", ["input_proj", "fused_step"])
def test_double_backward_of_hand_written_backward(impl: str) -> None:
    torch.manual_seed(0)
    model = lt.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2, dtype=F64, impl=impl)
    x = torch.randn(4, 2, 3, dtype=F64, requires_grad=True)
    assert torch.autograd.gradgradcheck(lambda x: model(x)[0], (x,))
    packed = lambda x: model(pack_padded_sequence(x, [4, 2]))[0].data  # noqa: E731
    assert torch.autograd.gradgradcheck(packed, (x,))
    # A gradient penalty on the weights: the same second derivatives as autograd's loop.
    reference = twin(lt.LSTM(3, 4, 2, bidirectional=True, proj_size=2, dtype=F64), model)
    reference.impl = "fused_gates"
    results = []
    for m in (model, reference):
        params = list(m.parameters())
        grads = torch.autograd.grad(m(x)[0].pow(2).sum(), params, create_graph=True)
        penalty = sum(g.pow(2).sum() for g in grads)
        results.append(list(torch.autograd.grad(penalty, params)))
    assert max_rel_err(*results) <= 1e-10


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    "module",
    [lt.LSTM(3, 4), lt.GRU(3, 4), lt.RNN(3, 4), lt.LSTMCell(3, 4), lt.GRUCell(3, 4)],
    ids=lambda m: type(m).__name__,
)
def test_torch_jit_script_is_refused_at_once_with_what_to_use(module: nn.Module) -> None:
    message = f"lstm_ref.torch.{type(module).__name__} does not support torch.jit.script"
    with pytest.raises(RuntimeError, match=message + r".*use torch.compile\(model\)"):
        torch.jit.script(module)
    model = nn.Sequential(module)  # also as a submodule of a model being scripted
    with pytest.raises(RuntimeError, match=message):
        torch.jit.script(model)
