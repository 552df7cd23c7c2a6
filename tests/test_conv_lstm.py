"""The ConvLSTM cell and layer: equal to the LSTM cell at 1 x 1, gradients, shapes, errors."""

from __future__ import annotations

import pytest
import torch

from lstm_ref.torch import ConvLSTM, ConvLSTMCell, LSTMCell


def _pair(C: int, K: int, seed: int) -> tuple[ConvLSTMCell, torch.nn.LSTMCell]:
    torch.manual_seed(seed)
    conv = ConvLSTMCell(C, K, kernel_size=1).double()
    plain = torch.nn.LSTMCell(C, K).double()
    with torch.no_grad():
        plain.weight_ih.copy_(conv.weight_ih[:, :, 0, 0])
        plain.weight_hh.copy_(conv.weight_hh[:, :, 0, 0])
        plain.bias_ih.copy_(conv.bias_ih)
        plain.bias_hh.copy_(conv.bias_hh)
    return conv, plain


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_by_one_equals_lstm_cells(seed: int) -> None:
    conv, plain = _pair(3, 5, seed)
    ours = LSTMCell(3, 5).double()
    ours.load_state_dict(plain.state_dict())
    x = torch.randn(4, 3, dtype=torch.float64)
    h = torch.randn(4, 5, dtype=torch.float64)
    c = torch.randn(4, 5, dtype=torch.float64)
    h1, c1 = conv(x[:, :, None, None], (h[:, :, None, None], c[:, :, None, None]))
    for reference in (plain, ours):
        h2, c2 = reference(x, (h, c))
        torch.testing.assert_close(h1[:, :, 0, 0], h2, rtol=0, atol=1e-12)
        torch.testing.assert_close(c1[:, :, 0, 0], c2, rtol=0, atol=1e-12)


def test_one_by_one_kernel_is_a_per_pixel_lstm() -> None:
    """On a larger image a 1 x 1 kernel runs the same LSTM cell at every pixel."""
    conv, plain = _pair(2, 3, 3)
    x = torch.randn(2, 2, 4, 5, dtype=torch.float64)
    h, c = conv(x)
    pixels = x.permute(0, 2, 3, 1).reshape(-1, 2)
    h2, c2 = plain(pixels)
    torch.testing.assert_close(h.permute(0, 2, 3, 1).reshape(-1, 3), h2, rtol=0, atol=1e-12)
    torch.testing.assert_close(c.permute(0, 2, 3, 1).reshape(-1, 3), c2, rtol=0, atol=1e-12)


def test_gradients_match_central_differences() -> None:
    torch.manual_seed(0)
    layer = ConvLSTM(1, 2, kernel_size=3).double()
    x = torch.randn(2, 3, 1, 4, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: layer(x)[0], (x,))
    out, (_, c_n) = layer(x)
    (out.sum() + c_n.sum()).backward()
    for p in layer.parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0


def test_layer_equals_the_cell_step_by_step_and_shapes() -> None:
    torch.manual_seed(1)
    layer = ConvLSTM(2, 4, kernel_size=3)
    x = torch.randn(3, 5, 2, 6, 7)
    out, (h_n, c_n) = layer(x)
    assert out.shape == (3, 5, 4, 6, 7) and h_n.shape == c_n.shape == (3, 4, 6, 7)
    state = None
    for t in range(5):
        state = layer.cell(x[:, t], state)
        torch.testing.assert_close(out[:, t], state[0])
    torch.testing.assert_close(c_n, state[1])
    time_first = ConvLSTM(2, 4, kernel_size=3, batch_first=False)
    time_first.load_state_dict(layer.state_dict())
    out_tf, _ = time_first(x.transpose(0, 1))
    torch.testing.assert_close(out_tf.transpose(0, 1), out)


def test_state_carries_over_between_calls() -> None:
    torch.manual_seed(2)
    layer = ConvLSTM(1, 2)
    x = torch.randn(2, 6, 1, 5, 5)
    whole, _ = layer(x)
    first, state = layer(x[:, :4])
    rest, _ = layer(x[:, 4:], state)
    torch.testing.assert_close(torch.cat([first, rest], 1), whole)


def test_bad_input_is_named() -> None:
    cell = ConvLSTMCell(2, 3)
    with pytest.raises(ValueError, match=r"input of shape \(B, 2, H, W\), got \(1, 3, 4, 4\)"):
        cell(torch.zeros(1, 3, 4, 4))
    with pytest.raises(ValueError, match=r"hx\[0\]"):
        cell(torch.zeros(1, 2, 4, 4), (torch.zeros(1, 3, 5, 4), torch.zeros(1, 3, 4, 4)))
    with pytest.raises(ValueError, match="kernel_size: expected an odd number, got 4"):
        ConvLSTMCell(1, 1, kernel_size=4)
    with pytest.raises(ValueError, match=r"\(B, T, C, H, W\)"):
        ConvLSTM(1, 1)(torch.zeros(2, 1, 4, 4))
    with pytest.raises(ValueError, match="at least one time step"):
        ConvLSTM(1, 1)(torch.zeros(2, 0, 1, 4, 4))
