"""The Greff et al. (2017) variants: each one's defining property, pinned."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch_helpers import max_rel_err, rel_err

from lstm_ref.torch import VARIANTS, VariantLSTM

D, H, T, B = 3, 4, 6, 2
F64 = torch.float64


def run(variant: str, **kw: object) -> tuple[VariantLSTM, dict[str, torch.Tensor], torch.Tensor]:
    torch.manual_seed(0)
    model = VariantLSTM(D, H, variant, dtype=F64, **kw)  # type: ignore[arg-type]
    x = torch.randn(T, B, D, dtype=F64)
    y, (h_n, c_n), gates = model(x, return_gates=True)
    assert y.shape == (T, B, H) and h_n.shape == c_n.shape == (1, B, H)
    assert rel_err(y[-1], h_n[0]) == 0 and rel_err(gates["c"][-1], c_n[0]) == 0
    return model, gates, y


def names(model: nn.Module) -> set[str]:
    return {n for n, _ in model.named_parameters()}


def test_all_nine_variants_exist() -> None:
    assert VARIANTS == ("vanilla", "NIG", "NFG", "NOG", "NIAF", "NOAF", "NP", "CIFG", "FGR")
    with pytest.raises(ValueError, match="variant must be one of"):
        VariantLSTM(D, H, "GRU")


def test_vanilla_has_peepholes_and_matches_torch_when_they_are_zero() -> None:
    torch.manual_seed(0)
    ref = nn.LSTM(D, H, dtype=F64)
    model = VariantLSTM(D, H, "vanilla", dtype=F64)
    assert {"peephole_i", "peephole_f", "peephole_o"} <= names(model)
    x = torch.randn(T, B, D, dtype=F64)
    with torch.no_grad():
        for ours, theirs in (
            ("weight_ih", "weight_ih_l0"),
            ("weight_hh", "weight_hh_l0"),
            ("bias_ih", "bias_ih_l0"),
            ("bias_hh", "bias_hh_l0"),
        ):
            getattr(model, ours).copy_(getattr(ref, theirs))
        y_peep = model(x)[0]
        for gate in "ifo":
            getattr(model, f"peephole_{gate}").zero_()
    y, (h, c) = model(x)
    y_ref, (h_ref, c_ref) = ref(x)
    assert max_rel_err([y, h, c], [y_ref, h_ref, c_ref]) <= 1e-10
    assert rel_err(y_peep, y_ref) > 1e-3  # the peepholes do change the output


def test_peepholes_enter_the_gates() -> None:
    """vanilla: i = σ(a_i + p_i ⊙ c_{t-1}), o = σ(a_o + p_o ⊙ c_t): check against a hand step."""
    model, _, _ = run("vanilla")
    x = torch.randn(1, B, D, dtype=F64)
    _, _, g = model(x, return_gates=True)
    a = (x[0] @ model.weight_ih.T + model.bias_ih + model.bias_hh).chunk(4, -1)  # h0 = c0 = 0
    i = torch.sigmoid(a[0])
    c = i * torch.tanh(a[2]) + 0
    o = torch.sigmoid(a[3] + model.peephole_o * c)
    assert max_rel_err([g["i"][0], g["c"][0], g["o"][0]], [i, c, o]) <= 1e-12


def test_nig_has_no_input_gate() -> None:
    model, gates, _ = run("NIG")
    assert torch.equal(gates["i"], torch.ones_like(gates["i"]))
    assert model.weight_ih.shape == (3 * H, D) and "peephole_i" not in names(model)


def test_nfg_is_the_1997_lstm_without_forget_gate() -> None:
    model, gates, _ = run("NFG")
    assert torch.equal(gates["f"], torch.ones_like(gates["f"]))
    # c_t = c_{t-1} + i_t g_t: the constant error carousel
    increments = gates["c"].diff(dim=0)
    assert rel_err(increments, (gates["i"] * gates["g"])[1:]) <= 1e-12
    assert model.weight_ih.shape == (3 * H, D) and "peephole_f" not in names(model)


def test_nog_has_no_output_gate() -> None:
    model, gates, y = run("NOG")
    assert torch.equal(gates["o"], torch.ones_like(gates["o"]))
    assert rel_err(y, torch.tanh(gates["c"])) <= 1e-12
    assert "peephole_o" not in names(model)


def test_niaf_has_identity_input_activation() -> None:
    model, gates, _ = run("NIAF")
    x = torch.randn(1, B, D, dtype=F64)
    _, _, g = model(x, return_gates=True)
    a_g = (x[0] @ model.weight_ih.T + model.bias_ih + model.bias_hh).chunk(4, -1)[2]
    assert rel_err(g["g"][0], a_g) <= 1e-12
    assert gates["g"].abs().max() > 0


def test_noaf_has_identity_output_activation() -> None:
    _, gates, y = run("NOAF")
    assert rel_err(y, gates["o"] * gates["c"]) <= 1e-12


def test_np_has_no_peepholes_and_equals_torch() -> None:
    model, _, _ = run("NP")
    assert not any(n.startswith("peephole") for n in names(model))
    ref = nn.LSTM(D, H, dtype=F64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(ref, f"{name}_l0").copy_(getattr(model, name))
    x = torch.randn(T, B, D, dtype=F64)
    assert rel_err(model(x)[0], ref(x)[0]) <= 1e-10


def test_cifg_couples_input_and_forget_gate() -> None:
    model, gates, _ = run("CIFG")
    assert rel_err(gates["i"], 1 - gates["f"]) <= 1e-15
    assert model.weight_ih.shape == (3 * H, D)
    assert {"peephole_i", "peephole_o"} <= names(model) and "peephole_f" not in names(model)


def test_fgr_has_full_gate_recurrence() -> None:
    model, _, _ = run("FGR")
    assert model.weight_gates.shape == (3 * H, 3 * H)
    x = torch.randn(T, B, D, dtype=F64)
    y1 = model(x)[0]
    with torch.no_grad():
        model.weight_gates.zero_()
    y0 = model(x)[0]
    assert rel_err(y0[0], y1[0]) <= 1e-15  # no previous gates at t = 0
    assert rel_err(y0[1:], y1[1:]) > 1e-4  # later steps see the previous gates
    peephole = VariantLSTM(D, H, "vanilla", dtype=F64)
    peephole.load_state_dict({k: v for k, v in model.state_dict().items() if k != "weight_gates"})
    assert rel_err(peephole(x)[0], y0) <= 1e-12  # R = 0 gives back vanilla


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_trains_batch_first_and_unbatched(variant: str) -> None:
    torch.manual_seed(0)
    model = VariantLSTM(D, H, variant, batch_first=True, dtype=F64)
    x = torch.randn(B, T, D, dtype=F64)
    y, _ = model(x)
    assert y.shape == (B, T, H)
    y.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    y0, (h0, _) = model(x[0])
    assert y0.shape == (T, H) and h0.shape == (1, H) and rel_err(y0, y[0]) <= 1e-12
    if variant != "FGR":  # FGR's state also holds the previous gates, which hx does not carry
        y_half, hx = model(x[:, :3])
        assert rel_err(torch.cat([y_half, model(x[:, 3:], hx)[0]], 1), y) <= 1e-12


def test_variant_input_errors() -> None:
    model = VariantLSTM(D, H, "CIFG")
    with pytest.raises(ValueError, match=r"input.size\(-1\) must be equal to input_size"):
        model(torch.randn(T, B, D + 1))
    with pytest.raises(ValueError, match=r"Expected hidden\[0\] size \(1, 2, 4\), got \[1, 3, 4\]"):
        model(torch.randn(T, B, D), (torch.zeros(1, 3, H), torch.zeros(1, B, H)))
    with pytest.raises(ValueError, match="Expected sequence length to be larger than 0"):
        model(torch.randn(0, B, D))
