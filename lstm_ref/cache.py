"""A cache of trained models, so one chapter can reuse what another trained.

A model is stored under ``<cache dir>/<name>-<hash of its config>.safetensors``
(its weights, with the configuration in the file's metadata; no pickle, so
loading runs no code from the file); change any configuration value and it is
trained afresh. The cache directory is
``$LSTM_REF_CACHE`` if set, else ``$XDG_CACHE_HOME/lstm_ref``, else
``~/.cache/lstm_ref``.

>>> model = load_or_train(
...     "adding-lstm", {"hidden": 32, "steps": 800},
...     build=lambda cfg: RecurrentModel(2, cfg["hidden"], 1),
...     train=lambda model, cfg: fit(model, ..., steps=cfg["steps"]),
... )  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from safetensors.torch import load_file, save_file
from torch import nn

M = TypeVar("M", bound=nn.Module)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def cache_dir() -> Path:
    """The directory models are stored in (not created here)."""
    if os.environ.get("LSTM_REF_CACHE"):
        return Path(os.environ["LSTM_REF_CACHE"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "lstm_ref"
    return Path.home() / ".cache" / "lstm_ref"


def config_hash(config: Mapping[str, Any]) -> str:
    """A short stable hash of a JSON-serialisable configuration (key order does not matter)."""
    if not isinstance(config, Mapping):
        raise TypeError(f"config: expected a dict, got {type(config).__name__}")
    try:
        text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    except TypeError as e:
        raise TypeError(f"config: expected JSON-serialisable values ({e})") from None
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def model_path(name: str, config: Mapping[str, Any]) -> Path:
    """Where the model ``name`` trained with ``config`` is stored."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name: expected letters, digits, '_', '-' or '.', got {name!r}")
    return cache_dir() / f"{name}-{config_hash(config)}.safetensors"


def save_model(model: nn.Module, name: str, config: Mapping[str, Any]) -> Path:
    """Store ``model``'s weights with its configuration; returns the file written.

    The file is written next to its final place, then renamed, so a reader
    never sees half a file.
    """
    path = model_path(name, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    save_file(state, str(tmp), metadata={"config": json.dumps(dict(config), sort_keys=True)})
    tmp.replace(path)
    return path


def load_model(
    name: str, config: Mapping[str, Any], build: Callable[[dict[str, Any]], M]
) -> M | None:
    """The stored model ``name`` for ``config``, rebuilt with ``build(config)``; ``None`` if absent.

    The model is returned in evaluation mode, on the CPU.
    """
    path = model_path(name, config)
    if not path.is_file():
        return None
    model = build(dict(config))
    model.load_state_dict(load_file(str(path), device="cpu"))
    return model.eval()


def load_or_train(
    name: str,
    config: Mapping[str, Any],
    build: Callable[[dict[str, Any]], M],
    train: Callable[[M, dict[str, Any]], object],
) -> M:
    """Load the model ``name`` for ``config`` from the cache, or build, train and store it.

    Parameters
    ----------
    name : str
        A file-name-safe name, e.g. ``"stdlib-char-lstm"``.
    config : dict
        JSON-serialisable settings that determine the trained model.
    build : callable
        ``build(config) -> model``, freshly initialised.
    train : callable
        ``train(model, config)`` trains the model in place (its return value is ignored).

    Returns
    -------
    torch.nn.Module
        The trained model, in evaluation mode.
    """
    model = load_model(name, config, build)
    if model is None:
        model = build(dict(config))
        train(model, dict(config))
        save_model(model, name, config)
    return model.eval()
