"""lstm_ref: the LSTM of the book *LSTM, gate by gate*.

Subpackages, each imported on first use so that ``import lstm_ref`` stays
light (no torch, no matplotlib):

``lstm_ref.numpy``
    The NumPy reference: RNN, LSTM and GRU with hand-written backward passes.
``lstm_ref.torch``
    A drop-in ``torch.nn.LSTM`` of our own, its variants and the speed ladder.
``lstm_ref.data``
    The classic long-time-lag tasks and the application data sets.
``lstm_ref.models``, ``lstm_ref.train``
    Small sequence models for the chapters and the training loop.
``lstm_ref.viz``, ``lstm_ref.cache``, ``lstm_ref.bench``
    The book's figures, a model cache, the benchmark.
``lstm_ref.forecast``
    Forecasting a series: seasonal naive, SARIMA, ETS and an LSTM forecaster.
``lstm_ref.charlm``, ``lstm_ref.ngram``, ``lstm_ref.interpret``
    A character language model, its Kneser-Ney n-gram baseline, and the
    tools that read what its units do and how far back a state's gradient
    reaches (chapters 3 and 4).
``lstm_ref.distributed``
    Data-parallel training with ``DistributedDataParallel`` under ``torchrun``.
``lstm_ref.show``
    How the chapters print source lines and small numbers.
``lstm_ref.finance``
    Honest scores for financial forecasts: directional accuracy with its
    interval, Diebold–Mariano, QLIKE, the GARCH(1,1) baseline.
``lstm_ref.anomaly``
    Anomaly scores (rolling z-score, forecast errors) and how to judge them.
``lstm_ref.seq2seq``
    An encoder-decoder LSTM with Luong's or Bahdanau's attention, greedy decoding and beam search.
``lstm_ref.classify``
    Sequence classification: a packed recurrent classifier, n-gram baselines, balanced accuracy.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

_SUBMODULES = (
    "numpy",
    "torch",
    "data",
    "models",
    "train",
    "viz",
    "cache",
    "bench",
    "distributed",
    "show",
    "finance",
    "forecast",
    "anomaly",
    "seq2seq",
    "classify",
    "charlm",
    "ngram",
    "interpret",
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
