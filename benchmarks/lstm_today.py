"""The costs of five sequence architectures on one CPU core, and a character LM at equal CPU time.

Three measurements that chapters 24 and 25 quote from the JSON this writes
(``benchmarks/training/lstm-today.json``):

* **training throughput**: tokens per CPU second of one forward and backward
  pass, batches of 8, at sequence lengths 64 to 2,048, for models of equal
  parameter count (an LSTM of 256 units and its matches);
* **generation**: CPU time per token and the state kept, generating 2,048
  tokens one at a time, LSTM against the Transformer with its KV cache;
* **a character language model** on the standard library's source (chapter
  15's text), each model trained from scratch on random windows of 64
  characters for the same CPU time (5 s of one core), five seeds; scored in bits per character
  on validation windows of the same length (no model carries state across
  windows, so all see the same context).

Run from the repository root with lstm_ref installed (or ``PYTHONPATH=.``)::

    python benchmarks/lstm_today.py                      # about 3 minutes of one core
    python benchmarks/lstm_today.py --seconds 2 --seeds 1 --out /tmp/x.json
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from lstm_ref.apps.charlm import STDLIB_LM, stdlib_corpus
from lstm_ref.apps.compare import (
    KINDS,
    SequenceModel,
    count_parameters,
    generation_cost,
    matched_size,
    train_for_seconds,
    training_throughput,
)
from lstm_ref.bench import provenance

CONFIG = {
    "throughput_lengths": [64, 128, 256, 512, 1024, 2048],
    "throughput_batch": 8,
    "throughput_symbols": 32,
    "throughput_lstm_units": 256,
    "generation_tokens": 2048,
    "lm_max_chars": STDLIB_LM["max_chars"],
    "lm_min_count": STDLIB_LM["min_count"],
    "lm_lstm_units": 128,
    "lm_seq_len": 64,
    "lm_batch_size": 32,
    "lm_lr": 3e-3,
    "lm_seconds": 5.0,
    "lm_eval_every": 25,
    "lm_val_windows": 64,
    "seeds": 5,
}


def one_hot_windows(ids: np.ndarray, starts: np.ndarray, length: int, vocab: int):
    """Inputs ``(N, length, vocab)`` one-hot and next-character targets ``(N, length)``."""
    at = starts[:, None] + np.arange(length)
    x = np.eye(vocab, dtype=np.float32)[ids[at]]
    return x, ids[at + 1].astype(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=CONFIG["lm_seconds"])
    parser.add_argument("--seeds", type=int, default=CONFIG["seeds"])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/training/lstm-today.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = {**CONFIG, "lm_seconds": args.seconds, "seeds": args.seeds}
    started = time.process_time()

    symbols = config["throughput_symbols"]
    target = count_parameters(
        SequenceModel("lstm", symbols, config["throughput_lstm_units"], symbols)
    )
    throughput: dict[str, dict] = {}
    for kind in KINDS:
        size = matched_size(kind, target, symbols, symbols)
        torch.manual_seed(0)
        model = SequenceModel(kind, symbols, size, symbols, readout="all")
        rates = {
            str(t): training_throughput(model, t, batch=config["throughput_batch"], repeats=1)
            for t in config["throughput_lengths"]
        }
        throughput[kind] = {
            "size": size,
            "parameters": count_parameters(model),
            "tokens_per_s": rates,
        }
        print(kind, size, {t: round(r) for t, r in rates.items()}, flush=True)

    generation = {}
    for kind in ("lstm", "transformer"):
        size = throughput[kind]["size"]
        torch.manual_seed(0)
        cost = generation_cost(
            SequenceModel(kind, symbols, size, symbols), config["generation_tokens"]
        )
        generation[kind] = {
            "positions": cost.positions.tolist(),
            "seconds_per_token": cost.seconds.tolist(),
            "state_bytes": cost.state_bytes.tolist(),
        }
        print(kind, f"{1e3 * cost.seconds[0]:.2f} -> {1e3 * cost.seconds[-1]:.2f} ms/token")

    source, vocab = stdlib_corpus(
        {"max_chars": config["lm_max_chars"], "min_count": config["lm_min_count"]}
    )
    train_ids, val_ids = vocab.encode(source.train), vocab.encode(source.validation)
    v, seq = len(vocab), config["lm_seq_len"]
    val_starts = np.linspace(0, len(val_ids) - seq - 2, config["lm_val_windows"]).astype(int)
    val = one_hot_windows(val_ids, val_starts, seq, v)
    lm_target = count_parameters(SequenceModel("lstm", v, config["lm_lstm_units"], v))

    def batches(step: int, rng: np.random.Generator):
        starts = rng.integers(0, len(train_ids) - seq - 1, config["lm_batch_size"])
        return one_hot_windows(train_ids, starts, seq, v)

    lm: dict[str, dict] = {}
    for kind in KINDS:
        size = matched_size(kind, lm_target, v, v)
        row: dict = {"size": size, "bpc": [], "steps": [], "cpu_seconds": [], "curves": []}
        for seed in range(config["seeds"]):
            torch.manual_seed(seed)
            model = SequenceModel(kind, v, size, v, readout="all")
            row["parameters"] = count_parameters(model)
            t0 = time.process_time()
            history = train_for_seconds(
                model,
                batches,
                val,
                seconds=config["lm_seconds"],
                lr=config["lm_lr"],
                seed=seed,
                eval_every=config["lm_eval_every"],
                device="cpu",
            )
            row["cpu_seconds"].append(time.process_time() - t0)
            row["steps"].append(history.steps)
            row["bpc"].append(history.val_loss[-1] / math.log(2))
            row["curves"].append(
                {"step": history.eval_step, "bpc": [x / math.log(2) for x in history.val_loss]}
            )
            print(
                f"LM {kind:11s} seed {seed}: {row['bpc'][-1]:.3f} bpc after {history.steps} steps",
                flush=True,
            )
        lm[kind] = row

    report = {
        **provenance("cpu"),
        "threads": 1,
        "config": config,
        "cpu_seconds": time.process_time() - started,
        "throughput_target_parameters": target,
        "throughput": throughput,
        "generation": generation,
        "lm_vocab_size": v,
        "lm_target_parameters": lm_target,
        "lm": lm,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out} after {report['cpu_seconds']:.0f} s of CPU")


if __name__ == "__main__":
    main()
