"""Character vocabularies and next-character pairs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_ref.data import UNKNOWN, CharVocab, next_char_pairs


def test_vocab_from_text_is_sorted_and_stable() -> None:
    vocab = CharVocab.from_text("hello world")
    assert vocab.chars == [UNKNOWN, " ", "d", "e", "h", "l", "o", "r", "w"]
    assert len(vocab) == 9 and "h" in vocab and "z" not in vocab
    assert CharVocab.from_text("world hello").chars == vocab.chars


@given(st.text(min_size=1, max_size=50))
def test_round_trip(text: str) -> None:
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert vocab.decode(ids) == text


def test_unknown_characters() -> None:
    vocab = CharVocab.from_text("abc")
    np.testing.assert_array_equal(vocab.encode("abz"), [1, 2, 0])
    assert vocab.decode(vocab.encode("abz")) == "ab" + UNKNOWN
    strict = CharVocab.from_text("abc", unknown=False)
    assert strict.chars == ["a", "b", "c"]
    with pytest.raises(ValueError, match="'z'"):
        strict.encode("abz")


def test_min_count_drops_rare_characters() -> None:
    vocab = CharVocab.from_text("aaab", min_count=2)
    assert vocab.chars == [UNKNOWN, "a"]
    assert vocab.decode(vocab.encode("ab")) == "a" + UNKNOWN


def test_vocab_errors() -> None:
    vocab = CharVocab("ab")
    with pytest.raises(ValueError, match="ids"):
        vocab.decode([5])
    with pytest.raises(TypeError, match="text"):
        vocab.encode(b"ab")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="chars"):
        CharVocab(["ab"])


def test_next_char_pairs() -> None:
    x, y = next_char_pairs(np.arange(11), seq_len=3)
    assert x.shape == (3, 3) and y.shape == (3, 3)
    np.testing.assert_array_equal(x[1], [3, 4, 5])
    np.testing.assert_array_equal(y[1], [4, 5, 6])
    np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(ValueError, match="ids"):
        next_char_pairs(np.arange(3), seq_len=3)
