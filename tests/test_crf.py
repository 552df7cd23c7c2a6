"""The linear-chain CRF against brute-force enumeration of every tag sequence."""

from __future__ import annotations

import itertools

import pytest
import torch

from lstm_ref.torch import LinearChainCRF


def _random_crf(num_tags: int, seed: int) -> LinearChainCRF:
    torch.manual_seed(seed)
    crf = LinearChainCRF(num_tags).double()
    with torch.no_grad():
        for p in crf.parameters():
            p.normal_()
    return crf


def _all_scores(crf: LinearChainCRF, emissions: torch.Tensor, length: int) -> dict:
    K, T = crf.num_tags, emissions.shape[1]
    mask = (torch.arange(T) < length)[None]
    out = {}
    for seq in itertools.product(range(K), repeat=length):
        tags = torch.tensor([*seq] + [-100] * (T - length))[None]
        out[seq] = crf.score(emissions, tags, mask)[0]
    return out


@pytest.mark.parametrize(("num_tags", "length", "seed"), [(2, 1, 0), (3, 4, 1), (4, 3, 2)])
def test_forward_and_viterbi_equal_enumeration(num_tags: int, length: int, seed: int) -> None:
    crf = _random_crf(num_tags, seed)
    T = 5
    emissions = torch.randn(1, T, num_tags, dtype=torch.float64)
    mask = (torch.arange(T) < length)[None]
    scores = _all_scores(crf, emissions, length)
    log_z = torch.logsumexp(torch.stack(list(scores.values())), 0)
    assert crf.log_partition(emissions, mask)[0].item() == pytest.approx(log_z.item(), abs=1e-10)
    best = max(scores, key=lambda s: scores[s].item())
    tags, best_score = crf.viterbi(emissions, mask)
    assert tags[0, :length].tolist() == list(best)
    assert tags[0, length:].tolist() == [-100] * (T - length)
    assert best_score[0].item() == pytest.approx(scores[best].item(), abs=1e-10)


def test_score_by_hand_and_batch_rows_are_independent() -> None:
    crf = _random_crf(3, 3)
    e = torch.randn(2, 3, 3, dtype=torch.float64)
    tags = torch.tensor([[0, 2, 1], [1, 1, -100]])
    mask = tags != -100
    s = crf.score(e, tags, mask)
    by_hand = (
        crf.start[0]
        + e[0, 0, 0]
        + crf.transitions[0, 2]
        + e[0, 1, 2]
        + crf.transitions[2, 1]
        + e[0, 2, 1]
        + crf.end[1]
    )
    assert s[0].item() == pytest.approx(by_hand.item())
    alone = crf.log_partition(e[1:, :2], None)
    assert crf.log_partition(e, mask)[1].item() == pytest.approx(alone[0].item())


def test_nll_is_a_proper_loss_and_trains() -> None:
    crf = _random_crf(3, 4)
    e = torch.randn(4, 6, 3, dtype=torch.float64, requires_grad=True)
    tags = torch.randint(0, 3, (4, 6))
    loss = crf.nll(e, tags)
    assert loss.item() > 0  # a probability below 1
    loss.backward()
    assert crf.transitions.grad is not None and e.grad is not None
    # The gradient of log Z with respect to the emissions is the tag marginals: rows sum to 1.
    e2 = e.detach().clone().requires_grad_(True)
    crf.log_partition(e2).sum().backward()
    assert e2.grad is not None
    torch.testing.assert_close(e2.grad.sum(-1), torch.ones(4, 6, dtype=torch.float64))


def test_bad_input_is_a_clear_error() -> None:
    crf = LinearChainCRF(3)
    with pytest.raises(ValueError, match=r"emissions: expected shape \(N, T, 3\)"):
        crf.log_partition(torch.zeros(2, 4, 5))
    with pytest.raises(ValueError, match="mask: expected shape"):
        crf.log_partition(torch.zeros(2, 4, 3), torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="first token"):
        crf.viterbi(torch.zeros(1, 2, 3), torch.tensor([[False, True]]))
    with pytest.raises(ValueError, match="num_tags"):
        LinearChainCRF(0)
