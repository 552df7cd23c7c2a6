"""SGD, Adam and gradient clipping on dicts of arrays, step for step like torch.optim."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lstm_ref.numpy import SGD, Adam, clip_grad_norm, global_norm, relative_error

torch = pytest.importorskip("torch")

SHAPES = {"W": (3, 4), "b": (3,)}


def run_both(
    ours: Any, theirs: Callable[[list[Any]], Any], steps: int = 5, seed: int = 0
) -> tuple[dict[str, np.ndarray], list[Any]]:
    """Apply the same gradients with our optimiser and torch's, from the same start."""
    rng = np.random.default_rng(seed)
    params = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    tensors = [torch.tensor(p, requires_grad=True) for p in params.values()]
    optimizer = theirs(tensors)
    for _ in range(steps):
        grads = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
        ours.step(params, grads)
        for t, g in zip(tensors, grads.values(), strict=True):
            t.grad = torch.from_numpy(g.copy())
        optimizer.step()
    return params, tensors


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_torch(momentum: float) -> None:
    params, tensors = run_both(
        SGD(0.1, momentum=momentum), lambda ts: torch.optim.SGD(ts, lr=0.1, momentum=momentum)
    )
    for p, t in zip(params.values(), tensors, strict=True):
        assert relative_error(p, t.detach().numpy()) < 1e-14


ADAM_SETTINGS = [(1e-2, (0.9, 0.999), 1e-8), (0.3, (0.5, 0.9), 1e-3)]


@pytest.mark.parametrize(("lr", "betas", "eps"), ADAM_SETTINGS)
def test_adam_matches_torch(lr: float, betas: tuple[float, float], eps: float) -> None:
    params, tensors = run_both(
        Adam(lr, betas=betas, eps=eps),
        lambda ts: torch.optim.Adam(ts, lr=lr, betas=betas, eps=eps),
        steps=8,
    )
    for p, t in zip(params.values(), tensors, strict=True):
        assert relative_error(p, t.detach().numpy()) < 1e-12


def test_updates_are_in_place_and_keep_float32() -> None:
    params = {"W": np.ones((2, 2), dtype=np.float32)}
    W = params["W"]
    for optimizer in (SGD(0.1, momentum=0.5), Adam(0.1)):
        optimizer.step(params, {"W": np.ones((2, 2), dtype=np.float32)})
    assert params["W"] is W
    assert W.dtype == np.float32
    assert np.all(W < 1)


def test_optimisers_reject_mismatched_keys() -> None:
    with pytest.raises(ValueError, match="grads: expected the keys of params"):
        Adam(0.1).step({"W": np.zeros(2)}, {"V": np.zeros(2)})


def test_optimisers_reject_bad_hyperparameters() -> None:
    with pytest.raises(ValueError, match="lr: expected a positive number, got -1"):
        SGD(-1)
    with pytest.raises(TypeError, match="lr: expected a number, got str"):
        Adam("0.1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="betas"):
        Adam(0.1, betas=(0.9, 1.0))


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(max_norm: float) -> None:
    rng = np.random.default_rng(0)
    grads = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    tensors = [torch.zeros(s, dtype=torch.float64) for s in SHAPES.values()]
    for t, g in zip(tensors, grads.values(), strict=True):
        t.grad = torch.from_numpy(g.copy())
    expected_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm)

    norm = clip_grad_norm(grads, max_norm)
    assert norm == pytest.approx(float(expected_norm), rel=1e-14)
    for g, t in zip(grads.values(), tensors, strict=True):
        assert relative_error(g, t.grad.numpy()) < 1e-14


def test_clip_grad_norm_caps_the_global_norm_only_when_above() -> None:
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert clip_grad_norm(grads, 1.0) == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0], rtol=1e-6)  # direction kept
    small = {"a": np.array([0.3, 0.4])}
    assert clip_grad_norm(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small["a"], [0.3, 0.4])
    with pytest.raises(ValueError, match="max_norm: expected a positive number, got 0"):
        clip_grad_norm(small, 0)
