"""The benchmark runs end to end (tiny shapes) and writes its JSON report (lstm_ref.bench)."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from lstm_ref import bench
from lstm_ref.torch import LSTM

KEYS = ["impl", "T", "B", "I", "H", "layers", "dtype", "pass", "median_ms", "ratio_vs_torch"]


def check_report(report: dict[str, Any], impls: list[str], shapes: int) -> None:
    for key, kind in (("device", str), ("torch", str), ("date", str), ("tf32", bool)):
        assert isinstance(report[key], kind), key
    datetime.date.fromisoformat(report["date"])
    assert report["torch"] == torch.__version__ and report["threads"] >= 1
    rows = report["results"]
    assert len(rows) == shapes * len(impls) * 2
    for row in rows:
        assert list(row) == KEYS
        assert row["pass"] in ("fwd", "fwd+bwd") and row["dtype"] == "float32"
        assert row["median_ms"] > 0 and row["ratio_vs_torch"] > 0
        assert all(isinstance(row[k], int) for k in ("T", "B", "I", "H", "layers"))
    assert {r["impl"] for r in rows} == set(impls)
    for row in rows:
        if row["impl"] == "torch.nn":
            assert row["ratio_vs_torch"] == 1.0


def test_cli_quick_writes_the_json_report(tmp_path: Path) -> None:
    out = tmp_path / "results" / "cpu.json"
    cmd = [sys.executable, "-m", "lstm_ref.bench", "--quick", "--threads", "1", "--out", str(out)]
    done = subprocess.run(
        cmd, capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1]
    )
    report = json.loads(out.read_text())
    impls = ["torch.nn", "per_gate", "fused_gates", "input_proj", "fused_step", "compiled_loop"]
    if "numpy" in {r["impl"] for r in report["results"]}:
        impls.append("numpy")
    else:
        assert "skipping the numpy row" in done.stderr
    check_report(report, impls, 1)
    assert "median ms" in done.stdout and "fused_step" in done.stdout
    assert report["notes"][0] == "cuda_graphs, persistent: need a CUDA device, not run on cpu"
    assert "note: cuda_graphs, persistent: need a CUDA device" in done.stdout
    assert "100%" in done.stderr  # the plain-text progress bar reached its end


def fake_numpy_reference() -> types.ModuleType:
    """A stand-in for lstm_ref.numpy that checks its calls: time-major x, torch.nn's shapes."""
    module = types.ModuleType("lstm_ref.numpy")

    def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):  # type: ignore[no-untyped-def]
        steps, batch, _ = x.shape
        hidden = h0.shape[1]
        assert W_ih.shape == (4 * hidden, x.shape[2]) and W_hh.shape == (4 * hidden, hidden)
        assert b_ih.shape == b_hh.shape == (4 * hidden,) and c0.shape == (batch, hidden)
        y = np.zeros((steps, batch, hidden), x.dtype)
        return y, (h0, c0), {"x": x}

    def lstm_backward(dy, dh_n, dc_n, cache):  # type: ignore[no-untyped-def]
        assert dy.shape[:2] == cache["x"].shape[:2] and dh_n.shape == dc_n.shape
        return {"x": np.zeros_like(cache["x"])}

    module.lstm_forward = lstm_forward  # type: ignore[attr-defined]
    module.lstm_backward = lstm_backward  # type: ignore[attr-defined]
    return module


def test_numpy_row_uses_the_reference_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lstm_ref.numpy", fake_numpy_reference())
    report = bench.run_benchmark(
        bench.QUICK_SHAPES, impls=["numpy", "input_proj"], repeats=2, progress=False
    )
    check_report(report, ["torch.nn", "numpy", "input_proj"], 1)
    assert report["repeats"] == 2 and report["warmup"] == 1


def test_table_and_bad_arguments() -> None:
    stream = io.StringIO()
    before = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        report = bench.run_benchmark(
            [bench.Shape(3, 1, 4, 4)], impls=["fused_gates"], repeats=1, warmup=0, progress=stream
        )
        assert report["tf32"] is False and torch.backends.cuda.matmul.allow_tf32  # restored
    finally:
        torch.backends.cuda.matmul.allow_tf32 = before
    table = bench.format_table(report)
    assert table.splitlines()[0].startswith(report["device"])
    assert len(table.splitlines()) == 3 + 4
    assert "4/4" in stream.getvalue()
    with pytest.raises(ValueError, match="impls must be among"):
        bench.run_benchmark(bench.QUICK_SHAPES, impls=["cuda_graphs"], progress=False)
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        bench.run_benchmark(bench.QUICK_SHAPES, repeats=0, progress=False)
    for rung in ("cuda_graphs", "persistent"):
        assert rung not in bench.available_impls(torch.device("cpu"))
        assert rung in bench.available_impls(torch.device("cuda"))


def test_cpu_and_gpu_shape_sets() -> None:
    assert bench.CPU_SHAPES[-2:] == (
        bench.Shape(100, 64, 256, 256),
        bench.Shape(100, 64, 512, 512),
    )
    # The sizes the chapters train at, H/B/T, and one-sequence inference (issue 23).
    small = {(s.H, s.B, s.T) for s in bench.SMALL_SHAPES}
    assert small == {(32, 32, 100), (64, 64, 100), (128, 64, 100), (256, 16, 200), (64, 1, 50)}
    assert set(bench.SMALL_SHAPES) <= set(bench.CPU_SHAPES)
    gpu = set(bench.GPU_SHAPES)
    assert set(bench.CPU_SHAPES) <= gpu
    assert bench.Shape(100, 64, 1024, 1024) in gpu and bench.Shape(1024, 16, 768, 768) in gpu
    assert {s.B for s in gpu} >= {1, 4, 16}


def test_persistent_grid_and_its_need_for_cuda(capsys: pytest.CaptureFixture[str]) -> None:
    grid = bench.PERSISTENT_SHAPES
    assert len(grid) == len(set(grid)) == 2 * 4 * 4
    assert {s.T for s in grid} == {100, 1024} and {s.B for s in grid} == {1, 4, 16, 64}
    assert {s.H for s in grid} == {128, 256, 512, 1024}
    assert all(s.I == s.H and s.layers == 1 for s in grid)
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--grid", "persistent", "--device", "cpu"])
    assert exit_.value.code == 2 and "needs --device cuda" in capsys.readouterr().err


def test_count_ops_sees_the_gemms_of_each_rung() -> None:
    # Forward, T steps: per_gate multiplies 8 times per step, fused_gates twice,
    # input_proj once plus one GEMM for all steps' inputs; torch.nn calls one operator.
    torch.manual_seed(0)
    T, gemms = 6, ("addmm", "mm")
    x = torch.randn(T, 3, 4)
    expected = {"per_gate": 8 * T, "fused_gates": 2 * T, "input_proj": T + 1}
    with torch.no_grad():
        for impl, n in expected.items():
            model = LSTM(4, 5, impl=impl)
            counts = bench.count_ops(lambda model=model: model(x))
            assert sum(counts[g] for g in gemms) == n, impl
        nn_counts = bench.count_ops(lambda: torch.nn.LSTM(4, 5)(x))
    assert "mkldnn_rnn_layer" in nn_counts or "_cudnn_rnn" in nn_counts
    assert nn_counts["addmm"] == nn_counts["mm"] == 0


def test_benchmarks_dir_is_found_from_any_folder_below_the_repository(tmp_path: Path) -> None:
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    (tmp_path / "chapters" / "deep").mkdir(parents=True)
    assert bench.benchmarks_dir(tmp_path / "chapters" / "deep") == tmp_path / "benchmarks"
    assert bench.benchmarks_dir(tmp_path) == tmp_path / "benchmarks"
    assert (bench.benchmarks_dir(Path(__file__).parent) / "results").is_dir()  # this repository
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (tmp_path / "benchmarks" / "results").rmdir()
    with pytest.raises(FileNotFoundError, match="start"):
        bench.benchmarks_dir(outside)


TWO = [bench.Shape(3, 1, 4, 4), bench.Shape(4, 2, 4, 4)]


def test_max_minutes_stops_after_the_first_case_and_resume_finishes() -> None:
    # A limit of 0 minutes: the first case (shape, pass) always runs, then it stops.
    kw: dict[str, Any] = {"impls": ["fused_gates"], "repeats": 2, "progress": False}
    partial = bench.run_benchmark(TWO, max_minutes=0, **kw)
    assert [(r["T"], r["pass"], r["impl"]) for r in partial["results"]] == [
        (3, "fwd", "torch.nn"),
        (3, "fwd", "fused_gates"),
    ]
    assert partial["notes"][-1] == (
        f"{bench.STOPPED} of 0 minutes with 3 of 4 cases (shape x pass) left: "
        "run again with --resume"
    )
    full = bench.run_benchmark(TWO, resume=partial, **kw)
    check_report(full, ["torch.nn", "fused_gates"], 2)
    assert full["results"][:2] == partial["results"]  # kept, not measured again
    assert [(r["T"], r["pass"]) for r in full["results"][::2]] == [
        (3, "fwd"),
        (3, "fwd+bwd"),
        (4, "fwd"),
        (4, "fwd+bwd"),
    ]
    assert not any(note.startswith(bench.STOPPED) for note in full["notes"])
    again = bench.run_benchmark(TWO, resume=full, max_minutes=0, **kw)  # nothing left to run
    assert again["results"] == full["results"] and again["notes"] == full["notes"]


def test_resume_refuses_another_run() -> None:
    kw: dict[str, Any] = {"impls": ["fused_gates"], "repeats": 1, "warmup": 0, "progress": False}
    partial = bench.run_benchmark(TWO, max_minutes=0, **kw)
    with pytest.raises(
        ValueError, match=r"resume: a report of other settings.*'repeats': \(1, 2\)"
    ):
        bench.run_benchmark(TWO, resume=partial, **{**kw, "repeats": 2})
    with pytest.raises(ValueError, match=r"resume: expected rows of .* 1 cases of other impl"):
        bench.run_benchmark(TWO, resume=partial, **{**kw, "impls": ["input_proj"]})
    with pytest.raises(ValueError, match="1 cases of other shapes"):
        bench.run_benchmark(TWO[1:], resume=partial, **kw)
    with pytest.raises(ValueError, match="max_minutes must be >= 0"):
        bench.run_benchmark(TWO, max_minutes=-1, **kw)


def test_cli_stops_with_status_3_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "partial.json"
    args = ["--quick", "--impl", "fused_gates", "--repeats", "1", "--out", str(out)]
    assert bench.main(["--device", "cpu", "--max-minutes", "0", *args]) == bench.EXIT_PARTIAL
    assert len(json.loads(out.read_text())["results"]) == 2  # one case of two impls
    assert bench.main(["--device", "cpu", "--resume", *args]) == 0
    report = json.loads(out.read_text())
    check_report(report, ["torch.nn", "fused_gates"], len(bench.QUICK_SHAPES))
    assert report["notes"] == []


def test_cli_resume_needs_out(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--device", "cpu", "--resume"])
    assert exit_.value.code == 2 and "--resume continues the report in --out" in (
        capsys.readouterr().err
    )


def test_device_slug() -> None:
    assert bench.device_slug("NVIDIA H100 80GB HBM3") == "nvidia-h100-80gb-hbm3"
    assert bench.device_slug("cpu: AMD EPYC 7B13") == "cpu-amd-epyc-7b13"
    with pytest.raises(ValueError, match="name: expected a device name"):
        bench.device_slug(" :: ")


def test_operator_counts_of_the_per_gate_and_input_projection_impls() -> None:
    T = 6
    x = torch.randn(T, 2, 4)
    per_gate = bench.operator_counts(LSTM(4, 4, impl="per_gate"), x)
    proj = bench.operator_counts(LSTM(4, 4, impl="input_proj"), x)
    assert per_gate["GEMMs (fwd)"] == 8 * T  # two products for each of four gates, each step
    assert proj["GEMMs (fwd)"] == T + 1  # one input projection, then W_hh at each step
    for counts in (per_gate, proj):
        assert counts["GEMMs (fwd)"] < counts["GEMMs (fwd+bwd)"]
        assert counts["operators (fwd)"] < counts["operators (fwd+bwd)"]
        assert counts["GEMMs (fwd)"] < counts["operators (fwd)"]


def test_ratio_of_finds_one_row_and_names_a_missing_one() -> None:
    report = {
        "results": [
            {"impl": "a", "H": 8, "T": 10, "pass": "fwd", "ratio_vs_torch": 1.5},
            {"impl": "a", "H": 8, "T": 20, "pass": "fwd", "ratio_vs_torch": 2.5},
            {"impl": "a", "H": 8, "T": 10, "pass": "fwd+bwd", "ratio_vs_torch": 0.5},
        ]
    }
    assert bench.ratio_of(report, impl="a", H=8, pass_="fwd+bwd") == 0.5
    assert bench.ratio_of(report, impl="a", H=8, pass_="fwd", T=20) == 2.5
    with pytest.raises(KeyError, match="impl"):
        bench.ratio_of(report, impl="b", H=8, pass_="fwd")


def test_provenance_names_the_machine_the_versions_and_the_day() -> None:
    record = bench.provenance("cpu")
    assert list(record) == ["device", "torch", "python", "date"]
    assert record["device"] == bench.device_name(torch.device("cpu"))
    assert record["torch"] == torch.__version__
    assert record["date"] == datetime.date.today().isoformat()


def test_write_stored_run_heads_the_results_with_where_when_and_how_long(tmp_path) -> None:
    import json
    import time

    from lstm_ref.bench import write_stored_run

    path = tmp_path / "deep" / "run.json"
    started = time.process_time()
    write_stored_run(path, config={"steps": 3}, started=started, complete=False, runs={"a": [1]})
    report = json.loads(path.read_text())
    assert list(report) == [
        "device",
        "torch",
        "python",
        "date",
        "threads",
        "config",
        "complete",
        "cpu_seconds",
        "runs",
    ]
    assert report["config"] == {"steps": 3} and report["runs"] == {"a": [1]}
    assert report["complete"] is False and report["threads"] == 1 and report["cpu_seconds"] >= 0


def test_export_operators_reads_the_graph_and_catches_warnings() -> None:
    import torch

    from lstm_ref.bench import export_operators
    from lstm_ref.torch import LSTM

    torch.manual_seed(0)
    ours, theirs = LSTM(3, 4), torch.nn.LSTM(3, 4)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(5, 2, 3)
    found = export_operators(ours, x)
    assert {"addmm", "sigmoid", "mul"} <= set(found.ops) and found.warnings == []
    assert not any("lstm" in op for op in found.ops)
    y = found.program.module()(x)[0]
    torch.testing.assert_close(y, theirs(x)[0])
    assert "lstm" in export_operators(theirs, x).ops  # one opaque operator
