"""The Transformer baseline and the equal-footing helpers of lstm_ref.apps.compare."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_ref.apps.compare import (
    KINDS,
    SequenceModel,
    count_parameters,
    generation_cost,
    length_accuracy,
    matched_size,
    train_for_seconds,
    train_formal,
    training_throughput,
)
from lstm_ref.apps.transformer import CausalTransformer, sinusoidal_positions


def test_cached_steps_equal_the_causal_forward():
    torch.manual_seed(0)
    model = CausalTransformer(5, 16, nhead=4).double()
    x = torch.randn(3, 25, 5, dtype=torch.float64)
    full = model(x)
    cache = model.new_cache(3, 25)
    steps = torch.stack([model.step(x[:, t], cache) for t in range(25)], 1)
    assert (full - steps).abs().max() < 1e-12
    assert cache.nbytes() == 2 * 2 * 3 * 25 * 16 * 8  # keys and values, 2 layers, float64
    with pytest.raises(ValueError, match="cache: full"):
        model.step(x[:, 0], cache)


def test_transformer_is_causal_and_checks_input():
    torch.manual_seed(0)
    model = CausalTransformer(3, 8, nhead=2)
    x = torch.randn(2, 12, 3)
    changed = x.clone()
    changed[:, 7:] = torch.randn(2, 5, 3)
    assert torch.allclose(model(x)[:, :7], model(changed)[:, :7], atol=1e-6)
    assert not torch.allclose(model(x)[:, 7:], model(changed)[:, 7:])
    with pytest.raises(ValueError, match="expected shape"):
        model(torch.randn(2, 4, 5))
    with pytest.raises(ValueError, match="T = 0"):
        model(torch.randn(2, 0, 3))
    with pytest.raises(TypeError, match="floating-point"):
        model(torch.ones(2, 3, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="multiple of nhead"):
        CausalTransformer(3, 10, nhead=4)


def test_sinusoidal_positions():
    table = sinusoidal_positions(50, 6)
    assert table.shape == (50, 6)
    assert torch.allclose(table[:, 0], torch.sin(torch.arange(50.0)))
    assert torch.allclose(table[:, 1], torch.cos(torch.arange(50.0)))
    assert torch.allclose(table.norm(dim=1), torch.full((50,), 3.0**0.5))


@pytest.mark.parametrize("kind", KINDS)
def test_sequence_model_shapes_and_matching(kind):
    target = count_parameters(SequenceModel("lstm", 3, 32, 5))
    size = matched_size(kind, target, 3, 5)
    model = SequenceModel(kind, 3, size, 5)
    assert abs(count_parameters(model) - target) <= 0.1 * target
    x = torch.randn(2, 7, 3)
    assert model(x).shape == (2, 5)
    assert SequenceModel(kind, 3, size, 5, readout="all")(x).shape == (2, 7, 5)


def test_sequence_model_errors():
    with pytest.raises(ValueError, match="kind"):
        SequenceModel("gru", 3, 8, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="readout"):
        SequenceModel("lstm", 3, 8, 2, readout="first")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="10 %"):
        matched_size("transformer", 10, 3, 2)


def test_training_helpers_run():
    model, history = train_formal("lstm", "parity", size=8, steps=3, seed=0)
    assert history.steps == 3
    acc = length_accuracy(model, "parity", [5, 30], n=40)
    assert set(acc) == {5, 30} and all(0 <= a <= 1 for a in acc.values())
    assert training_throughput(SequenceModel("lstm", 4, 8, 4, readout="all"), 16) > 0


def test_generation_cost():
    torch.manual_seed(0)
    lstm = SequenceModel("lstm", 4, 16, 4)
    tf = SequenceModel("transformer", 4, 16, 4)
    a, b = generation_cost(lstm, 64, block=16), generation_cost(tf, 64, block=16)
    assert a.positions.tolist() == b.positions.tolist() == [16, 32, 48, 64]
    assert np.all(a.state_bytes == 2 * 16 * 4)  # h and c, float32, one sequence
    assert b.state_bytes.tolist() == [2 * 2 * t * 16 * 4 for t in (16, 32, 48, 64)]
    assert np.all(a.seconds >= 0) and np.all(b.seconds >= 0)
    with pytest.raises(ValueError, match="kind"):
        generation_cost(SequenceModel("slstm", 4, 8, 4), 8)


def test_train_for_seconds_stops_on_time():
    model = SequenceModel("lstm", 4, 8, 4, readout="all")
    rng0 = np.random.default_rng(0)
    val_x = np.eye(4, dtype=np.float32)[rng0.integers(0, 4, (8, 10))]
    val_y = rng0.integers(0, 4, (8, 10))

    def batches(step, rng):
        ids = rng.integers(0, 4, (8, 10))
        return np.eye(4, dtype=np.float32)[ids], ids

    history = train_for_seconds(
        model, batches, (val_x, val_y), seconds=0.3, lr=1e-2, seed=0, eval_every=5
    )
    assert history.stop_reason == "stop_when" and history.steps % 5 == 0
