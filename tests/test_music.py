"""Melody models: event vocabulary, the LSTM, the n-gram baseline, musical statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_ref.apps.music import (
    BOUNDARY,
    UNKNOWN_EVENT,
    EventVocab,
    MelodyLSTM,
    in_key_share,
    interval_histogram,
    melody_arrays,
    melody_score,
    ngram_score,
    ngram_stream,
    opening_returns,
    pitch_class_histogram,
    sample_melodies,
    total_variation,
)
from lstm_ref.apps.ngram import KneserNey
from lstm_ref.data import PAD_TARGET
from lstm_ref.data.chorales import REST, Chorale


def _chorale(pitch: list[int], duration: list[float], name: str = "c") -> Chorale:
    return Chorale(name, np.array(pitch), np.array(duration, dtype=float), 0, "major", 4)


TRAIN = [
    _chorale([60, 62, 64, 65, 67], [1, 1, 1, 1, 2]),
    _chorale([67, 65, 64, 62, 60], [1, 1, 1, 1, 2]),
    _chorale([60, 64, 67, REST, 72], [1, 1, 2, 1, 2]),
]


def test_vocab_encodes_and_decodes_events() -> None:
    vocab = EventVocab(TRAIN)
    ids = vocab.encode(TRAIN[0])
    assert ids[0] == ids[-1] == BOUNDARY and len(ids) == 7
    pitch, duration = vocab.decode(ids)
    assert pitch.tolist() == TRAIN[0].pitch.tolist()
    assert duration.tolist() == TRAIN[0].duration.tolist()
    unseen = vocab.encode(_chorale([61], [1.0]))
    assert unseen.tolist() == [BOUNDARY, UNKNOWN_EVENT, BOUNDARY]


def test_melody_arrays_shift_targets_and_pad() -> None:
    vocab = EventVocab(TRAIN)
    x, y, lengths = melody_arrays([*TRAIN[:1], _chorale([60], [1.0])], vocab)
    assert x.shape == y.shape == (2, 6) and lengths.tolist() == [6, 2]
    np.testing.assert_array_equal(x[0, 1:], y[0, :-1])  # teacher forcing: y is x shifted
    assert y[0, -1] == BOUNDARY and y[1, 2:].tolist() == [PAD_TARGET] * 4


def test_ngram_score_matches_probabilities_by_hand() -> None:
    vocab = EventVocab(TRAIN)
    for order in (1, 2, 3):
        model = KneserNey(order, len(vocab)).fit(ngram_stream(TRAIN, vocab, order))
        score = ngram_score(model, TRAIN[:1], vocab)
        ids = ngram_stream(TRAIN[:1], vocab, order)
        # Every event and the end, each from a context of its own melody only.
        probs = []
        for t in range(order - 1, len(ids)):
            dist = []
            for v in range(len(vocab)):
                trial = np.concatenate([[BOUNDARY], ids[:t], [v]])
                dist.append(model.probabilities(trial)[-1])
            assert abs(sum(dist) - 1) < 1e-9
            probs.append(dist)
        probs_arr = np.array(probs)
        truth = ids[order - 1 :]
        expected_bits = -np.mean(np.log2(probs_arr[np.arange(len(truth)), truth]))
        assert score.events == 6
        assert score.bits == pytest.approx(expected_bits)
        assert score.accuracy == pytest.approx(np.mean(probs_arr.argmax(1) == truth))


def test_lstm_learns_training_melodies_and_samples_them() -> None:
    torch.manual_seed(0)
    vocab = EventVocab(TRAIN)
    model = MelodyLSTM(len(vocab), 32, embedding_size=8)
    x, y, _ = melody_arrays(TRAIN, vocab)
    before = melody_score(model, TRAIN, vocab)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        opt.zero_grad()
        logits = model(torch.from_numpy(x))
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, len(vocab)), torch.from_numpy(y).reshape(-1)
        )
        loss.backward()
        opt.step()
    after = melody_score(model, TRAIN, vocab)
    assert after.bits < before.bits - 1 and after.events == before.events == 18
    melodies = sample_melodies(model, vocab, 4, temperature=0.5, max_events=20, seed=0)
    assert len(melodies) == 4
    known = {(int(p), float(d)) for c in TRAIN for p, d in zip(c.pitch, c.duration, strict=True)}
    for pitch, duration in melodies:
        assert {(int(p), float(d)) for p, d in zip(pitch, duration, strict=True)} <= known
    again = sample_melodies(model, vocab, 4, temperature=0.5, max_events=20, seed=0)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(melodies, again, strict=True))
    with pytest.raises(ValueError, match="temperature"):
        sample_melodies(model, vocab, 1, temperature=0.0)
    with pytest.raises(ValueError, match=r"x: expected ids of shape \(N, T\)"):
        model(torch.zeros(2, 3, 4, dtype=torch.long))


def test_musical_statistics() -> None:
    c_major = np.array([60, 62, 64, 65, 67, 69, 71, 72])
    assert in_key_share(c_major) == 1.0
    assert in_key_share(np.array([60, 61, 62, 63])) == 0.75
    hist = pitch_class_histogram([c_major, c_major + 2])  # the same tune a tone higher
    assert hist.shape == (12,) and hist.sum() == pytest.approx(1)
    assert hist[0] == pytest.approx(0.25)  # C and the transposed tune's D line up
    intervals = interval_histogram([np.array([60, 62, REST, 61, 90])], largest=12)
    assert intervals.shape == (25,)
    assert intervals[12 + 2] == intervals[12 - 1] == intervals[24] == pytest.approx(1 / 3)
    assert total_variation(hist, hist) == 0.0
    assert total_variation(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == 1.0
    tune = np.array([60, 62, 64, 62, 60, 67, 65, 60, 62, 64, 62, 60, 67, 60])
    assert opening_returns(tune, intervals=5)
    assert not opening_returns(
        np.array([60, 62, 65, 64, 69, 67, 71, 72, 74, 77, 76, 81]), intervals=5
    )
    with pytest.raises(ValueError, match="p, q"):
        total_variation(np.zeros(2), np.zeros(3))
