import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from lstm_ref.data import ECG_SAMPLING_RATE, load_ecg


def test_load_ecg_reads_the_labelled_excerpt() -> None:
    signal, labels, fs = load_ecg()
    assert signal.shape == labels.shape == (7500,)
    assert signal.dtype == np.float64 and labels.dtype == np.bool_
    assert fs == ECG_SAMPLING_RATE == 360.0
    # One labelled stretch of 352 samples, near the end.
    assert labels.sum() == 352
    starts = np.flatnonzero(np.diff(labels.astype(int)) == 1) + 1
    assert starts.tolist() == [6936]
    # Millivolts on the database's 1/200 mV grid.
    assert np.allclose(signal * 200, np.round(signal * 200))
    assert -1.0 < signal.min() < signal.max() < 2.0


def test_load_ecg_does_not_import_sktime() -> None:
    # A fresh interpreter: this test session may have imported sktime elsewhere.
    check = (
        "import sys; from lstm_ref.data import load_ecg; load_ecg(); print('sktime' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_load_ecg_every_averages_blocks_and_keeps_any_label() -> None:
    full = load_ecg()
    ecg = load_ecg(every=4)
    assert ecg.signal.shape == ecg.labels.shape == (1875,)
    assert ecg.fs == 90.0
    np.testing.assert_allclose(ecg.signal[10], full.signal[40:44].mean())
    assert ecg.labels.sum() == 88  # 6936..7287 covers blocks 1734..1821
    odd = load_ecg(every=7)
    assert len(odd.signal) == 7500 // 7
    assert odd.labels.sum() == int(np.ceil((6936 + 352) / 7) - 6936 // 7)


@pytest.mark.parametrize(("every", "error"), [(0, ValueError), (1.5, TypeError)])
def test_load_ecg_rejects_bad_every(every: object, error: type) -> None:
    with pytest.raises(error, match="every"):
        load_ecg(every)  # type: ignore[arg-type]


def test_load_ecg_names_the_pip_install_without_sktime(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sktime" else real(name, *a)
    )
    with pytest.raises(ImportError, match=r"load_ecg\(\).*pip install sktime"):
        load_ecg()
