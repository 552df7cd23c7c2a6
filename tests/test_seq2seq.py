"""The encoder-decoder: shapes, both attention forms, teacher forcing, decoding, training."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from torch import nn

from lstm_ref.apps.seq2seq import (
    AttentionKind,
    BahdanauAttention,
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
)
from lstm_ref.data import BOS_ID, EOS_ID, PAD_ID, Translation, number_translation
from lstm_ref.torch import LSTM

SRC_V, TGT_V = 9, 7  # 4 special tokens + a few real ones
KINDS: list[AttentionKind | None] = [None, "luong", "bahdanau"]


def _model(
    seed: int = 0, attention: AttentionKind | None = "luong", rnn: type[nn.Module] = LSTM
) -> Seq2Seq:
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


@pytest.mark.parametrize("attention", ["luong", "bahdanau"])
def test_shapes_and_attention_weights_sum_to_one(attention: AttentionKind) -> None:
    model = _model(attention=attention)
    assert model.attention == attention
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


def test_additive_score_by_hand() -> None:
    torch.manual_seed(2)
    attention = BahdanauAttention(3).double()
    query = torch.randn(2, 3, dtype=torch.float64)
    outputs = torch.randn(2, 4, 3, dtype=torch.float64)
    mask = torch.tensor([[True] * 4, [True, True, True, False]])
    memory = Memory(outputs, mask, (outputs, outputs))
    context, weights = attention(query, memory)
    W_a, U_a, v_a = attention.W_a.weight, attention.U_a.weight, attention.v_a.weight[0]
    for n in range(2):
        # e(s) = v_a^T tanh(W_a h_{t-1} + U_a h_s), one source position at a time
        e = [v_a @ torch.tanh(W_a @ query[n] + U_a @ outputs[n, s]) for s in range(4)]
        valid = int(mask[n].sum())
        a = torch.softmax(torch.stack(e[:valid]), 0)
        torch.testing.assert_close(weights[n, :valid], a)
        assert torch.all(weights[n, valid:] == 0)
        torch.testing.assert_close(context[n], a @ outputs[n, :valid])
    again = attention(query, memory, attention.U_a(outputs))  # precomputed keys: the same
    torch.testing.assert_close(again[0], context)
    torch.testing.assert_close(again[1], weights)


def test_bahdanau_decoder_equations() -> None:
    """The first steps of Bahdanau's decoder, computed by hand from its weights."""
    model = _model(6, attention="bahdanau", rnn=nn.LSTM)
    src, lengths = _batch(6)
    memory = model.encoder(src, lengths)
    tgt_in = torch.tensor([[BOS_ID, 4, 5]] * len(src))
    logits, (h_T, c_T), weights = model.decoder(tgt_in, memory.state, memory)
    dec = model.decoder
    assert isinstance(dec.attention, BahdanauAttention) and weights is not None
    rnn = dec.rnn
    h, c = memory.state[0][0], memory.state[1][0]  # (N, H): start from the encoder
    for t in range(tgt_in.shape[1]):
        context, a = dec.attention(h, memory)  # from the previous state h_{t-1}
        torch.testing.assert_close(weights[:, t], a)
        y = dec.embed(tgt_in[:, t])
        x = torch.cat([y, context], 1)  # the LSTM reads [E y_{t-1}; c_t]
        gates = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0
        i, f, g, o = gates.chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        u = dec.W_o(torch.cat([h, context, y], 1))  # deep output, then maxout over pairs
        h_tilde = torch.stack([torch.maximum(u[:, j], u[:, 8 + j]) for j in range(8)], 1)
        expected = dec.out(h_tilde)
        keep = ~dec.never_output
        torch.testing.assert_close(logits[:, t][:, keep], expected[:, keep])
    torch.testing.assert_close(h_T[0], h)
    torch.testing.assert_close(c_T[0], c)


@pytest.mark.parametrize("attention", KINDS)
def test_gradients_reach_every_parameter(attention: AttentionKind | None) -> None:
    model = _model(7, attention=attention)
    src, lengths = _batch(7)
    tgt = torch.tensor([[BOS_ID, 4, 5, EOS_ID]] * len(src))
    teacher_forcing_loss(model, src, lengths, tgt).backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, name
        assert torch.isfinite(param.grad).all() and param.grad.abs().sum() > 0, name


def test_attention_errors() -> None:
    for bad in ("additive", "Luong", True, 1):
        with pytest.raises(ValueError, match="attention: expected one of"):
            Seq2Seq(SRC_V, TGT_V, attention=bad)  # type: ignore[arg-type]


def _reverse_task(n: int, seed: int, max_len: int = 6) -> Translation:
    """Sequences of 2 to ``max_len`` symbols (ids 4..9) and the same sequences reversed."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, max_len + 1, n)
    src = np.zeros((n, max_len), dtype=np.int64)
    tgt = np.zeros((n, max_len + 2), dtype=np.int64)
    for row, length in enumerate(lengths):
        symbols = rng.integers(4, 10, length)
        src[row, :length] = symbols
        tgt[row, : length + 2] = [BOS_ID, *symbols[::-1], EOS_ID]
    texts = [" ".join(map(str, row[:length])) for row, length in zip(src, lengths, strict=True)]
    return Translation(src, lengths, tgt, texts, [t[::-1] for t in texts])


def test_both_attention_forms_learn_to_reverse() -> None:
    """Reversing needs every source symbol at a far-away step: attention learns it quickly."""
    train, test = _reverse_task(600, 0), _reverse_task(200, 100)
    exact = {}
    for attention in KINDS:
        torch.manual_seed(0)
        model = Seq2Seq(10, 10, embed_size=8, hidden_size=16, attention=attention)
        fit_seq2seq(model, train, epochs=10, lr=1e-2, batch_size=30, seed=0)
        exact[attention] = evaluate(model, test)["exact_match"]
    # Seeds 0-2: no attention 0.66-0.71, Luong 0.96-0.99, Bahdanau 0.985-0.995.
    assert exact["luong"] > 0.9 and exact["bahdanau"] > 0.9, exact
    assert exact[None] < 0.8, exact


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


@pytest.mark.parametrize("attention", ["luong", "bahdanau"])
def test_greedy_scores_are_the_models_log_probabilities(attention: AttentionKind) -> None:
    model = _model(attention=attention)
    src, lengths = _batch(1)
    out = greedy_decode(model, src, lengths, max_len=6)
    assert isinstance(out, Decoded) and out.ids.shape[0] == 5 and out.ids.shape[1] <= 6
    torch.testing.assert_close(out.scores, _sequence_logprob(model, src, lengths, out.ids))
    assert out.weights is not None and out.weights.shape == (*out.ids.shape, src.shape[1])
    for row in out.ids.tolist():  # PAD only after EOS
        if EOS_ID in row:
            assert all(i == PAD_ID for i in row[row.index(EOS_ID) + 1 :])
        assert BOS_ID not in row


@pytest.mark.parametrize("attention", KINDS)
def test_beam_of_width_one_is_greedy(attention: AttentionKind | None) -> None:
    model = _model(2, attention=attention)
    src, lengths = _batch(2, n=8)
    greedy = greedy_decode(model, src, lengths, max_len=7)
    beam = beam_search(model, src, lengths, beam_size=1, max_len=7)
    assert torch.equal(beam.ids, greedy.ids)
    torch.testing.assert_close(beam.scores, greedy.scores)
    if attention is not None:
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


@pytest.mark.parametrize("attention", ["luong", "bahdanau"])
def test_beam_scores_are_the_models_log_probabilities(attention: AttentionKind) -> None:
    model = _model(4, attention=attention)
    src, lengths = _batch(4, n=6)
    out = beam_search(model, src, lengths, beam_size=3, max_len=6)
    torch.testing.assert_close(out.scores, _sequence_logprob(model, src, lengths, out.ids))


def test_decoding_errors() -> None:
    model = _model()
    src, lengths = _batch()
    with pytest.raises(ValueError, match="beam_size: expected an int >= 1, got 0"):
        beam_search(model, src, lengths, beam_size=0, max_len=3)
    with pytest.raises(TypeError, match="beam_size: expected an int, got float"):
        beam_search(model, src, lengths, beam_size=2.0, max_len=3)  # type: ignore[arg-type]
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


def test_one_step_records_the_teacher_forced_loss() -> None:
    """One batch of the whole set and a zero learning rate: the step's loss is the set's loss."""
    train, sv, tv = number_translation(range(8))
    torch.manual_seed(0)
    model = Seq2Seq(len(sv), len(tv), embed_size=4, hidden_size=4).double()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    history = fit_seq2seq(model, train, epochs=1, lr=0.0, batch_size=len(train.src))
    assert history.steps == 1 and history.epoch_loss == history.train_loss
    assert history.grad_norm[0] > 0 and history.eval_step == []
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    src, lengths, tgt = (torch.as_tensor(a) for a in (train.src, train.src_lengths, train.tgt))
    with torch.no_grad():
        again = float(teacher_forcing_loss(model, src, lengths, tgt))
    assert math.isclose(history.train_loss[0], again, rel_tol=1e-12)


def test_fit_errors() -> None:
    train, sv, tv = number_translation(range(5))
    model = Seq2Seq(len(sv), len(tv), embed_size=4, hidden_size=4)
    with pytest.raises(ValueError, match="epochs"):
        fit_seq2seq(model, train, epochs=0)
    with pytest.raises(TypeError, match="epochs: expected an int, got float"):
        fit_seq2seq(model, train, epochs=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_size"):
        fit_seq2seq(model, train, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="eval_every"):
        fit_seq2seq(model, train, epochs=1, eval_every=0)
    with pytest.raises(TypeError, match="train"):
        fit_seq2seq(model, (train.src, train.tgt), epochs=1)  # type: ignore[arg-type]


@pytest.mark.parametrize("attention", ["luong", "bahdanau"])
def test_torch_nn_lstm_gives_the_same_model(attention: AttentionKind) -> None:
    ours, theirs = _model(5, attention, rnn=LSTM), _model(5, attention, rnn=nn.LSTM)
    theirs.load_state_dict(ours.state_dict())
    src, lengths = _batch(5)
    a = greedy_decode(ours, src, lengths, max_len=5)
    b = greedy_decode(theirs, src, lengths, max_len=5)
    assert torch.equal(a.ids, b.ids)
    torch.testing.assert_close(a.scores, b.scores)
