r"""Sequence classification: one label per sequence, and how to judge it honestly.

The model (:class:`SequenceClassifier`) reads a whole variable-length
sequence and scores ``C`` classes from its last hidden state. Sequences of
different lengths share a batch as a ``PackedSequence``, so no step past a
sequence's end is ever computed.

A practitioner's first try at classifying short strings is a bag of
character n-grams with a linear model (:func:`ngram_classifier`); it is the
baseline the LSTM must beat. With unequal classes, plain accuracy rewards
guessing the big class, so the book also reports the class-balanced accuracy
(:func:`balanced_accuracy`), the mean of the per-class recalls read off the
:func:`confusion_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_ref.checks import as_generator, check_fraction, check_padded
from lstm_ref.data import CharVocab, Seed, Split
from lstm_ref.torch import LSTM

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline


def encode_texts(vocab: CharVocab, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Character ids of several strings, zero-padded at the end to the longest.

    Parameters
    ----------
    vocab : CharVocab
    texts : sequence of str, length N
        Non-empty strings.

    Returns
    -------
    ids : np.ndarray, int64, shape (N, T)
        ``ids[k, :lengths[k]] = vocab.encode(texts[k])``; 0 after the end
        (never read by a model that packs its input).
    lengths : np.ndarray, int64, shape (N,)
        ``len(texts[k])``; ``T = lengths.max()``.
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence) or not texts:
        raise TypeError(
            f"texts: expected a non-empty sequence of strings, got {type(texts).__name__}"
            + (" of length 0" if isinstance(texts, Sequence) and not texts else "")
        )
    encoded = [vocab.encode(text) for text in texts]
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    if lengths.min() == 0:
        raise ValueError(f"texts: expected non-empty strings, got '' at index {lengths.argmin()}")
    ids = np.zeros((len(texts), int(lengths.max())), dtype=np.int64)
    for row, e in enumerate(encoded):
        ids[row, : len(e)] = e
    return ids, lengths


class SequenceClassifier(nn.Module):
    r"""A recurrent classifier: read the whole sequence, score the classes from the last state.

    .. math::
        e_t = E_{x_t,:} \;\text{(ids)} \quad\text{or}\quad e_t = x_t \;\text{(features)}, \qquad
        h_t, c_t = \mathrm{LSTM}(e_t, h_{t-1}, c_{t-1}), \;\; t = 1, \dots, L, \qquad
        s = W h_L + b

    where :math:`L` is each sequence's own length: the batch is packed, so the
    state :math:`h_L` is taken after the sequence's last real element, never
    after padding. Bidirectional: :math:`s = W [\overrightarrow{h}_L;
    \overleftarrow{h}_1] + b`, the backward direction having started at step
    :math:`L`. Train it with cross-entropy on the scores :math:`s \in
    \mathbb{R}^C`.

    Parameters
    ----------
    input_size : int
        Features per step: the embedding size with ``num_embeddings``, else ``D``.
    hidden_size : int
        ``H``.
    num_classes : int
        ``C``.
    num_embeddings : int, optional
        Vocabulary size: inputs are integer ids, looked up in an embedding
        :math:`E` of shape ``(num_embeddings, input_size)``.
    rnn : class or callable
        Built as ``rnn(input_size, hidden_size, num_layers=num_layers,
        batch_first=True, bidirectional=bidirectional)``; the book's own
        :class:`lstm_ref.torch.LSTM` by default (``torch.nn.LSTM`` or
        ``torch.nn.GRU`` fit too).
    num_layers : int
    bidirectional : bool
    dropout : float
        Dropout on the final state before the read-out (training only).

    Shape
    -----
    ``forward(x, lengths=None)``: ``x`` int ``(N, T)`` with ``num_embeddings``,
    else float ``(N, T, input_size)``; ``lengths (N,)`` ints in ``[1, T]``
    (default: all ``T``). Returns scores ``(N, num_classes)``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        *,
        num_embeddings: int | None = None,
        rnn: Callable[..., nn.Module] = LSTM,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.embedding = (
            None if num_embeddings is None else nn.Embedding(num_embeddings, input_size)
        )
        self.rnn = rnn(
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
        )
        self.directions = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(self.directions * hidden_size, num_classes)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Class scores ``(N, num_classes)``; see the class docstring for shapes."""
        expected = 2 if self.embedding is not None else 3
        if x.dim() != expected:
            shape = "(N, T) of ids" if expected == 2 else "(N, T, D)"
            raise ValueError(f"x: expected shape {shape}, got {tuple(x.shape)}")
        steps = x.shape[1]
        if lengths is None:
            lengths = torch.full((x.shape[0],), steps, dtype=torch.int64)
        lengths = lengths.cpu()  # pack_padded_sequence wants them on the CPU
        if bool((lengths < 1).any()) or bool((lengths > steps).any()):
            raise ValueError(f"lengths: expected values in [1, {steps}], got {lengths.tolist()}")
        inputs = self.embedding(x) if self.embedding is not None else x
        packed = pack_padded_sequence(inputs, lengths, batch_first=True, enforce_sorted=False)
        state = self.rnn(packed)[1]
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n); GRU: h_n
        # h_n (num_layers * directions, N, H): the last layer's directions, in the
        # batch's own order, each after its sequence's last real step.
        final = torch.cat(list(h_n[-self.directions :]), dim=1)
        return self.linear(self.dropout(final))


def ngram_classifier(
    model: Literal["naive_bayes", "logistic"] = "logistic",
    *,
    ngram_range: tuple[int, int] = (1, 3),
    alpha: float = 0.1,
    C: float = 5.0,
) -> Pipeline:
    r"""The baseline: counts of character n-grams, then naive Bayes or logistic regression.

    Each string becomes the counts :math:`n_g` of its character n-grams
    :math:`g` (lengths ``ngram_range``, with a space marking each end, so
    ``"ski "`` is a suffix), then

    * ``"naive_bayes"``: :math:`\log p(c \mid x) = \log \pi_c + \sum_g n_g
      \log \theta_{cg} + \text{const}`, :math:`\theta_{cg}` smoothed by ``alpha``;
    * ``"logistic"``: :math:`p(c \mid x) = \mathrm{softmax}_c(w_c^\top n + b_c)`,
      L2-regularised with inverse strength ``C``.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted; ``fit(texts, labels)``, ``predict(texts)``,
        ``predict_proba(texts)`` take lists of strings.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    classifiers = {
        "naive_bayes": lambda: MultinomialNB(alpha=alpha),
        "logistic": lambda: LogisticRegression(C=C, max_iter=2000),
    }
    if model not in classifiers:
        raise ValueError(f"model: expected 'naive_bayes' or 'logistic', got {model!r}")
    lo, hi = ngram_range
    if not 1 <= lo <= hi:
        raise ValueError(f"ngram_range: expected (lo, hi) with 1 <= lo <= hi, got {ngram_range}")
    counts = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False)
    return make_pipeline(counts, classifiers[model]())


def _labels(name: str, values: np.ndarray | Sequence[int]) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"{name}: expected a 1-D array of class ids, got {array.dtype} {array.shape}"
        )
    if array.size and array.min() < 0:
        raise ValueError(f"{name}: expected class ids >= 0, got {array.min()}")
    return array.astype(np.int64)


def confusion_matrix(
    y_true: np.ndarray | Sequence[int],
    y_pred: np.ndarray | Sequence[int],
    num_classes: int | None = None,
) -> np.ndarray:
    r"""Counts of (true class, predicted class) pairs.

    .. math:: M_{ij} = \#\{k : y_k = i,\ \hat y_k = j\}

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
        Class ids in ``[0, num_classes)``.
    num_classes : int, optional
        ``C``; default one more than the largest id seen.

    Returns
    -------
    np.ndarray, int64, shape (C, C)
        Rows are true classes, columns predictions; the diagonal is correct.
    """
    true, pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if true.shape != pred.shape:
        raise ValueError(f"y_pred: expected the shape of y_true {true.shape}, got {pred.shape}")
    seen = int(max(true.max(initial=-1), pred.max(initial=-1))) + 1
    classes = seen if num_classes is None else num_classes
    if classes < seen:
        raise ValueError(f"num_classes: expected at least {seen} (the ids seen), got {classes}")
    return np.bincount(true * classes + pred, minlength=classes * classes).reshape(classes, classes)


def balanced_accuracy(
    y_true: np.ndarray | Sequence[int],
    y_pred: np.ndarray | Sequence[int],
    num_classes: int | None = None,
) -> float:
    r"""The mean over classes of the fraction of each class predicted correctly.

    .. math:: \text{balanced accuracy} = \frac{1}{|\mathcal C|} \sum_{i \in \mathcal C}
        \frac{M_{ii}}{\sum_j M_{ij}}

    over the classes :math:`\mathcal C` that occur in ``y_true`` (``M`` is the
    :func:`confusion_matrix`). Always guessing one class scores
    :math:`1/|\mathcal C|` however big that class is, while plain accuracy
    scores its share of the data.
    """
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    support = matrix.sum(axis=1)
    present = support > 0
    if not present.any():
        raise ValueError("y_true: expected at least one label, got none")
    return float(np.mean(np.diag(matrix)[present] / support[present]))


def stratified_split(labels: np.ndarray, *, val: float, test: float, seed: Seed = 0) -> Split:
    """Shuffle each class on its own and cut it into train, validation and test.

    Every class gets ``round(val * n_c)`` validation and ``round(test * n_c)``
    test rows (``n_c`` its size), so the three parts have the same class mix.

    Parameters
    ----------
    labels : np.ndarray, int, shape (N,)
    val, test : float
        Fractions in ``[0, 1)`` with ``val + test < 1``.
    seed : int, Generator or None

    Returns
    -------
    Split
        ``(train, val, test)``: sorted int64 row indices into ``labels``.
    """
    labels = _labels("labels", labels)
    val, test = check_fraction("val", val), check_fraction("test", test)
    if val + test >= 1.0:
        raise ValueError(f"val, test: expected val + test < 1, got {val} + {test}")
    rng = as_generator(seed)
    parts: tuple[list[np.ndarray], ...] = ([], [], [])
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        n_val, n_test = round(val * len(rows)), round(test * len(rows))
        cuts = np.split(rows, [n_val, n_val + n_test])
        for part, rows_of_part in zip(parts, (cuts[2], cuts[0], cuts[1]), strict=True):
            part.append(rows_of_part)
    return Split(*(np.sort(np.concatenate(part)) for part in parts))


def summary_features(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    r"""Order-free features of variable-length series: mean and standard deviation per feature.

    .. math:: \mu_d = \frac1L \sum_{t=1}^{L} x_{td}, \qquad
        \sigma_d = \Big(\frac1L \sum_{t=1}^{L} (x_{td} - \mu_d)^2\Big)^{1/2}

    over each series' own ``L`` steps: what a linear model sees when it is
    given no order at all (the baseline for real-valued sequences).

    Parameters
    ----------
    x : np.ndarray, shape (N, T, D)
        Padded series.
    lengths : np.ndarray, int, shape (N,)
        Valid steps of each, in ``[1, T]``.

    Returns
    -------
    np.ndarray, float64, shape (N, 2 * D)
        ``[mu_1 .. mu_D, sigma_1 .. sigma_D]`` per series.
    """
    values, steps = check_padded(x, lengths)
    valid = (np.arange(values.shape[1])[None, :] < steps[:, None])[..., None]
    count = steps[:, None].astype(np.float64)
    mean = (values * valid).sum(axis=1) / count
    var = (((values - mean[:, None, :]) * valid) ** 2).sum(axis=1) / count
    return np.concatenate([mean, np.sqrt(var)], axis=1)
