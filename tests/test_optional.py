import sys
from pathlib import Path

import pytest

from lstm_ref.optional import package_dir, require


def test_require_returns_the_module() -> None:
    import json

    assert require("json", pip_name="json", needed_for="x") is json


def test_require_names_the_pip_install_when_missing() -> None:
    with pytest.raises(ImportError, match=r"load_thing\(\).*pip install no-such-dist") as info:
        require("no_such_module_xyz", pip_name="no-such-dist", needed_for="load_thing()")
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_package_dir_finds_a_package_without_importing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "booby_trapped_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = package_dir("booby_trapped_pkg", pip_name="x", needed_for="x")
    assert found == package
    assert "booby_trapped_pkg" not in sys.modules


def test_package_dir_names_the_pip_install_when_missing() -> None:
    with pytest.raises(ImportError, match=r"load_thing\(\).*pip install no-such-dist"):
        package_dir("no_such_module_xyz", pip_name="no-such-dist", needed_for="load_thing()")
