"""Japanese Vowels: which of nine speakers said /ae/? Real speech, as LPC cepstra.

Kudo, Toyama and Shimbo (1999) recorded nine male speakers uttering the two
Japanese vowels /ae/ in succession and described each utterance by 12 LPC
cepstrum coefficients per 6.4 ms frame: a sequence of 7 to 29 vectors of 12
numbers. The task is to name the speaker. The original split is kept: 270
training utterances (30 per speaker) and 370 test utterances recorded on
other occasions (24 to 88 per speaker).

The data (UCI Machine Learning Repository, CC BY 4.0) ship with sktime in
the ``.ts`` format of the time-series classification archive; this module
reads those files directly, without importing sktime (which takes seconds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from lstm_ref.optional import package_dir

from ._common import Task

#: Speakers (classes), features per frame, and the longest utterance in frames.
VOWELS_SPEAKERS, VOWELS_FEATURES, VOWELS_MAX_LEN = 9, 12, 29


def _ts_file(part: str) -> Path:
    root = package_dir("sktime", pip_name="sktime", needed_for="load_japanese_vowels()")
    return root / "datasets" / "data" / "JapaneseVowels" / f"JapaneseVowels_{part.upper()}.ts"


def read_ts(path: str | Path) -> tuple[list[np.ndarray], list[str]]:
    """Read a multivariate ``.ts`` file of the time-series classification archive.

    After the ``@data`` line each case is one line: the dimensions separated
    by ``:``, each a comma-separated series, then the class label.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    series : list of np.ndarray, float32, each of shape (L_k, D)
        One array per case, time along axis 0.
    labels : list of str
        The class label of each case, as written in the file.
    """
    series: list[np.ndarray] = []
    labels: list[str] = []
    in_data = False
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        line = line.strip()
        if not in_data:
            in_data = line.lower() == "@data"
            continue
        if not line:
            continue
        *dims, label = line.split(":")
        rows = [np.array(d.split(","), dtype=np.float32) for d in dims]
        if not rows or len({len(r) for r in rows}) != 1:
            raise ValueError(
                f"path: line {number} of {path} has dimensions of lengths "
                f"{[len(r) for r in rows]}; expected equal lengths"
            )
        series.append(np.stack(rows, axis=1))
        labels.append(label)
    if not series:
        raise ValueError(f"path: expected cases after an @data line in {path}, found none")
    return series, labels


def load_japanese_vowels(part: Literal["train", "test"] = "train") -> Task:
    """The Japanese Vowels speaker-identification set, padded for batching.

    Parameters
    ----------
    part : {"train", "test"}
        The original 270 training or 370 test utterances.

    Returns
    -------
    Task
        ``x`` float32 ``(N, 29, 12)``, zero after each utterance's end;
        ``y`` int64 ``(N,)``, the speaker, 0–8 (the files' 1–9 minus one);
        ``lengths`` int64 ``(N,)``, frames per utterance (7–29).
    """
    if part not in ("train", "test"):
        raise ValueError(f"part: expected 'train' or 'test', got {part!r}")
    series, labels = read_ts(_ts_file(part))
    lengths = np.array([len(s) for s in series], dtype=np.int64)
    x = np.zeros((len(series), VOWELS_MAX_LEN, VOWELS_FEATURES), dtype=np.float32)
    for row, s in enumerate(series):
        x[row, : len(s)] = s
    y = np.array([int(label) - 1 for label in labels], dtype=np.int64)
    return Task(x, y, lengths)
