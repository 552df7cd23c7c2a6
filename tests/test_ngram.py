"""Interpolated Kneser-Ney: a proper distribution, Chen & Goodman's formula, errors."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref.apps.ngram import KneserNey


def _next_probs(model: KneserNey, context: list[int]) -> np.ndarray:
    V = model.vocab_size
    return np.array([model.probabilities(np.array([*context, w]))[-1] for w in range(V)])


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_probabilities_sum_to_one(order: int) -> None:
    rng = np.random.default_rng(order)
    ids = rng.integers(0, 5, 400) * (rng.random(400) < 0.7)  # skewed towards 0
    model = KneserNey(order, vocab_size=6).fit(ids)  # id 5 never occurs
    for context in ([1, 2, 3, 4], [0, 0, 0, 0], [5, 5, 5, 5], [2]):
        probs = _next_probs(model, context)
        assert probs.min() > 0
        np.testing.assert_allclose(probs.sum(), 1.0, rtol=1e-12)


def test_matches_the_formula_by_hand() -> None:
    ids = np.array([0, 1, 0, 2, 0, 1, 1, 0])
    model = KneserNey(2, vocab_size=3).fit(ids)
    # Bigrams: 01 x2, 10 x2, 02, 20, 11 -> n1 = 3, n2 = 2, D2 = 3/7.
    d2 = 3 / 7
    # Unigram continuation counts N1+(. w): 0 <- {1, 2}, 1 <- {0, 1}, 2 <- {0};
    # all of count 1 or 2 -> n1 = 1, n2 = 2, D1 = 1/5; total 5, 3 distinct.
    d1 = 1 / 5
    p1 = {w: (max(c - d1, 0) + d1 * 3 / 3) / 5 for w, c in ((0, 2), (1, 2), (2, 1))}
    # After 0: c(01) = 2, c(02) = 1, total 3, two followers.
    p_01 = (2 - d2 + d2 * 2 * p1[1]) / 3
    p = model.probabilities(np.array([0, 1]))
    np.testing.assert_allclose(p, [p_01], rtol=1e-12)
    np.testing.assert_allclose(sum(p1.values()), 1.0)
    # A context never seen (2 was followed only by 0; 2 -> 2 was never seen, but
    # context 2 was) and the first character's own unigram fallback.
    p_22 = (0 + d2 * 1 * p1[2]) / 1
    np.testing.assert_allclose(model.probabilities(np.array([2, 2])), [p_22], rtol=1e-12)


def test_higher_order_and_more_data_help_on_structured_text() -> None:
    rng = np.random.default_rng(0)
    words = [rng.integers(1, 8, rng.integers(3, 7)) for _ in range(30)]

    def text(n: int) -> np.ndarray:
        return np.concatenate([np.r_[words[k], 0] for k in rng.integers(0, 30, n)])

    train, test = text(3000), text(300)
    bpc = {n: KneserNey(n, vocab_size=8).fit(train).bits_per_char(test) for n in (1, 2, 4)}
    assert bpc[4] < bpc[2] - 0.5 < bpc[1] - 0.5
    assert bpc[1] <= np.log2(8)


def test_first_characters_use_shorter_contexts() -> None:
    ids = np.array([0, 1, 2, 3] * 30)
    p = KneserNey(5, vocab_size=4).fit(ids).probabilities(ids)
    assert p.shape == (len(ids) - 1,)
    assert (p > 0).all() and (p <= 1).all()
    # From the fifth character on the full 4-character context is known.
    assert (p[3:] > 0.99).all()
    # Before it the lower orders answer, with continuation counts that are all 1
    # here (each character has one predecessor), so they are less sure.
    assert (p[:3] < 0.99).all()


def test_errors() -> None:
    with pytest.raises(ValueError, match="order: expected an int >= 1, got 0"):
        KneserNey(0, vocab_size=3)
    with pytest.raises(TypeError, match="vocab_size: expected an int, got float"):
        KneserNey(2, vocab_size=3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="int64"):
        KneserNey(10, vocab_size=100)
    with pytest.raises(RuntimeError, match="fit"):
        KneserNey(2, vocab_size=3).probabilities(np.array([0, 1]))
    model = KneserNey(3, vocab_size=3)
    with pytest.raises(ValueError, match=r"ids: expected values in \[0, 3\), got 0..3"):
        model.fit(np.array([0, 1, 2, 3, 0]))
    with pytest.raises(ValueError, match="ids"):
        model.fit(np.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="more than order"):
        model.fit(np.array([0, 1]))
