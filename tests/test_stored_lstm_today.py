"""The stored runs that chapters 24 and 25 quote are complete, on equal footing and reproducible.

``benchmarks/training/formal-lengths.json`` comes from ``benchmarks/formal_lengths.py``
and ``benchmarks/training/lstm-today.json`` from ``benchmarks/lstm_today.py`` (minutes
of one CPU core each, too long for the test-suite). Checked here: every run is
there, the models' parameter counts are within 10 % of each other, the exact
quantities (chance levels, state sizes) are right, one training run reproduces
exactly, and the claims the chapters make about the stored numbers hold.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lstm_ref.bench import benchmarks_dir

FORMAL = json.loads((benchmarks_dir() / "training" / "formal-lengths.json").read_text())
COSTS = json.loads((benchmarks_dir() / "training" / "lstm-today.json").read_text())
KINDS = ["lstm", "transformer", "mingru", "minlstm", "slstm"]


def _accuracy(task: str, kind: str, length: int) -> np.ndarray:
    return np.array(FORMAL["results"][task][kind]["accuracy"][str(length)])


def test_formal_report_is_complete_and_fair() -> None:
    from lstm_ref.data import formal_chance

    config = FORMAL["config"]
    assert FORMAL["complete"] and config["seeds"] >= 5 and config["kinds"] == KINDS
    for task in config["tasks"]:
        result = FORMAL["results"][task]
        target = result["target_parameters"]
        for kind in KINDS:
            row = result[kind]
            assert abs(row["parameters"] - target) <= 0.1 * target
            assert len(row["cpu_seconds"]) == config["seeds"]
            for n in config["test_lengths"]:
                acc = row["accuracy"][str(n)]
                assert len(acc) == config["seeds"] and all(0 <= a <= 1 for a in acc)
        for n in config["test_lengths"]:
            assert result["chance"][str(n)] == pytest.approx(formal_chance(task, n), abs=1e-12)


def test_one_formal_run_reproduces() -> None:
    from lstm_ref.apps.compare import length_accuracy, train_formal

    config, task = FORMAL["config"], "parity"
    row = FORMAL["results"][task]["lstm"]
    model, _ = train_formal(
        "lstm",
        task,
        size=row["size"],
        steps=config["steps"],
        seed=0,
        max_length=config["max_train_length"],
        batch_size=config["batch_size"],
        lr=config["lr"],
        device="cpu",
    )
    acc = length_accuracy(model, task, config["test_lengths"], n=config["test_strings"])
    assert [acc[n] for n in config["test_lengths"]] == [
        row["accuracy"][str(n)][0] for n in config["test_lengths"]
    ]


def test_costs_report_is_complete_and_exact() -> None:
    config = COSTS["config"]
    target = COSTS["throughput_target_parameters"]
    for kind in KINDS:
        row = COSTS["throughput"][kind]
        assert abs(row["parameters"] - target) <= 0.1 * target
        assert sorted(int(t) for t in row["tokens_per_s"]) == config["throughput_lengths"]
        assert all(r > 0 for r in row["tokens_per_s"].values())
    gen = COSTS["generation"]
    d = COSTS["throughput"]["transformer"]["size"]
    h = COSTS["throughput"]["lstm"]["size"]
    assert gen["lstm"]["state_bytes"] == [2 * h * 4] * len(gen["lstm"]["positions"])
    expected = [2 * 2 * t * d * 4 for t in gen["lstm"]["positions"]]
    assert gen["transformer"]["state_bytes"] == expected
    assert gen["lstm"]["positions"][-1] == config["generation_tokens"]
    lm_target = COSTS["lm_target_parameters"]
    uniform = math.log2(COSTS["lm_vocab_size"])
    for kind in KINDS:
        row = COSTS["lm"][kind]
        assert abs(row["parameters"] - lm_target) <= 0.1 * lm_target
        assert len(row["bpc"]) == config["seeds"] >= 5
        assert all(0 < b < uniform for b in row["bpc"])
        # equal CPU time: every run stopped within one evaluation interval of the budget
        assert all(s >= config["lm_seconds"] for s in row["cpu_seconds"])


def test_the_claims_chapters_24_and_25_make_about_the_stored_runs() -> None:
    lengths = FORMAL["config"]["test_lengths"]

    def acc(task: str, kind: str) -> np.ndarray:
        return np.array([_accuracy(task, kind, n) for n in lengths])  # (lengths, seeds)

    # Parity: the nonlinear recurrences generalise in every seed, the others stay at chance.
    for kind in ("lstm", "slstm"):
        assert acc("parity", kind).min() > 0.95
    for kind in ("transformer", "mingru", "minlstm"):
        assert acc("parity", kind).max() < 0.6
        assert acc("cycle_navigation", kind).max() < 0.35
    # Cycle navigation at 800 steps: the sLSTM in four seeds of five, the LSTM in one.
    assert int(np.sum(_accuracy("cycle_navigation", "slstm", 500) > 0.95)) == 4
    assert int(np.sum(_accuracy("cycle_navigation", "lstm", 500) > 0.95)) == 1
    # Throughput on one core: the LSTM ahead at every length; the Transformer slows more.
    rates = {
        k: np.array(
            [
                COSTS["throughput"][k]["tokens_per_s"][str(t)]
                for t in COSTS["config"]["throughput_lengths"]
            ]
        )
        for k in ("lstm", "transformer")
    }
    assert np.all(rates["lstm"] > rates["transformer"])
    assert rates["transformer"][0] / rates["transformer"][-1] > rates["lstm"][0] / rates["lstm"][-1]
    seconds = {k: COSTS["generation"][k]["seconds_per_token"] for k in ("lstm", "transformer")}
    assert seconds["transformer"][-1] > 2 * seconds["transformer"][0]
    assert seconds["lstm"][-1] <= seconds["lstm"][0]
    # The character LM at equal CPU time: the LSTM best in every seed, the sLSTM last.
    bpc = {k: np.array(COSTS["lm"][k]["bpc"]) for k in KINDS}
    assert all(bpc["lstm"].max() < bpc[k].min() for k in KINDS if k != "lstm")
    assert all(bpc["slstm"].min() > bpc[k].max() for k in KINDS if k != "slstm")
