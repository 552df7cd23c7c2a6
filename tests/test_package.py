"""Package-level contracts: light import, typed marker, version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lstm_ref


def test_version_is_a_string() -> None:
    assert isinstance(lstm_ref.__version__, str)
    assert lstm_ref.__version__.count(".") == 2


def test_ships_py_typed() -> None:
    assert (Path(lstm_ref.__file__).parent / "py.typed").is_file()


def test_import_does_not_pull_in_torch_or_matplotlib() -> None:
    code = (
        "import sys, lstm_ref; "
        "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_attribute_raises_attribute_error() -> None:
    try:
        lstm_ref.no_such_module  # noqa: B018
    except AttributeError as e:
        assert "no_such_module" in str(e)
    else:
        raise AssertionError("expected AttributeError")
