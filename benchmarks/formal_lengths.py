"""Length generalisation on regular languages: LSTM, Transformer, minGRU, minLSTM, sLSTM.

After Delétang et al. (2023): train on strings of length 1-20, test on
strings of 20, 100, 250 and 500 symbols. Every model has the parameter count
of a 32-unit LSTM on the task (within 10 %) and the same optimiser budget:
Adam, learning rate 1e-2, batches of 32, gradient norm clipped to 1, 800
steps. Five seeds each. The JSON is rewritten after every run (``"complete"``
says whether all ran), so an interrupted run keeps what it measured.
Chapters 24 and 25 quote the JSON this writes
(``benchmarks/training/formal-lengths.json``); the accuracies are
deterministic for a seed on a CPU, the seconds depend on the machine.

Run from the repository root with lstm_ref installed (or ``PYTHONPATH=.``)::

    python benchmarks/formal_lengths.py                 # about 6 minutes of one core
    python benchmarks/formal_lengths.py --seeds 1 --steps 50 --out /tmp/x.json
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from lstm_ref.apps.compare import (
    KINDS,
    SequenceModel,
    count_parameters,
    length_accuracy,
    matched_size,
    train_formal,
)
from lstm_ref.bench import write_stored_run
from lstm_ref.data import FORMAL_TASKS, formal_chance

CONFIG = {
    "tasks": ["parity", "cycle_navigation", "even_pairs", "modular_arithmetic"],
    "kinds": list(KINDS),
    "reference_lstm_units": 32,
    "max_train_length": 20,
    "test_lengths": [20, 100, 250, 500],
    "test_strings": 300,
    "steps": 800,
    "batch_size": 32,
    "lr": 1e-2,
    "seeds": 5,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=CONFIG["steps"])
    parser.add_argument("--seeds", type=int, default=CONFIG["seeds"])
    parser.add_argument("--tasks", nargs="+", default=CONFIG["tasks"], choices=sorted(FORMAL_TASKS))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/training/formal-lengths.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = {**CONFIG, "steps": args.steps, "seeds": args.seeds, "tasks": args.tasks}
    started = time.process_time()
    results: dict[str, dict] = {}

    def write(complete: bool) -> None:
        write_stored_run(
            args.out, config=config, started=started, complete=complete, results=results
        )

    for task in config["tasks"]:
        spec = FORMAL_TASKS[task]
        target = count_parameters(
            SequenceModel("lstm", spec.symbols, config["reference_lstm_units"], spec.classes)
        )
        results[task] = {
            "chance": {str(n): formal_chance(task, n) for n in config["test_lengths"]},
            "target_parameters": target,
        }
        for kind in config["kinds"]:
            size = matched_size(kind, target, spec.symbols, spec.classes)
            row: dict = {
                "size": size,
                "parameters": count_parameters(
                    SequenceModel(kind, spec.symbols, size, spec.classes)
                ),
                "cpu_seconds": [],
                "final_train_loss": [],
                "accuracy": {str(n): [] for n in config["test_lengths"]},
            }
            for seed in range(config["seeds"]):
                t0 = time.process_time()
                model, history = train_formal(
                    kind,
                    task,
                    size=size,
                    steps=config["steps"],
                    seed=seed,
                    max_length=config["max_train_length"],
                    batch_size=config["batch_size"],
                    lr=config["lr"],
                    device="cpu",
                )
                row["cpu_seconds"].append(time.process_time() - t0)
                row["final_train_loss"].append(float(sum(history.train_loss[-50:]) / 50))
                acc = length_accuracy(model, task, config["test_lengths"], n=config["test_strings"])
                for n, a in acc.items():
                    row["accuracy"][str(n)].append(a)
                print(
                    f"{task:18s} {kind:11s} seed {seed}: "
                    + " ".join(f"{n}:{a:.2f}" for n, a in acc.items())
                    + f"  ({row['cpu_seconds'][-1]:.0f} s)",
                    flush=True,
                )
                results[task][kind] = row
                write(complete=False)
    write(complete=True)
    print(f"wrote {args.out} after {time.process_time() - started:.0f} s of CPU")


if __name__ == "__main__":
    main()
