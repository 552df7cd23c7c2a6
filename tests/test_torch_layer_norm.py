"""The layer-normalised LSTM (Ba, Kiros & Hinton 2016): its equations and defining invariances."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn
from torch.func import functional_call
from torch.nn.utils.rnn import pack_sequence, pad_packed_sequence
from torch_helpers import max_rel_err, rel_err

from lstm_ref.models import RecurrentModel, set_forget_bias
from lstm_ref.torch import LayerNormLSTM, LayerNormLSTMCell

D, H, T, B = 3, 5, 6, 4
F64 = torch.float64


def ln(a: Tensor, gamma: Tensor, beta: Tensor, eps: float) -> Tensor:
    """LN(a; γ, β) written out: standardise over the units, then scale and shift."""
    mu = a.mean(-1, keepdim=True)
    var = ((a - mu) ** 2).mean(-1, keepdim=True)
    return gamma * (a - mu) / torch.sqrt(var + eps) + beta


def reference(
    model: LayerNormLSTM, x: Tensor, h0: Tensor, c0: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """The class docstring's equations, step by step and layer by layer, time-major x (T, B, D)."""
    eps, h_n, c_n = model.eps, [], []
    for layer in range(model.num_layers):
        p = {name: getattr(model, f"{name}_l{layer}") for name in (
            "weight_ih", "weight_hh", "bias_ih", "bias_hh", "gamma_ih", "gamma_hh", "gamma_c",
            "beta_c")}  # fmt: skip
        h, c, outs = h0[layer], c0[layer], []
        for x_t in x:
            a = ln(x_t @ p["weight_ih"].T, p["gamma_ih"], p["bias_ih"], eps) + ln(
                h @ p["weight_hh"].T, p["gamma_hh"], p["bias_hh"], eps
            )
            a_i, a_f, a_g, a_o = a.chunk(4, -1)
            i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
            c = f * c + i * g
            h = o * torch.tanh(ln(c, p["gamma_c"], p["beta_c"], eps))
            outs.append(h)
        x = torch.stack(outs)
        h_n.append(h)
        c_n.append(c)
    return x, torch.stack(h_n), torch.stack(c_n)


def randomise_layer_norm(model: nn.Module) -> None:
    """Gains and shifts away from their initial 1 and 0, so that a wrong one shows."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("gamma_"):
                p.uniform_(0.5, 1.5)
            elif name.startswith("beta_"):
                p.normal_(0.0, 0.3)


def make(num_layers: int = 2, **kw: object) -> LayerNormLSTM:
    torch.manual_seed(0)
    model = LayerNormLSTM(D, H, num_layers, dtype=F64, **kw)  # type: ignore[arg-type]
    randomise_layer_norm(model)
    return model


def test_equals_the_equations_line_by_line() -> None:
    model = make(num_layers=2, batch_first=True)
    x = torch.randn(B, T, D, dtype=F64)
    h0, c0 = torch.randn(2, B, H, dtype=F64), torch.randn(2, B, H, dtype=F64)
    y, (h_n, c_n) = model(x, (h0, c0))
    y_ref, h_ref, c_ref = reference(model, x.transpose(0, 1), h0, c0)
    assert y.shape == (B, T, H) and h_n.shape == c_n.shape == (2, B, H)
    assert max_rel_err([y.transpose(0, 1), h_n, c_n], [y_ref, h_ref, c_ref]) <= 1e-12


def test_parameters_have_torch_names_plus_the_layer_norm_ones() -> None:
    model = LayerNormLSTM(D, H, num_layers=2)
    plain = set(nn.LSTM(D, H, num_layers=2).state_dict())
    extra = {
        f"{k}_l{layer}" for k in ("gamma_ih", "gamma_hh", "gamma_c", "beta_c") for layer in (0, 1)
    }
    assert set(model.state_dict()) == plain | extra
    assert model.gamma_ih_l1.shape == (4 * H,) and model.beta_c_l1.shape == (H,)
    assert model.gamma_ih_l0.eq(1).all() and model.gamma_c_l0.eq(1).all()
    assert model.beta_c_l0.eq(0).all()
    # torch.nn.LSTM's weights load into it (the layer-norm parameters keep their values)
    missing = model.load_state_dict(nn.LSTM(D, H, num_layers=2).state_dict(), strict=False)
    assert set(missing.missing_keys) == extra and not missing.unexpected_keys


def test_output_is_invariant_to_scaling_and_shifting_the_weights() -> None:
    """LN(s W x) = LN(W x) for s > 0 and LN(W x + 1 (u·x)) = LN(W x): torch.nn.LSTM has neither."""
    model = make(num_layers=1, eps=0.0)  # eps = 0: the invariance is exact
    plain = nn.LSTM(D, H, dtype=F64)
    plain.load_state_dict(model.state_dict(), strict=False)
    x = torch.randn(T, B, D, dtype=F64)
    hx = (
        torch.randn(1, B, H, dtype=F64),
        torch.randn(1, B, H, dtype=F64),
    )  # h_0 ≠ 0 so LN(W_hh h_0) is defined
    y, y_plain = model(x, hx)[0], plain(x, hx)[0]
    assert rel_err(y, y_plain) > 0.05  # layer norm is not a no-op

    u = torch.randn(1, D, dtype=F64)
    changes = {
        "weight_ih_l0": lambda w: 7.0 * w,
        "weight_hh_l0": lambda w: 0.02 * w,
        "weight_ih_l0 ": lambda w: w + u,  # every gate unit gets the same extra u·x
    }
    for name, change in changes.items():
        for m in (model, plain):
            with torch.no_grad():
                w = getattr(m, name.strip())
                saved = w.clone()
                w.copy_(change(w))
            changed = m(x, hx)[0]
            with torch.no_grad():
                w.copy_(saved)
            if m is model:
                assert rel_err(changed, y) <= 1e-12, name
            else:
                assert rel_err(changed, y_plain) > 1e-2, name


def test_gradients_agree_with_finite_differences() -> None:
    torch.manual_seed(1)
    model = LayerNormLSTM(2, 3, num_layers=2, dtype=F64)
    randomise_layer_norm(model)
    names = [n for n, _ in model.named_parameters()]
    x = torch.randn(3, 2, 2, dtype=F64, requires_grad=True)
    h0 = torch.randn(2, 2, 3, dtype=F64, requires_grad=True)
    c0 = torch.randn(2, 2, 3, dtype=F64, requires_grad=True)
    params = [p.detach().clone().requires_grad_() for p in model.parameters()]

    def run(x: Tensor, h0: Tensor, c0: Tensor, *ps: Tensor) -> tuple[Tensor, ...]:
        y, (_, c_n) = functional_call(model, dict(zip(names, ps, strict=True)), (x, (h0, c0)))
        return y, c_n

    assert torch.autograd.gradcheck(run, (x, h0, c0, *params), eps=1e-6, atol=1e-7, rtol=1e-5)


def test_cell_is_one_step_of_the_layer() -> None:
    model = make(num_layers=1)
    cell = LayerNormLSTMCell(D, H, dtype=F64)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in model.state_dict().items()})
    x = torch.randn(T, B, D, dtype=F64)
    y, (h_n, c_n) = model(x)
    h = c = torch.zeros(B, H, dtype=F64)
    steps = []
    for x_t in x:
        h, c = cell(x_t, (h, c))
        steps.append(h)
    assert max_rel_err([torch.stack(steps), h, c], [y, h_n[0], c_n[0]]) <= 1e-12
    h1, c1 = cell(x[0, 0])  # unbatched, zero state
    assert h1.shape == c1.shape == (H,) and rel_err(h1, y[0, 0]) <= 1e-12


def test_chunks_with_carried_state_equal_the_whole_sequence_and_unbatched() -> None:
    model = make(num_layers=2)
    x = torch.randn(T, B, D, dtype=F64)
    y, (h_n, c_n) = model(x)
    first, hx = model(x[:2])
    second, (h2, c2) = model(x[2:], hx)
    assert max_rel_err([torch.cat([first, second]), h2, c2], [y, h_n, c_n]) <= 1e-12
    y1, (h1, _) = model(x[:, 1])
    assert y1.shape == (T, H) and h1.shape == (2, H) and rel_err(y1, y[:, 1]) <= 1e-12


def test_packed_bidirectional_equals_each_sequence_alone() -> None:
    model = make(num_layers=1, bidirectional=True)
    seqs = [torch.randn(n, D, dtype=F64) for n in (5, 2, 4)]
    out, (h_n, _) = model(pack_sequence(seqs, enforce_sorted=False))
    padded, lengths = pad_packed_sequence(out)
    assert padded.shape == (5, 3, 2 * H) and h_n.shape == (2, 3, H)
    for k, seq in enumerate(seqs):
        alone, (h_alone, _) = model(seq)
        assert rel_err(padded[: lengths[k], k], alone) <= 1e-12
        assert rel_err(h_n[:, k], h_alone) <= 1e-12


def test_dropout_acts_between_layers_in_training_only() -> None:
    model = LayerNormLSTM(D, H, num_layers=2, dropout=0.5)
    x = torch.randn(T, B, D)
    assert not torch.equal(model(x)[0], model(x)[0])
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        LayerNormLSTM(D, H, num_layers=1, dropout=0.5)


def test_plugs_into_recurrent_model_with_forget_bias_and_learns() -> None:
    """A 2-layer LN-LSTM read out by RecurrentModel fits 32 fixed sequences: the loss falls 10x."""
    torch.manual_seed(0)
    model = RecurrentModel(D, 16, 1, rnn=LayerNormLSTM, num_layers=2, forget_bias=1.0)
    assert isinstance(model.rnn, LayerNormLSTM)
    assert model.rnn.bias_ih_l1[16:32].eq(1).all() and model.rnn.bias_hh_l1[16:32].eq(0).all()
    x = torch.randn(32, 8, D)
    y = x[:, 2, :1]  # remember the first feature of step 2
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(150):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 10


def test_set_forget_bias_and_errors() -> None:
    model = LayerNormLSTM(D, H)
    set_forget_bias(model, 2.0)
    assert model.bias_ih_l0[H : 2 * H].eq(2).all()
    with pytest.raises(ValueError, match=r"input.size\(-1\) must be equal to input_size"):
        model(torch.randn(T, B, D + 1))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D"):
        model(torch.randn(T, B, D, 1))
    with pytest.raises(ValueError, match=r"Expected hidden\[0\] size \(1, 4, 5\), got \[1, 3, 5\]"):
        model(torch.randn(T, B, D), (torch.zeros(1, 3, H), torch.zeros(1, B, H)))
    with pytest.raises(ValueError, match="Expected sequence length to be larger than 0"):
        model(torch.randn(0, B, D))
    with pytest.raises(ValueError, match=r"input dtype \(torch.float64\) does not match"):
        model(torch.randn(T, B, D, dtype=F64))
    with pytest.raises(ValueError, match="eps must be a number >= 0, got -1"):
        LayerNormLSTM(D, H, eps=-1)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        LayerNormLSTM(D, 0)
    cell = LayerNormLSTMCell(D, H)
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D, got 3D"):
        cell(torch.randn(1, B, D))
    with pytest.raises(ValueError, match="eps must be a number >= 0"):
        LayerNormLSTMCell(D, H, eps="small")  # type: ignore[arg-type]
