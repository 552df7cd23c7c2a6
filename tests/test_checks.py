"""The shared argument checks and model helpers of ``lstm_ref.checks``."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from lstm_ref.checks import (
    as_generator,
    check_fraction,
    check_ids,
    check_mask,
    check_padded,
    check_positive_float,
    check_positive_int,
    check_series,
    check_type,
    evaluating,
    model_device,
)


def test_import_pulls_in_neither_torch_nor_matplotlib() -> None:
    code = (
        "import sys, lstm_ref.checks; "
        "print(sorted(m for m in ('torch', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_check_positive_int() -> None:
    assert check_positive_int("n", 3) == 3
    assert check_positive_int("n", 0, minimum=0) == 0
    value = check_positive_int("n", np.int64(5))
    assert value == 5 and type(value) is int
    with pytest.raises(ValueError, match="n: expected an int >= 1, got 0"):
        check_positive_int("n", 0)
    with pytest.raises(ValueError, match="T: expected an int >= 20, got 19"):
        check_positive_int("T", 19, minimum=20)
    with pytest.raises(TypeError, match="n: expected an int, got float"):
        check_positive_int("n", 2.0)
    with pytest.raises(TypeError, match="steps: expected an int, got bool"):
        check_positive_int("steps", True)


def test_check_positive_float() -> None:
    assert check_positive_float("lr", 1e-3) == 1e-3
    value = check_positive_float("lr", 1)
    assert value == 1.0 and type(value) is float
    assert check_positive_float("max_norm", np.float32(0.5)) == 0.5
    assert check_positive_float("max_norm", math.inf) == math.inf
    for bad in (0, -1.5, math.nan):
        message = f"lr: expected a positive number, got {bad}"
        with pytest.raises(ValueError, match=re.escape(message)):
            check_positive_float("lr", bad)
    with pytest.raises(TypeError, match="lr: expected a number, got str"):
        check_positive_float("lr", "0.1")
    with pytest.raises(TypeError, match="lr: expected a number, got bool"):
        check_positive_float("lr", True)


def test_check_fraction() -> None:
    assert check_fraction("val", 0.0) == 0.0
    assert check_fraction("val", 0) == 0.0
    assert check_fraction("val", np.float64(0.25)) == 0.25
    assert check_fraction("held_out", 0.1, high=0.5, open_low=True) == 0.1
    with pytest.raises(ValueError, match=r"val: expected a fraction in \[0, 1\), got 1.0"):
        check_fraction("val", 1.0)
    with pytest.raises(ValueError, match=r"val: expected a fraction in \[0, 1\), got -0.1"):
        check_fraction("val", -0.1)
    with pytest.raises(ValueError, match=r"confidence: expected a fraction in \(0, 1\), got 0"):
        check_fraction("confidence", 0, open_low=True)
    with pytest.raises(ValueError, match=r"held_out: expected a fraction in \(0, 0.5\), got 0.5"):
        check_fraction("held_out", 0.5, high=0.5, open_low=True)
    with pytest.raises(ValueError, match="val: expected a fraction"):
        check_fraction("val", math.nan)
    with pytest.raises(TypeError, match="val: expected a number, got str"):
        check_fraction("val", "0.1")
    with pytest.raises(TypeError, match="val: expected a number, got bool"):
        check_fraction("val", False)


def test_check_type() -> None:
    assert check_type("text", "abc", str) == "abc"
    assert check_type("monthly", False, bool) is False
    with pytest.raises(TypeError, match="text: expected a str, got bytes"):
        check_type("text", b"abc", str)
    with pytest.raises(TypeError, match="monthly: expected a bool, got int"):
        check_type("monthly", 1, bool)


def test_check_series() -> None:
    series = check_series("x", [1, 2, 3])
    assert series.dtype == np.float64 and series.shape == (3,)
    np.testing.assert_array_equal(check_series("x", np.zeros(4, np.float32), length=4), 0.0)
    with pytest.raises(ValueError, match=r"x: expected shape \(T,\), got \(2, 2\)"):
        check_series("x", np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"x: expected shape \(T,\), got \(\)"):
        check_series("x", 1.0)
    with pytest.raises(ValueError, match=r"returns: expected shape \(5,\), got \(4,\)"):
        check_series("returns", np.zeros(4), length=5)


def test_check_ids() -> None:
    np.testing.assert_array_equal(check_ids("ids", [0, 2, 1], 3), [0, 2, 1])
    assert check_ids("ids", [], 3).size == 0
    assert check_ids("ids", np.zeros((2, 2), np.int64), 1).shape == (2, 2)
    with pytest.raises(ValueError, match=r"ids: expected values in \[0, 3\), got 0..3"):
        check_ids("ids", [0, 3], 3)
    with pytest.raises(ValueError, match=r"target: expected values in \[0, 3\), got -1..2"):
        check_ids("target", [-1, 2], 3)


def test_as_generator() -> None:
    assert as_generator(7).random() == np.random.default_rng(7).random()
    assert as_generator(np.int64(7)).random() == np.random.default_rng(7).random()
    assert isinstance(as_generator(None), np.random.Generator)
    rng = np.random.default_rng(0)
    assert as_generator(rng) is rng  # shared, so successive calls draw different numbers
    with pytest.raises(TypeError, match=r"seed: expected an int, None or np\.random\.Generator"):
        as_generator(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got bool"):
        as_generator(True)


def test_check_padded() -> None:
    x, lengths = check_padded(np.zeros((2, 3, 1), np.float32), [3, 1])
    assert x.dtype == np.float64 and x.shape == (2, 3, 1)
    np.testing.assert_array_equal(lengths, [3, 1])
    with pytest.raises(ValueError, match=r"x: expected shape \(N, T, D\), got \(2, 3\)"):
        check_padded(np.zeros((2, 3)), [3, 1])
    for bad in ([3], [0, 1], [4, 1]):
        with pytest.raises(ValueError, match=r"lengths: expected shape \(2,\) with values in"):
            check_padded(np.zeros((2, 3, 1)), bad)


def test_check_mask() -> None:
    np.testing.assert_array_equal(check_mask("labels", [0, 1, 1]), [False, True, True])
    assert check_mask("labels", np.array([True, False])).dtype == np.bool_
    with pytest.raises(ValueError, match=r"labels: expected a 1-D array of shape \(T,\)"):
        check_mask("labels", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="labels: expected booleans or 0/1 values"):
        check_mask("labels", [0, 2])


def test_model_device() -> None:
    assert model_device(nn.Linear(2, 3)) == torch.device("cpu")
    with pytest.raises(ValueError, match="model: expected a module with parameters, got a ReLU"):
        model_device(nn.ReLU())


def test_evaluating_restores_the_mode() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with evaluating(model) as inside:
        assert inside is model and not model.training and not model[1].training
    assert model.training and model[1].training
    model.eval()
    with evaluating(model):
        assert not model.training
    assert not model.training  # it was evaluating before, so it still is


def test_evaluating_restores_the_mode_when_the_block_raises() -> None:
    model = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="boom"), evaluating(model):
        assert not model.training
        raise RuntimeError("boom")
    assert model.training
