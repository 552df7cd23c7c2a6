"""Models holding our recurrent modules export to ONNX and run in onnxruntime (issue 23).

Both of PyTorch's exporters: the TorchScript-based one (``dynamo=False``), which
traces one call, and the default one (``torch.export``), which needs onnxscript.
Each exported model must load in onnxruntime and give PyTorch's outputs.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import Tensor, nn

import lstm_ref.torch as lt

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

T, B, D, H = 5, 3, 4, 6


class Wrapped(nn.Module):
    """A model around one recurrent module: its output and final states, flat."""

    def __init__(self, rnn: nn.Module) -> None:
        super().__init__()
        self.rnn = rnn

    def forward(self, x: Tensor, *hx: Tensor) -> tuple[Tensor, ...]:
        state: Any = None if not hx else hx[0] if len(hx) == 1 else hx
        y, final = self.rnn(x, state)
        return (y, *final) if isinstance(final, tuple) else (y, final)


def inputs(rnn: nn.Module, with_state: bool) -> tuple[Tensor, ...]:
    shape = (B, T, D) if rnn.batch_first else (T, B, D)
    x = torch.randn(shape)
    if not with_state:
        return (x,)
    layers = rnn.num_layers * (2 if rnn.bidirectional else 1)
    n_states = 2 if isinstance(rnn, lt.LSTM) else 1
    return (x, *(torch.randn(layers, B, H) for _ in range(n_states)))


def run_onnx(path: Path, args: tuple[Tensor, ...]) -> list[np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, {n: a.numpy() for n, a in zip(names, args, strict=True)})


def assert_same(model: nn.Module, path: Path, args: tuple[Tensor, ...]) -> None:
    with torch.no_grad():
        expected = model(*args)
    got = run_onnx(path, args)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e.numpy(), rtol=1e-5, atol=1e-5)


CASES = [
    (lt.LSTM, {}),
    (lt.LSTM, {"num_layers": 2}),
    (lt.LSTM, {"batch_first": True}),
    (lt.LSTM, {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    (lt.LSTM, {"bidirectional": True, "impl": "input_proj"}),  # a fast rung, asked for
    (lt.GRU, {"num_layers": 2, "bidirectional": True}),
    (lt.RNN, {"num_layers": 2, "batch_first": True}),
]


@pytest.mark.parametrize("with_state", [False, True], ids=["zeros", "hx"])
@pytest.mark.parametrize(("cls", "kw"), CASES, ids=str)
def test_torchscript_exporter(
    cls: type[nn.Module], kw: dict[str, Any], with_state: bool, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    model = Wrapped(cls(D, H, **kw)).eval()
    args = inputs(model.rnn, with_state)
    path = tmp_path / "model.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the exporter's own notice
        warnings.simplefilter("error", torch.jit.TracerWarning)  # no trace-freezing checks
        torch.onnx.export(model, args, str(path), dynamo=False)
    assert_same(model, path, args)


@pytest.mark.parametrize(
    ("cls", "kw"),
    [(lt.LSTM, {"num_layers": 2, "bidirectional": True}), (lt.GRU, {}), (lt.RNN, {})],
    ids=str,
)
def test_default_exporter(cls: type[nn.Module], kw: dict[str, Any], tmp_path: Path) -> None:
    pytest.importorskip("onnxscript")
    torch.manual_seed(0)
    model = Wrapped(cls(D, H, **kw)).eval()
    args = inputs(model.rnn, with_state=True)
    path = tmp_path / "model.onnx"
    program = torch.onnx.export(model, args, dynamo=True, verbose=False)
    assert program is not None
    program.save(str(path))
    assert_same(model, path, args)
