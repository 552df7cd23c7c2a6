r"""The forget-bias experiment of chapter 4: temporal order with one bias changed.

One run trains ``RecurrentModel(8, hidden_size, 4, forget_bias=b)`` (a
``torch.nn.LSTM`` and a linear read-out of the last step) on the temporal order
task of Hochreiter & Schmidhuber (1997, experiment 6a), lengths
:math:`T \dots T + T/10`: Adam, gradient norm clipped to 1, fresh batches every
step (one length per batch). Every ``eval_every`` steps it is scored on a fixed
validation set of ``val_size`` sequences (different for each seed); the task is
*solved* at the first evaluation with every validation sequence classified
correctly, the criterion chapter 4 uses. Runs are deterministic for a seed on
the CPU; only the forget bias differs between the runs of one seed, so the
weights start the same apart from that bias, and the batches are the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch

from lstm_ref.data import accuracy, temporal_order
from lstm_ref.history import History
from lstm_ref.models import RecurrentModel
from lstm_ref.train import fit

__all__ = [
    "TEMPORAL_ORDER_RUN",
    "SolveSummary",
    "first_solved",
    "solved_fraction",
    "summarise_runs",
    "train_temporal_order",
]

#: Chapter 4's setting (32 units, batches of 64, learning rate 3e-3, sequences of 100-110).
TEMPORAL_ORDER_RUN: dict[str, Any] = {
    "T": 100,
    "hidden_size": 32,
    "batch_size": 64,
    "lr": 3e-3,
    "clip": 1.0,
    "val_size": 500,
    "val_seed_offset": 10_000,
    "eval_every": 50,
}


def train_temporal_order(
    forget_bias: float,
    seed: int,
    steps: int,
    *,
    config: Mapping[str, Any] = TEMPORAL_ORDER_RUN,
) -> History:
    """Train one LSTM on temporal order for exactly ``steps`` steps; its History.

    Parameters
    ----------
    forget_bias : float
        Initial :math:`b_{if} + b_{hf}` (:func:`lstm_ref.models.set_forget_bias`).
    seed : int
        Seeds the weights, the training batches and the validation set
        (``temporal_order(val_size, T, seed=val_seed_offset + seed)``).
    steps : int
        The step budget; training never stops early.
    config : dict
        Keys as in :data:`TEMPORAL_ORDER_RUN`.

    Returns
    -------
    History
        With ``val_loss`` and ``val_metrics["accuracy"]`` at every
        ``eval_every`` steps (and after the last step).
    """
    T = int(config["T"])
    val = temporal_order(int(config["val_size"]), T, seed=int(config["val_seed_offset"]) + seed)
    torch.manual_seed(seed)
    model = RecurrentModel(8, int(config["hidden_size"]), 4, forget_bias=forget_bias)
    batch_size = int(config["batch_size"])
    return fit(
        model,
        lambda step, rng: temporal_order(batch_size, T, same_length=True, seed=rng),
        val=val,
        loss="cross_entropy",
        metrics={"accuracy": accuracy},
        steps=steps,
        lr=float(config["lr"]),
        clip=float(config["clip"]),
        eval_every=int(config["eval_every"]),
        seed=seed,
        progress=False,
        device="cpu",
    )


def first_solved(eval_step: Sequence[int], accuracy: Sequence[float]) -> int | None:
    """The first evaluated step with accuracy 1 (every sequence right), or ``None``."""
    if len(eval_step) != len(accuracy):
        raise ValueError(
            f"eval_step, accuracy: expected the same length, got {len(eval_step)} "
            f"and {len(accuracy)}"
        )
    return next((int(s) for s, a in zip(eval_step, accuracy, strict=True) if a == 1.0), None)


def solved_fraction(first: Sequence[int | None], steps: Sequence[int]) -> np.ndarray:
    """For each step in ``steps``, the fraction of runs first solved at or before it.

    ``first`` holds each run's :func:`first_solved` (``None``: not solved).
    """
    if len(first) == 0:
        raise ValueError("first: expected at least one run")
    solved = np.array([np.inf if f is None else f for f in first], dtype=float)
    return np.array([float(np.mean(solved <= s)) for s in steps])


class SolveSummary(NamedTuple):
    """How the runs of one setting did within the budget (see :func:`summarise_runs`)."""

    runs: int
    solved: int
    first: list[int]  # first-solved steps of the solved runs, ascending
    median_first: float | None  # over the solved runs; None if none solved
    final_accuracy: list[float]  # every run's accuracy after the last step
    best_accuracy: list[float]  # every run's highest evaluated accuracy


def summarise_runs(runs: Sequence[Mapping[str, Any]]) -> SolveSummary:
    """Count and describe the solved runs of one setting.

    Parameters
    ----------
    runs : list of dict
        One per seed, each with ``"first_solved"`` (int or ``None``) and
        ``"accuracy"`` (the accuracy at every evaluation), as
        ``benchmarks/forget_bias.py`` stores them.
    """
    if len(runs) == 0:
        raise ValueError("runs: expected at least one run")
    first = sorted(int(r["first_solved"]) for r in runs if r["first_solved"] is not None)
    return SolveSummary(
        runs=len(runs),
        solved=len(first),
        first=first,
        median_first=float(np.median(first)) if first else None,
        final_accuracy=[float(r["accuracy"][-1]) for r in runs],
        best_accuracy=[float(max(r["accuracy"])) for r in runs],
    )
