"""Bach chorale melodies read from the music21 corpus with zipfile and ElementTree."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from lstm_ref.data.chorales import (
    REST,
    Chorale,
    chorale_files,
    load_chorales,
    read_chorale,
    split_chorales,
)

_SCORE = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="3.1">
  <part-list>
    <score-part id="P1"><part-name>{name}</part-name></score-part>
    <score-part id="P2"><part-name>Alto</part-name></score-part>
  </part-list>
  <part id="P1">
    <measure number="1">
      <attributes><divisions>2</divisions><key><fifths>-1</fifths><mode>minor</mode></key>
      </attributes>
      <note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration></note>
      <note><pitch><step>F</step><alter>1</alter><octave>4</octave></pitch>
        <duration>1</duration><tie type="start"/></note>
      <note><pitch><step>F</step><alter>1</alter><octave>4</octave></pitch>
        <duration>4</duration><tie type="stop"/></note>
      <note><grace/><pitch><step>D</step><octave>5</octave></pitch></note>
      <note><rest/><duration>1</duration></note>
      <note><pitch><step>A</step><octave>4</octave></pitch><duration>3</duration></note>
    </measure>
  </part>
  <part id="P2"><measure number="1"><note><rest/><duration>8</duration></note></measure></part>
</score-partwise>
"""


def _write(tmp_path: Path, part_name: str) -> Path:
    path = tmp_path / "tiny.mxl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "META-INF/container.xml",
            '<container><rootfiles><rootfile full-path="tiny.xml"/></rootfiles></container>',
        )
        archive.writestr("tiny.xml", _SCORE.format(name=part_name))
    return path


def test_read_chorale_parses_pitches_ties_rests_and_key(tmp_path: Path) -> None:
    chorale = read_chorale(_write(tmp_path, "Soprano"))
    # C4 = 60, F#4 = 66 tied (0.5 + 2 quarters), the grace note dropped, a rest, A4 = 69.
    assert chorale.pitch.tolist() == [60, 66, REST, 69]
    assert chorale.duration.tolist() == [1.0, 2.5, 0.5, 1.5]
    assert (chorale.fifths, chorale.mode, chorale.parts) == (-1, "minor", 2)
    assert chorale.name == "tiny"


def test_a_score_without_a_soprano_part_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"expected a part named 'Soprano'.*'Violin'"):
        read_chorale(_write(tmp_path, "Violin"))


@pytest.fixture(scope="module")
def every_score() -> list[Chorale]:
    """Every chorale with a soprano part (reading the corpus takes seconds: once per module)."""
    return load_chorales(four_parts=False)


def test_the_corpus_has_364_four_part_chorales(every_score: list[Chorale]) -> None:
    files = chorale_files()
    assert len(files) == 408 and all(f.suffix == ".mxl" for f in files)
    chorales = [c for c in every_score if c.parts == 4]
    assert len(chorales) == 364
    assert len(every_score) == 407  # one keyboard piece has no soprano
    for c in chorales:
        assert c.pitch.dtype == np.int64 and c.pitch.shape == c.duration.shape
        assert np.all(c.duration > 0)
        sounding = c.pitch[c.pitch != REST]
        assert 55 <= sounding.min() and sounding.max() <= 84  # a soprano's range
    # bwv1.6 adds a horn to the four voices: kept only when asked for every score.
    assert "bwv1.6" not in {c.name for c in chorales}
    horn = next(c for c in every_score if c.name == "bwv1.6")
    assert horn.parts == 5 and (horn.fifths, horn.mode) == (-1, "major")


def test_split_keeps_each_tune_on_one_side(every_score: list[Chorale]) -> None:
    chorales = [c for c in every_score if c.parts == 4]
    train, val, test = split_chorales(chorales, val=0.1, test=0.1, seed=0)
    assert len(train) + len(val) + len(test) == len(chorales)

    def tunes(part: list[Chorale]) -> set[tuple[int, ...]]:
        return {tuple(np.diff(c.pitch[c.pitch != REST][:13]).tolist()) for c in part}

    assert not tunes(train) & tunes(test) and not tunes(train) & tunes(val)
    again = split_chorales(chorales, val=0.1, test=0.1, seed=0)
    assert [c.name for c in again[2]] == [c.name for c in test]
    with pytest.raises(ValueError, match="val: expected a fraction"):
        split_chorales(chorales, val=1.5)


def test_a_missing_music21_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"load_chorales\(\).*pip install music21"):
        chorale_files()


def test_no_music21_import(every_score: list[Chorale]) -> None:
    import sys

    assert every_score  # read by load_chorales
    assert "music21" not in sys.modules  # the files are read, the package never runs
