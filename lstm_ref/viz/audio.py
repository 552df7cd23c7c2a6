r"""Melodies as sound and as pictures: additive synthesis with NumPy, and a piano roll.

Each note of MIDI pitch :math:`m` sounds at :math:`f = 440 \cdot 2^{(m - 69)/12}` Hz
as a sum of a few harmonics under an attack-decay envelope,

.. math::
    s(t) = a(t) \sum_{k=1}^{K} w_k \sin(2\pi k f t), \qquad
    a(t) = \min\!\left(1, \frac{t}{t_\mathrm{a}}\right) e^{-t / \tau},

so no sound font or audio library is needed: the wave is a NumPy array that
``IPython.display.Audio`` embeds in the page as a WAV file, which the
browser plays without fetching anything.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = ["midi_to_hz", "piano_roll", "synthesize"]

#: Pitch code of a rest, as in :mod:`lstm_ref.data.chorales`.
_REST = 0


def midi_to_hz(pitch: np.ndarray | int) -> np.ndarray:
    r"""Frequency in Hz of MIDI pitches: :math:`440 \cdot 2^{(m-69)/12}` (69 = A4)."""
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


def _check_melody(pitch: np.ndarray, duration: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pitch = np.asarray(pitch)
    duration = np.asarray(duration, dtype=np.float64)
    if pitch.ndim != 1 or duration.shape != pitch.shape:
        raise ValueError(
            f"pitch, duration: expected two 1-D arrays of one length, got shapes "
            f"{pitch.shape} and {duration.shape}"
        )
    if len(pitch) == 0:
        raise ValueError("pitch: expected at least one event, got none")
    if np.any(duration <= 0) or not np.all(np.isfinite(duration)):
        raise ValueError(f"duration: expected positive lengths, got {duration.min()}")
    if np.any((pitch != _REST) & ((pitch < 1) | (pitch > 127))):
        raise ValueError(f"pitch: expected MIDI numbers 1..127 or 0 for a rest, got {pitch}")
    return pitch.astype(np.int64), duration


def synthesize(
    pitch: np.ndarray,
    duration: np.ndarray,
    *,
    tempo: float = 80.0,
    sample_rate: int = 8000,
    harmonics: Sequence[float] = (1.0, 0.5, 0.3, 0.15),
    attack: float = 0.02,
    decay: float = 0.6,
    max_seconds: float | None = None,
) -> np.ndarray:
    """A melody as a mono wave, by additive synthesis.

    Parameters
    ----------
    pitch : np.ndarray, int, shape (L,)
        MIDI pitches, 0 for a rest.
    duration : np.ndarray, float, shape (L,)
        Lengths in quarter notes.
    tempo : float
        Quarter notes per minute.
    sample_rate : int
        Samples per second (8000 keeps the fourth harmonic of the top soprano
        notes below the Nyquist frequency).
    harmonics : sequence of float
        Weights :math:`w_k` of the harmonics :math:`k = 1, 2, \\dots`.
    attack, decay : float
        Seconds: the linear rise :math:`t_a` and the exponential decay :math:`\\tau`.
    max_seconds : float or None
        Stop after this many seconds (the last note is cut short).

    Returns
    -------
    np.ndarray, float32, shape (S,)
        Samples in [-1, 1], ``S = sample_rate * 60 / tempo * sum(duration)``
        (rounded per note), at most ``sample_rate * max_seconds``.
    """
    pitch, duration = _check_melody(pitch, duration)
    if not tempo > 0 or not sample_rate > 0:
        raise ValueError(f"tempo, sample_rate: expected > 0, got {tempo}, {sample_rate}")
    weights = np.asarray(harmonics, dtype=np.float64)
    if weights.ndim != 1 or len(weights) == 0:
        raise ValueError(f"harmonics: expected a non-empty list of weights, got {harmonics!r}")
    seconds = duration * 60.0 / tempo
    pieces = []
    for m, sec in zip(pitch, seconds, strict=True):
        n = max(1, round(sec * sample_rate))
        t = np.arange(n) / sample_rate
        if m == _REST:
            pieces.append(np.zeros(n))
            continue
        f = float(midi_to_hz(m))
        wave = sum(
            w * np.sin(2 * np.pi * k * f * t)
            for k, w in enumerate(weights, start=1)
            if k * f < sample_rate / 2
        )
        envelope = np.minimum(1.0, t / attack) * np.exp(-t / decay)
        release = np.minimum(1.0, (n - 1 - np.arange(n)) / (0.01 * sample_rate))  # no clicks
        pieces.append(wave * envelope * release)
    out = np.concatenate(pieces)
    if max_seconds is not None:
        if not max_seconds > 0:
            raise ValueError(f"max_seconds: expected a number > 0, got {max_seconds}")
        out = out[: max(1, round(max_seconds * sample_rate))]
    peak = np.abs(out).max()
    return (out / peak if peak > 0 else out).astype(np.float32)


def piano_roll(
    melodies: Sequence[tuple[np.ndarray, np.ndarray]],
    titles: Sequence[str],
    *,
    max_beats: float | None = 48.0,
) -> Figure:
    """Melodies as piano rolls, one panel each: a bar per note, pitch up, time across.

    Parameters
    ----------
    melodies : sequence of (pitch, duration)
        Pitches (MIDI, 0 = rest) and durations (quarter notes), each ``(L,)``.
    titles : sequence of str
        One title per panel.
    max_beats : float or None
        Show at most this many quarter notes of each melody.
    """
    if len(melodies) != len(titles) or not melodies:
        raise ValueError(
            f"melodies, titles: expected as many titles as melodies (at least one), "
            f"got {len(melodies)} and {len(titles)}"
        )
    checked = [_check_melody(p, d) for p, d in melodies]
    sounding = np.concatenate([p[p != _REST] for p, _ in checked])
    low, high = (int(sounding.min()), int(sounding.max())) if len(sounding) else (60, 72)
    fig = Figure(figsize=(7.5, 1.6 * len(checked) + 0.4), layout="constrained")
    axes = fig.subplots(len(checked), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (pitch, duration), title in zip(axes, checked, titles, strict=True):
        starts = np.concatenate([[0.0], np.cumsum(duration)[:-1]])
        for s, d, p in zip(starts, duration, pitch, strict=True):
            if p == _REST or (max_beats is not None and s >= max_beats):
                continue
            ax.broken_barh([(s, d * 0.95)], (p - 0.4, 0.8), color="C0")
        ax.set_ylim(low - 1.5, high + 1.5)
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylabel("MIDI pitch")
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xlabel("time (quarter notes)")
    if max_beats is not None:
        axes[-1].set_xlim(0, max_beats)
    return fig
