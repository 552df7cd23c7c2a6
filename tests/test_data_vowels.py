"""The Japanese Vowels speaker set, read from sktime's .ts files without importing sktime."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_ref.data import (
    VOWELS_FEATURES,
    VOWELS_MAX_LEN,
    VOWELS_SPEAKERS,
    load_japanese_vowels,
    read_ts,
)
from lstm_ref.optional import package_dir


@pytest.mark.parametrize(
    ("part", "per_speaker"),
    [("train", [30] * 9), ("test", [31, 35, 88, 44, 29, 24, 40, 50, 29])],
)
def test_the_original_split(part: str, per_speaker: list[int]) -> None:
    x, y, lengths = load_japanese_vowels(part)  # type: ignore[arg-type]
    n = sum(per_speaker)
    assert x.shape == (n, VOWELS_MAX_LEN, VOWELS_FEATURES) and x.dtype == np.float32
    assert y.dtype == np.int64 and lengths.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y, minlength=VOWELS_SPEAKERS), per_speaker)
    assert lengths.min() >= 7 and lengths.max() <= VOWELS_MAX_LEN
    # Zero after each utterance's end, real (non-zero) frames before it.
    steps = np.arange(VOWELS_MAX_LEN)[None, :]
    assert np.all(x[steps >= lengths[:, None]] == 0)
    assert np.all(np.abs(x[steps < lengths[:, None]]).sum(axis=-1) > 0)


def test_first_training_case_matches_the_file() -> None:
    x, y, lengths = load_japanese_vowels("train")
    assert y[0] == 0 and lengths[0] == 20
    # The first values of the first two coefficients, as written in the .ts file.
    np.testing.assert_allclose(x[0, :3, 0], [1.860936, 1.891651, 1.939205], rtol=1e-6)
    np.testing.assert_allclose(x[0, :2, 1], [-0.207383, -0.193249], rtol=1e-6)


def test_read_ts(tmp_path: Path) -> None:
    path = tmp_path / "tiny.ts"
    path.write_text("# comment\n@problemName tiny\n@data\n1,2,3:4,5,6:a\n\n7:8:b\n")
    series, labels = read_ts(path)
    assert labels == ["a", "b"]
    np.testing.assert_array_equal(series[0], [[1, 4], [2, 5], [3, 6]])
    assert series[1].shape == (1, 2)
    path.write_text("@data\n1,2:3:a\n")
    with pytest.raises(ValueError, match=r"line 2 .* lengths \[2, 1\]"):
        read_ts(path)
    path.write_text("@problemName empty\n")
    with pytest.raises(ValueError, match="found none"):
        read_ts(path)


def test_bad_part() -> None:
    with pytest.raises(ValueError, match="part: expected 'train' or 'test', got 'val'"):
        load_japanese_vowels("val")  # type: ignore[arg-type]


def test_sktime_is_not_imported() -> None:
    code = (
        "import sys; from lstm_ref.data import load_japanese_vowels; "
        "load_japanese_vowels('test'); print('sktime' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_package_dir_names_the_install() -> None:
    assert (package_dir("json", pip_name="x", needed_for="y") / "__init__.py").exists()
    with pytest.raises(ImportError, match=r"load_x\(\).*pip install no-such-dist"):
        package_dir("no_such_package_xyz", pip_name="no-such-dist", needed_for="load_x()")
