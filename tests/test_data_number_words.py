"""Number words (num2words), their tokenisation, vocabularies and the seeded split."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from lstm_ref.data import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    SPECIALS,
    UNK_ID,
    TokenVocab,
    german_number_pieces,
    number_translation,
    number_words,
    pad_sequences,
    split_numbers,
    split_pieces,
    tokenize_words,
)


def test_number_words_reorder_between_languages() -> None:
    assert number_words([97, 1997], "en") == [
        "ninety-seven",
        "one thousand, nine hundred and ninety-seven",
    ]
    assert number_words([97, 1997], "de") == [
        "siebenundneunzig",
        "eintausendneunhundertsiebenundneunzig",
    ]


def test_number_words_errors() -> None:
    with pytest.raises(ValueError, match="numbers"):
        number_words([-1], "en")
    with pytest.raises(TypeError, match="numbers"):
        number_words([1.5], "en")  # type: ignore[list-item]
    with pytest.raises(ValueError, match="lang"):
        number_words([1], "xx")


def test_missing_num2words_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "num2words", None)  # makes `import num2words` fail
    with pytest.raises(ImportError, match=r"number_words\(\).*pip install num2words"):
        number_words([1], "en")


def test_tokenize_words_keeps_every_token() -> None:
    tokens = tokenize_words("one thousand, nine hundred and ninety-seven")
    assert tokens == ["one", "thousand", ",", "nine", "hundred", "and", "ninety", "-", "seven"]
    assert tokenize_words("zero") == ["zero"]
    with pytest.raises(TypeError, match="text"):
        tokenize_words(7)  # type: ignore[arg-type]


def test_german_pieces_split_every_number_word() -> None:
    pieces = german_number_pieces()
    assert len(pieces) == 32 and len(set(pieces)) == 32
    assert [len(p) for p in pieces] == sorted((len(p) for p in pieces), reverse=True)
    sample = [*range(10_000), *np.random.default_rng(0).integers(10_000, 1_000_000, 500).tolist()]
    for number, word in zip(sample, number_words(sample, "de"), strict=True):
        parts = split_pieces(word, pieces)
        assert "".join(parts) == word, number
    assert split_pieces("siebenundneunzig", pieces) == ["sieben", "und", "neunzig"]
    assert split_pieces("siebzehn", pieces) == ["siebzehn"]  # longest match, not "sieb..."
    assert split_pieces("einhunderteins", pieces) == ["ein", "hundert", "eins"]


def test_split_pieces_errors() -> None:
    with pytest.raises(ValueError, match="'xyz'"):
        split_pieces("einxyz", german_number_pieces())
    with pytest.raises(TypeError, match="word"):
        split_pieces(5, ["a"])  # type: ignore[arg-type]


def test_split_numbers_is_a_seeded_partition() -> None:
    train, test = split_numbers(100, test_size=20, seed=3)
    assert train.shape == (80,) and test.shape == (20,)
    assert train.dtype == np.int64 and test.dtype == np.int64
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(100))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    again = split_numbers(100, test_size=20, seed=3)
    assert np.array_equal(again[1], test)
    assert not np.array_equal(split_numbers(100, test_size=20, seed=4)[1], test)


def test_split_numbers_errors() -> None:
    with pytest.raises(ValueError, match="test_size"):
        split_numbers(10, test_size=10)
    with pytest.raises(ValueError, match="stop"):
        split_numbers(1, test_size=1)
    with pytest.raises(TypeError, match="test_size"):
        split_numbers(10, test_size=2.5)  # type: ignore[arg-type]


def test_token_vocab_specials_and_round_trip() -> None:
    vocab = TokenVocab(["two", "one", "two"])
    assert vocab.tokens == [*SPECIALS, "one", "two"]
    assert (PAD_ID, BOS_ID, EOS_ID, UNK_ID) == (0, 1, 2, 3)
    ids = vocab.encode(["two", "one"], bos=True, eos=True)
    assert ids.dtype == np.int64 and ids.tolist() == [BOS_ID, 5, 4, EOS_ID]
    assert vocab.decode(np.concatenate([ids, [PAD_ID, PAD_ID]])) == ["two", "one"]
    assert vocab.decode([4, EOS_ID, 5]) == ["one"]  # stops at the first EOS
    assert vocab.encode(["three"]).tolist() == [UNK_ID]
    assert len(vocab) == 6 and "one" in vocab and "three" not in vocab
    chars = TokenVocab.from_sequences(["ab", "ba"])
    assert chars.decode(chars.encode("abba")) == list("abba")


def test_token_vocab_errors() -> None:
    with pytest.raises(ValueError, match="tokens"):
        TokenVocab(["<eos>", "a"])
    with pytest.raises(ValueError, match="tokens"):
        TokenVocab([""])
    vocab = TokenVocab("ab")
    with pytest.raises(ValueError, match="ids"):
        vocab.decode([9])
    with pytest.raises(TypeError, match="tokens"):
        vocab.encode(5)  # type: ignore[arg-type]


def test_pad_sequences() -> None:
    ids, lengths = pad_sequences([np.array([5, 6, 7]), np.array([8])])
    assert ids.tolist() == [[5, 6, 7], [8, PAD_ID, PAD_ID]] and lengths.tolist() == [3, 1]
    with pytest.raises(ValueError, match="sequences"):
        pad_sequences([])


def test_number_translation_frames_the_targets() -> None:
    data, sv, tv = number_translation([7, 97, 1997])
    assert data.src.shape == (3, 9) and data.src_lengths.tolist() == [1, 3, 9]
    assert data.sources[1] == "ninety-seven" and data.targets[1] == "siebenundneunzig"
    assert data.tgt[:, 0].tolist() == [BOS_ID] * 3
    assert data.tgt.shape == (3, 9)  # BOS + 7 pieces + EOS for 1997
    for row, target in zip(data.tgt, data.targets, strict=True):
        assert "".join(tv.decode(row)) == target
        assert int((row == EOS_ID).sum()) == 1
    for row, n, source in zip(data.src, data.src_lengths, data.sources, strict=True):
        assert sv.decode(row[:n]) == tokenize_words(source)
        assert np.all(row[n:] == PAD_ID)
    # A test set is encoded with the training vocabularies.
    test, sv2, tv2 = number_translation([98], source_vocab=sv, target_vocab=tv)
    assert sv2 is sv and tv2 is tv
    assert sv.decode(test.src[0]) == ["ninety", "-", "<unk>"]  # "eight" was never seen


def test_number_translation_in_characters() -> None:
    data, _, tv = number_translation([97], target="chars")
    assert data.tgt.shape == (1, len("siebenundneunzig") + 2)
    assert tv.decode(data.tgt[0]) == list("siebenundneunzig")


def test_number_translation_errors() -> None:
    with pytest.raises(ValueError, match="target"):
        number_translation([1], target="words")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="numbers"):
        number_translation([])
    with pytest.raises(ValueError, match="1,000,000"):
        number_translation([1_000_000])
