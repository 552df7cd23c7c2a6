"""Bach's chorale melodies, read from the MusicXML files of the ``music21`` corpus.

The ``music21`` package (BSD-3-Clause; the corpus licence file says each
encoding is distributed with its encoder's permission) ships 408 Bach
chorales as compressed MusicXML (``music21/corpus/bach/*.mxl``), 364 of them in
exactly four voices. music21's own parser takes about a quarter of a second
a chorale; this module reads the files with the standard library's
``zipfile`` and ``ElementTree`` instead (about two seconds for all of them) and
never imports music21.

A melody is the soprano voice as a sequence of *events*: a pitch (MIDI
number, 60 = middle C; ``REST`` for a rest) and a duration in quarter
notes. Tied notes are merged into one event; grace notes (no duration) are
dropped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import numpy as np

from lstm_ref.checks import Seed, as_generator
from lstm_ref.optional import package_dir

__all__ = [
    "REST",
    "Chorale",
    "chorale_files",
    "load_chorales",
    "read_chorale",
    "split_chorales",
]

#: Pitch code of a rest (MIDI 0 never sounds in a chorale).
REST = 0

_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


class Chorale(NamedTuple):
    """One chorale's soprano melody.

    Attributes
    ----------
    name : str
        The file's stem, e.g. ``"bwv1.6"``.
    pitch : np.ndarray, int64, shape (L,)
        MIDI pitch of each event, ``REST`` for a rest.
    duration : np.ndarray, float64, shape (L,)
        Length of each event in quarter notes (1.0 = a crotchet).
    fifths : int
        Key signature: sharps (> 0) or flats (< 0) at the start.
    mode : str
        ``"major"``, ``"minor"`` or ``""`` when the file does not say.
    parts : int
        How many parts (voices and instruments) the score has.
    """

    name: str
    pitch: np.ndarray
    duration: np.ndarray
    fifths: int
    mode: str
    parts: int


def chorale_files() -> list[Path]:
    """The Bach chorale files of the installed ``music21`` corpus, sorted by name.

    The package is located without being imported.

    Raises
    ------
    ImportError
        If ``music21`` is not installed, naming the ``pip install`` that fixes it.
    """
    root = package_dir("music21", pip_name="music21", needed_for="load_chorales()")
    return sorted((root / "corpus" / "bach").glob("*.mxl"))


def _score(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        inner = [n for n in archive.namelist() if not n.startswith("META-INF")]
        try:
            container = ET.fromstring(archive.read("META-INF/container.xml"))
            rootfile = container.find(".//rootfile")
            name = rootfile.get("full-path") if rootfile is not None else None
        except KeyError:
            name = None
        if not name:
            if len(inner) != 1:
                raise ValueError(f"path: expected one MusicXML score in {path.name}, got {inner}")
            name = inner[0]
        return ET.fromstring(archive.read(name))


def _midi(pitch: ET.Element) -> int:
    step = pitch.findtext("step", "")
    if step not in _STEPS:
        raise ValueError(f"pitch step: expected one of {sorted(_STEPS)}, got {step!r}")
    alter = round(float(pitch.findtext("alter", "0")))
    return 12 * (int(pitch.findtext("octave", "4")) + 1) + _STEPS[step] + alter


def read_chorale(path: str | Path, *, part: str = "Soprano") -> Chorale:
    """Read the melody of the part named ``part`` from one ``.mxl`` file.

    Parameters
    ----------
    path : str or pathlib.Path
        A compressed MusicXML file, e.g. one of :func:`chorale_files`.
    part : str
        The part's name in the score's part list (the first part whose name
        starts with it, case-insensitively: "Soprano 1" counts as a soprano).

    Returns
    -------
    Chorale

    Raises
    ------
    ValueError
        If the score has no part of that name, or the part has no notes.
    """
    path = Path(path)
    root = _score(path)
    listed = [
        (sp.get("id"), (sp.findtext("part-name") or "").strip()) for sp in root.iter("score-part")
    ]
    wanted = [pid for pid, name in listed if name.lower().startswith(part.lower())]
    if not wanted:
        raise ValueError(
            f"path: expected a part named {part!r} in {path.name}, "
            f"got parts {[name for _, name in listed]}"
        )
    element = next((p for p in root.findall("part") if p.get("id") == wanted[0]), None)
    if element is None:
        raise ValueError(f"path: part {wanted[0]!r} of {path.name} is listed but has no music")
    pitches: list[int] = []
    durations: list[Fraction] = []
    divisions = 1
    fifths, mode = 0, ""
    key_seen = False
    tie_open = False
    for measure in element.findall("measure"):
        for item in measure:
            if item.tag == "attributes":
                divisions = int(item.findtext("divisions", str(divisions)))
                key = item.find("key")
                if key is not None and not key_seen:
                    fifths = int(key.findtext("fifths", "0"))
                    mode = key.findtext("mode", "") or ""
                    key_seen = True
            elif item.tag == "forward":
                pitches.append(REST)
                durations.append(Fraction(int(item.findtext("duration", "0")), divisions))
                tie_open = False
            elif item.tag == "note":
                if item.find("grace") is not None or item.find("chord") is not None:
                    continue
                length = Fraction(int(item.findtext("duration", "0")), divisions)
                pitch_el = item.find("pitch")
                midi = REST if pitch_el is None else _midi(pitch_el)
                ties = {t.get("type") for t in item.findall("tie")}
                if tie_open and "stop" in ties and pitches and pitches[-1] == midi:
                    durations[-1] += length  # the second half of a tied note
                else:
                    pitches.append(midi)
                    durations.append(length)
                tie_open = "start" in ties
    if not pitches:
        raise ValueError(f"path: the part {part!r} of {path.name} has no notes")
    return Chorale(
        name=path.stem,
        pitch=np.asarray(pitches, dtype=np.int64),
        duration=np.asarray([float(d) for d in durations], dtype=np.float64),
        fifths=fifths,
        mode=mode,
        parts=len(listed),
    )


def load_chorales(*, four_parts: bool = True) -> list[Chorale]:
    """The soprano melodies of the Bach chorales in the ``music21`` corpus.

    Parameters
    ----------
    four_parts : bool
        Keep only the chorales scored in exactly four parts (364 of them);
        ``False`` keeps every score that has a soprano part (407).

    Returns
    -------
    list of Chorale
        Sorted by file name. Scores without a soprano part are left out.
    """
    out = []
    for path in chorale_files():
        try:
            chorale = read_chorale(path)
        except ValueError:
            continue  # a score with no soprano part (one keyboard piece is filed here)
        if not four_parts or chorale.parts == 4:
            out.append(chorale)
    if not out:
        raise ValueError("load_chorales: found no chorale with a soprano part in the corpus")
    return out


def _tune(chorale: Chorale, notes: int) -> tuple[int, ...]:
    """The first ``notes`` intervals of a melody (rests skipped): the same tune in any key."""
    sounding = chorale.pitch[chorale.pitch != REST]
    return tuple(np.diff(sounding[: notes + 1]).tolist())


def split_chorales(
    chorales: Sequence[Chorale], *, val: float = 0.1, test: float = 0.1, seed: Seed = 0
) -> tuple[list[Chorale], list[Chorale], list[Chorale]]:
    """Split chorales into train, validation and test sets, keeping each tune in one set.

    Bach harmonised many hymn tunes more than once, so the same melody occurs
    in several files (often in another key). Chorales whose first twelve
    intervals agree are treated as one tune and go to the same set, so a
    test melody is never a transposed training melody.

    Parameters
    ----------
    chorales : sequence of Chorale
    val, test : float
        Fractions of the tunes in the validation and test sets.
    seed : int, Generator or None
        Seeds the shuffle of the tunes.

    Returns
    -------
    (train, val, test) : three lists of Chorale
    """
    for name, value in (("val", val), ("test", test)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name}: expected a fraction in (0, 1), got {value}")
    if val + test >= 1.0:
        raise ValueError(f"val, test: expected val + test < 1, got {val} + {test}")
    groups: dict[tuple[int, ...], list[Chorale]] = {}
    for chorale in chorales:
        groups.setdefault(_tune(chorale, 12), []).append(chorale)
    keys = sorted(groups)
    order = as_generator(seed).permutation(len(keys))
    n_test = max(1, round(test * len(keys)))
    n_val = max(1, round(val * len(keys)))
    if n_test + n_val >= len(keys):
        raise ValueError(f"chorales: expected more than {n_test + n_val} tunes, got {len(keys)}")
    parts: list[list[Chorale]] = [[], [], []]
    for rank, k in enumerate(order):
        where = 2 if rank < n_test else 1 if rank < n_test + n_val else 0
        parts[where].extend(groups[keys[k]])
    return parts[0], parts[1], parts[2]
