"""lstm_ref.show: the helpers chapters use to print source lines and numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_ref.numpy import lstm_cell_forward, relative_error
from lstm_ref.show import body, sci, show_between, show_lines


def test_show_lines_prints_the_matching_lines(capsys: pytest.CaptureFixture[str]) -> None:
    show_lines(lstm_cell_forward, "f = sigmoid", "c = f * c_prev")
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2
    assert printed[0].startswith("f = sigmoid") and printed[1].startswith("c = f * c_prev")
    with pytest.raises(ValueError, match="needles: none of"):
        show_lines(lstm_cell_forward, "no such line")


def test_show_between_prints_a_dedented_block(capsys: pytest.CaptureFixture[str]) -> None:
    show_between(lstm_cell_forward, "f = sigmoid", "c = f * c_prev")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("f = sigmoid") and printed[-1].startswith("c = f * c_prev")
    with pytest.raises(ValueError, match="stop:"):
        show_between(lstm_cell_forward, "c = f * c_prev", "f = sigmoid")


def test_body_drops_the_docstring() -> None:
    text = body(lstm_cell_forward)
    assert '"""' not in text and "sigmoid" in text


@pytest.mark.parametrize(("value", "text"), [(1.2e-9, "1·10⁻⁹"), (3.4e5, "3·10⁵"), (0.5, "5·10⁻¹")])
def test_sci(value: float, text: str) -> None:
    assert sci(value) == text


def test_relative_error_takes_tensors_with_grad_and_bfloat16() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([1.0, 2.5], dtype=torch.bfloat16)
    assert relative_error(a, b) == pytest.approx(0.5 / 4.5)
    assert relative_error(a, np.array([1.0, 2.0])) == 0.0
