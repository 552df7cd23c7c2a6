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

from lstm_ref.checks import Seed

from ._common import PAD_TARGET, Task
from .chorales import REST, Chorale, chorale_files, load_chorales, read_chorale, split_chorales
from .ecg import ECG, ECG_SAMPLING_RATE, load_ecg, segments
from .formal import (
    FORMAL_TASKS,
    FormalTask,
    formal_answers,
    formal_batches,
    formal_chance,
    formal_task,
)
from .handwriting import (
    MNIST_SIZE,
    DigitLines,
    Digits,
    compose_digit_lines,
    ink_columns,
    load_mnist_5k,
)
from .moving_digits import (
    DIRECTIONS,
    MovingDigits,
    check_clips,
    load_small_digits,
    moving_digits,
    split_images,
)
from .number_words import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    SPECIALS,
    UNK_ID,
    TokenVocab,
    Translation,
    german_number_pieces,
    number_translation,
    number_words,
    pad_sequences,
    split_numbers,
    split_pieces,
    tokenize_words,
)
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
from .seasonal import load_co2
from .series import Split, StandardScaler, chronological_split, make_windows
from .speech_digits import (
    DIGITS_MAX_LEN,
    MFCC_FEATURES,
    DigitStrings,
    compose_digit_strings,
    load_spoken_digits,
)
from .stocks import SP500_COLUMNS, load_sp500
from .surnames import SURNAME_LOCALES, Surnames, load_surnames, locale_surnames
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
from .treebank import UPOS_TAGS, Sentence, TreebankSplit, load_treebank, parse_conllu
from .vowels import (
    VOWELS_FEATURES,
    VOWELS_MAX_LEN,
    VOWELS_SPEAKERS,
    load_japanese_vowels,
    read_ts,
)

# Documented (and cross-referenced) as lstm_ref.data.Task, where users import it from.
Task.__module__ = __name__

__all__ = [
    "BOS_ID",
    "DIGITS_MAX_LEN",
    "DIRECTIONS",
    "ECG",
    "ECG_SAMPLING_RATE",
    "EOS_ID",
    "EXCLUDED_DIRS",
    "FORMAL_TASKS",
    "MFCC_FEATURES",
    "MNIST_SIZE",
    "PAD_ID",
    "PAD_TARGET",
    "REBER_SYMBOLS",
    "REST",
    "SP500_COLUMNS",
    "SPECIALS",
    "SURNAME_LOCALES",
    "TEMPORAL_ORDER_ALPHABET",
    "UNKNOWN",
    "UNK_ID",
    "UPOS_TAGS",
    "VOWELS_FEATURES",
    "VOWELS_MAX_LEN",
    "VOWELS_SPEAKERS",
    "CharVocab",
    "Chorale",
    "DigitLines",
    "DigitStrings",
    "Digits",
    "FormalTask",
    "MovingDigits",
    "PythonSource",
    "Seed",
    "Sentence",
    "SourceSignals",
    "Split",
    "StandardScaler",
    "Surnames",
    "Task",
    "TokenVocab",
    "Translation",
    "TreebankSplit",
    "accuracy",
    "adding",
    "adding_baseline_mse",
    "adding_solved",
    "adding_stream",
    "check_clips",
    "chorale_files",
    "chronological_split",
    "compose_digit_lines",
    "compose_digit_strings",
    "copy_memory",
    "copy_memory_accuracy",
    "copy_memory_baseline_ce",
    "copy_memory_solved",
    "decode_reber",
    "echo",
    "echo_accuracy",
    "embedded_reber",
    "encode_reber",
    "formal_answers",
    "formal_batches",
    "formal_chance",
    "formal_task",
    "german_number_pieces",
    "ink_columns",
    "is_reber",
    "load_chorales",
    "load_co2",
    "load_ecg",
    "load_japanese_vowels",
    "load_mnist_5k",
    "load_python_source",
    "load_small_digits",
    "load_sp500",
    "load_spoken_digits",
    "load_surnames",
    "load_treebank",
    "locale_surnames",
    "long_context_positions",
    "long_lag_solved",
    "make_windows",
    "moving_digits",
    "multiplication",
    "multiplication_baseline_mse",
    "multiplication_solved",
    "next_char_pairs",
    "noise_free_long_lag",
    "number_translation",
    "number_words",
    "pad_sequences",
    "parse_conllu",
    "python_source_files",
    "read_chorale",
    "read_ts",
    "reber_all_legal",
    "reber_baseline_success",
    "reber_legal_next",
    "reber_solved",
    "reber_strings",
    "segments",
    "source_signals",
    "split_chorales",
    "split_images",
    "split_numbers",
    "split_pieces",
    "stdlib_dir",
    "temporal_order",
    "temporal_order_accuracy",
    "temporal_order_baseline_accuracy",
    "temporal_order_solved",
    "tokenize_words",
]
