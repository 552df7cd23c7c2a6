"""The encoder-decoder: shapes, attention, teacher forcing, greedy and beam search, training."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from torch import nn

from lstm_ref.data import BOS_ID, EOS_ID, PAD_ID, number_translation
from lstm_ref.seq2seq import (
    Decoded,
    LuongAttention,
    Memory,
    Seq2Seq,
    beam_search,
    evaluate,
    exact_match,
    fit_seq2seq,
    greedy_decode,
    teacher_forcing_loss,
    train_step,
)
from lstm_ref.torch import LSTM

SRC_V, TGT_V = 9, 7  # 4 special tokens + a few real ones


def _model(seed: int = 0, attention: bool = True, rnn: type[nn.Module] = LSTM) -> Seq2Seq:
    torch.manual_seed(seed)
    model = Seq2Seq(SRC_V, TGT_V, embed_size=6, hidden_size=8, attention=attention, rnn=rnn)
    with torch.no_grad():  # larger output weights: peaked, seed-dependent distributions
        model.decoder.out.weight.mul_(6.0)
    return model.double()


def _batch(seed: int = 0, n: int = 5, s: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, s + 1, (n,), generator=g)
    lengths[0] = s
    src = torch.randint(4, SRC_V, (n, s), generator=g)
    src[torch.arange(s)[None, :] >= lengths[:, None]] = PAD_ID
    return src, lengths


def _sequence_logprob(
    model: Seq2Seq, src: torch.Tensor, lengths: torch.Tensor, ids: torch.Tensor
) -> torch.Tensor:
    """log p(ids | src) by teacher forcing, summed up to and including the first EOS."""
    tgt_in = torch.cat([torch.full((len(ids), 1), BOS_ID), ids[:, :-1].clamp(min=0)], 1)
    with torch.no_grad():
        logp = torch.log_softmax(model(src, lengths, tgt_in), -1)
    picked = logp.gather(2, ids.clamp(min=0)[..., None])[..., 0]
    return picked.masked_fill(ids == PAD_ID, 0.0).sum(1)


def test_shapes_and_attention_weights_sum_to_one() -> None:
    model = _model()
    src, lengths = _batch()
    memory = model.encoder(src, lengths)
    assert isinstance(memory, Memory)
    assert memory.outputs.shape == (5, 4, 8) and memory.mask.shape == (5, 4)
    assert memory.state[0].shape == (1, 5, 8) and memory.state[1].shape == (1, 5, 8)
    tgt_in = torch.randint(4, TGT_V, (5, 3))
    logits, state, weights = model.decoder(tgt_in, memory.state, memory)
    assert logits.shape == (5, 3, TGT_V) and state[0].shape == (1, 5, 8)
    assert weights is not None and weights.shape == (5, 3, 4)
    torch.testing.assert_close(weights.sum(-1), torch.ones(5, 3, dtype=torch.float64))
    # Padded source positions get no weight.
    assert torch.all(weights.masked_select(~memory.mask[:, None, :].expand_as(weights)) == 0)
    # PAD and BOS are never outputs.
    assert torch.all(torch.isneginf(logits[..., [PAD_ID, BOS_ID]]))
    assert model(src, lengths, tgt_in).shape == (5, 3, TGT_V)


def test_encoder_final_state_is_at_each_sources_own_end() -> None:
    model = _model()
    src, lengths = _batch()
    memory = model.encoder(src, lengths)
    for n in range(len(src)):
        alone = model.encoder(src[n : n + 1, : lengths[n]], lengths[n : n + 1])
        torch.testing.assert_close(alone.state[0][:, 0], memory.state[0][:, n])
        torch.testing.assert_close(alone.state[1][:, 0], memory.state[1][:, n])
        torch.testing.assert_close(alone.outputs[0], memory.outputs[n, : lengths[n]])
        assert torch.all(memory.outputs[n, lengths[n] :] == 0)


def test_attention_equations() -> None:
    torch.manual_seed(1)
    attention = LuongAttention(3).double()
    query, keys = (
        torch.randn(2, 1, 3, dtype=torch.float64),
        torch.randn(2, 4, 3, dtype=torch.float64),
    )
    mask = torch.tensor([[True] * 4, [True, True, False, False]])
    h_tilde, weights = attention(query, Memory(keys, mask, (keys, keys)))
    W_a, W_c = attention.W_a.weight, attention.W_c.weight
    for n in range(2):
        valid = keys[n][mask[n]]
        a = torch.softmax(valid @ W_a.T @ query[n, 0], 0)  # score = h_t^T W_a h_s
        c = a @ valid
        torch.testing.assert_close(weights[n, 0, : len(a)], a)
        torch.testing.assert_close(h_tilde[n, 0], torch.tanh(W_c @ torch.cat([c, query[n, 0]])))


def test_teacher_forcing_loss_ignores_padding() -> None:
    model = _model()
    src, lengths = _batch()
    tgt = torch.tensor(
        [[BOS_ID, 4, 5, EOS_ID], [BOS_ID, 6, EOS_ID, PAD_ID]] * 2
        + [[BOS_ID, EOS_ID, PAD_ID, PAD_ID]]
    )
    loss = teacher_forcing_loss(model, src, lengths, tgt)
    ids = tgt[:, 1:]
    total = -_sequence_logprob(model, src, lengths, ids).sum()
    torch.testing.assert_close(loss.detach(), total / (ids != PAD_ID).sum())
    with pytest.raises(ValueError, match="tgt"):
        teacher_forcing_loss(model, src, lengths, tgt[:, :1])


def test_greedy_scores_are_the_models_log_probabilities() -> None:
    model = _model(attention=True)
    src, lengths = _batch(1)
    out = greedy_decode(model, src, lengths, max_len=6)
    assert isinstance(out, Decoded) and out.ids.shape[0] == 5 and out.ids.shape[1] <= 6
    torch.testing.assert_close(out.scores, _sequence_logprob(model, src, lengths, out.ids))
    assert out.weights is not None and out.weights.shape == (*out.ids.shape, src.shape[1])
    for row in out.ids.tolist():  # PAD only after EOS
        if EOS_ID in row:
            assert all(i == PAD_ID for i in row[row.index(EOS_ID) + 1 :])
        assert BOS_ID not in row


@pytest.mark.parametrize("attention", [False, True])
def test_beam_of_width_one_is_greedy(attention: bool) -> None:
    model = _model(2, attention=attention)
    src, lengths = _batch(2, n=8)
    greedy = greedy_decode(model, src, lengths, max_len=7)
    beam = beam_search(model, src, lengths, beam_size=1, max_len=7)
    assert torch.equal(beam.ids, greedy.ids)
    torch.testing.assert_close(beam.scores, greedy.scores)
    if attention:
        assert beam.weights is not None and greedy.weights is not None
        torch.testing.assert_close(beam.weights, greedy.weights)
    else:
        assert beam.weights is None and greedy.weights is None


def test_wide_beam_is_exact_search() -> None:
    """With a beam as wide as every prefix, beam search finds the most likely output."""
    model = _model(3)
    src, lengths = _batch(3, n=3)
    max_len = 3
    outputs = [EOS_ID, *range(3, TGT_V)]  # every token the decoder may emit (UNK included)
    candidates = [
        seq
        for n in range(1, max_len + 1)
        for seq in itertools.product(outputs, repeat=n)
        if EOS_ID not in seq[:-1] and (seq[-1] == EOS_ID or n == max_len)
    ]
    ids = torch.tensor([list(c) + [PAD_ID] * (max_len - len(c)) for c in candidates])
    beam = beam_search(model, src, lengths, beam_size=len(outputs) ** max_len, max_len=max_len)
    for n in range(len(src)):
        rows = slice(n, n + 1)
        scores = _sequence_logprob(
            model, src[rows].expand(len(ids), -1), lengths[rows].expand(len(ids)), ids
        )
        best = int(scores.argmax())
        assert beam.ids[n, :max_len].tolist() == ids[best, : beam.ids.shape[1]].tolist()
        torch.testing.assert_close(beam.scores[n], scores[best])
        greedy = greedy_decode(model, src[rows], lengths[rows], max_len=max_len)
        assert float(beam.scores[n]) >= float(greedy.scores[0]) - 1e-12


def test_beam_scores_are_the_models_log_probabilities() -> None:
    model = _model(4)
    src, lengths = _batch(4, n=6)
    out = beam_search(model, src, lengths, beam_size=3, max_len=6)
    torch.testing.assert_close(out.scores, _sequence_logprob(model, src, lengths, out.ids))


def test_decoding_errors() -> None:
    model = _model()
    src, lengths = _batch()
    with pytest.raises(ValueError, match="beam_size"):
        beam_search(model, src, lengths, beam_size=0, max_len=3)
    with pytest.raises(ValueError, match="src_lengths"):
        greedy_decode(model, src, lengths[:2], max_len=3)
    with pytest.raises(ValueError, match="src_lengths"):
        greedy_decode(model, src, lengths * 0, max_len=3)
    with pytest.raises(ValueError, match="src"):
        greedy_decode(model, src.float(), lengths, max_len=3)


def test_exact_match() -> None:
    target = np.array([[4, 5, EOS_ID, PAD_ID], [6, EOS_ID, PAD_ID, PAD_ID]])
    same = np.array([[4, 5, EOS_ID], [6, EOS_ID, PAD_ID]])
    assert exact_match(same, target) == 1.0
    assert exact_match(np.array([[4, 5, EOS_ID], [6, 6, EOS_ID]]), target) == 0.5
    assert exact_match(np.array([[4, 5, 4], [6, EOS_ID, 4]]), target) == 0.5  # no EOS: wrong
    with pytest.raises(ValueError, match="predicted"):
        exact_match(same[:1], target)


def test_training_learns_and_is_seeded() -> None:
    train, sv, tv = number_translation(range(0, 100, 2))
    test, _, _ = number_translation(range(1, 100, 20), source_vocab=sv, target_vocab=tv)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = Seq2Seq(len(sv), len(tv), embed_size=8, hidden_size=16)
        runs.append(
            fit_seq2seq(model, train, epochs=3, val=test, batch_size=10, eval_every=7, seed=1)
        )
    first, second = runs
    assert first == second
    assert first.steps == 15 and first.eval_step == [7, 14, 15]
    assert len(first.val_metrics["exact_match"]) == 3 and len(first.epoch_loss) == 3
    assert first.epoch_loss[-1] < first.epoch_loss[0]
    record = evaluate(model, test)
    assert record["exact_match"] == first.val_metrics["exact_match"][-1]
    assert math.isclose(record["val_loss"], first.val_loss[-1], rel_tol=1e-6)
    beam = evaluate(model, test, beam_size=2)
    assert beam["val_loss"] == record["val_loss"] and 0.0 <= beam["exact_match"] <= 1.0


def test_train_step_returns_loss_and_norm() -> None:
    model = _model()
    src, lengths = _batch()
    tgt = torch.tensor([[BOS_ID, 4, EOS_ID]] * 5)
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    loss, norm = train_step(model, opt, src, lengths, tgt, clip=None)
    assert loss > 0 and norm > 0
    with torch.no_grad():
        again = float(teacher_forcing_loss(model, src, lengths, tgt))
    assert math.isclose(loss, again, rel_tol=1e-12)


def test_fit_errors() -> None:
    train, sv, tv = number_translation(range(5))
    model = Seq2Seq(len(sv), len(tv), embed_size=4, hidden_size=4)
    with pytest.raises(ValueError, match="epochs"):
        fit_seq2seq(model, train, epochs=0)
    with pytest.raises(ValueError, match="eval_every"):
        fit_seq2seq(model, train, epochs=1, eval_every=0)
    with pytest.raises(TypeError, match="train"):
        fit_seq2seq(model, (train.src, train.tgt), epochs=1)  # type: ignore[arg-type]


def test_torch_nn_lstm_gives_the_same_model() -> None:
    ours, theirs = _model(5, rnn=LSTM), _model(5, rnn=nn.LSTM)
    theirs.load_state_dict(ours.state_dict())
    src, lengths = _batch(5)
    a = greedy_decode(ours, src, lengths, max_len=5)
    b = greedy_decode(theirs, src, lengths, max_len=5)
    assert torch.equal(a.ids, b.ids)
    torch.testing.assert_close(a.scores, b.scores)
