"""RecurrentModel and set_forget_bias with torch.nn's recurrent layers."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstm_ref.models import RecurrentModel, set_forget_bias


@pytest.mark.parametrize("rnn", [nn.LSTM, nn.GRU, nn.RNN])
@pytest.mark.parametrize("readout", ["last", "all"])
def test_output_shapes(rnn: type[nn.Module], readout: str) -> None:
    torch.manual_seed(0)
    model = RecurrentModel(3, 8, 5, rnn=rnn, readout=readout, num_layers=2)  # type: ignore[arg-type]
    out = model(torch.randn(4, 7, 3))
    assert out.shape == ((4, 5) if readout == "last" else (4, 7, 5))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_reaches_the_output(bidirectional: bool) -> None:
    torch.manual_seed(0)
    model = RecurrentModel(3, 6, 2, bidirectional=bidirectional).double()
    short = torch.randn(1, 4, 3, dtype=torch.float64)
    padded = torch.cat([short, 5 * torch.randn(1, 3, 3, dtype=torch.float64)], dim=1)
    batch = torch.cat([padded, torch.randn(1, 7, 3, dtype=torch.float64)])
    out = model(batch, torch.tensor([4, 7]))
    torch.testing.assert_close(out[0], model(short)[0], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(out[1], model(batch[1:])[0], rtol=1e-12, atol=1e-12)


def test_lengths_are_checked() -> None:
    model = RecurrentModel(2, 4, 1)
    with pytest.raises(ValueError, match="lengths"):
        model(torch.randn(2, 5, 2), torch.tensor([0, 5]))
    with pytest.raises(ValueError, match="x"):
        model(torch.randn(5, 2))


def test_forget_bias() -> None:
    lstm = nn.LSTM(2, 4, num_layers=2, bidirectional=True)
    set_forget_bias(lstm, 3.0)
    for layer in ("l0", "l1", "l0_reverse", "l1_reverse"):
        total = getattr(lstm, f"bias_ih_{layer}") + getattr(lstm, f"bias_hh_{layer}")
        assert torch.equal(total[4:8], torch.full((4,), 3.0))
    model = RecurrentModel(2, 4, 1, forget_bias=1.0)
    params = dict(model.rnn.named_parameters())
    assert torch.equal((params["bias_ih_l0"] + params["bias_hh_l0"])[4:8], torch.ones(4))
    with pytest.raises(ValueError, match="lstm"):
        set_forget_bias(nn.GRU(2, 4), 1.0)
    with pytest.raises(ValueError, match="readout"):
        RecurrentModel(2, 4, 1, readout="first")  # type: ignore[arg-type]
