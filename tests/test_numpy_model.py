"""The small NumPy model: gradients, learning, save/load, input checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lstm_ref.numpy import (
    LSTMModel,
    cross_entropy_loss,
    mse_loss,
    numerical_gradient,
    relative_error,
)


def adding_problem(n: int, T: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Values U[0, 1], one marker in each half, target = sum of the two marked values."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, T, 2))
    x[:, :, 0] = rng.uniform(0, 1, (n, T))
    rows = np.arange(n)
    first, second = rng.integers(0, T // 2, n), rng.integers(T // 2, T, n)
    x[rows, first, 1] = x[rows, second, 1] = 1
    return x, x[rows, first, 0] + x[rows, second, 0]


HEADS = [
    ("mse", "last", 2),
    ("mse", "all", 1),
    ("cross_entropy", "last", 3),
    ("cross_entropy", "all", 4),
]


@pytest.mark.parametrize(("loss", "readout", "O"), HEADS)
def test_loss_and_grads_match_central_differences(loss: Any, readout: Any, O: int) -> None:
    model = LSTMModel(3, 4, O, loss=loss, readout=readout, seed=1, dtype=np.float64)
    rng = np.random.default_rng(0)
    N, T = 3, 4
    x = rng.standard_normal((N, T, 3))
    target_shape = (N,) if readout == "last" else (N, T)
    if loss == "mse":
        y: np.ndarray = rng.standard_normal((*target_shape, O))
    else:
        y = rng.integers(0, O, target_shape)
    _, grads = model.loss_and_grads(x, y)
    assert grads.keys() == model.params.keys()
    for name, param in model.params.items():

        def loss_at(value: np.ndarray, name: str = name) -> float:
            saved = model.params[name]
            model.params[name] = value
            try:
                return model.evaluate(x, y)
            finally:
                model.params[name] = saved

        assert relative_error(grads[name], numerical_gradient(loss_at, param)) < 1e-7, name


def test_losses_agree_with_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((5, 3, 4)), rng.integers(0, 4, (5, 3))
    loss, grad = cross_entropy_loss(logits, labels)
    t = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(t.reshape(-1, 4), torch.from_numpy(labels).ravel())
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-12)
    assert relative_error(grad, t.grad.numpy()) < 1e-12

    pred, target = rng.standard_normal((6, 1)), rng.standard_normal(6)
    loss, grad = mse_loss(pred, target)  # (N,) targets for (N, 1) predictions, no broadcasting
    assert loss == pytest.approx(np.mean((pred[:, 0] - target) ** 2))
    np.testing.assert_allclose(grad[:, 0], 2 * (pred[:, 0] - target) / 6)


def test_forget_bias_and_initial_dtype() -> None:
    model = LSTMModel(2, 5, forget_bias=1.0)
    b = model.params["b_ih"] + model.params["b_hh"]
    np.testing.assert_array_equal(b, np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    assert all(p.dtype == np.float32 for p in model.params.values())
    assert model.forward(np.zeros((2, 3, 2))).dtype == np.float32  # float64 data is cast once


def test_fit_learns_a_short_adding_problem() -> None:
    x, y = adding_problem(2000, T=10, seed=0)
    x_val, y_val = adding_problem(500, T=10, seed=1)
    model = LSTMModel(2, 16, seed=0)
    before = model.evaluate(x_val, y_val)
    history = model.fit(x, y, steps=300, lr=1e-2, val=(x_val, y_val), eval_every=100)
    assert history.step == list(range(1, 301))
    assert len(history.train_loss) == len(history.grad_norm) == 300
    assert history.eval_step == [100, 200, 300] and history.stop_reason == "steps"
    assert before > 0.1
    assert history.val_loss[-1] < 0.02  # the mean predictor scores ≈ 0.167


def test_fit_classifies_and_stops_early() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 5, 1))
    y = (x[:, 0, 0] > 0).astype(np.int64)  # the sign of the first input, read at the end
    model = LSTMModel(1, 8, 2, loss="cross_entropy", seed=0)
    history = model.fit(x, y, steps=1000, lr=3e-2, val=(x, y), eval_every=20, stop_below=0.1)
    assert history.val_loss[-1] < 0.1 and history.stop_reason == "stop_when"
    assert history.step[-1] < 1000 and history.step[-1] == history.eval_step[-1]
    probabilities = model.predict(x)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    assert np.mean(probabilities.argmax(axis=1) == y) > 0.95


def test_save_load_round_trip(tmp_path: Path) -> None:
    model = LSTMModel(3, 6, 2, loss="cross_entropy", readout="all", seed=4, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    path = model.save(tmp_path / "model")
    assert path == tmp_path / "model.npz"
    loaded = LSTMModel.load(path)
    assert (loaded.loss_name, loaded.readout, loaded.dtype) == ("cross_entropy", "all", np.float64)
    for name, value in model.params.items():
        np.testing.assert_array_equal(loaded.params[name], value)
        assert loaded.params[name].dtype == value.dtype
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_model_input_errors() -> None:
    model = LSTMModel(2, 4)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, T, D\) with T >= 1 and D = 2"):
        model.forward(np.zeros((3, 5, 4)))
    with pytest.raises(ValueError, match="y: expected 3 targets"):
        model.fit(np.zeros((3, 5, 2)), np.zeros(4), steps=1)
    with pytest.raises(ValueError, match="loss: expected 'mse' or 'cross_entropy', got 'l1'"):
        LSTMModel(2, 4, loss="l1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hidden_size: expected an int >= 1, got 0"):
        LSTMModel(2, 0)
    with pytest.raises(TypeError, match="hidden_size: expected an int, got float"):
        LSTMModel(2, 4.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="eval_every: expected an int >= 1, got 0"):
        model.fit(np.zeros((3, 5, 2)), np.zeros(3), steps=1, eval_every=0)
    with pytest.raises(TypeError, match="steps: expected an int, got float"):
        model.fit(np.zeros((3, 5, 2)), np.zeros(3), steps=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="target: expected labels in"):
        cross_entropy_loss(np.zeros((2, 3)), np.array([0, 3]))
