"""Sequence classification: the packed classifier, the n-gram baseline, the metrics, the split."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from lstm_ref.apps.classify import (
    SequenceClassifier,
    balanced_accuracy,
    confusion_matrix,
    encode_texts,
    ngram_classifier,
    stratified_split,
    summary_features,
)
from lstm_ref.data import CharVocab
from lstm_ref.train import fit, predict


def test_encode_texts_pads_at_the_end() -> None:
    vocab = CharVocab.from_text("abc")
    ids, lengths = encode_texts(vocab, ["ab", "cabc", "a"])
    np.testing.assert_array_equal(lengths, [2, 4, 1])
    np.testing.assert_array_equal(ids, [[1, 2, 0, 0], [3, 1, 2, 3], [1, 0, 0, 0]])
    assert ids.dtype == np.int64 and lengths.dtype == np.int64


def test_encode_texts_errors() -> None:
    vocab = CharVocab.from_text("abc")
    with pytest.raises(ValueError, match="texts: expected non-empty strings, got '' at index 1"):
        encode_texts(vocab, ["a", ""])
    with pytest.raises(TypeError, match="texts: expected a non-empty sequence"):
        encode_texts(vocab, "abc")
    with pytest.raises(TypeError, match="of length 0"):
        encode_texts(vocab, [])


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("rnn", [nn.LSTM, nn.GRU, None])
def test_packed_batch_equals_each_sequence_alone(
    bidirectional: bool, rnn: type[nn.Module] | None
) -> None:
    # Padding never leaks in: a sequence scores the same in a padded batch as on its own.
    torch.manual_seed(0)
    kwargs = {} if rnn is None else {"rnn": rnn}
    model = SequenceClassifier(4, 5, 3, num_embeddings=7, bidirectional=bidirectional, **kwargs)
    ids = torch.randint(1, 7, (4, 6))
    lengths = torch.tensor([3, 6, 1, 4])
    batch = model(ids, lengths)
    assert batch.shape == (4, 3)
    for row in range(4):
        alone = model(ids[row : row + 1, : lengths[row]])
        torch.testing.assert_close(batch[row : row + 1], alone)


def test_the_books_lstm_matches_torch_nn() -> None:
    torch.manual_seed(1)
    ours = SequenceClassifier(3, 4, 2, bidirectional=True)
    theirs = SequenceClassifier(3, 4, 2, rnn=nn.LSTM, bidirectional=True)
    theirs.load_state_dict(ours.state_dict())
    x, lengths = torch.randn(5, 7, 3), torch.tensor([7, 2, 5, 1, 3])
    torch.testing.assert_close(ours(x, lengths), theirs(x, lengths))


def test_forward_errors() -> None:
    model = SequenceClassifier(4, 5, 3, num_embeddings=7)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, T\) of ids, got \(2, 3, 4\)"):
        model(torch.zeros(2, 3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"lengths: expected values in \[1, 3\], got \[0, 3\]"):
        model(torch.zeros(2, 3, dtype=torch.long), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match=r"x: expected shape \(N, T, D\)"):
        SequenceClassifier(4, 5, 3)(torch.zeros(2, 3))


def test_it_learns_a_class_set_by_the_first_character() -> None:
    # The answer is at the start, the read-out at each sequence's own end: it must remember.
    rng = np.random.default_rng(0)
    texts = ["".join(rng.choice(list("abcd"), size=rng.integers(2, 9))) for _ in range(512)]
    labels = np.array([text[0] in "ab" for text in texts], dtype=np.int64)
    vocab = CharVocab.from_text("abcd")
    ids, lengths = encode_texts(vocab, texts)
    model = SequenceClassifier(8, 16, 2, num_embeddings=len(vocab))
    fit(model, (ids, labels, lengths), loss="cross_entropy", epochs=8, lr=1e-2, progress=False)
    scores = predict(model, ids, lengths)
    assert np.mean(scores.argmax(-1) == labels) > 0.95


def test_ngram_classifier_learns_suffixes() -> None:
    train = ["kowalski", "nowicki", "zielinski", "rossini", "bellini", "puccini"]
    labels = [0, 0, 0, 1, 1, 1]
    for kind in ("naive_bayes", "logistic"):
        model = ngram_classifier(kind).fit(train, labels)  # type: ignore[arg-type]
        np.testing.assert_array_equal(model.predict(["wisniewski", "mancini"]), [0, 1])
    with pytest.raises(ValueError, match="model: expected 'naive_bayes' or 'logistic'"):
        ngram_classifier("svm")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ngram_range: expected"):
        ngram_classifier(ngram_range=(3, 1))


@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=60),
)
def test_metrics_agree_with_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    from sklearn import metrics

    true, pred = np.array(pairs).T
    with warnings.catch_warnings():  # scikit-learn warns about classes predicted but absent
        warnings.simplefilter("ignore")
        expected_matrix = metrics.confusion_matrix(true, pred, labels=range(5))
        expected = metrics.balanced_accuracy_score(true, pred)
    np.testing.assert_array_equal(confusion_matrix(true, pred, 5), expected_matrix)
    assert balanced_accuracy(true, pred, 5) == pytest.approx(expected)


def test_guessing_the_big_class() -> None:
    true = np.array([0] * 90 + [1] * 5 + [2] * 5)
    guess = np.zeros_like(true)
    assert np.mean(guess == true) == 0.9
    assert balanced_accuracy(true, guess) == pytest.approx(1 / 3)


def test_metric_errors() -> None:
    with pytest.raises(ValueError, match="y_pred: expected the shape of y_true"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="num_classes: expected at least 3"):
        confusion_matrix([0, 2], [0, 1], 2)
    with pytest.raises(ValueError, match="y_true: expected a 1-D array of class ids"):
        confusion_matrix([0.5], [0])
    with pytest.raises(ValueError, match="y_true: expected class ids >= 0"):
        balanced_accuracy([-1], [0])
    with pytest.raises(ValueError, match="y_true: expected at least one label"):
        balanced_accuracy(np.array([], dtype=int), np.array([], dtype=int))


def test_stratified_split() -> None:
    labels = np.repeat([0, 1, 2], [100, 40, 10])
    train, val, test = stratified_split(labels, val=0.1, test=0.2, seed=3)
    rows = np.concatenate([train, val, test])
    np.testing.assert_array_equal(np.sort(rows), np.arange(150))  # a partition
    np.testing.assert_array_equal(np.bincount(labels[val]), [10, 4, 1])
    np.testing.assert_array_equal(np.bincount(labels[test]), [20, 8, 2])
    again = stratified_split(labels, val=0.1, test=0.2, seed=3)
    np.testing.assert_array_equal(again.test, test)
    assert not np.array_equal(stratified_split(labels, val=0.1, test=0.2, seed=4).test, test)
    with pytest.raises(ValueError, match=r"val: expected a fraction in \[0, 1\), got 1.5"):
        stratified_split(labels, val=1.5, test=0.1)
    with pytest.raises(TypeError, match="test: expected a number, got str"):
        stratified_split(labels, val=0.1, test="0.2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"val, test: expected val \+ test < 1"):
        stratified_split(labels, val=0.5, test=0.5)


def test_summary_features() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 2))
    lengths = np.array([5, 2, 1])
    x[1, 2:] = 99.0  # padding must not count
    features = summary_features(x, lengths)
    assert features.shape == (3, 4)
    for row, length in enumerate(lengths):
        valid = x[row, :length]
        np.testing.assert_allclose(features[row], np.r_[valid.mean(0), valid.std(0)])
    with pytest.raises(ValueError, match=r"lengths: expected shape \(3,\) with values in \[1, 5\]"):
        summary_features(x, np.array([5, 0, 1]))
    with pytest.raises(ValueError, match=r"x: expected shape \(N, T, D\)"):
        summary_features(x[0], lengths)
