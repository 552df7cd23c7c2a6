"""The character language model: TBPTT batches, training, bits, sampling, gate traces."""

from __future__ import annotations

import platform

import numpy as np
import pytest
import torch

from lstm_ref.apps.charlm import (
    STDLIB_LM,
    CharLM,
    build_char_lm,
    char_bits,
    gate_trace,
    sample,
    stdlib_corpus,
    tbptt_batches,
    train_char_lm,
    train_stdlib_lm,
)
from lstm_ref.data import UNKNOWN, CharVocab


def test_tbptt_batches_continue_each_track() -> None:
    ids = np.arange(101)
    batches = tbptt_batches(ids, batch_size=4, seq_len=5)
    x0, y0 = next(batches)
    x1, _ = next(batches)
    assert x0.shape == y0.shape == (4, 5) and x0.dtype == torch.int64
    # Tracks of 25: row b starts at 25 b; targets are the next characters.
    assert x0[:, 0].tolist() == [0, 25, 50, 75]
    assert torch.equal(y0, x0 + 1)
    assert torch.equal(x1[:, 0], x0[:, -1] + 1)  # batch j+1 continues batch j
    for _ in range(3):
        last, _ = next(batches)
    assert last[0, -1].item() == 24
    again, _ = next(batches)  # a new epoch
    assert torch.equal(again, x0)
    with pytest.raises(ValueError, match="ids"):
        next(tbptt_batches(np.arange(10), batch_size=4, seq_len=5))


def test_char_bits_carries_state_like_one_pass() -> None:
    torch.manual_seed(0)
    model = CharLM(7, 16, embedding_size=4)
    ids = np.random.default_rng(0).integers(0, 7, 301)
    bits = char_bits(model, ids, tracks=1, chunk=37)  # state carried across chunks
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(ids[:-1])[None])
        target = torch.from_numpy(ids[1:])
        ref = torch.nn.functional.cross_entropy(logits[0], target, reduction="none")
    assert bits.shape == (300,)
    np.testing.assert_allclose(bits, ref.numpy() / np.log(2), rtol=1e-5)
    # Several tracks differ only where a track starts from a zero state.
    split = char_bits(model, ids, tracks=3, chunk=37)
    assert split.shape == (300,)
    np.testing.assert_allclose(split[:100], bits[:100], rtol=1e-5)
    assert not np.allclose(split[100:110], bits[100:110])


def test_training_learns_a_repeating_text() -> None:
    vocab = CharVocab.from_text("abcd\n")
    ids = vocab.encode("abcabd\n" * 200)
    torch.manual_seed(0)
    model = CharLM(len(vocab), 32, embedding_size=8)
    before = char_bits(model, ids).mean()
    history = train_char_lm(
        model,
        ids,
        steps=120,
        batch_size=8,
        seq_len=20,
        lr=1e-2,
        final_lr=1e-3,
        val_ids=ids[:300],
        eval_every=60,
        vocab=vocab,
        prime="ab",
        progress=False,
    )
    assert history.eval_step == [60, 120] and len(history.train_loss) == 120
    after = char_bits(model, ids).mean()
    # After "abc" or "abd" the next character is certain; after "ab" it is one bit.
    assert before > 2.0 and after < 0.4
    assert history.val_loss[-1] == pytest.approx(char_bits(model, ids[:300]).mean())
    text = sample(model, vocab, "abcabd\n", 21, temperature=0.5, seed=1)
    assert len(text) == 21 and text.count("\n") == 3


def test_training_is_reproducible() -> None:
    ids = np.random.default_rng(0).integers(0, 5, 2000)
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        model = CharLM(5, 8, embedding_size=4)
        runs.append(train_char_lm(model, ids, steps=5, batch_size=4, seq_len=10, progress=False))
    assert runs[0] == runs[1] and runs[0].eval_step == [] and runs[0].stop_reason == "steps"
    # Recorded in bits per character: the first batch's cross-entropy over ln 2.
    torch.manual_seed(3)
    model = CharLM(5, 8, embedding_size=4)
    x, y = next(tbptt_batches(ids, batch_size=4, seq_len=10))
    with torch.no_grad():
        nats = torch.nn.functional.cross_entropy(model(x)[0].reshape(-1, 5), y.reshape(-1))
    assert runs[0].train_loss[0] == nats.item() / np.log(2)


def test_sample_temperature_sharpens() -> None:
    torch.manual_seed(0)
    vocab = CharVocab("abcdefgh", unknown=False)
    model = CharLM(len(vocab), 16, embedding_size=4)
    cold = sample(model, vocab, "a", 200, temperature=0.05, seed=0)
    hot = sample(model, vocab, "a", 200, temperature=5.0, seed=0)
    assert len(set(hot)) > len(set(cold))
    assert sample(model, vocab, "a", 30, seed=4) == sample(model, vocab, "a", 30, seed=4)
    with pytest.raises(ValueError, match="temperature"):
        sample(model, vocab, "a", 5, temperature=0.0)
    with pytest.raises(ValueError, match="prime"):
        sample(model, vocab, "", 5)


def test_gate_trace_matches_the_layer() -> None:
    torch.manual_seed(0)
    model = CharLM(6, 12, embedding_size=5)
    ids = np.random.default_rng(1).integers(0, 6, 40)
    trace = gate_trace(model, ids)
    with torch.no_grad():
        h, (_, c_n) = model.lstm(model.embedding(torch.from_numpy(ids))[None])
    assert all(a.shape == (40, 12) for a in trace)
    np.testing.assert_allclose(trace.h, h[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(trace.c[-1], c_n[0, 0].numpy(), atol=1e-6)
    np.testing.assert_allclose(trace.h, trace.o * np.tanh(trace.c), atol=1e-6)
    assert 0 < trace.f.min() and trace.f.max() < 1


def test_errors() -> None:
    with pytest.raises(ValueError, match="hidden_size"):
        CharLM(5, 0)
    model = CharLM(5, 4)
    with pytest.raises(ValueError, match="ids"):
        model(torch.zeros(3, dtype=torch.int64))
    with pytest.raises(ValueError, match="steps"):
        train_char_lm(model, np.zeros(100, dtype=np.int64), steps=0)
    with pytest.raises(TypeError, match="steps: expected an int, got float"):
        train_char_lm(model, np.zeros(100, dtype=np.int64), steps=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="eval_every: expected an int >= 0"):
        train_char_lm(model, np.zeros(100, dtype=np.int64), steps=1, eval_every=-1)
    with pytest.raises(ValueError, match="final_lr"):
        train_char_lm(model, np.zeros(100, dtype=np.int64), steps=1, final_lr=1.0)
    with pytest.raises(ValueError, match="ids"):
        char_bits(model, np.zeros(1, dtype=np.int64))
    with pytest.raises(ValueError, match="tracks: expected an int >= 1, got 0"):
        char_bits(model, np.zeros(10, dtype=np.int64), tracks=0)


def test_stdlib_model_helpers() -> None:
    config = {**STDLIB_LM, "max_chars": 30_000, "hidden_size": 8, "embedding_size": 4, "steps": 4}
    source, vocab = stdlib_corpus(config)
    assert 30_000 <= len(source.train) and vocab.chars[0] == UNKNOWN
    assert STDLIB_LM["python"] == platform.python_version()
    quiet, shown = build_char_lm(config, len(vocab)), build_char_lm(config, len(vocab))
    assert all(
        torch.equal(a, b) for a, b in zip(quiet.parameters(), shown.parameters(), strict=True)
    )
    train_stdlib_lm(quiet, source, vocab, config, progress=False)
    history = train_stdlib_lm(
        shown,
        source,
        vocab,
        config,
        val_ids=vocab.encode(source.validation[:2000]),
        eval_every=2,
        sample_length=10,
        progress=True,
    )
    assert history.eval_step == [2, 4] and history.steps == 4
    # Evaluations and samples are shown, never change the trained weights.
    assert all(
        torch.equal(a, b) for a, b in zip(quiet.parameters(), shown.parameters(), strict=True)
    )
