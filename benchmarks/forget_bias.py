"""Forget bias 0, +1 and +3 on temporal order: every seed, the same step budget.

Chapter 4 trains a 32-unit LSTM on the temporal order task (Hochreiter &
Schmidhuber 1997, experiment 6a: lengths 100-110, the first marker some 90
steps before the answer) with the forget-gate bias initialised at 0, +1 or +3,
everything else equal (:func:`lstm_ref.apps.forget_bias.train_temporal_order`:
Adam at 3e-3, batches of 64, clipping at 1). Here every bias gets the same
seeds and the same fixed budget of steps, with no early stop; each run is
scored on its seed's 500-sequence validation set every 50 steps. Per run the
JSON keeps the accuracy and validation loss at every evaluation and the first
step with every validation sequence right (``null`` if none). The JSON is
rewritten after every run (``"complete"`` says whether all ran), so an
interrupted run keeps what it measured. Chapter 4 quotes the JSON this writes
(``benchmarks/training/forget-bias.json``); the numbers are deterministic for
a seed on a CPU, the seconds depend on the machine.

Run from the repository root with lstm_ref installed (or ``PYTHONPATH=.``)::

    python benchmarks/forget_bias.py                    # about 15 minutes of one core
    python benchmarks/forget_bias.py --seeds 1 --steps 100 --out /tmp/x.json
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from lstm_ref.apps.forget_bias import TEMPORAL_ORDER_RUN, first_solved, train_temporal_order
from lstm_ref.bench import write_stored_run

CONFIG = {
    **TEMPORAL_ORDER_RUN,
    "task": "temporal_order (experiment 6a, 4 classes, one length per training batch)",
    "solved": "accuracy 1.0 on the seed's validation set",
    "biases": [0.0, 1.0, 3.0],
    "steps": 5_000,
    "seeds": 8,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=CONFIG["steps"])
    parser.add_argument("--seeds", type=int, default=CONFIG["seeds"])
    parser.add_argument("--biases", type=float, nargs="+", default=CONFIG["biases"])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/training/forget-bias.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = {**CONFIG, "steps": args.steps, "seeds": args.seeds, "biases": args.biases}
    started = time.process_time()
    runs: dict[str, list[dict]] = {f"{b:+g}": [] for b in config["biases"]}

    def write(complete: bool) -> None:
        write_stored_run(args.out, config=config, started=started, complete=complete, runs=runs)

    for seed in range(config["seeds"]):
        for bias in config["biases"]:
            start = time.process_time()
            history = train_temporal_order(bias, seed, config["steps"], config=config)
            acc = history.val_metrics["accuracy"]
            first = first_solved(history.eval_step, acc)
            runs[f"{bias:+g}"].append(
                {
                    "seed": seed,
                    "eval_step": history.eval_step,
                    "accuracy": acc,
                    "val_loss": history.val_loss,
                    "first_solved": first,
                    "final_accuracy": acc[-1],
                    "final_val_loss": history.val_loss[-1],
                    "cpu_seconds": time.process_time() - start,
                }
            )
            print(
                f"seed {seed} bias {bias:+g}: solved at {first}, final accuracy "
                f"{acc[-1]:.3f}, {time.process_time() - start:.0f} s",
                flush=True,
            )
            write(complete=False)
    write(complete=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
