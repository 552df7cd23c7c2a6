"""The browser check's audio rules, on small HTML pages (no browser needed)."""

from __future__ import annotations

import base64
import importlib.util
import io
import sys
import wave
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "browser_check", ROOT / "tools" / "browser_check.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["browser_check"] = module
    spec.loader.exec_module(module)
    return module


def _wav_uri(samples: int = 800) -> str:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(np.zeros(samples, dtype=np.int16).tobytes())
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode()


def _page(*audio: str) -> str:
    return "<html><body><p>A melody:</p>" + "".join(audio) + "</body></html>"


def test_an_embedded_wav_passes(check: ModuleType, tmp_path: Path) -> None:
    # The markup IPython.display.Audio writes into an executed notebook.
    element = f'<audio controls="controls"><source src="{_wav_uri()}" type="audio/wav" />'
    element += "Your browser does not support the audio element.</audio>"
    page = tmp_path / "chapter.html"
    page.write_text(_page(element, '<audio src="_static/tune.wav"></audio>'))
    html = page.read_text()
    assert [len(s) for s in check.audio_sources(html)] == [1, 1]
    assert check.static_audio_problems(html) == []


def test_broken_or_remote_audio_fails(check: ModuleType) -> None:
    empty_wav = _wav_uri(samples=0)
    cases = {
        "<audio controls></audio>": "no source",
        '<audio><source src="https://cdn.example.org/a.wav"></audio>': "not on this machine",
        '<audio><source src="data:audio/wav;base64,@@@"></audio>': "does not decode",
        f'<audio><source src="{empty_wav}"></audio>': "not a WAV file with samples",
        '<audio><source src="data:text/plain;base64,AAAA"></audio>': "not base64 audio",
    }
    for element, message in cases.items():
        problems = check.static_audio_problems(_page(element))
        assert len(problems) == 1 and message in problems[0], (element, problems)


def test_what_the_browser_reports(check: ModuleType) -> None:
    ok = {"src": "data:audio/wav;base64,UklG", "state": "ok", "duration": 20.0}
    assert check.audio_problems([ok]) == []
    failed = check.audio_problems(
        [
            {**ok, "state": "media error 4"},
            {**ok, "duration": float("nan")},
            {**ok, "state": "timeout"},
        ]
    )
    assert len(failed) == 3
    assert "does not load (media error 4)" in failed[0]
    assert "no playable duration" in failed[1] and "timeout" in failed[2]
