"""A labelled electrocardiogram: the MIT-BIH excerpt that sktime ships.

sktime installs ``sktime/datasets/data/mitdb/mitdb.csv`` (with no loader of
its own): 7,500 samples of one ECG lead from the MIT-BIH Arrhythmia Database
(Moody & Mark 2001; PhysioNet, Goldberger et al. 2000), sampled at 360 Hz, in
millivolts, with a 0/1 anomaly label per sample. sktime's detection notebook
credits the TSB-UAD benchmark (Paparrizos et al. 2022) for it; neither names
the record or the lead. The labels mark one stretch of 352 samples.

The CSV is read directly: importing sktime would take seconds and is not needed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstm_ref.checks import check_mask, check_positive_int
from lstm_ref.optional import package_dir

#: Sampling rate of the MIT-BIH Arrhythmia Database, in Hz.
ECG_SAMPLING_RATE = 360.0


class ECG(NamedTuple):
    """An ECG excerpt with anomaly labels: unpack as ``signal, labels, fs = ecg``.

    Attributes
    ----------
    signal : np.ndarray, float64, shape (T,)
        The lead's voltage in millivolts.
    labels : np.ndarray, bool, shape (T,)
        ``True`` where the sample lies in a labelled anomaly.
    fs : float
        Samples per second.
    """

    signal: np.ndarray
    labels: np.ndarray
    fs: float


def load_ecg(every: int = 1) -> ECG:
    r"""The MIT-BIH ECG excerpt shipped with sktime, optionally at a lower rate.

    With ``every = m > 1`` each run of ``m`` samples becomes one:

    .. math::
        x'_j = \frac{1}{m} \sum_{i=0}^{m-1} x_{jm+i}, \qquad
        y'_j = \max_{0 \le i < m} y_{jm+i}

    (the mean is a crude low-pass filter before keeping one sample in ``m``;
    a block is anomalous if any of its samples is). A trailing partial run
    is dropped.

    Parameters
    ----------
    every : int
        Samples averaged into one; ``fs`` becomes ``360 / every``.

    Returns
    -------
    ECG
        ``signal (T,)`` in mV, ``labels (T,)`` bool and ``fs``, with
        ``T = 7500 // every``.

    Raises
    ------
    ImportError
        If sktime is not installed (naming ``pip install sktime``).
    """
    every = check_positive_int("every", every)
    root = package_dir("sktime", pip_name="sktime", needed_for="load_ecg()")
    table = np.loadtxt(
        root / "datasets" / "data" / "mitdb" / "mitdb.csv", delimiter=",", skiprows=1, ndmin=2
    )
    n = len(table) // every * every
    signal = table[:n, 0].reshape(-1, every).mean(axis=1)
    labels = table[:n, 1].reshape(-1, every).max(axis=1) > 0
    return ECG(signal, labels, ECG_SAMPLING_RATE / every)


def segments(mask: np.ndarray) -> list[tuple[int, int]]:
    """The runs of ``True`` in ``mask (T,)`` as ``[(start, stop), ...]``, ``stop`` exclusive."""
    m = check_mask("mask", mask).astype(np.int8)
    edges = np.diff(np.r_[0, m, 0])
    starts, stops = np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()
    return list(zip(starts, stops, strict=True))
