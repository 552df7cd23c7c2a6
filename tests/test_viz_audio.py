"""Additive synthesis of melodies and the piano roll."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_ref.viz import midi_to_hz, piano_roll, synthesize


def test_midi_to_hz() -> None:
    assert midi_to_hz(69) == pytest.approx(440.0)
    assert midi_to_hz(81) == pytest.approx(880.0)
    assert midi_to_hz(60) == pytest.approx(261.6256, rel=1e-6)


def test_synthesize_length_pitch_and_rests() -> None:
    rate = 8000
    wave = synthesize(np.array([69, 0]), np.array([1.0, 1.0]), tempo=60, sample_rate=rate)
    assert wave.dtype == np.float32 and wave.shape == (2 * rate,)
    assert np.abs(wave).max() == pytest.approx(1.0)
    assert np.all(wave[rate:] == 0)  # the rest is silent
    spectrum = np.abs(np.fft.rfft(wave[:rate]))
    freqs = np.fft.rfftfreq(rate, 1 / rate)
    assert freqs[spectrum.argmax()] == pytest.approx(440.0, abs=2.0)  # the fundamental
    short = synthesize(np.array([69, 0]), np.array([1.0, 1.0]), tempo=60, max_seconds=0.5)
    assert short.shape == (4000,)


def test_synthesize_rejects_bad_melodies() -> None:
    with pytest.raises(ValueError, match="pitch, duration: expected two 1-D arrays"):
        synthesize(np.array([60, 62]), np.array([1.0]))
    with pytest.raises(ValueError, match="duration: expected positive"):
        synthesize(np.array([60]), np.array([0.0]))
    with pytest.raises(ValueError, match="pitch: expected MIDI numbers"):
        synthesize(np.array([200]), np.array([1.0]))


def test_piano_roll_draws_one_panel_per_melody() -> None:
    melody = (np.array([60, 0, 64]), np.array([1.0, 0.5, 2.0]))
    fig = piano_roll([melody, melody], ["a", "b"])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert len(fig.axes[0].collections) == 2  # two sounding notes, the rest not drawn
    with pytest.raises(ValueError, match="titles"):
        piano_roll([melody], ["a", "b"])
