"""The stored long training run that chapter 15 quotes is consistent and reproducible here.

``benchmarks/training/stdlib-lm-long.json`` comes from ``benchmarks/stdlib_lm_long.py``
(half an hour or more of one CPU core, too long for the test-suite). What can be checked
in seconds is checked: the report is complete, its curves are sane, and, on
the Python whose library it was measured on, the test files and a refitted
5-gram give exactly the stored numbers.
"""

from __future__ import annotations

import itertools
import json
import math
import platform

import pytest

from lstm_ref.bench import benchmarks_dir

REPORT = json.loads((benchmarks_dir() / "training" / "stdlib-lm-long.json").read_text())


def test_the_report_is_complete_and_its_curves_are_sane() -> None:
    config = REPORT["config"]
    steps = config["steps"]
    assert REPORT["eval_step"][-1] == steps
    assert len(REPORT["val_bpc"]) == len(REPORT["eval_step"])
    assert len(REPORT["train_bpc_per_100"]) == math.ceil(steps / 100)
    assert sorted(int(n) for n in REPORT["kn_test_bpc"]) == list(range(3, 10))
    kn = [REPORT["kn_test_bpc"][str(n)] for n in range(3, 10)]
    assert all(a > b for a, b in itertools.pairwise(kn))  # more context, fewer bits
    uniform = math.log2(REPORT["vocab_size"])
    assert 0 < REPORT["lstm_test_bpc"] < uniform
    assert REPORT["val_bpc"][-1] < REPORT["val_bpc"][0] < uniform


@pytest.mark.skipif(
    platform.python_version() != REPORT["python"],
    reason=f"the stored run read Python {REPORT['python']}'s library",
)
def test_the_split_and_a_refitted_ngram_reproduce_the_stored_numbers() -> None:
    from lstm_ref.apps.charlm import stdlib_corpus
    from lstm_ref.apps.ngram import KneserNey

    source, vocab = stdlib_corpus(REPORT["config"])
    train_ids, test_ids = vocab.encode(source.train), vocab.encode(source.test)
    assert list(source.test_files) == REPORT["test_files"]
    assert (len(train_ids), len(test_ids), len(vocab)) == (
        REPORT["train_chars"],
        REPORT["test_chars"],
        REPORT["vocab_size"],
    )
    kn5 = KneserNey(5, len(vocab)).fit(train_ids)
    assert kn5.bits_per_char(test_ids) == pytest.approx(REPORT["kn_test_bpc"]["5"], abs=1e-12)
