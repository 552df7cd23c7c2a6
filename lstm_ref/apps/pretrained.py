"""Trained models that ship with the book, loaded by name.

A model is one ``safetensors`` file under ``lstm_ref/pretrained/``: the
tensors of the model's ``state_dict`` and, in the file's metadata, the
training configuration, the vocabulary and the held-out score measured when
it was saved. No pickle is involved, so loading runs no code from the file.
Each name carries the SHA-256 of its file; a file whose digest differs is
refused rather than silently used.

==========================  =====================================================
name                        model
==========================  =====================================================
``stdlib-char-lstm-512``    chapter 15's long run: a 1x512 character LSTM
                            on the Python standard library
                            (``benchmarks/stdlib_lm_long.py``)
==========================  =====================================================
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_ref.apps.charlm import CharLM
from lstm_ref.checks import check_type
from lstm_ref.data.text import CharVocab

__all__ = ["PRETRAINED", "PRETRAINED_DIR", "Pretrained", "load_pretrained", "save_pretrained"]

#: Where the shipped files live (inside the installed package).
PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"

#: Every shipped model, with its file name, the SHA-256 of that file and the script that writes it.
PRETRAINED: dict[str, dict[str, str]] = {
    "stdlib-char-lstm-512": {
        "file": "stdlib-char-lstm-512.safetensors",
        "sha256": "581bf98f2db31b2b74319885788103bc91ace328676a786954575981cf8f7fd1",
        "script": "benchmarks/stdlib_lm_long.py",
    },
}


@dataclass(frozen=True)
class Pretrained:
    """A loaded model with what is needed to use it.

    Attributes
    ----------
    model : CharLM
        The network, in evaluation mode, on the CPU.
    vocab : CharVocab
        The character vocabulary it was trained with.
    config : dict
        The training configuration (``benchmarks/stdlib_lm_long.py``'s ``LONG_LM``).
    test_bpc : float
        Held-out bits per character measured when the weights were saved.
    """

    model: CharLM
    vocab: CharVocab
    config: dict[str, Any]
    test_bpc: float


def save_pretrained(
    model: CharLM, vocab: CharVocab, path: Path | str, *, config: dict[str, Any], test_bpc: float
) -> str:
    """Write the weights with config, vocabulary and score; return the file's SHA-256."""
    from safetensors.torch import save_file

    check_type("model", model, CharLM)
    check_type("vocab", vocab, CharVocab)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {
        "config": json.dumps(config, sort_keys=True),
        "vocab": json.dumps(vocab.chars[1:] if vocab.unknown else vocab.chars),
        "unknown": json.dumps(vocab.unknown),
        "test_bpc": repr(float(test_bpc)),
    }
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, str(path), metadata=metadata)
    return _sha256(path)


def load_pretrained(name: str) -> Pretrained:
    """Load a shipped model by name (see the table in this module's docstring).

    Raises
    ------
    KeyError
        ``name`` is not a shipped model (the message lists those that are).
    FileNotFoundError
        The file is missing (the message names the script that writes it).
    ValueError
        The file's SHA-256 differs from the one recorded for ``name``.
    """
    from safetensors import safe_open

    check_type("name", name, str)
    if name not in PRETRAINED:
        raise KeyError(f"name: expected one of {sorted(PRETRAINED)}, got {name!r}")
    entry = PRETRAINED[name]
    path = PRETRAINED_DIR / entry["file"]
    if not path.is_file():
        raise FileNotFoundError(
            f"pretrained model {name!r}: {path} is missing; "
            f"run `python {entry['script']}` from the repository root to write it"
        )
    digest = _sha256(path)
    if digest != entry["sha256"]:
        raise ValueError(
            f"pretrained model {name!r}: {path} has SHA-256 {digest}, "
            f"expected {entry['sha256']} (the file is damaged or from another run)"
        )
    with safe_open(str(path), framework="pt") as file:
        metadata = file.metadata()
        tensors = {key: file.get_tensor(key) for key in file.keys()}
    config = json.loads(metadata["config"])
    vocab = CharVocab(json.loads(metadata["vocab"]), unknown=json.loads(metadata["unknown"]))
    model = CharLM(len(vocab), config["hidden_size"], embedding_size=config["embedding_size"])
    model.load_state_dict(tensors)
    model.eval()
    return Pretrained(model, vocab, config, float(metadata["test_bpc"]))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
