"""DistributedDataParallel under torchrun: two gloo processes on the CPU."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from lstm_ref.apps.distributed import launch, make_model, train_single


def _relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max() / (a.abs() + b.abs()).max())


def test_two_ranks_match_one_process_on_the_whole_batch(tmp_path: Path) -> None:
    ranks = launch(tmp_path, nproc=2, steps=5, batch_size=16)
    single = train_single(steps=5, batch_size=16)
    start = make_model().state_dict()
    half = train_single(steps=5, batch_size=8)  # what one rank alone would learn
    for name, value in single.items():
        assert torch.equal(ranks[0][name], ranks[1][name]), name
        assert _relative_error(ranks[0][name], value) < 1e-12, name
    # Training moved the weights, and averaging over both halves mattered.
    assert max(_relative_error(single[k], start[k]) for k in start) > 1e-2
    assert max(_relative_error(single[k], half[k]) for k in start) > 1e-3


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"nproc": 0}, ValueError, "nproc: expected an int >= 1, got 0"),
        ({"batch_size": 15}, ValueError, "batch_size"),
        ({"steps": 1.5}, TypeError, "steps: expected an int, got float"),
    ],
)
def test_launch_rejects_bad_arguments(
    tmp_path: Path, kwargs: dict, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        launch(tmp_path, **kwargs)
