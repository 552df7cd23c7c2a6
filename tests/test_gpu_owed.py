"""tools/gpu_owed.sh: its usage, and a clear refusal on a machine without CUDA."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "tools" / "gpu_owed.sh"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # The script's Python is $PYTHON (python3 by default): here, the one running the tests,
    # whatever is first on PATH (`make test` does not put the venv there).
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT, env=env
    )


def test_usage_and_unknown_phase(tmp_path: Path) -> None:
    usage = run()
    assert usage.returncode == 2
    assert "PYTHONPATH=. bash tools/gpu_owed.sh OUTDIR [PHASE ...]" in usage.stderr
    assert "Exit status: 0 when every phase finished" in usage.stderr  # the whole header
    unknown = run(str(tmp_path / "out"), "tests", "benchmark")
    assert unknown.returncode == 2
    assert "unknown phase 'benchmark' (env, tests, bench, persistent)" in unknown.stderr
    assert not (tmp_path / "out").exists()  # refused before making anything


@pytest.mark.skipif(torch.cuda.is_available(), reason="would run the GPU work")
def test_refuses_without_cuda(tmp_path: Path) -> None:
    done = run(str(tmp_path), "env")
    assert done.returncode == 1
    assert "no CUDA device here; this script is for a machine with an NVIDIA GPU" in done.stderr
    assert list(tmp_path.iterdir()) == []
