"""The import contracts of pyproject.toml catch what they are written to catch.

``make lint`` runs ``lint-imports`` on the package as it is. Here each
contract is shown to bite: a copy of the package gets one forbidden import
per contract, and ``lint-imports`` must name every one of them, with its line.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

#: (module file, the import planted at its end, the importer and the imported it breaks on).
PLANTED = [
    # the NumPy reference: no torch, no plotting
    ("numpy/activations.py", "import torch", "lstm_ref.numpy.activations -> torch"),
    ("numpy/losses.py", "import matplotlib.pyplot", "lstm_ref.numpy.losses -> matplotlib"),
    # lstm_ref.torch: no data set, no training loop, no plotting
    ("torch/validation.py", "import lstm_ref.data", "lstm_ref.torch.validation -> lstm_ref.data"),
    ("torch/gemm.py", "from lstm_ref import train", "lstm_ref.torch.gemm -> lstm_ref.train"),
    ("torch/cuda_graphs.py", "import matplotlib", "lstm_ref.torch.cuda_graphs -> matplotlib"),
    # lstm_ref.data: no training, no torch model
    ("data/text.py", "from lstm_ref.torch import LSTM", "lstm_ref.data.text -> lstm_ref.torch"),
    ("data/series.py", "import torch", "lstm_ref.data.series -> torch"),
    ("data/tasks.py", "import lstm_ref.models", "lstm_ref.data.tasks -> lstm_ref.models"),
    # the figures: no application
    (
        "viz/tasks.py",
        "import lstm_ref.apps.forecast",
        "lstm_ref.viz.tasks -> lstm_ref.apps.forecast",
    ),
    # the foundation: no torch, no matplotlib
    ("checks.py", "import torch.nn", "lstm_ref.checks -> torch"),
    ("history.py", "import matplotlib", "lstm_ref.history -> matplotlib"),
    ("progress.py", "import torch", "lstm_ref.progress -> torch"),
    # layers: upwards, and between independent neighbours
    ("models.py", "import lstm_ref.train", "lstm_ref.models -> lstm_ref.train"),
    ("apps/ngram.py", "import lstm_ref.viz", "lstm_ref.apps.ngram -> lstm_ref.viz"),
    ("show.py", "import lstm_ref.cache", "lstm_ref.show -> lstm_ref.cache"),
    ("numpy/optim.py", "import lstm_ref.bench", "lstm_ref.numpy.optim -> lstm_ref.bench"),
    # private modules stay inside their subpackage
    (
        "apps/interpret.py",
        "from lstm_ref.viz import _style",
        "lstm_ref.apps.interpret -> lstm_ref.viz._style",
    ),
    (
        "torch/base.py",
        "from lstm_ref.numpy._validation import FloatArray",
        "lstm_ref.torch.base -> lstm_ref.numpy._validation",
    ),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """lint-imports' report on a copy of the package with every planted import."""
    if not LINT_IMPORTS.exists():
        pytest.skip("import-linter is not installed (requirements/book.txt pins it)")
    root = tmp_path_factory.mktemp("planted")
    package = root / "lstm_ref"
    shutil.copytree(ROOT / "lstm_ref", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root)
    for relative, line, _ in PLANTED:
        path = package / relative
        path.write_text(path.read_text() + f"\n{line}\n")
    child = subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 1, child.stdout + child.stderr  # 1: contracts broken, not an error
    return child.stdout


@pytest.mark.parametrize(("relative", "line", "link"), PLANTED, ids=[p[2] for p in PLANTED])
def test_every_planted_import_is_reported(report: str, relative: str, line: str, link: str) -> None:
    number = len((ROOT / "lstm_ref" / relative).read_text().splitlines()) + 2
    assert f"{link} (l.{number})" in report, report
