"""Tasks and data for the book: the long-time-lag problems, time series, text.

Every task generator returns a :class:`Task` ``(x, y, lengths)`` of
batch-major NumPy arrays, ``x`` of shape ``(N, T, D)`` (float32), and comes
with its success criterion and trivial baseline:

>>> from lstm_ref.data import adding, adding_solved, adding_baseline_mse
>>> x, y, lengths = adding(64, T=100, seed=0)
>>> x.shape, y.shape, lengths.shape
((64, 100, 2), (64, 1), (64,))

Only NumPy is imported here.
"""

from ._common import PAD_TARGET, Seed, Task
from .python_source import (
    EXCLUDED_DIRS,
    PythonSource,
    SourceSignals,
    load_python_source,
    long_context_positions,
    python_source_files,
    source_signals,
    stdlib_dir,
)
from .reber import (
    REBER_SYMBOLS,
    decode_reber,
    embedded_reber,
    encode_reber,
    is_reber,
    reber_all_legal,
    reber_baseline_success,
    reber_legal_next,
    reber_solved,
    reber_strings,
)
from .series import Split, StandardScaler, chronological_split, make_windows
from .tasks import (
    TEMPORAL_ORDER_ALPHABET,
    accuracy,
    adding,
    adding_baseline_mse,
    adding_solved,
    adding_stream,
    copy_memory,
    copy_memory_accuracy,
    copy_memory_baseline_ce,
    copy_memory_solved,
    echo,
    echo_accuracy,
    long_lag_solved,
    multiplication,
    multiplication_baseline_mse,
    multiplication_solved,
    noise_free_long_lag,
    temporal_order,
    temporal_order_accuracy,
    temporal_order_baseline_accuracy,
    temporal_order_solved,
)
from .text import UNKNOWN, CharVocab, next_char_pairs

# Documented (and cross-referenced) as lstm_ref.data.Task, where users import it from.
Task.__module__ = __name__

__all__ = [
    "EXCLUDED_DIRS",
    "PAD_TARGET",
    "REBER_SYMBOLS",
    "TEMPORAL_ORDER_ALPHABET",
    "UNKNOWN",
    "CharVocab",
    "PythonSource",
    "Seed",
    "SourceSignals",
    "Split",
    "StandardScaler",
    "Task",
    "accuracy",
    "adding",
    "adding_baseline_mse",
    "adding_solved",
    "adding_stream",
    "chronological_split",
    "copy_memory",
    "copy_memory_accuracy",
    "copy_memory_baseline_ce",
    "copy_memory_solved",
    "decode_reber",
    "echo",
    "echo_accuracy",
    "embedded_reber",
    "encode_reber",
    "is_reber",
    "load_python_source",
    "long_context_positions",
    "long_lag_solved",
    "make_windows",
    "multiplication",
    "multiplication_baseline_mse",
    "multiplication_solved",
    "next_char_pairs",
    "noise_free_long_lag",
    "python_source_files",
    "reber_all_legal",
    "reber_baseline_success",
    "reber_legal_next",
    "reber_solved",
    "reber_strings",
    "source_signals",
    "stdlib_dir",
    "temporal_order",
    "temporal_order_accuracy",
    "temporal_order_baseline_accuracy",
    "temporal_order_solved",
]
