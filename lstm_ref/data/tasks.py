"""The classic long-time-lag tasks (Hochreiter & Schmidhuber 1997 and successors).

Every generator takes the batch size ``n``, the task's length parameter and a
``seed`` (an int, or a ``np.random.Generator`` that advances) and returns a
:class:`~lstm_ref.data.Task` ``(x, y, lengths)`` of batch-major NumPy arrays.
Each task comes with its success criterion (``*_solved``) and the score of the
trivial predictor that ignores the input (``*_baseline_*``): a model that does
no better than the baseline has learnt nothing about the long lag.

===========================  =====================  ======================  ===================
task                         x                      y                       solved when
===========================  =====================  ======================  ===================
:func:`echo`                 (N, T, 1) bits ±1      float32 (N, T, 1)       (a short-lag warm-up)
:func:`adding`               (N, T, 2) value, mark  float32 (N, 1)          MSE < 0.01 (modern)
:func:`multiplication`       (N, T, 2) value, mark  float32 (N, 1)          all abs errors < 0.04
:func:`adding_stream`        (N, S*T, 2)            float32 (N, S*T, 1)     MSE < 0.01 at ends
:func:`temporal_order`       (N, T, 8) one-hot      int64 (N,) class        accuracy = 1
:func:`noise_free_long_lag`  (N, p, p+1) one-hot    int64 (N,) last symbol  accuracy = 1
:func:`copy_memory`          (N, T+20, 10) one-hot  int64 (N, T+20)         all copies right
:func:`two_cues`             (N, T, 5) value+flags  float32 (N, T, 1)       recall, echo MSE < 0.01
===========================  =====================  ======================  ===================

The embedded Reber grammar lives in :mod:`lstm_ref.data.reber`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from lstm_ref.checks import Seed, as_generator, check_positive_int

from ._common import Task, one_hot

Form = Literal["modern", "original"]

#: The modern adding problem (Le et al. 2015) is solved when the test MSE is below this.
ADDING_MSE_THRESHOLD = 0.01
#: A sequence is processed correctly if its absolute error is below 0.04
#: (Hochreiter & Schmidhuber 1997).
ABS_ERROR_THRESHOLD = 0.04

#: The temporal order alphabet; distractors a-d, start E, end B, the two markers X and Y.
TEMPORAL_ORDER_ALPHABET = ("a", "b", "c", "d", "B", "E", "X", "Y")


# --------------------------------------------------------------------------- #
# Adding and multiplication: two marked values somewhere in a long sequence.
# --------------------------------------------------------------------------- #


def _check_form(form: str) -> None:
    if form not in ("modern", "original"):
        raise ValueError(f"form: expected 'modern' or 'original', got {form!r}")


def _two_marker_task(
    n: int,
    T: int,
    form: str,
    low: float,
    combine: Callable[[np.ndarray, np.ndarray], np.ndarray],
    neutral: float,
    seed: Seed,
) -> Task:
    """Shared layout of the adding and multiplication problems (values in ``[low, 1]``)."""
    n = check_positive_int("n", n)
    _check_form(form)
    rng = as_generator(seed)
    rows = np.arange(n)
    if form == "modern":
        T = check_positive_int("T", T, minimum=2)
        lengths = np.full(n, T, dtype=np.int64)
        # One marker in each half (Le et al. 2015).
        i1 = rng.integers(0, T // 2, size=n)
        i2 = rng.integers(T // 2, T, size=n)
    else:
        T = check_positive_int("T", T, minimum=22)
        # Lengths in [T, T + T/10]; X1 among the first 10 steps, X2 among the
        # first T/2 - 1 steps other than X1's.
        lengths = rng.integers(T, T + T // 10 + 1, size=n).astype(np.int64)
        i1 = rng.integers(0, 10, size=n)
        i2 = rng.integers(0, T // 2 - 2, size=n)
        i2 = i2 + (i2 >= i1)  # shift past X1's step: uniform over the still unmarked slots
    steps = int(lengths.max())
    valid = np.arange(steps)[None, :] < lengths[:, None]
    x = np.zeros((n, steps, 2), dtype=np.float32)
    x[..., 0] = np.where(valid, rng.uniform(low, 1.0, size=(n, steps)), 0.0)
    if form == "original":
        # The first and the last step carry marker -1; a value marked on the
        # first step is replaced by the neutral element, as in the paper.
        x[rows, 0, 1] = -1.0
        x[rows, lengths - 1, 1] = -1.0
        x[(i1 == 0) | (i2 == 0), 0, 0] = neutral
    x[rows, i1, 1] = 1.0
    x[rows, i2, 1] = 1.0
    x1 = x[rows, i1, 0].astype(np.float64)
    x2 = x[rows, i2, 0].astype(np.float64)
    y = combine(x1, x2).astype(np.float32)[:, None]
    return Task(x, y, lengths)


def echo(n: int, T: int, *, lag: int = 3, seed: Seed = None) -> Task:
    r"""The echo task: at every step, output the input from ``lag`` steps back.

    Inputs are random bits :math:`x_t \in \{-1, +1\}`; the target is
    :math:`y_t = x_{t - \text{lag}}`, and 0 for the first ``lag`` steps, which
    have no past to echo. A short-lag warm-up (chapter 1): it needs memory, but
    only ``lag`` steps of it.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (more than ``lag``).
    lag : int
        How many steps back the target looks.
    seed : int, np.random.Generator or None

    Returns
    -------
    Task
        ``x`` float32 (N, T, 1), ``y`` float32 (N, T, 1), ``lengths`` int64 (N,) all ``T``.
    """
    n = check_positive_int("n", n)
    lag = check_positive_int("lag", lag)
    T = check_positive_int("T", T, minimum=lag + 1)
    rng = as_generator(seed)
    x = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=(n, T, 1))
    y = np.zeros_like(x)
    y[:, lag:] = x[:, :-lag]
    return Task(x, y, np.full(n, T, dtype=np.int64))


def echo_accuracy(pred: np.ndarray, target: np.ndarray, lag: int = 3) -> float:
    """Fraction of the steps that have a past (``t >= lag``) whose sign is predicted right.

    ``pred`` and ``target`` are ``(N, T, 1)`` (or ``(N, T)``); guessing scores 1/2.
    """
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(f"pred: expected the shape of target {target.shape}, got {pred.shape}")
    return float(np.mean(np.sign(pred[:, lag:]) == target[:, lag:]))


def adding(n: int, T: int, *, form: Form = "modern", seed: Seed = None) -> Task:
    r"""The adding problem: output the sum of the two marked values.

    Each step is a pair (value, marker).

    * ``form="modern"`` (Le et al. 2015): values :math:`\sim U[0, 1]`, length
      exactly ``T``, one marker (1) in each half; target :math:`X_1 + X_2`.
    * ``form="original"`` (Hochreiter & Schmidhuber 1997, experiment 4): values
      :math:`\sim U[-1, 1]`, length drawn from ``[T, T + T//10]`` (padded at the
      end), :math:`X_1` among the first 10 steps, :math:`X_2` among the first
      ``T/2 - 1``, marker -1 on the first and last step (a value marked on
      the first step is 0); target :math:`0.5 + (X_1 + X_2)/4`.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (minimum length for the original form, which needs T >= 22).
    form : {"modern", "original"}
    seed : int, np.random.Generator or None

    Returns
    -------
    Task
        ``x`` float32 (N, T_max, 2), ``y`` float32 (N, 1), ``lengths`` int64 (N,).
    """
    if form == "original":
        return _two_marker_task(n, T, form, -1.0, lambda a, b: 0.5 + (a + b) / 4.0, 0.0, seed)
    return _two_marker_task(n, T, form, 0.0, np.add, 0.0, seed)


def multiplication(n: int, T: int, *, form: Form = "modern", seed: Seed = None) -> Task:
    r"""The multiplication problem: output :math:`X_1 X_2`, values :math:`\sim U[0, 1]`.

    Same layout as :func:`adding` (``form`` selects the marker positions and
    lengths; a value the original form marks on the first step is 1).

    Returns
    -------
    Task
        ``x`` float32 (N, T_max, 2), ``y`` float32 (N, 1), ``lengths`` int64 (N,).
    """
    return _two_marker_task(n, T, form, 0.0, np.multiply, 1.0, seed)


def adding_stream(n: int, T: int = 20, segments: int = 5, *, seed: Seed = None) -> Task:
    r"""Adding problems back to back in one stream: a task that needs forgetting.

    Each stream is ``segments`` modern adding problems of ``T`` steps each,
    concatenated without a break in the state. In every segment one value in
    the first half and one in ``[T/2, T-1)`` carry marker 1, and the segment's
    last step carries marker -1: "answer now". The target at that step is the
    sum :math:`X_1 + X_2` of *this* segment's marked values, so a network must
    empty its memory after answering (Gers et al. 2000 built their continual
    tasks the same way). Every other step has no target (NaN).

    Parameters
    ----------
    n : int
        Number of streams.
    T : int
        Steps per segment (>= 4).
    segments : int
        Segments per stream.
    seed : int, np.random.Generator or None

    Returns
    -------
    Task
        ``x`` float32 (N, segments*T, 2) (value, marker), ``y`` float32
        (N, segments*T, 1), NaN except at each segment's last step, and
        ``lengths`` int64 (N,), all ``segments*T``.
    """
    n = check_positive_int("n", n)
    T = check_positive_int("T", T, minimum=4)
    segments = check_positive_int("segments", segments)
    rng = as_generator(seed)
    rows = np.arange(n)[:, None]
    starts = T * np.arange(segments)[None, :]  # (1, S): first step of each segment
    i1 = starts + rng.integers(0, T // 2, size=(n, segments))
    i2 = starts + rng.integers(T // 2, T - 1, size=(n, segments))
    ends = starts + T - 1
    x = np.zeros((n, segments * T, 2), dtype=np.float32)
    x[..., 0] = rng.uniform(0.0, 1.0, size=(n, segments * T))
    x[rows, i1, 1] = 1.0
    x[rows, i2, 1] = 1.0
    x[rows, ends, 1] = -1.0
    y = np.full((n, segments * T, 1), np.nan, dtype=np.float32)
    y[rows, ends, 0] = x[rows, i1, 0] + x[rows, i2, 0]
    return Task(x, y, np.full(n, segments * T, dtype=np.int64))


def _regression_errors(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if pred.size != target.size or pred.size == 0:
        raise ValueError(
            f"pred: expected as many values as target {target.shape}, got shape {pred.shape}"
        )
    return pred.reshape(-1) - target.reshape(-1)


def adding_solved(pred: np.ndarray, target: np.ndarray, *, form: Form = "modern") -> bool:
    """Whether predictions solve the adding problem.

    Modern form: mean squared error < 0.01. Original form: every absolute
    error < 0.04 (each sequence "processed correctly").

    Parameters
    ----------
    pred, target : np.ndarray, shape (N, 1) or (N,)
    """
    _check_form(form)
    err = _regression_errors(pred, target)
    if form == "modern":
        return bool(np.mean(err**2) < ADDING_MSE_THRESHOLD)
    return bool(np.all(np.abs(err) < ABS_ERROR_THRESHOLD))


def multiplication_solved(pred: np.ndarray, target: np.ndarray) -> bool:
    """Whether every absolute error is below 0.04 (Hochreiter & Schmidhuber 1997).

    Parameters
    ----------
    pred, target : np.ndarray, shape (N, 1) or (N,)
    """
    return bool(np.all(np.abs(_regression_errors(pred, target)) < ABS_ERROR_THRESHOLD))


def _first_step_marked(T: int) -> float:
    """Probability that the original form marks the first step (its value is then neutral).

    X1 sits there with probability 1/10; otherwise X2, uniform over the
    ``T//2 - 2`` other slots, does with probability ``1 / (T//2 - 2)``.
    """
    T = check_positive_int("T", T, minimum=22)
    return 0.1 + 0.9 / (T // 2 - 2)


def adding_baseline_mse(form: Form = "modern", T: int = 100) -> float:
    r"""Test MSE of the best constant prediction (the mean target).

    Modern: :math:`\mathrm{Var}(X_1 + X_2) = 2/12 \approx 0.167`. Original: the
    target is :math:`0.5 + (X_1 + X_2)/4` with :math:`\mathrm{Var}\,X = 1/3`, and
    a value on the first step is 0 (probability :math:`q`, about 0.12 for
    ``T=100``), so :math:`(2 - q)/48 \approx 0.039`.
    """
    _check_form(form)
    if form == "modern":
        return 1.0 / 6.0
    return (2.0 - _first_step_marked(T)) / 48.0


def multiplication_baseline_mse(form: Form = "modern", T: int = 100) -> float:
    r"""Test MSE of predicting the mean of :math:`X_1 X_2`.

    Modern: :math:`E[X_1^2 X_2^2] - E[X_1 X_2]^2 = 1/9 - 1/16 = 7/144 \approx 0.049`.
    Original: with probability :math:`q` one factor is 1 (see :func:`adding_baseline_mse`).
    """
    _check_form(form)
    q = 0.0 if form == "modern" else _first_step_marked(T)
    mean = q / 2 + (1 - q) / 4
    return q / 3 + (1 - q) / 9 - mean**2


# --------------------------------------------------------------------------- #
# Classification at the sequence end.
# --------------------------------------------------------------------------- #


def _predicted_classes(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Class indices from ``pred``: ints of ``target``'s shape, or scores with one more axis."""
    pred = np.asarray(pred)
    target = np.asarray(target)
    if pred.shape == target.shape:
        return pred
    if pred.ndim == target.ndim + 1 and pred.shape[:-1] == target.shape:
        return pred.argmax(axis=-1)
    raise ValueError(
        f"pred: expected class indices of shape {target.shape} or scores of shape "
        f"{(*target.shape, 'C')}, got shape {pred.shape}"
    )


def accuracy(pred: np.ndarray, target: np.ndarray) -> float:
    """Fraction of correct classes; ``pred`` is indices like ``target`` or scores ``(..., C)``.

    Targets equal to :data:`~lstm_ref.data.PAD_TARGET` (padding) are not counted.
    """
    classes = _predicted_classes(pred, target)
    target = np.asarray(target)
    counted = target >= 0
    if not counted.any():
        raise ValueError("target: expected at least one non-padding entry")
    return float(np.mean(classes[counted] == target[counted]))


def temporal_order(
    n: int,
    T: int = 100,
    *,
    classes: Literal[4, 8] = 4,
    same_length: bool = False,
    seed: Seed = None,
) -> Task:
    """The temporal order problem (Hochreiter & Schmidhuber 1997, experiments 6a and 6b).

    A sequence of length ``L`` in ``[T, T + T//10]`` starts with E, ends with
    B, and is filled with random distractors a-d, except at two (``classes=4``,
    6a) or three (``classes=8``, 6b) steps that hold X or Y. The class is the
    order of the markers read as a binary number (X = 0, Y = 1, first marker
    most significant): XX -> 0, XY -> 1, YX -> 2, YY -> 3. For ``T=100`` the
    markers sit at steps [10, 20] and [50, 60] (6a), or [10, 20], [33, 43] and
    [66, 76] (6b), 0-based and inclusive; other ``T`` scale these windows.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Minimum length (>= 20).
    classes : {4, 8}
        4 for two markers (6a), 8 for three (6b).
    same_length : bool
        Draw one length for the whole batch instead of one per sequence, so
        nothing is padded; per-sequence lengths train about 9x slower.
    seed : int, np.random.Generator or None

    Returns
    -------
    Task
        ``x`` float32 (N, L_max, 8) one-hot over :data:`TEMPORAL_ORDER_ALPHABET`,
        ``y`` int64 (N,) in ``[0, classes)``, ``lengths`` int64 (N,).
    """
    n = check_positive_int("n", n)
    T = check_positive_int("T", T, minimum=20)
    if classes not in (4, 8):
        raise ValueError(f"classes: expected 4 (experiment 6a) or 8 (6b), got {classes!r}")
    rng = as_generator(seed)
    longest = T + T // 10
    if same_length:
        lengths = np.full(n, rng.integers(T, longest + 1), dtype=np.int64)
    else:
        lengths = rng.integers(T, longest + 1, size=n).astype(np.int64)
    steps = int(lengths.max())
    sym = {s: i for i, s in enumerate(TEMPORAL_ORDER_ALPHABET)}
    symbols = rng.integers(sym["a"], sym["d"] + 1, size=(n, steps))
    rows = np.arange(n)
    symbols[:, 0] = sym["E"]
    symbols[rows, lengths - 1] = sym["B"]
    starts = (10, 50) if classes == 4 else (10, 33, 66)
    width = round(10 * T / 100)
    label = np.zeros(n, dtype=np.int64)
    for start in starts:
        first = round(start * T / 100)
        where = rng.integers(first, first + width + 1, size=n)
        bit = rng.integers(0, 2, size=n)
        symbols[rows, where] = np.where(bit == 1, sym["Y"], sym["X"])
        label = 2 * label + bit
    symbols[np.arange(steps)[None, :] >= lengths[:, None]] = -1  # padding
    return Task(one_hot(symbols, len(TEMPORAL_ORDER_ALPHABET)), label, lengths)


def temporal_order_accuracy(pred: np.ndarray, target: np.ndarray) -> float:
    """Fraction of sequences classified correctly.

    Parameters
    ----------
    pred : np.ndarray, int (N,) classes or float (N, C) scores
    target : np.ndarray, int64 (N,)
    """
    return accuracy(pred, target)


def temporal_order_solved(pred: np.ndarray, target: np.ndarray) -> bool:
    """Whether every sequence is classified correctly (accuracy 1)."""
    return accuracy(pred, target) == 1.0


def temporal_order_baseline_accuracy(classes: int = 4) -> float:
    """Accuracy of guessing: ``1 / classes`` (the classes are equally likely)."""
    if classes not in (4, 8):
        raise ValueError(f"classes: expected 4 or 8, got {classes!r}")
    return 1.0 / classes


# --------------------------------------------------------------------------- #
# Noise-free long lag and copy memory.
# --------------------------------------------------------------------------- #


def noise_free_long_lag(n: int, p: int = 100, *, seed: Seed = None) -> Task:
    """Noise-free long time lag (Hochreiter & Schmidhuber 1997, experiment 2a).

    Two sequences over ``p + 1`` symbols: ``(y, a_1, ..., a_{p-1}, y)`` and
    ``(x, a_1, ..., a_{p-1}, x)``. The network reads the first ``p`` symbols
    and predicts the last one, which only the first step tells.

    Parameters
    ----------
    n : int
        Number of sequences (each is one of the two, with probability 1/2).
    p : int
        The time lag (>= 2); 100 in the paper.
    seed : int, np.random.Generator or None

    Returns
    -------
    Task
        ``x`` float32 (N, p, p + 1) one-hot (symbol 0 is x, 1 is y, ``k + 1``
        is ``a_k``), ``y`` int64 (N,) the last symbol, 0 (x) or 1 (y),
        ``lengths`` int64 (N,) all ``p``.
    """
    n = check_positive_int("n", n)
    p = check_positive_int("p", p, minimum=2)
    rng = as_generator(seed)
    last = rng.integers(0, 2, size=n).astype(np.int64)
    symbols = np.broadcast_to(np.arange(1, p + 1), (n, p)).copy()  # a_1 ... a_{p-1} at 2..p
    symbols[:, 0] = last
    return Task(one_hot(symbols, p + 1), last, np.full(n, p, dtype=np.int64))


def long_lag_solved(pred: np.ndarray, target: np.ndarray) -> bool:
    """Whether every last symbol is predicted correctly (guessing gets 1/2)."""
    return accuracy(pred, target) == 1.0


#: Copy memory symbols; 0 is the blank, 1..8 the data symbols, 9 the delimiter.
COPY_BLANK, COPY_DELIMITER = 0, 9


def copy_memory(
    n: int, T: int, *, seed: Seed = None, n_symbols: int = 8, copy_len: int = 10
) -> Task:
    """The copy memory problem (Arjovsky et al. 2016).

    Input: ``copy_len`` symbols drawn from ``n_symbols``, ``T - 1`` blanks, a
    delimiter, then ``copy_len`` blanks. Target: blanks for ``T + copy_len``
    steps, then the ``copy_len`` symbols of the start.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        The gap between reading a symbol and writing it back (>= 1).
    seed : int, np.random.Generator or None
    n_symbols, copy_len : int
        Alphabet size and number of symbols to copy (8 and 10 in the paper).

    Returns
    -------
    Task
        ``x`` float32 (N, T + 2 copy_len, n_symbols + 2) one-hot (0 blank,
        ``1..n_symbols`` data, ``n_symbols + 1`` delimiter), ``y`` int64
        (N, T + 2 copy_len), ``lengths`` int64 (N,) all ``T + 2 copy_len``.
    """
    n = check_positive_int("n", n)
    T = check_positive_int("T", T)
    n_symbols = check_positive_int("n_symbols", n_symbols, minimum=2)
    copy_len = check_positive_int("copy_len", copy_len)
    rng = as_generator(seed)
    steps = T + 2 * copy_len
    data = rng.integers(1, n_symbols + 1, size=(n, copy_len))
    inputs = np.zeros((n, steps), dtype=np.int64)
    inputs[:, :copy_len] = data
    inputs[:, T + copy_len - 1] = n_symbols + 1
    y = np.zeros((n, steps), dtype=np.int64)
    y[:, -copy_len:] = data
    return Task(one_hot(inputs, n_symbols + 2), y, np.full(n, steps, dtype=np.int64))


def copy_memory_accuracy(pred: np.ndarray, target: np.ndarray, copy_len: int = 10) -> float:
    """Fraction of the copied symbols (the last ``copy_len`` steps) that are right.

    Parameters
    ----------
    pred : np.ndarray, int (N, S) symbols or float (N, S, C) scores
    target : np.ndarray, int64 (N, S)
    """
    classes = _predicted_classes(pred, target)
    return float(np.mean(classes[:, -copy_len:] == np.asarray(target)[:, -copy_len:]))


def copy_memory_solved(pred: np.ndarray, target: np.ndarray, copy_len: int = 10) -> bool:
    """Whether every copied symbol is right."""
    return copy_memory_accuracy(pred, target, copy_len) == 1.0


def copy_memory_baseline_ce(T: int, n_symbols: int = 8, copy_len: int = 10) -> float:
    r"""Cross-entropy per step of the memoryless strategy (Arjovsky et al. 2016).

    Predict blanks, then a uniform guess over the symbols for the last
    ``copy_len`` steps: :math:`\text{copy\_len} \log(n) / (T + 2\,\text{copy\_len})`
    (``10 log 8 / (T + 20)`` by default).
    """
    T = check_positive_int("T", T)
    return copy_len * float(np.log(n_symbols)) / (T + 2 * copy_len)


# --------------------------------------------------------------------------- #
# Two values held out of sight: a task for the output gate.
# --------------------------------------------------------------------------- #

#: The input channels of :func:`two_cues`, in order.
TWO_CUES_CHANNELS = ("value", "store A", "store B", "cue A", "cue B")


def two_cues(n: int, T: int = 20, *, seed: Seed = None) -> Task:
    r"""Hold two values and reveal each only at its own cue; echo the input meanwhile.

    Every step carries a value :math:`v_t \sim U(-1, 1)` and four flags. Once
    in the first quarter the flag *store A* marks the value :math:`A`, once in
    the second quarter *store B* marks :math:`B`. In the second half, at two
    distinct random steps in random order, *cue A* and *cue B* ask for them
    (the value channel is 0 at cue steps). The target is required at **every**
    step:

    .. math::
        y_t = \begin{cases}
        A & \text{at the cue-A step},\\
        B & \text{at the cue-B step},\\
        v_t & \text{otherwise (echo the current value).}
        \end{cases}

    A linear read-out of the hidden state produces :math:`y_t`, so a stored
    value that is visible in :math:`h_t` between its store and its cue disturbs
    the echo unless the network hides it: what the output gate is for.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (>= 8).
    seed : int, np.random.Generator or None

    Returns
    -------
    Task
        ``x`` float32 (N, T, 5), channels :data:`TWO_CUES_CHANNELS`; ``y``
        float32 (N, T, 1); ``lengths`` int64 (N,), all ``T``.

    Examples
    --------
    >>> x, y, lengths = two_cues(4, 12, seed=0)
    >>> x.shape, y.shape
    ((4, 12, 5), (4, 12, 1))
    """
    n = check_positive_int("n", n)
    T = check_positive_int("T", T, minimum=8)
    rng = as_generator(seed)
    rows = np.arange(n)
    quarter, half = T // 4, T // 2
    store_a = rng.integers(0, quarter, size=n)
    store_b = rng.integers(quarter, half, size=n)
    # Two distinct cue steps in [T/2, T): draw two without replacement per row.
    cues = np.argsort(rng.random((n, T - half)), axis=1)[:, :2] + half
    x = np.zeros((n, T, 5), dtype=np.float32)
    x[..., 0] = rng.uniform(-1.0, 1.0, size=(n, T))
    x[rows, store_a, 1] = 1.0
    x[rows, store_b, 2] = 1.0
    x[rows, cues[:, 0], 0] = 0.0
    x[rows, cues[:, 1], 0] = 0.0
    x[rows, cues[:, 0], 3] = 1.0
    x[rows, cues[:, 1], 4] = 1.0
    y = x[..., :1].copy()
    y[rows, cues[:, 0], 0] = x[rows, store_a, 0]
    y[rows, cues[:, 1], 0] = x[rows, store_b, 0]
    return Task(x, y, np.full(n, T, dtype=np.int64))


def _two_cues_steps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if x.ndim != 3 or x.shape[-1] != 5:
        raise ValueError(f"x: expected shape (N, T, 5) from two_cues, got {x.shape}")
    cue = (x[..., 3] > 0) | (x[..., 4] > 0)
    return cue, ~cue


def two_cues_mse(pred: np.ndarray, target: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """The squared error of :func:`two_cues` split by step kind: ``(recall, echo)``.

    ``recall`` is the mean over the two cue steps of each sequence, ``echo`` over
    all other steps. ``pred`` and ``target`` are ``(N, T, 1)`` or ``(N, T)``,
    ``x`` the task's inputs ``(N, T, 5)``.
    """
    pred = np.asarray(pred, dtype=np.float64).reshape(x.shape[:2])
    target = np.asarray(target, dtype=np.float64).reshape(x.shape[:2])
    cue, rest = _two_cues_steps(x)
    err = (pred - target) ** 2
    return float(err[cue].mean()), float(err[rest].mean())


#: :func:`two_cues` is solved when both the recall and the echo MSE are below this.
TWO_CUES_MSE_THRESHOLD = 0.01


def two_cues_solved(pred: np.ndarray, target: np.ndarray, x: np.ndarray) -> bool:
    """Both recall and echo MSE below :data:`TWO_CUES_MSE_THRESHOLD` (0.01)."""
    recall, echo_err = two_cues_mse(pred, target, x)
    return recall < TWO_CUES_MSE_THRESHOLD and echo_err < TWO_CUES_MSE_THRESHOLD


def two_cues_baseline_mse() -> tuple[float, float]:
    """``(recall, echo)`` MSE of the network that echoes every step and stores nothing.

    At a cue step it outputs the (zero) value channel, missing :math:`A` or
    :math:`B \\sim U(-1, 1)` by a mean square of 1/3; its echo is perfect.
    """
    return 1.0 / 3.0, 0.0
