"""The Turkish Web Treebank: part-of-speech tags and proper nouns for every token.

The ``turkish-treebanks`` package (Google Research, Apache-2.0) installs the
Turkish Web Treebank (Kayadelen, Öztürel and Bohnet, LREC 2020) as two CoNLL-U
files, ``data/web.conllu`` (forums, blogs, reviews, how-tos: 2,541
sentences) and ``data/wiki.conllu`` (Wikipedia: 2,310 sentences), placed at
the top of ``site-packages``; they are found through the package's own file
list, and the package is never imported.

A CoNLL-U line has ten tab-separated columns: ``ID FORM LEMMA UPOS XPOS FEATS
HEAD DEPREL DEPS MISC``. Turkish words are split into *inflectional groups*
(``Açık|la|nma|yan``), each a token of its own with its own tag. The
``FEATS`` column marks proper nouns with ``Proper=True``.

The treebank documents no train/test split. :func:`load_treebank` makes a
fixed one by *document* (the part of ``sent_id`` before the sentence
number), so sentences of one forum thread or article never straddle it.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from lstm_ref.checks import Seed, as_generator

__all__ = [
    "UPOS_TAGS",
    "Sentence",
    "TreebankSplit",
    "load_treebank",
    "parse_conllu",
    "split_by_document",
    "treebank_files",
]

#: The 14 part-of-speech tags of the treebank, sorted (the universal tags of Petrov et
#: al. (2012) and the treebank's own ``AFFIX`` and ``ONOM``, onomatopoeia).
UPOS_TAGS: tuple[str, ...] = (
    "ADJ",
    "ADP",
    "ADV",
    "AFFIX",
    "CONJ",
    "DET",
    "NOUN",
    "NUM",
    "ONOM",
    "PRON",
    "PRT",
    "PUNCT",
    "VERB",
    "X",
)

_COLUMNS = 10


class Sentence(NamedTuple):
    """One annotated sentence.

    Attributes
    ----------
    sent_id : str
        E.g. ``"tr-forum:00000222:S023"``: source, document, sentence.
    words : list of str, length L
        The tokens (inflectional groups), as written.
    tags : list of str, length L
        Their universal part-of-speech tags (``UPOS``).
    proper : np.ndarray, bool, shape (L,)
        ``True`` where ``FEATS`` says ``Proper=True``.
    """

    sent_id: str
    words: list[str]
    tags: list[str]
    proper: np.ndarray

    @property
    def document(self) -> str:
        """The document the sentence belongs to (``sent_id`` without its sentence part)."""
        return self.sent_id.rsplit(":", 1)[0]


class TreebankSplit(NamedTuple):
    """Sentences split by document: unpack as ``train, val, test = split``."""

    train: list[Sentence]
    val: list[Sentence]
    test: list[Sentence]


def treebank_files() -> list[Path]:
    """The CoNLL-U files installed by ``turkish-treebanks``: web, then wiki.

    Raises
    ------
    ImportError
        If the package is not installed, naming the ``pip install`` that fixes it.
    """
    try:
        dist = importlib.metadata.distribution("turkish-treebanks")
    except importlib.metadata.PackageNotFoundError as err:
        raise ImportError(
            "load_treebank() reads its data from the 'turkish-treebanks' package, which is "
            "not installed: run `pip install turkish-treebanks==1.0.0`, or `make install` "
            "for the book's whole pinned environment"
        ) from err
    found = {Path(str(f)).name: Path(str(dist.locate_file(f))) for f in dist.files or ()}
    missing = [name for name in ("web.conllu", "wiki.conllu") if name not in found]
    if missing:
        raise FileNotFoundError(
            f"turkish-treebanks: expected {missing} in the package's file list, got {sorted(found)}"
        )
    return [found["web.conllu"], found["wiki.conllu"]]


def parse_conllu(lines: Iterable[str], *, source: str = "<text>") -> list[Sentence]:
    """Sentences from CoNLL-U lines (a file object or a list of strings).

    Comment lines (``#``) give the ``sent_id``; a blank line ends a sentence;
    multi-word ranges (``1-2``) and empty nodes (``1.1``) are skipped.

    Raises
    ------
    ValueError
        On a token line without exactly ten tab-separated columns, naming the
        source and the line number.
    """
    sentences: list[Sentence] = []
    sent_id = ""
    words: list[str] = []
    tags: list[str] = []
    proper: list[bool] = []

    def close() -> None:
        nonlocal sent_id, words, tags, proper
        if words:
            name = sent_id or f"{source}:{len(sentences)}"
            sentences.append(Sentence(name, words, tags, np.asarray(proper, dtype=bool)))
        sent_id, words, tags, proper = "", [], [], []

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n").rstrip("\r")
        if not line.strip():
            close()
            continue
        if line.startswith("#"):
            if line.startswith("# sent_id"):
                sent_id = line.split("=", 1)[1].strip()
            continue
        columns = line.split("\t")
        if len(columns) != _COLUMNS:
            raise ValueError(
                f"{source}, line {number}: expected {_COLUMNS} tab-separated CoNLL-U columns, "
                f"got {len(columns)}: {line[:60]!r}"
            )
        if "-" in columns[0] or "." in columns[0]:
            continue
        words.append(columns[1])
        tags.append(columns[3])
        proper.append("Proper=True" in columns[5].split("|"))
    close()
    return sentences


def load_treebank(*, val: float = 0.1, test: float = 0.1, seed: Seed = 0) -> TreebankSplit:
    """The whole treebank (web and wiki), split by document.

    Parameters
    ----------
    val, test : float
        Fractions of the *documents* in the validation and test sets.
    seed : int, Generator or None
        Seeds the shuffle of the documents (the default gives the book's split).

    Returns
    -------
    TreebankSplit
        Three lists of :class:`Sentence`, each in file order.
    """
    for name, value in (("val", val), ("test", test)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name}: expected a fraction in (0, 1), got {value}")
    if val + test >= 1.0:
        raise ValueError(f"val, test: expected val + test < 1, got {val} + {test}")
    sentences: list[Sentence] = []
    for path in treebank_files():
        with open(path, encoding="utf-8") as handle:
            sentences.extend(parse_conllu(handle, source=path.name))
    return split_by_document(sentences, val=val, test=test, seed=seed)


def split_by_document(
    sentences: Sequence[Sentence], *, val: float, test: float, seed: Seed = 0
) -> TreebankSplit:
    """Split sentences into train, validation and test by their :attr:`Sentence.document`."""
    documents = sorted({s.document for s in sentences})
    order = as_generator(seed).permutation(len(documents))
    n_test, n_val = round(test * len(documents)), round(val * len(documents))
    where = {}
    for rank, k in enumerate(order):
        where[documents[k]] = 2 if rank < n_test else 1 if rank < n_test + n_val else 0
    parts: list[list[Sentence]] = [[], [], []]
    for s in sentences:
        parts[where[s.document]].append(s)
    return TreebankSplit(*parts)
