r"""Sequence labelling: a tag for every token, by a BiLSTM with or without a CRF on top.

Each token is described by a few discrete features — the word itself (rare
words become ``<unk>``), its last one, two and three letters and its shape
(capitalised, all capitals, digits, punctuation) — embedded and summed into
:math:`x_t`. A bidirectional LSTM reads the sentence both ways, and a linear
layer turns each :math:`[\overrightarrow{h}_t; \overleftarrow{h}_t]` into
emission scores :math:`E_{t,k}` for every tag :math:`k`:

.. math::
    E_t = W [\overrightarrow{h}_t; \overleftarrow{h}_t] + b.

Without a CRF each token takes its best tag, :math:`\hat y_t = \arg\max_k E_{t,k}`,
trained with cross-entropy. With one (Huang et al. 2015; Lample et al. 2016),
``lstm_ref.torch.LinearChainCRF`` adds tag-transition scores and the
whole sentence is decoded jointly by Viterbi, trained by the sentence-level
log-likelihood.

One model can serve several tag sets at once (part of speech, and
proper-noun spans as B/I/O tags): the heads share the BiLSTM and the loss is
the sum of theirs.

Baselines: the most frequent tag of each word, and a feature-based CRF
(``sklearn-crfsuite``), the standard tagger before neural networks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_ref.checks import check_positive_int
from lstm_ref.data import PAD_TARGET
from lstm_ref.data.treebank import Sentence
from lstm_ref.torch import LinearChainCRF

__all__ = [
    "BIO_TAGS",
    "BiLSTMTagger",
    "FeatureIndex",
    "MostFrequentTag",
    "TaggedArrays",
    "bio_tags",
    "crf_features",
    "encode_tagged",
    "sentence_batches",
    "span_f1",
    "spans",
    "token_shape",
]

#: Tags of the proper-noun span task (outside, beginning, inside).
BIO_TAGS: tuple[str, ...] = ("O", "B", "I")
_SHAPES = ("lower", "Title", "UPPER", "digit", "punct", "other")


def token_shape(word: str) -> int:
    """The index in ``("lower", "Title", "UPPER", "digit", "punct", "other")`` of a word's shape."""
    if word.isdigit() or (word[:1].isdigit() and any(ch.isdigit() for ch in word)):
        return 3
    if word.isalpha():
        if word.islower():
            return 0
        if word.isupper() and len(word) > 1:
            return 2
        if word[0].isupper():
            return 1
        return 5
    if not any(ch.isalnum() for ch in word):
        return 4
    return 1 if word[0].isupper() else 5


def bio_tags(proper: np.ndarray) -> list[str]:
    """B/I/O tags of the runs of ``True`` in a boolean array ``(L,)``: each run is one span."""
    out = []
    for t, flag in enumerate(proper):
        out.append("O" if not flag else "I" if t > 0 and proper[t - 1] else "B")
    return out


def spans(tags: Sequence[str]) -> set[tuple[int, int]]:
    """The spans ``(start, stop)`` of a B/I/O sequence; an ``I`` after ``O`` starts a span."""
    found = set()
    start = None
    for t, tag in enumerate([*tags, "O"]):
        if tag == "B" or tag == "O" or (tag == "I" and start is None):
            if start is not None:
                found.add((start, t))
                start = None
            if tag in ("B", "I"):
                start = t
    return found


def span_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    r"""Span-level :math:`F_1 = 2PR/(P+R)` over sentences: a span counts only if exactly right."""
    if len(gold) != len(predicted):
        raise ValueError(
            f"gold, predicted: expected as many sentences, got {len(gold)} and {len(predicted)}"
        )
    hit = n_gold = n_pred = 0
    for g, p in zip(gold, predicted, strict=True):
        if len(g) != len(p):
            raise ValueError(f"predicted: expected {len(g)} tags for a sentence, got {len(p)}")
        gs, ps = spans(g), spans(p)
        hit, n_gold, n_pred = hit + len(gs & ps), n_gold + len(gs), n_pred + len(ps)
    if n_gold == 0 and n_pred == 0:
        return 1.0
    return 2 * hit / (n_gold + n_pred)


class FeatureIndex:
    """Ids for the token features, learned from the training sentences.

    Columns of a token's feature row: word (words seen at least ``min_count``
    times, others ``<unk>`` = 1), last letter, last two, last three (all
    lower-cased; unseen = 1), shape (:func:`token_shape`). Id 0 is padding.

    Parameters
    ----------
    sentences : sequence of Sentence
        The training sentences.
    min_count : int
        A word needs this many occurrences to get its own id.
    """

    FEATURES = ("word", "suffix1", "suffix2", "suffix3", "shape")

    def __init__(self, sentences: Sequence[Sentence], *, min_count: int = 2) -> None:
        check_positive_int("min_count", min_count)
        counts = Counter(w for s in sentences for w in s.words)
        words = sorted(w for w, c in counts.items() if c >= min_count)
        self.tables: list[dict[str, int]] = [{w: k + 2 for k, w in enumerate(words)}]
        for n in (1, 2, 3):
            ends = sorted({w.lower()[-n:] for s in sentences for w in s.words})
            self.tables.append({e: k + 2 for k, e in enumerate(ends)})
        self.train_words = set(counts)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Number of ids of each feature column (padding and unknown included)."""
        return (*(len(t) + 2 for t in self.tables), len(_SHAPES) + 1)

    def encode(self, words: Sequence[str]) -> np.ndarray:
        """Feature ids of a sentence: shape ``(L, 5)`` int64."""
        rows = []
        for w in words:
            low = w.lower()
            rows.append(
                [
                    self.tables[0].get(w, 1),
                    self.tables[1].get(low[-1:], 1),
                    self.tables[2].get(low[-2:], 1),
                    self.tables[3].get(low[-3:], 1),
                    token_shape(w) + 1,
                ]
            )
        return np.asarray(rows, dtype=np.int64).reshape(len(words), len(self.FEATURES))


class TaggedArrays(NamedTuple):
    """Sentences as padded arrays.

    Attributes
    ----------
    x : np.ndarray, int64, shape (N, T, 5)
        Feature ids (:class:`FeatureIndex`), 0 at padding.
    y : np.ndarray, int64, shape (N, T, H)
        Tag ids for each of ``H`` tag sets, ``lstm_ref.data.PAD_TARGET`` at padding.
    lengths : np.ndarray, int64, shape (N,)
    """

    x: np.ndarray
    y: np.ndarray
    lengths: np.ndarray


def encode_tagged(
    sentences: Sequence[Sentence],
    index: FeatureIndex,
    tag_sets: Sequence[Sequence[str]],
    tagger: Callable[[Sentence], Sequence[Sequence[str]]],
) -> TaggedArrays:
    """Encode sentences and their tags.

    Parameters
    ----------
    sentences : sequence of Sentence
    index : FeatureIndex
    tag_sets : sequence of tag tuples
        The tags of each head, e.g. ``(UPOS_TAGS, BIO_TAGS)``.
    tagger : callable
        ``tagger(sentence)`` returns one tag sequence per tag set.
    """
    if not sentences:
        raise ValueError("sentences: expected at least one sentence, got none")
    lookups = [{t: k for k, t in enumerate(tags)} for tags in tag_sets]
    N, T = len(sentences), max(len(s.words) for s in sentences)
    x = np.zeros((N, T, len(FeatureIndex.FEATURES)), dtype=np.int64)
    y = np.full((N, T, len(tag_sets)), PAD_TARGET, dtype=np.int64)
    lengths = np.zeros(N, dtype=np.int64)
    for n, s in enumerate(sentences):
        L = len(s.words)
        x[n, :L] = index.encode(s.words)
        for h, (tags, lookup) in enumerate(zip(tagger(s), lookups, strict=True)):
            try:
                y[n, :L, h] = [lookup[t] for t in tags]
            except KeyError as err:
                raise ValueError(
                    f"tag_sets: tag {err.args[0]!r} of sentence {s.sent_id} is not in tag set {h}"
                ) from None
        lengths[n] = L
    return TaggedArrays(x, y, lengths)


def sentence_batches(
    data: TaggedArrays, batch_size: int
) -> Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A batch function for :func:`lstm_ref.train.fit`: random sentences, cut to their longest.

    Cutting each batch to its own longest sentence (instead of the longest
    of the whole set) keeps the recurrences short.
    """
    check_positive_int("batch_size", batch_size)

    def batch(step: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = rng.choice(len(data.x), size=min(batch_size, len(data.x)), replace=False)
        T = int(data.lengths[rows].max())
        return data.x[rows, :T], data.y[rows, :T], data.lengths[rows]

    return batch


class BiLSTMTagger(nn.Module):
    """Summed feature embeddings, a BiLSTM, and one tagging head per tag set.

    Parameters
    ----------
    feature_sizes : sequence of int
        Ids per feature column (:attr:`FeatureIndex.sizes`).
    num_tags : sequence of int
        Tags of each head, e.g. ``(14, 3)``.
    hidden_size : int
        Units per direction.
    embedding_size : int
    crf : bool
        Put a ``lstm_ref.torch.LinearChainCRF`` on every head.
    dropout : float
        Dropout on the embeddings and on the BiLSTM's outputs.

    Shape
    -----
    ``forward(x, lengths)``: ``x (N, T, F)`` ids, ``lengths (N,)`` ->
    emission scores ``(N, T, sum(num_tags))``, the heads side by side.
    """

    def __init__(
        self,
        feature_sizes: Sequence[int],
        num_tags: Sequence[int],
        *,
        hidden_size: int = 64,
        embedding_size: int = 64,
        crf: bool = False,
        dropout: float = 0.25,
    ) -> None:
        super().__init__()
        if not num_tags or not feature_sizes:
            raise ValueError("num_tags, feature_sizes: expected at least one of each")
        self.num_tags = tuple(check_positive_int("num_tags", k, 2) for k in num_tags)
        self.embeddings = nn.ModuleList(
            nn.Embedding(n, embedding_size, padding_idx=0) for n in feature_sizes
        )
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(embedding_size, hidden_size, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden_size, sum(self.num_tags))
        self.crfs = nn.ModuleList(LinearChainCRF(k) for k in self.num_tags) if crf else None

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """Emission scores ``(N, T, sum(num_tags))``."""
        if x.dim() != 3 or x.shape[-1] != len(self.embeddings):
            raise ValueError(
                f"x: expected ids of shape (N, T, {len(self.embeddings)}), got {tuple(x.shape)}"
            )
        emb = torch.stack([e(x[..., k].long()) for k, e in enumerate(self.embeddings)]).sum(0)
        emb = self.drop(emb)
        if lengths is None:
            lengths = torch.full((x.shape[0],), x.shape[1], dtype=torch.long)
        packed = pack_padded_sequence(emb, lengths.cpu(), batch_first=True, enforce_sorted=False)
        states, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(states, batch_first=True, total_length=x.shape[1])
        return self.out(self.drop(out))

    def heads(self, emissions: Tensor) -> list[Tensor]:
        """The emissions split per head: a list of ``(N, T, num_tags[h])``."""
        return list(torch.split(emissions, list(self.num_tags), dim=-1))

    def crf(self, head: int) -> LinearChainCRF:
        """The CRF of read-out ``head`` (only for a tagger built with ``crf=True``)."""
        if self.crfs is None:
            raise ValueError("crf: this tagger was built without CRFs (crf=False)")
        layer = self.crfs[head]
        assert isinstance(layer, LinearChainCRF)
        return layer

    def loss(self, emissions: Tensor, y: Tensor) -> Tensor:
        r"""Sum over heads of the mean per-token cross-entropy, or of the CRF's
        sentence negative log-likelihood divided by the mean sentence length.

        ``y (N, T, H)`` holds tag ids, ``lstm_ref.data.PAD_TARGET`` at padding.
        """
        if y.dim() != 3 or y.shape[-1] != len(self.num_tags):
            raise ValueError(
                f"y: expected tags of shape (N, T, {len(self.num_tags)}), got {tuple(y.shape)}"
            )
        total = emissions.new_zeros(())
        for h, scores in enumerate(self.heads(emissions)):
            tags = y[..., h].long()
            if self.crfs is None:
                total = total + F.cross_entropy(
                    scores.reshape(-1, scores.shape[-1]), tags.reshape(-1), ignore_index=PAD_TARGET
                )
            else:
                mask = tags != PAD_TARGET
                per_token = mask.sum() / mask.shape[0]
                total = total + self.crf(h).nll(scores, tags, mask) / per_token
        return total

    def predict(self, data: TaggedArrays, *, batch_size: int = 256) -> np.ndarray:
        """Best tags ``(N, T, H)`` (argmax, or Viterbi with CRFs), -100 at padding."""
        was = self.training
        self.eval()
        device = next(self.parameters()).device
        out = np.full(data.y.shape, PAD_TARGET, dtype=np.int64)
        with torch.no_grad():
            for start in range(0, len(data.x), batch_size):
                rows = slice(start, start + batch_size)
                lengths = torch.as_tensor(data.lengths[rows])
                T = int(lengths.max())
                x = torch.as_tensor(data.x[rows, :T]).to(device)
                mask = (torch.arange(T)[None, :] < lengths[:, None]).to(device)
                for h, scores in enumerate(self.heads(self(x, lengths))):
                    if self.crfs is None:
                        tags = scores.argmax(-1).masked_fill(~mask, PAD_TARGET)
                    else:
                        tags = self.crf(h).viterbi(scores, mask)[0]
                    out[rows, :T, h] = tags.cpu().numpy()
        self.train(was)
        return out


class MostFrequentTag:
    """Each word's most frequent training tag; unseen words get the most frequent tag overall.

    Parameters
    ----------
    words, tags : sequence of sequences of str
        Training sentences and their tags.
    """

    def __init__(self, words: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> None:
        counts: dict[str, Counter[str]] = {}
        overall: Counter[str] = Counter()
        for ws, ts in zip(words, tags, strict=True):
            for w, t in zip(ws, ts, strict=True):
                counts.setdefault(w, Counter())[t] += 1
                overall[t] += 1
        if not overall:
            raise ValueError("words: expected at least one tagged token, got none")
        self.table = {w: c.most_common(1)[0][0] for w, c in counts.items()}
        self.default = overall.most_common(1)[0][0]

    def predict(self, words: Sequence[Sequence[str]]) -> list[list[str]]:
        """Tags of each sentence."""
        return [[self.table.get(w, self.default) for w in ws] for ws in words]


def crf_features(words: Sequence[str]) -> list[dict[str, Any]]:
    """Hand-made features of each token for a feature-based CRF (``sklearn-crfsuite``).

    The word, its lower case, prefixes and suffixes up to three letters,
    its shape, and the same for the previous and next words.
    """
    out = []
    for t, w in enumerate(words):
        low = w.lower()
        feats: dict[str, Any] = {
            "bias": 1.0,
            "word": low,
            "shape": _SHAPES[token_shape(w)],
            "p1": low[:1],
            "p2": low[:2],
            "p3": low[:3],
            "s1": low[-1:],
            "s2": low[-2:],
            "s3": low[-3:],
        }
        for offset, name in ((-1, "prev"), (1, "next")):
            k = t + offset
            if 0 <= k < len(words):
                other = words[k].lower()
                feats[f"{name}:word"] = other
                feats[f"{name}:s2"] = other[-2:]
                feats[f"{name}:shape"] = _SHAPES[token_shape(words[k])]
            else:
                feats[f"{name}:edge"] = True
        out.append(feats)
    return out
