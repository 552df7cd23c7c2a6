"""lstm_ref: the LSTM of the book *LSTM, gate by gate*.

The package is built in layers, listed here from the bottom up: a module
imports only from its own layer and the layers above it in this list (modules
separated by "|" are independent: neither imports the other). The contracts in
``pyproject.toml`` (``[tool.importlinter]``) state these rules and
``lint-imports`` checks them. ``import lstm_ref`` itself stays light (no torch,
no matplotlib: each subpackage is imported on first use).

``lstm_ref.checks``, ``lstm_ref.history``, ``lstm_ref.optional``, ``lstm_ref.progress``
    The foundation, without torch or matplotlib: argument checks every layer
    shares, the record of a training run, importing the optional packages
    that data sets come from, the progress bar.
``lstm_ref.numpy``
    The NumPy reference: RNN, LSTM and GRU with hand-written backward passes.
``lstm_ref.data`` | ``lstm_ref.torch``
    The classic long-time-lag tasks and the application data sets; a drop-in
    ``torch.nn.LSTM`` of our own, its variants and the speed ladder.
``lstm_ref.train`` | ``lstm_ref.models``
    The one training loop; small sequence models for the chapters.
``lstm_ref.apps``
    Applications: forecasting, language models, classification, translation,
    anomaly detection, data-parallel training, and their baselines.
``lstm_ref.viz``
    The book's figures, drawn from plain arrays.
``lstm_ref.show`` | ``lstm_ref.cache`` | ``lstm_ref.bench``
    Book helpers: printing library code, a model cache (``safetensors`` files),
    the benchmark.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

_SUBMODULES = (
    "checks",
    "history",
    "optional",
    "progress",
    "numpy",
    "torch",
    "data",
    "models",
    "train",
    "apps",
    "viz",
    "show",
    "cache",
    "bench",
)
__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
