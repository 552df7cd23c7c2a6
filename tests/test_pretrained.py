"""The shipped model loads by name, is the stored run's model, and refuses damaged files."""

from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path

import numpy as np
import pytest

from lstm_ref.apps import pretrained
from lstm_ref.apps.charlm import CharLM, char_bits, stdlib_corpus
from lstm_ref.apps.pretrained import PRETRAINED, PRETRAINED_DIR, load_pretrained
from lstm_ref.bench import benchmarks_dir

NAME = "stdlib-char-lstm-512"
REPORT = json.loads((benchmarks_dir() / "training" / "stdlib-lm-long.json").read_text())


def test_the_file_is_small_and_holds_no_pickle() -> None:
    path = PRETRAINED_DIR / PRETRAINED[NAME]["file"]
    assert path.suffix == ".safetensors"
    assert path.stat().st_size <= 8 * 2**20
    # A safetensors file is an 8-byte header length, a JSON header, then raw tensors.
    head = path.read_bytes()[:16]
    assert not head.startswith(b"\x80")  # a pickle's protocol byte
    header_len = int.from_bytes(head[:8], "little")
    assert head[8:9] == b"{" and header_len < path.stat().st_size


def test_it_is_the_stored_run_s_model() -> None:
    loaded = load_pretrained(NAME)
    assert isinstance(loaded.model, CharLM) and not loaded.model.training
    assert loaded.config == REPORT["config"]
    assert len(loaded.vocab) == REPORT["vocab_size"]
    assert loaded.test_bpc == REPORT["lstm_test_bpc"]
    assert loaded.model.lstm.hidden_size == REPORT["config"]["hidden_size"] == 512


@pytest.mark.skipif(
    platform.python_version() != REPORT["python"],
    reason=f"the stored run read Python {REPORT['python']}'s library",
)
def test_it_reproduces_the_stored_held_out_bits_per_character() -> None:
    loaded = load_pretrained(NAME)
    source, vocab = stdlib_corpus(loaded.config)
    assert vocab.chars == loaded.vocab.chars
    assert list(source.test_files) == REPORT["test_files"]
    bpc = float(np.mean(char_bits(loaded.model, loaded.vocab.encode(source.test))))
    assert bpc == pytest.approx(REPORT["lstm_test_bpc"], abs=1e-6)


def test_unknown_names_missing_files_and_changed_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(KeyError, match=r"name: expected one of .*stdlib-char-lstm-512"):
        load_pretrained("stdlib-char-lstm-1024")
    with pytest.raises(TypeError, match="name"):
        load_pretrained(512)  # type: ignore[arg-type]

    monkeypatch.setattr(pretrained, "PRETRAINED_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"is missing; run `python benchmarks/stdlib"):
        load_pretrained(NAME)

    copy = tmp_path / PRETRAINED[NAME]["file"]
    shutil.copyfile(PRETRAINED_DIR / PRETRAINED[NAME]["file"], copy)
    load_pretrained(NAME)  # an intact copy loads
    data = bytearray(copy.read_bytes())
    data[-1] ^= 0x01  # one bit of one weight
    copy.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"has SHA-256 .* expected"):
        load_pretrained(NAME)
