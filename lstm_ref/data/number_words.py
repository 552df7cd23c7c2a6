"""Number words in two languages: a small, real translation task for sequence to sequence.

The pairs come from `num2words <https://github.com/savoirfairelinux/num2words>`_
(LGPL-2.1), which writes a number out in the grammar of each language. English
and German order the parts of a number differently, so a translator has to
reorder, not just substitute:

* 97: "ninety-seven" → "siebenundneunzig" (the units come first in German);
* 1997: "one thousand, nine hundred and ninety-seven" →
  "eintausendneunhundertsiebenundneunzig".

The source is read as word tokens (:func:`tokenize_words`). German writes a
number below a million as one word, built from a few dozen pieces (the words
for 0–19 and the tens, "ein", "und", "hundert", "tausend"); the target is
written piece by piece (:func:`split_pieces`), or character by character.
:class:`TokenVocab` maps tokens to ids, with the special tokens a decoder
needs (padding, begin and end of sequence).

Only NumPy is imported here; ``num2words`` is imported on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

import numpy as np

from lstm_ref.checks import Seed, as_generator, check_positive_int, check_type
from lstm_ref.optional import require

from .text import _Vocab

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
#: The special tokens of every :class:`TokenVocab`: padding, begin and end of
#: sequence, unknown token, at ids ``PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3``.
SPECIALS = (PAD, BOS, EOS, UNK)
PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3

_WORD = re.compile(r"\w+|[^\w\s]")


def number_words(numbers: Iterable[int], lang: str) -> list[str]:
    """Each number written out in words by ``num2words`` in language ``lang``.

    Parameters
    ----------
    numbers : iterable of int
        Non-negative integers.
    lang : str
        A num2words language code, e.g. ``"en"`` or ``"de"``.

    Returns
    -------
    list of str
        ``number_words([97], "de") == ["siebenundneunzig"]``.
    """
    require("num2words", pip_name="num2words", needed_for="number_words()")
    values = [check_positive_int("numbers", k, minimum=0) for k in numbers]
    try:
        return [_spell(k, lang) for k in values]
    except NotImplementedError:
        raise ValueError(f"lang: num2words has no language {lang!r}") from None


@functools.cache
def _spell(number: int, lang: str) -> str:
    # Remembered: num2words takes about 0.1 ms a number, and a chapter spells
    # the same numbers again for each encoding (pieces, characters, test sets).
    n2w = require("num2words", pip_name="num2words", needed_for="number_words()")
    return str(n2w.num2words(number, lang=lang))


def tokenize_words(text: str) -> list[str]:
    """Split English number words into words and punctuation.

    ``"one thousand, nine hundred and ninety-seven"`` becomes
    ``["one", "thousand", ",", "nine", "hundred", "and", "ninety", "-", "seven"]``:
    nothing is dropped, so ``" ".join`` of the tokens reads like the text.
    """
    return _WORD.findall(check_type("text", text, str))


def german_number_pieces() -> tuple[str, ...]:
    """The pieces German number words below a million are made of, longest first.

    The words num2words writes for 0–19 and for the tens 20–90, and the four
    pieces "ein" (as in "einhundert"), "und", "hundert", "tausend": 32 in all.
    """
    words = number_words([*range(20), *range(20, 100, 10)], "de")
    return tuple(sorted({*words, "ein", "und", "hundert", "tausend"}, key=lambda p: (-len(p), p)))


def split_pieces(word: str, pieces: Sequence[str]) -> list[str]:
    """Cut ``word`` into ``pieces``, taking the longest piece that fits at each position.

    ``split_pieces("siebenundneunzig", german_number_pieces())`` is
    ``["sieben", "und", "neunzig"]``; the longest match keeps "siebzehn" whole
    rather than cutting it after "sieben". Every German number word below a
    million splits into :func:`german_number_pieces` this way (the tests check
    0–9,999 and a sample above).

    Raises
    ------
    ValueError
        If some position of ``word`` starts with no piece.
    """
    check_type("word", word, str)
    longest_first = sorted(pieces, key=len, reverse=True)
    out, at = [], 0
    while at < len(word):
        piece = next((p for p in longest_first if p and word.startswith(p, at)), None)
        if piece is None:
            raise ValueError(f"word: {word!r} has no piece starting at {word[at:]!r}")
        out.append(piece)
        at += len(piece)
    return out


def split_numbers(stop: int, *, test_size: int, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random split of ``0 .. stop - 1`` into training and held-out numbers.

    Parameters
    ----------
    stop : int
        Numbers ``0 .. stop - 1``.
    test_size : int
        How many numbers to hold out (``1 <= test_size < stop``).
    seed : int, np.random.Generator or None

    Returns
    -------
    train, test : np.ndarray, int64, shapes (stop - test_size,) and (test_size,)
        Disjoint, each sorted.
    """
    stop = check_positive_int("stop", stop, minimum=2)
    test_size = check_positive_int("test_size", test_size)
    if test_size >= stop:
        raise ValueError(f"test_size: expected fewer than stop = {stop} numbers, got {test_size}")
    order = as_generator(seed).permutation(stop)
    return np.sort(order[test_size:]).astype(np.int64), np.sort(order[:test_size]).astype(np.int64)


class TokenVocab(_Vocab):
    """A bijection between tokens (words or characters) and ids, with special tokens.

    Ids 0–3 are ``<pad>`` (padding, ignored by the loss), ``<bos>`` (the
    decoder's first input), ``<eos>`` (the decoder's last output) and
    ``<unk>`` (every token outside the vocabulary); the other tokens follow,
    sorted, so the same data give the same ids on every machine.

    Parameters
    ----------
    tokens : iterable of str
        The tokens (duplicates ignored; special tokens may not appear).

    Examples
    --------
    >>> vocab = TokenVocab("abc")
    >>> vocab.encode("cab", eos=True).tolist()
    [6, 4, 5, 2]
    >>> vocab.decode([6, 4, 5, 2, 0, 0])
    ['c', 'a', 'b']
    """

    def __init__(self, tokens: Iterable[str]) -> None:
        unique = sorted(set(tokens))
        bad = [t for t in unique if not isinstance(t, str) or not t or t in SPECIALS]
        if bad:
            raise ValueError(
                f"tokens: expected non-empty strings other than {SPECIALS}, got {bad[:3]!r}"
            )
        self.tokens: list[str] = [*SPECIALS, *unique]
        self._index = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def from_sequences(cls, sequences: Iterable[Sequence[str]]) -> TokenVocab:
        """The vocabulary of every token in ``sequences`` (token lists or strings of characters)."""
        return cls(t for seq in sequences for t in seq)

    def __repr__(self) -> str:
        return f"TokenVocab({len(self) - len(SPECIALS)} tokens + {len(SPECIALS)} special)"

    def encode(self, tokens: Sequence[str], *, bos: bool = False, eos: bool = False) -> np.ndarray:
        """Ids of ``tokens`` (a list of tokens or a string of characters), int64 ``(L,)``.

        ``bos``/``eos`` add ``<bos>`` before and ``<eos>`` after them.
        """
        if not isinstance(tokens, str | list | tuple):
            raise TypeError(f"tokens: expected a str, list or tuple, got {type(tokens).__name__}")
        ids = [self._index.get(t, UNK_ID) for t in tokens]
        return np.array([BOS_ID] * bos + ids + [EOS_ID] * eos, dtype=np.int64)

    def decode(self, ids: Iterable[int] | np.ndarray) -> list[str]:
        """The tokens of ``ids`` up to the first ``EOS``, without ``BOS`` and ``PAD``."""
        out = []
        for i in self._flat_ids(np.asarray(ids, dtype=np.int64)):
            if i == EOS_ID:
                break
            if i not in (PAD_ID, BOS_ID):
                out.append(self.tokens[i])
        return out


def pad_sequences(sequences: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stack id sequences of different lengths, padded at the end with ``PAD_ID`` (0).

    Returns
    -------
    ids : np.ndarray, int64, shape (N, L)
        ``L`` is the longest length.
    lengths : np.ndarray, int64, shape (N,)
    """
    if not sequences:
        raise ValueError("sequences: expected at least one sequence, got none")
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    ids = np.full((len(sequences), int(lengths.max())), PAD_ID, dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
    return ids, lengths


class Translation(NamedTuple):
    """Encoded source and target sequences of a translation task, batch-major.

    Attributes
    ----------
    src : np.ndarray, int64, shape (N, S)
        Source token ids, padded at the end with ``PAD_ID`` (0).
    src_lengths : np.ndarray, int64, shape (N,)
        Valid source tokens of each row.
    tgt : np.ndarray, int64, shape (N, T + 1)
        Target ids framed as ``BOS y_1 ... y_L EOS`` and padded: a decoder
        reads ``tgt[:, :-1]`` and learns to predict ``tgt[:, 1:]`` (teacher forcing).
    sources, targets : list of str
        The texts the ids encode.
    """

    src: np.ndarray
    src_lengths: np.ndarray
    tgt: np.ndarray
    sources: list[str]
    targets: list[str]


def number_translation(
    numbers: Iterable[int],
    *,
    source_vocab: TokenVocab | None = None,
    target_vocab: TokenVocab | None = None,
    target: Literal["pieces", "chars"] = "pieces",
) -> tuple[Translation, TokenVocab, TokenVocab]:
    """English number words (word tokens) to German number words (pieces or characters).

    Parameters
    ----------
    numbers : iterable of int
        The numbers to write out, ``0 <= n < 1,000,000`` (e.g. the training
        half of :func:`split_numbers`).
    source_vocab, target_vocab : TokenVocab, optional
        Vocabularies to encode with; by default built from these numbers'
        words (pass the training set's to encode a test set the same way).
    target : {"pieces", "chars"}
        Target tokens: the pieces of :func:`german_number_pieces`
        (``"sieben und neunzig"``, at most 7 for numbers below 10,000) or
        single characters (up to 42: a decoder runs about five times as many steps).

    Returns
    -------
    data : Translation
    source_vocab, target_vocab : TokenVocab
    """
    if target not in ("pieces", "chars"):
        raise ValueError(f"target: expected 'pieces' or 'chars', got {target!r}")
    numbers = [check_positive_int("numbers", k, minimum=0) for k in numbers]
    if not numbers:
        raise ValueError("numbers: expected at least one number, got none")
    if max(numbers) >= 1_000_000:
        raise ValueError(f"numbers: expected numbers below 1,000,000, got {max(numbers)}")
    sources = number_words(numbers, "en")
    targets = number_words(numbers, "de")
    words = [tokenize_words(s) for s in sources]
    if target == "pieces":
        pieces = german_number_pieces()
        target_tokens: list[Sequence[str]] = [split_pieces(t, pieces) for t in targets]
    else:
        target_tokens = list(targets)
    source_vocab = source_vocab or TokenVocab.from_sequences(words)
    target_vocab = target_vocab or TokenVocab.from_sequences(target_tokens)
    src, src_lengths = pad_sequences([source_vocab.encode(w) for w in words])
    tgt, _ = pad_sequences([target_vocab.encode(t, bos=True, eos=True) for t in target_tokens])
    return Translation(src, src_lengths, tgt, sources, targets), source_vocab, target_vocab
