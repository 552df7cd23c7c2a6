"""Measured demonstration: a small LSTM solves two long-lag tasks that a tanh RNN cannot.

With lstm_ref.data's generators and lstm_ref.train.fit, on the CPU with two
threads, hidden size 32, batch 64 (fresh data every step), gradient-norm
clipping at 1 and Adam:

* adding problem, T=100 (modern form): solved = test MSE < 0.01; the trivial
  baseline (predict 1) has MSE 1/6 = 0.167;
* temporal order 6a (lengths 100-110, 4 classes): solved = 100% test
  accuracy; chance is 25%. Training batches use one length per batch.

Each run stops as soon as the validation set (1,000 sequences, checked every
``--eval-every`` steps) meets the criterion, or after its step budget (4,000
steps for adding, 6,000 for temporal order; ``--budget`` adds a time limit);
the final model is then scored on a fresh test set of 2,000 sequences. Steps
and metrics are deterministic for a seed; seconds depend on the machine.

Run from the repository root with lstm_ref installed (or ``PYTHONPATH=.``)::

    python benchmarks/long_lag_demo.py                      # every run below
    python benchmarks/long_lag_demo.py --only adding --seeds 0 1 2
    python benchmarks/long_lag_demo.py --json results.json  # also write the rows

Timings depend on the machine and its load: report them with the device.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from lstm_ref.data import (
    Task,
    accuracy,
    adding,
    adding_baseline_mse,
    temporal_order,
    temporal_order_solved,
)
from lstm_ref.models import RecurrentModel
from lstm_ref.train import fit, predict

HIDDEN, BATCH, CLIP = 32, 64, 1.0


@dataclass
class Run:
    """One training run of the demonstration: a row of the results table."""

    task: str
    model: str
    lr: float
    forget_bias: float | None
    seed: int
    steps: int
    seconds: float
    ms_per_step: float
    solved_on_val: bool
    test_metric: str
    test_value: float
    test_solved: bool


@dataclass
class Setting:
    """A model and optimiser setting; ``expected`` says whether it should solve the task."""

    task: str
    model: str
    rnn: type[nn.Module]
    lr: float
    forget_bias: float | None
    expected: bool
    max_steps: int


def _mse(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((pred - y) ** 2))


def run(setting: Setting, seed: int, eval_every: int, max_steps: int, budget: float) -> Run:
    """Train one model until it solves the validation set or its budget is spent."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(10_000 + seed)  # validation and test data, apart from training
    if setting.task == "adding":
        out_size, inputs, loss = 1, 2, "mse"
        val, test = adding(1000, 100, seed=rng), adding(2000, 100, seed=rng)
        batch: Callable[[int, np.random.Generator], Task] = lambda step, g: adding(  # noqa: E731
            BATCH, 100, seed=g
        )
        metrics: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {"mse": _mse}
        val_solved: Callable[[dict[str, float]], bool] = lambda r: r["mse"] < 0.01  # noqa: E731
    else:
        out_size, inputs, loss = 4, 8, "cross_entropy"
        val, test = temporal_order(1000, 100, seed=rng), temporal_order(2000, 100, seed=rng)
        batch = lambda step, g: temporal_order(BATCH, 100, same_length=True, seed=g)  # noqa: E731
        metrics = {"accuracy": accuracy}
        val_solved = lambda r: r["accuracy"] == 1.0  # noqa: E731
    model = RecurrentModel(
        inputs, HIDDEN, out_size, rnn=setting.rnn, forget_bias=setting.forget_bias
    )
    started = time.perf_counter()
    history = fit(
        model,
        batch,
        val=val,
        loss=loss,
        metrics=metrics,
        steps=max_steps,
        lr=setting.lr,
        clip=CLIP,
        eval_every=eval_every,
        stop_when=lambda r: val_solved(r) or time.perf_counter() - started > budget,
        device="cpu",
        seed=seed,
        progress=False,
    )
    pred = predict(model, test.x, test.lengths)
    if setting.task == "adding":
        value, solved, name = _mse(pred, test.y), _mse(pred, test.y) < 0.01, "test MSE"
    else:
        value, solved = accuracy(pred, test.y), temporal_order_solved(pred, test.y)
        name = "test accuracy"
    return Run(
        task=setting.task,
        model=setting.model,
        lr=setting.lr,
        forget_bias=setting.forget_bias,
        seed=seed,
        steps=history.steps,
        seconds=round(history.seconds, 1),
        ms_per_step=round(1000 * history.seconds / history.steps, 2),
        solved_on_val=val_solved(history.last()),
        test_metric=name,
        test_value=round(value, 5),
        test_solved=bool(solved),
    )


SETTINGS = [
    Setting("adding", "LSTM", nn.LSTM, 1e-2, 1.0, expected=True, max_steps=4000),
    Setting("adding", "tanh RNN", nn.RNN, 1e-2, None, expected=False, max_steps=4000),
    Setting("adding", "tanh RNN", nn.RNN, 1e-3, None, expected=False, max_steps=4000),
    Setting("temporal_order", "LSTM", nn.LSTM, 3e-3, 3.0, expected=True, max_steps=6000),
    Setting("temporal_order", "LSTM", nn.LSTM, 3e-3, 1.0, expected=False, max_steps=6000),
    Setting("temporal_order", "tanh RNN", nn.RNN, 3e-3, None, expected=False, max_steps=6000),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["adding", "temporal_order"], help="one task only")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="*",
        default=[0, 1, 2],
        help="seeds of the runs expected to solve (none: skip them)",
    )
    parser.add_argument(
        "--baseline-seeds",
        type=int,
        nargs="*",
        default=[0],
        help="seeds of the runs expected to fail (none: skip them)",
    )
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--eval-every", type=int, default=50)
    parser.add_argument("--max-steps", type=int, help="step budget of every run")
    parser.add_argument("--budget", type=float, default=float("inf"), help="seconds per run")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cpu = platform.processor() or platform.machine()
    print(
        f"torch {torch.__version__}, {args.threads} threads on {cpu}, H={HIDDEN}, batch {BATCH}, "
        f"clip {CLIP}; adding baseline MSE {adding_baseline_mse():.3f}"
    )
    rows = []
    for setting in SETTINGS:
        if args.only and setting.task != args.only:
            continue
        for seed in args.seeds if setting.expected else args.baseline_seeds:
            steps = args.max_steps or setting.max_steps
            r = run(setting, seed, args.eval_every, steps, args.budget)
            rows.append(r)
            print(
                f"{r.task:15s} {r.model:9s} lr {r.lr:g} fb {r.forget_bias!s:4s} seed {r.seed}: "
                f"{r.steps:5d} steps {r.seconds:6.1f} s ({r.ms_per_step:5.1f} ms/step)  "
                f"{r.test_metric} {r.test_value:.4f}  "
                f"{'SOLVED' if r.test_solved else 'not solved'}",
                flush=True,
            )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "torch": torch.__version__,
                    "threads": args.threads,
                    "machine": platform.node(),
                    "date": time.strftime("%Y-%m-%d"),
                    "runs": [asdict(r) for r in rows],
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
