"""Tagging: features, spans and F1, the baselines, the BiLSTM and BiLSTM-CRF taggers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_ref.apps.tagging import (
    BIO_TAGS,
    BiLSTMTagger,
    FeatureIndex,
    MostFrequentTag,
    bio_tags,
    crf_features,
    encode_tagged,
    sentence_batches,
    span_f1,
    spans,
    token_shape,
)
from lstm_ref.data import PAD_TARGET
from lstm_ref.data.treebank import Sentence
from lstm_ref.train import fit


def _sentence(words: str, tags: str, proper: str, k: int = 0) -> Sentence:
    return Sentence(f"d:{k}:S1", words.split(), tags.split(), np.array([c == "1" for c in proper]))


SENTENCES = [
    _sentence("Ali eve geldi .", "NOUN NOUN VERB PUNCT", "1000", 0),
    _sentence("Ayşe Yılmaz okula gitti .", "NOUN NOUN NOUN VERB PUNCT", "11000", 1),
    _sentence("kedi geldi .", "NOUN VERB PUNCT", "000", 2),
]
TAGS = ("NOUN", "PUNCT", "VERB")


def _gold(s: Sentence) -> tuple[list[str], list[str]]:
    return s.tags, bio_tags(s.proper)


def test_shapes_bio_spans_and_f1() -> None:
    assert [token_shape(w) for w in ("ev", "Ali", "NATO", "1998", ".", "3.")] == [0, 1, 2, 3, 4, 3]
    assert bio_tags(np.array([True, True, False, True])) == ["B", "I", "O", "B"]
    assert spans(["B", "I", "O", "B", "I", "I"]) == {(0, 2), (3, 6)}
    assert spans(["O", "I", "I", "O"]) == {(1, 3)}  # an I after O starts a span
    gold = [["B", "I", "O", "B"]]
    assert span_f1(gold, gold) == 1.0
    # One of two spans found, one wrong span predicted: P = 1/2, R = 1/2.
    assert span_f1(gold, [["B", "I", "B", "O"]]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="predicted"):
        span_f1(gold, [["O"]])


def test_most_frequent_tag_and_crf_features() -> None:
    mft = MostFrequentTag([s.words for s in SENTENCES], [s.tags for s in SENTENCES])
    assert mft.predict([["geldi", "yeni"]]) == [["VERB", "NOUN"]]
    feats = crf_features(["Ali", "geldi"])
    assert feats[0]["s2"] == "li" and feats[0]["shape"] == "Title"
    assert feats[0]["next:word"] == "geldi" and feats[0]["prev:edge"]


def test_encode_tagged_pads_and_checks_tags() -> None:
    index = FeatureIndex(SENTENCES, min_count=2)
    data = encode_tagged(SENTENCES, index, (TAGS, BIO_TAGS), _gold)
    assert data.x.shape == (3, 5, 5) and data.y.shape == (3, 5, 2)
    assert data.lengths.tolist() == [4, 5, 3]
    assert data.x[0, 0, 0] == 1  # "Ali" occurs once: unknown word
    assert data.x[0, 2, 0] > 1  # "geldi" occurs twice
    assert data.y[2, 3:].tolist() == [[PAD_TARGET, PAD_TARGET]] * 2
    assert data.y[1, :2, 1].tolist() == [1, 2]  # B, I
    with pytest.raises(ValueError, match=r"tag 'VERB' .* not in tag set 0"):
        encode_tagged(SENTENCES, index, (("NOUN", "PUNCT"), BIO_TAGS), _gold)


@pytest.mark.parametrize("crf", [False, True])
def test_taggers_learn_the_training_sentences(crf: bool) -> None:
    torch.manual_seed(0)
    index = FeatureIndex(SENTENCES, min_count=1)
    data = encode_tagged(SENTENCES, index, (TAGS, BIO_TAGS), _gold)
    model = BiLSTMTagger(index.sizes, (3, 3), hidden_size=16, embedding_size=16, crf=crf)
    fit(model, sentence_batches(data, 3), loss=model.loss, steps=80, lr=0.02, progress=False)
    pred = model.predict(data)
    assert pred.shape == data.y.shape
    np.testing.assert_array_equal(pred, data.y)  # every tag right, padding kept at -100
    with pytest.raises(ValueError, match=r"y: expected tags of shape \(N, T, 2\)"):
        model.loss(torch.zeros(1, 2, 6), torch.zeros(1, 2, dtype=torch.long))
