"""The model cache: where it lives, round trips, and training only when absent."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from lstm_ref import cache
from lstm_ref.models import RecurrentModel


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSTM_REF_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _build(config: dict[str, object]) -> RecurrentModel:
    return RecurrentModel(2, int(config["hidden"]), 1)  # type: ignore[call-overload]


def test_cache_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache.cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("LSTM_REF_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "lstm_ref"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "lstm_ref"


def test_config_hash_is_stable_and_sensitive() -> None:
    assert cache.config_hash({"a": 1, "b": [1, 2]}) == cache.config_hash({"b": [1, 2], "a": 1})
    assert cache.config_hash({"a": 1}) != cache.config_hash({"a": 2})
    with pytest.raises(TypeError, match="config"):
        cache.config_hash({"a": object()})
    with pytest.raises(ValueError, match="name"):
        cache.model_path("../escape", {})


def test_round_trip(_cache_in_tmp: Path) -> None:
    torch.manual_seed(0)
    model = _build({"hidden": 4})
    path = cache.save_model(model, "demo", {"hidden": 4})
    assert path.parent == _cache_in_tmp and path.is_file()
    assert [p.name for p in _cache_in_tmp.iterdir()] == [path.name]  # no temporary left over
    loaded = cache.load_model("demo", {"hidden": 4}, _build)
    assert loaded is not None and not loaded.training
    for (k, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items(), strict=True):
        assert torch.equal(a, b), k
    assert cache.load_model("demo", {"hidden": 5}, _build) is None


def test_load_or_train_trains_once() -> None:
    calls: list[dict[str, object]] = []

    def train(model: RecurrentModel, config: dict[str, object]) -> None:
        calls.append(config)
        with torch.no_grad():
            model.linear.bias.fill_(float(config["value"]))  # type: ignore[arg-type]

    config = {"hidden": 3, "value": 0.25}
    first = cache.load_or_train("tiny", config, _build, train)
    second = cache.load_or_train("tiny", config, _build, train)
    assert len(calls) == 1
    assert float(second.linear.bias.detach()) == float(first.linear.bias.detach()) == 0.25
    cache.load_or_train("tiny", {**config, "value": 0.5}, _build, train)
    assert len(calls) == 2
