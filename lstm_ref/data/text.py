"""Character vocabularies for character-level models."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np

from lstm_ref.checks import check_ids, check_positive_int, check_type

#: Stands for every character outside the vocabulary (U+FFFD REPLACEMENT CHARACTER).
UNKNOWN = "\ufffd"


class _Vocab:
    """What every vocabulary shares: the index of its entries and the check of ids read back."""

    _index: dict[str, int]

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, entry: object) -> bool:
        return entry in self._index

    def _flat_ids(self, ids: Iterable[int] | np.ndarray) -> list[int]:
        """``ids`` in flat order, each checked to be in ``[0, len(self))``."""
        return check_ids("ids", np.asarray(ids).reshape(-1), len(self)).tolist()


class CharVocab(_Vocab):
    """A bijection between characters and integer ids ``0 .. len(vocab) - 1``.

    Characters are sorted by code point, so the same text gives the same ids
    on every machine. With ``unknown=True`` id 0 is :data:`UNKNOWN` and every
    character not in the vocabulary encodes to it; with ``unknown=False``
    encoding such a character raises ``ValueError``.

    Parameters
    ----------
    chars : iterable of str
        The characters (single-character strings, duplicates ignored).
    unknown : bool
        Reserve id 0 for characters outside the vocabulary.

    Examples
    --------
    >>> vocab = CharVocab.from_text("hello")
    >>> vocab.decode(vocab.encode("hole"))
    'hole'
    >>> vocab.decode(vocab.encode("help!")) == "hel" + UNKNOWN + UNKNOWN
    True
    """

    def __init__(self, chars: Iterable[str], *, unknown: bool = True) -> None:
        unique = sorted(set(chars) - {UNKNOWN})
        bad = [c for c in unique if not isinstance(c, str) or len(c) != 1]
        if bad:
            raise ValueError(f"chars: expected single characters, got {bad[:3]!r}")
        self.unknown = unknown
        self.chars: list[str] = ([UNKNOWN] if unknown else []) + unique
        self._index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str, *, min_count: int = 1, unknown: bool = True) -> CharVocab:
        """The characters of ``text`` that occur at least ``min_count`` times."""
        check_type("text", text, str)
        min_count = check_positive_int("min_count", min_count)
        counts = Counter(text)
        return cls((c for c, k in counts.items() if k >= min_count), unknown=unknown)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} chars, unknown={self.unknown})"

    def encode(self, text: str) -> np.ndarray:
        """Ids of the characters of ``text``: int64 array of shape ``(len(text),)``."""
        check_type("text", text, str)
        if self.unknown:
            return np.fromiter((self._index.get(c, 0) for c in text), np.int64, len(text))
        try:
            return np.fromiter((self._index[c] for c in text), np.int64, len(text))
        except KeyError as e:
            raise ValueError(
                f"text: character {e.args[0]!r} is not in the vocabulary (use unknown=True)"
            ) from None

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """The string of a sequence of ids (any shape is read in flat order)."""
        return "".join(self.chars[i] for i in self._flat_ids(ids))


def next_char_pairs(ids: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping (input, target) chunks for next-character prediction.

    Chunk ``i`` reads ``ids[i*seq_len : (i+1)*seq_len]`` and its targets are the
    same positions shifted by one.

    Parameters
    ----------
    ids : np.ndarray, int, shape (L,)
    seq_len : int

    Returns
    -------
    x, y : np.ndarray, int64, shape (N, seq_len) with ``N = (L - 1) // seq_len``
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids: expected shape (L,), got {ids.shape}")
    seq_len = check_positive_int("seq_len", seq_len)
    n = (len(ids) - 1) // seq_len
    if n == 0:
        raise ValueError(f"ids: expected more than seq_len = {seq_len} ids, got {len(ids)}")
    span = n * seq_len
    x = ids[:span].reshape(n, seq_len).astype(np.int64)
    y = ids[1 : span + 1].reshape(n, seq_len).astype(np.int64)
    return x, y
