"""A longer run of chapter 22's BiLSTM-CRF, against the feature CRF trained to convergence.

Chapter 22 trains its BiLSTM-CRF for 250 steps (about two epochs, seconds of
one CPU core) and the feature CRF for 30 L-BFGS iterations, and the feature
CRF wins. Is the BiLSTM-CRF merely undertrained? This script trains the same
model (same features, split and seed) eight times longer, with the learning
rate decayed linearly to a tenth, trains the feature CRF for up to 200
iterations, scores both on the same test sentences and writes
``benchmarks/training/tagging-long.json``, which chapter 22 quotes. The
numbers are deterministic for a seed on a CPU; the seconds depend on the machine.

Run from the repository root with lstm_ref installed (or ``PYTHONPATH=.``)::

    python benchmarks/tagging_long.py --threads 1                 # a few minutes
    python benchmarks/tagging_long.py --steps 100 --crf-iterations 5 --out /tmp/x.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import sklearn_crfsuite
import torch

from lstm_ref.apps.tagging import (
    BIO_TAGS,
    BiLSTMTagger,
    FeatureIndex,
    bio_tags,
    crf_features,
    encode_tagged,
    sentence_batches,
    span_f1,
)
from lstm_ref.bench import provenance
from lstm_ref.data.treebank import UPOS_TAGS, Sentence, load_treebank
from lstm_ref.train import fit

#: Chapter 22's tagger and budget, eight times longer.
LONG_TAGGER = {
    "hidden_size": 64,
    "embedding_size": 64,
    "dropout": 0.25,
    "batch_size": 32,
    "steps": 2_000,
    "lr": 1e-2,
    "final_lr_factor": 0.1,
    "min_count": 2,
    "seed": 0,
    "crfsuite_max_iterations": 200,
}


def scores(
    sentences: list[Sentence], pos: list[list[str]], bio: list[list[str]], unseen: np.ndarray
) -> dict[str, float]:
    right = np.concatenate(
        [np.array(p) == np.array(s.tags) for p, s in zip(pos, sentences, strict=True)]
    )
    gold = [bio_tags(s.proper) for s in sentences]
    return {
        "accuracy": float(right.mean()),
        "unseen_accuracy": float(right[unseen].mean()),
        "span_f1": float(span_f1(gold, bio)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=LONG_TAGGER["steps"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--crf-iterations", type=int, default=LONG_TAGGER["crfsuite_max_iterations"]
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/training/tagging-long.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = {
        **LONG_TAGGER,
        "steps": args.steps,
        "crfsuite_max_iterations": args.crf_iterations,
    }

    train, _, test = load_treebank(seed=0)
    seen = {w for s in train for w in s.words}
    unseen = np.array([w not in seen for s in test for w in s.words])
    report: dict = {
        "script": "benchmarks/tagging_long.py",
        **provenance("cpu"),
        "threads": args.threads,
        "config": config,
        "test_sentences": len(test),
        "test_tokens": len(unseen),
    }

    began = time.process_time()
    train_features = [crf_features(s.words) for s in train]
    test_features = [crf_features(s.words) for s in test]
    predicted = []
    for labels in ([s.tags for s in train], [bio_tags(s.proper) for s in train]):
        model = sklearn_crfsuite.CRF(
            algorithm="lbfgs", c1=0.1, c2=0.01, max_iterations=config["crfsuite_max_iterations"]
        )
        model.fit(train_features, labels)
        predicted.append(model.predict(test_features))
    report["feature_crf"] = scores(test, predicted[0], predicted[1], unseen)
    report["feature_crf_cpu_seconds"] = time.process_time() - began
    print("feature CRF", report["feature_crf"], flush=True)

    began = time.process_time()
    index = FeatureIndex(train, min_count=config["min_count"])

    def gold(s: Sentence) -> tuple[list[str], list[str]]:
        return s.tags, bio_tags(s.proper)

    train_data = encode_tagged(train, index, (UPOS_TAGS, BIO_TAGS), gold)
    test_data = encode_tagged(test, index, (UPOS_TAGS, BIO_TAGS), gold)
    torch.manual_seed(config["seed"])
    tagger = BiLSTMTagger(
        index.sizes,
        (len(UPOS_TAGS), len(BIO_TAGS)),
        hidden_size=config["hidden_size"],
        embedding_size=config["embedding_size"],
        dropout=config["dropout"],
        crf=True,
    )
    steps, floor = config["steps"], config["final_lr_factor"]
    history = fit(
        tagger,
        sentence_batches(train_data, config["batch_size"]),
        loss=tagger.loss,
        steps=steps,
        lr=config["lr"],
        schedule=lambda step: 1.0 - (1.0 - floor) * step / steps,
        seed=config["seed"],
        device="cpu",
        progress=False,
    )
    best = tagger.predict(test_data)
    rows = [best[n, : len(s.words)] for n, s in enumerate(test)]
    pos = [[UPOS_TAGS[k] for k in row[:, 0]] for row in rows]
    bio = [[BIO_TAGS[k] for k in row[:, 1]] for row in rows]
    report["bilstm_crf"] = scores(test, pos, bio, unseen)
    report["bilstm_crf_cpu_seconds"] = time.process_time() - began
    report["train_loss_per_100"] = [
        float(np.mean(history.train_loss[k : k + 100])) for k in range(0, steps, 100)
    ]
    print("BiLSTM-CRF", report["bilstm_crf"], flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
