"""The long-time-lag task generators: shapes, ranges, seeding, criteria and baselines."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_ref.data import (
    PAD_TARGET,
    TEMPORAL_ORDER_ALPHABET,
    Task,
    accuracy,
    adding,
    adding_baseline_mse,
    adding_solved,
    adding_stream,
    copy_memory,
    copy_memory_accuracy,
    copy_memory_baseline_ce,
    copy_memory_solved,
    embedded_reber,
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

GENERATORS: dict[str, Callable[..., Task]] = {
    "adding": lambda seed: adding(16, 30, seed=seed),
    "adding_original": lambda seed: adding(16, 30, form="original", seed=seed),
    "adding_stream": lambda seed: adding_stream(16, 10, 3, seed=seed),
    "multiplication": lambda seed: multiplication(16, 30, seed=seed),
    "multiplication_original": lambda seed: multiplication(16, 30, form="original", seed=seed),
    "temporal_order_4": lambda seed: temporal_order(16, 40, seed=seed),
    "temporal_order_8": lambda seed: temporal_order(16, 40, classes=8, seed=seed),
    "long_lag": lambda seed: noise_free_long_lag(16, 20, seed=seed),
    "copy_memory": lambda seed: copy_memory(16, 15, seed=seed),
    "reber": lambda seed: embedded_reber(16, seed=seed),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_common_contract(name: str) -> None:
    task = GENERATORS[name](0)
    x, y, lengths = task  # unpacks like a tuple
    assert isinstance(task, Task)
    assert x.dtype == np.float32 and x.ndim == 3 and x.shape[0] == 16
    assert lengths.dtype == np.int64 and lengths.shape == (16,)
    assert lengths.max() == x.shape[1] and lengths.min() >= 1
    assert y.shape[0] == 16 and y.dtype in (np.float32, np.int64)
    # Padding past each sequence's end is all zeros.
    pad = np.arange(x.shape[1])[None, :] >= lengths[:, None]
    assert not x[pad].any()
    if y.ndim == 2 and y.dtype == np.int64:  # per-step targets are padded with PAD_TARGET
        assert (y[pad] == PAD_TARGET).all() and (y[~pad] >= 0).all()


@pytest.mark.parametrize("name", GENERATORS)
def test_seeding(name: str) -> None:
    make = GENERATORS[name]
    a, b, c = make(1), make(1), make(2)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert any(u.shape != v.shape or not np.array_equal(u, v) for u, v in zip(a, c, strict=True))
    # A Generator advances: two draws from it differ.
    rng = np.random.default_rng(3)
    d, e = make(rng), make(rng)
    assert any(u.shape != v.shape or not np.array_equal(u, v) for u, v in zip(d, e, strict=True))


def test_adding_modern_layout() -> None:
    x, y, lengths = adding(500, 40, seed=0)
    assert x.shape == (500, 40, 2) and y.shape == (500, 1)
    assert (lengths == 40).all()
    assert x[..., 0].min() >= 0.0 and x[..., 0].max() <= 1.0
    markers = x[..., 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert (markers[:, :20].sum(1) == 1).all() and (markers[:, 20:].sum(1) == 1).all()
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * markers).sum(1), rtol=1e-6)


def test_adding_original_layout() -> None:
    x, y, lengths = adding(500, 100, form="original", seed=0)
    assert lengths.min() >= 100 and lengths.max() <= 110 and len(np.unique(lengths)) > 5
    rows = np.arange(500)
    m = x[..., 1]
    assert (m == 1).sum(1).tolist() == [2] * 500
    first = np.argmax(m == 1, axis=1)
    second = 109 - np.argmax((m == 1)[:, ::-1], axis=1)
    assert first.max() < 10 and second.max() < 49  # X1 in the first 10, X2 in the first T/2 - 1
    assert (first == 0).any()  # the rare case occurs in 500 sequences
    # Marker -1 on the first and last valid step unless marked there.
    assert ((m[:, 0] == -1) | (first == 0)).all()
    assert (m[rows, lengths - 1] == -1).all()
    assert x[..., 0].min() >= -1.0 and x[..., 0].max() <= 1.0
    assert (x[first == 0, 0, 0] == 0.0).all()  # a value marked on the first step is 0
    np.testing.assert_allclose(
        y[:, 0], 0.5 + (x[rows, first, 0] + x[rows, second, 0]) / 4, rtol=1e-6
    )


def test_adding_stream_layout() -> None:
    T, S = 20, 4
    x, y, lengths = adding_stream(300, T, S, seed=0)
    assert x.shape == (300, T * S, 2) and y.shape == (300, T * S, 1)
    assert (lengths == T * S).all()
    assert x[..., 0].min() >= 0.0 and x[..., 0].max() <= 1.0
    marks = x[..., 1].reshape(300, S, T)
    # Per segment: one 1 in the first half, one in [T/2, T-1), and -1 on the last step only.
    assert ((marks[..., : T // 2] == 1).sum(-1) == 1).all()
    assert ((marks[..., T // 2 : T - 1] == 1).sum(-1) == 1).all()
    assert (marks[..., -1] == -1).all() and ((marks[..., :-1] == -1).sum() == 0)
    # A target at each segment's last step only: the sum of that segment's marked values.
    targets = y[..., 0].reshape(300, S, T)
    assert np.isnan(targets[..., :-1]).all()
    values = x[..., 0].reshape(300, S, T)
    np.testing.assert_allclose(targets[..., -1], (values * (marks == 1)).sum(-1), rtol=1e-6)


def test_multiplication_target() -> None:
    x, y, _ = multiplication(200, 30, seed=0)
    marked = np.where(x[..., 1] == 1, x[..., 0], 1.0)
    np.testing.assert_allclose(y[:, 0], marked.prod(1), rtol=1e-5)
    assert x[..., 0].min() >= 0.0


@pytest.mark.parametrize("form", ["modern", "original"])
def test_adding_criterion_and_baseline(form: str) -> None:
    _, y, _ = adding(20000, 100, form=form, seed=1)  # type: ignore[arg-type]
    assert adding_solved(y, y, form=form)  # type: ignore[arg-type]
    constant = np.full_like(y, y.mean())
    mse = float(np.mean((constant - y) ** 2))
    assert mse == pytest.approx(adding_baseline_mse(form), rel=0.03)  # type: ignore[arg-type]
    assert not adding_solved(constant, y, form=form)  # type: ignore[arg-type]


def test_adding_solved_threshold() -> None:
    target = np.zeros((100, 1))
    assert adding_solved(target + 0.099, target)  # MSE 0.0098
    assert not adding_solved(target + 0.101, target)
    assert adding_solved(target + 0.039, target, form="original")
    assert not adding_solved(target + 0.041, target, form="original")


@pytest.mark.parametrize("form", ["modern", "original"])
def test_multiplication_criterion_and_baseline(form: str) -> None:
    _, y, _ = multiplication(20000, 50, form=form, seed=1)  # type: ignore[arg-type]
    assert multiplication_solved(y + 0.03, y)
    constant = np.full_like(y, y.mean())
    assert float(np.mean((constant - y) ** 2)) == pytest.approx(
        multiplication_baseline_mse(form, T=50),  # type: ignore[arg-type]
        rel=0.03,
    )
    assert not multiplication_solved(constant, y)


def test_regression_criteria_check_shapes() -> None:
    with pytest.raises(ValueError, match="pred"):
        adding_solved(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="form"):
        adding_solved(np.zeros(3), np.zeros(3), form="new")  # type: ignore[arg-type]


@pytest.mark.parametrize("classes", [4, 8])
def test_temporal_order_layout(classes: int) -> None:
    x, y, lengths = temporal_order(400, 100, classes=classes, seed=0)  # type: ignore[arg-type]
    symbols = np.where(x.any(-1), x.argmax(-1), -1)
    rows = np.arange(400)
    a = TEMPORAL_ORDER_ALPHABET.index
    assert (symbols[:, 0] == a("E")).all() and (symbols[rows, lengths - 1] == a("B")).all()
    assert lengths.min() >= 100 and lengths.max() <= 110
    windows = [(10, 20), (50, 60)] if classes == 4 else [(10, 20), (33, 43), (66, 76)]
    marker = (symbols == a("X")) | (symbols == a("Y"))
    assert (marker.sum(1) == len(windows)).all()
    label = np.zeros(400, dtype=np.int64)
    for lo, hi in windows:
        assert marker[:, lo : hi + 1].sum(1).tolist() == [1] * 400
        inside = symbols[:, lo : hi + 1]
        bit = (inside == a("Y")).any(1).astype(np.int64)
        label = 2 * label + bit
    np.testing.assert_array_equal(y, label)
    assert set(np.unique(y)) == set(range(classes))
    others = symbols[(~marker) & (symbols >= 0)]
    assert set(np.unique(others)) <= {a(s) for s in "abcdBE"}


def test_temporal_order_same_length() -> None:
    _, _, lengths = temporal_order(50, 100, same_length=True, seed=0)
    assert len(np.unique(lengths)) == 1
    _, _, lengths = temporal_order(50, 100, seed=0)
    assert len(np.unique(lengths)) > 1


def test_temporal_order_criterion_and_baseline() -> None:
    _, y, _ = temporal_order(2000, 30, seed=0)
    scores = np.eye(4)[y]
    assert temporal_order_solved(scores, y) and temporal_order_solved(y, y)
    assert temporal_order_accuracy(scores, y) == 1.0
    guess = np.random.default_rng(0).integers(0, 4, size=y.shape)
    assert temporal_order_accuracy(guess, y) == pytest.approx(
        temporal_order_baseline_accuracy(4), abs=0.03
    )
    assert not temporal_order_solved(guess, y)
    assert not temporal_order_solved(np.zeros_like(y), y)
    with pytest.raises(ValueError, match="pred"):
        temporal_order_accuracy(np.zeros((3, 2, 4)), y)


def test_noise_free_long_lag() -> None:
    x, y, lengths = noise_free_long_lag(300, 100, seed=0)
    assert x.shape == (300, 100, 101) and (lengths == 100).all()
    symbols = x.argmax(-1)
    np.testing.assert_array_equal(symbols[:, 0], y)  # the first symbol tells the last
    np.testing.assert_array_equal(symbols[:, 1:], np.broadcast_to(np.arange(2, 101), (300, 99)))
    assert set(np.unique(y)) == {0, 1}
    assert long_lag_solved(y, y) and not long_lag_solved(np.zeros_like(y), y)


def test_copy_memory_layout_and_baseline() -> None:
    T = 25
    x, y, lengths = copy_memory(64, T, seed=0)
    assert x.shape == (64, T + 20, 10) and y.shape == (64, T + 20) and (lengths == T + 20).all()
    inputs = x.argmax(-1)
    np.testing.assert_array_equal(y[:, -10:], inputs[:, :10])
    assert (inputs[:, :10] >= 1).all() and (inputs[:, :10] <= 8).all()
    assert (inputs[:, T + 9] == 9).all() and (inputs[:, 10 : T + 9] == 0).all()
    assert (y[:, :-10] == 0).all()
    assert copy_memory_solved(y, y) and copy_memory_accuracy(np.eye(10)[y], y) == 1.0
    # The memoryless strategy: certain blanks, then a uniform guess over 8 symbols.
    probs = np.zeros((64, T + 20, 10))
    probs[:, :-10, 0] = 1.0
    probs[:, -10:, 1:9] = 1 / 8
    ce = -np.mean(np.log(np.take_along_axis(probs, y[..., None], -1) + 1e-300))
    assert ce == pytest.approx(copy_memory_baseline_ce(T))
    assert copy_memory_baseline_ce(100) == pytest.approx(10 * np.log(8) / 120)
    assert not copy_memory_solved(probs.argmax(-1), y)


def test_accuracy_ignores_padding() -> None:
    target = np.array([[1, 2, PAD_TARGET]])
    assert accuracy(np.array([[1, 2, 0]]), target) == 1.0
    with pytest.raises(ValueError, match="target"):
        accuracy(np.zeros((1, 1)), np.full((1, 1), PAD_TARGET))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: adding(0, 10), "n"),
        (lambda: adding(4, 1), "T"),
        (lambda: adding(4, 20, form="original"), "T"),
        (lambda: adding(4, 10, form="x"), "form"),  # type: ignore[arg-type]
        (lambda: adding(4, 10, seed="a"), "seed"),  # type: ignore[arg-type]
        (lambda: adding(4.0, 10), "n"),  # type: ignore[arg-type]
        (lambda: temporal_order(4, 10), "T"),
        (lambda: temporal_order(4, 100, classes=3), "classes"),  # type: ignore[arg-type]
        (lambda: noise_free_long_lag(4, 1), "p"),
        (lambda: copy_memory(4, 0), "T"),
        (lambda: adding_stream(4, 3), "T"),
        (lambda: adding_stream(4, 10, 0), "segments"),
    ],
)
def test_bad_arguments_are_named(call: Callable[[], object], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@given(n=st.integers(1, 8), T=st.integers(22, 80), seed=st.integers(0, 2**32 - 1))
def test_adding_original_any_size(n: int, T: int, seed: int) -> None:
    x, y, lengths = adding(n, T, form="original", seed=seed)
    assert ((lengths >= T) & (lengths <= T + T // 10)).all()
    assert ((x[..., 1] == 1).sum(1) == 2).all()
    assert ((y >= 0.0) & (y <= 1.0)).all()


def test_data_needs_only_numpy() -> None:
    code = (
        "import sys, lstm_ref.data; print([m for m in ('torch', 'matplotlib') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_echo_targets_are_the_input_lag_steps_back() -> None:
    from lstm_ref.data import echo, echo_accuracy

    x, y, lengths = echo(16, 30, lag=4, seed=7)
    assert x.shape == y.shape == (16, 30, 1) and x.dtype == y.dtype == np.float32
    assert set(np.unique(x)) == {-1.0, 1.0}
    np.testing.assert_array_equal(y[:, 4:], x[:, :-4])
    np.testing.assert_array_equal(y[:, :4], 0.0)
    np.testing.assert_array_equal(lengths, 30)
    np.testing.assert_array_equal(echo(16, 30, lag=4, seed=7).x, x)
    assert echo_accuracy(y, y, lag=4) == 1.0  # a perfect predictor
    assert echo_accuracy(-y, y, lag=4) == 0.0
    assert abs(echo_accuracy(x, y, lag=4) - 0.5) < 0.1  # echoing the present is guessing


def test_echo_rejects_a_sequence_no_longer_than_the_lag() -> None:
    from lstm_ref.data import echo

    with pytest.raises(ValueError, match="T: expected an int >= 4"):
        echo(2, 3, lag=3)
