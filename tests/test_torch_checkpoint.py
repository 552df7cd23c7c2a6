"""Whole-model checkpoints: ``torch.save(model)``, then ``torch.load(path, weights_only=True)``.

PyTorch's safe loader rebuilds only allow-listed classes, its own modules
included; a model holding our modules must need nothing more than our public
classes on that list (no cache, no function object in the pickle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor, nn

import lstm_ref.torch as lt
from lstm_ref.torch.cuda_graphs import GraphCache

D, H = 3, 5


class Tagger(nn.Module):
    """A user's model: a recurrent module (or cell) of ours and a linear read-out."""

    def __init__(self, recurrent: nn.Module, features: int) -> None:
        super().__init__()
        self.recurrent = recurrent
        self.readout = nn.Linear(features, 2)

    def forward(self, x: Tensor) -> Tensor:
        out = self.recurrent(x)
        return self.readout(out[0] if isinstance(out, tuple) else out)  # y, or a cell's h


MODULES: list[tuple[type[nn.Module], dict[str, Any]]] = [
    (lt.LSTM, {"num_layers": 2}),
    (lt.LSTM, {"proj_size": 2, "impl": "per_gate"}),
    (lt.GRU, {"batch_first": True}),
    (lt.RNN, {"nonlinearity": "relu"}),
    (lt.LSTMCell, {}),
    (lt.GRUCell, {}),
    (lt.RNNCell, {"nonlinearity": "relu"}),
    (lt.LayerNormLSTM, {}),
    (lt.VariantLSTM, {"variant": "NIAF"}),
]


def round_trip(model: nn.Module, allowed: list[Any], path: Path) -> Any:
    torch.save(model, path)
    with torch.serialization.safe_globals(allowed):
        return torch.load(path, weights_only=True)


@pytest.mark.parametrize(("cls", "kw"), MODULES, ids=lambda v: getattr(v, "__name__", ""))
def test_saved_model_loads_with_weights_only(
    cls: type[nn.Module], kw: dict[str, Any], tmp_path: Path
) -> None:
    torch.manual_seed(0)
    model = Tagger(cls(D, H, **kw), kw.get("proj_size") or H)
    x = torch.randn(4, D) if "Cell" in cls.__name__ else torch.randn(6, 4, D)
    expected = model(x)
    loaded = round_trip(model, [Tagger, cls, nn.Linear], tmp_path / "model.pt")
    assert type(loaded.recurrent) is cls
    assert torch.equal(loaded(x), expected)


def test_graph_cache_is_not_saved(tmp_path: Path) -> None:
    lstm = lt.LSTM(D, H, impl="cuda_graphs")
    lstm._graphs = GraphCache()  # as after a forward pass on a GPU
    lstm._graphs.graphs["signature"] = lambda *args: args
    loaded = round_trip(lstm, [lt.LSTM], tmp_path / "lstm.pt")
    assert loaded._graphs is None  # made again at the next forward pass
    assert lstm._graphs is not None  # the saved model keeps its own
