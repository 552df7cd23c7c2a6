import pytest

from lstm_ref.data._optional import require


def test_require_returns_the_module() -> None:
    import json

    assert require("json", pip_name="json", needed_for="x") is json


def test_require_names_the_pip_install_when_missing() -> None:
    with pytest.raises(ImportError, match=r"load_thing\(\).*pip install no-such-dist") as info:
        require("no_such_module_xyz", pip_name="no-such-dist", needed_for="load_thing()")
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
