import pytest

from lstm_ref.data._optional import package_dir, require


def test_require_returns_the_module() -> None:
    import json

    assert require("json", pip_name="json", needed_for="x") is json


def test_require_names_the_pip_install_when_missing() -> None:
    with pytest.raises(ImportError, match=r"load_thing\(\).*pip install no-such-dist") as info:
        require("no_such_module_xyz", pip_name="no-such-dist", needed_for="load_thing()")
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_package_dir_finds_a_package_without_importing_it() -> None:
    import sys

    assert package_dir("json", pip_name="json", needed_for="x").joinpath("decoder.py").is_file()
    # xmlrpc is a stdlib package that nothing here imports: finding it must not import it.
    sys.modules.pop("xmlrpc", None)
    assert package_dir("xmlrpc", pip_name="x", needed_for="x").name == "xmlrpc"
    assert "xmlrpc" not in sys.modules


def test_package_dir_names_the_pip_install_when_missing() -> None:
    with pytest.raises(ImportError, match=r"load_thing\(\).*pip install no-such-dist"):
        package_dir("no_such_module_xyz", pip_name="no-such-dist", needed_for="load_thing()")
