"""The stored long tagging run that chapter 22 quotes is complete and consistent.

``benchmarks/training/tagging-long.json`` comes from ``benchmarks/tagging_long.py``
(minutes of one CPU core, too long for the test-suite). What can be checked in
seconds is checked: the report is complete, it describes chapter 22's test
split, the scores are proper fractions, and the training loss went down.
"""

from __future__ import annotations

import json

from lstm_ref.bench import benchmarks_dir
from lstm_ref.data.treebank import load_treebank

REPORT = json.loads((benchmarks_dir() / "training" / "tagging-long.json").read_text())


def test_the_report_is_complete() -> None:
    for key in ("date", "device", "torch", "python", "config", "feature_crf", "bilstm_crf"):
        assert key in REPORT, key
    config = REPORT["config"]
    assert config["steps"] >= 2_000 and config["crfsuite_max_iterations"] >= 200
    for model in ("feature_crf", "bilstm_crf"):
        scores = REPORT[model]
        assert set(scores) == {"accuracy", "unseen_accuracy", "span_f1"}
        assert all(0.5 < value < 1.0 for value in scores.values()), (model, scores)


def test_it_measured_chapter_22s_test_split() -> None:
    _, _, test = load_treebank(seed=0)
    assert REPORT["test_sentences"] == len(test)
    assert REPORT["test_tokens"] == sum(len(s.words) for s in test)


def test_the_training_loss_went_down() -> None:
    curve = REPORT["train_loss_per_100"]
    assert len(curve) == REPORT["config"]["steps"] // 100
    assert curve[-1] < 0.5 * curve[0]
