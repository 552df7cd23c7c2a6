"""A longer run of chapter 15's character LSTM, against Kneser-Ney n-grams on the same text.

Chapter 15 trains a 1x256 LSTM for about half a minute of one CPU core on
3 MB of the standard library, and it loses to the 5-gram. This script trains
a larger model (1x512, windows of 100) on the whole library for half an hour
to an hour of one core (it depends on the machine), scores it on the same
held-out test files, refits the n-grams on the same training text and writes
everything to a JSON file that chapter 15 reads
(``benchmarks/training/stdlib-lm-long.json``). The trained weights go to
``lstm_ref/pretrained/stdlib-char-lstm-512.safetensors``, which
``lstm_ref.apps.pretrained.load_pretrained("stdlib-char-lstm-512")`` loads
(chapters 15 and 16 use it). The steps and the numbers are deterministic for
a seed on a CPU: a second run on another day gave the same weights, bit for
bit; the seconds depend on the machine.

Run from the repository root with lstm_ref installed (or ``PYTHONPATH=.``)::

    python benchmarks/stdlib_lm_long.py --threads 1                 # 30-50 min
    python benchmarks/stdlib_lm_long.py --steps 200 --out /tmp/x.json   # a quick look
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from lstm_ref.apps.charlm import STDLIB_LM, build_char_lm, char_bits, stdlib_corpus, train_stdlib_lm
from lstm_ref.apps.ngram import KneserNey
from lstm_ref.apps.pretrained import save_pretrained
from lstm_ref.bench import provenance

#: The longer run: the whole library, twice the units, windows twice as long.
LONG_LM = {
    **STDLIB_LM,
    "max_chars": None,
    "hidden_size": 512,
    "steps": 10_000,
    "batch_size": 32,
    "seq_len": 100,
    "lr": 3e-3,
    "final_lr": 1e-4,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=LONG_LM["steps"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--eval-every", type=int, default=1_000)
    parser.add_argument("--val-chars", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/training/stdlib-lm-long.json"))
    parser.add_argument(
        "--weights",
        type=Path,
        default=Path("lstm_ref/pretrained/stdlib-char-lstm-512.safetensors"),
        help="where the trained weights go (safetensors, with the config and vocabulary)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = {**LONG_LM, "steps": args.steps}

    source, vocab = stdlib_corpus(config)
    train_ids, val_ids, test_ids = (vocab.encode(t) for t in source[:3])
    print(f"train {len(train_ids):,} / test {len(test_ids):,} characters, {len(vocab)} symbols")

    kn_bpc = {}
    for n in range(3, 10):
        kn_bpc[n] = KneserNey(n, len(vocab)).fit(train_ids).bits_per_char(test_ids)
        print(f"KN-{n}: {kn_bpc[n]:.3f} bpc")

    model = build_char_lm(config, len(vocab))
    start = time.process_time()
    history = train_stdlib_lm(
        model, source, vocab, config, val_ids=val_ids[: args.val_chars], eval_every=args.eval_every
    )
    seconds = time.process_time() - start
    lstm_bpc = float(char_bits(model, test_ids).mean())
    print(f"LSTM 1x{config['hidden_size']}: {lstm_bpc:.3f} bpc after {seconds:.0f} s of CPU")

    report = {
        **provenance("cpu"),
        "threads": args.threads,
        "config": config,
        "train_chars": len(train_ids),
        "test_chars": len(test_ids),
        "test_files": list(source.test_files),
        "vocab_size": len(vocab),
        "cpu_seconds": seconds,
        "lstm_test_bpc": lstm_bpc,
        "kn_test_bpc": kn_bpc,
        "eval_step": history.eval_step,
        "val_bpc": history.val_loss,
        # Mean training bits per character over each block of 100 steps.
        "train_bpc_per_100": [
            float(np.mean(history.train_loss[k : k + 100]))
            for k in range(0, len(history.train_loss), 100)
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}")
    save_pretrained(model, vocab, args.weights, config=config, test_bpc=lstm_bpc)
    print(f"wrote {args.weights}")


if __name__ == "__main__":
    main()
