"""The embedded Reber grammar: only grammatical strings, and a checker that rejects the rest."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_ref.data import (
    PAD_TARGET,
    REBER_SYMBOLS,
    decode_reber,
    embedded_reber,
    encode_reber,
    is_reber,
    reber_all_legal,
    reber_baseline_success,
    reber_legal_next,
    reber_solved,
    reber_strings,
)


def _reber_regex() -> re.Pattern[str]:
    """The Reber grammar as a regular expression, solved by hand from the diagram.

    From state 3: T* V reaches 5; from 5, P reaches 4 or V ends; from 4, X goes
    back to 3 or S ends. The loop 3 -> 5 -> 4 -> 3 reads T*VPX, so from 3 the
    rest is (T*VPX)* T*V (V | PS) E.
    """
    from3 = r"(?:T*VPX)*T*V(?:V|PS)E"
    from2 = rf"S*X(?:X{from3}|SE)"
    return re.compile(rf"^B(?:T{from2}|P{from3})$")


PLAIN = _reber_regex()
EMBEDDED = re.compile(rf"^B(?:T{PLAIN.pattern[1:-1]}TE|P{PLAIN.pattern[1:-1]}PE)$")


def test_strings_are_grammatical() -> None:
    strings = reber_strings(500, seed=0)
    assert all(EMBEDDED.match(s) for s in strings)
    assert all(is_reber(s) for s in strings)
    plain = reber_strings(500, embedded=False, seed=0)
    assert all(PLAIN.match(s) and is_reber(s, embedded=False) for s in plain)
    # Both outer symbols, and inner strings of many lengths, occur.
    assert {s[1] for s in strings} == {"T", "P"}
    assert len({len(s) for s in strings}) > 5


def test_seeding() -> None:
    assert reber_strings(20, seed=5) == reber_strings(20, seed=5)
    assert reber_strings(20, seed=5) != reber_strings(20, seed=6)


@given(st.text(alphabet="BTPSXVE", min_size=1, max_size=14))
def test_is_reber_matches_the_regular_expression(s: str) -> None:
    assert is_reber(s) == bool(EMBEDDED.match(s))
    assert is_reber(s, embedded=False) == bool(PLAIN.match(s))


@pytest.mark.parametrize(
    "bad", ["BTBTXSEPE", "BTBTXSET", "BTBTXSETEE", "BTBTXXE", "TBTXSE", "", "BTBTXSETE!"]
)
def test_ungrammatical_strings_are_rejected(bad: str) -> None:
    assert not is_reber(bad)
    with pytest.raises(ValueError, match="string"):
        reber_legal_next(bad)


def test_legal_next_sets() -> None:
    sets = reber_legal_next("BTBPVVETE")
    assert [sorted(s) for s in sets] == [
        ["P", "T"],
        ["B"],
        ["P", "T"],
        ["T", "V"],
        ["P", "V"],
        ["E"],
        ["T"],
        ["E"],
        [],
    ]


def test_encoding_round_trip() -> None:
    strings = ["BTBPVVETE", "BPBTSXSEPE"]
    x, y, lengths = encode_reber(strings)
    assert x.shape == (2, 9, 7) and y.shape == (2, 9)
    assert lengths.tolist() == [8, 9]
    assert decode_reber(x, lengths) == [s[:-1] for s in strings]
    assert "".join(REBER_SYMBOLS[i] for i in y[1]) == strings[1][1:]
    assert y[0, 8] == PAD_TARGET and not x[0, 8].any()


def _perfect_scores(strings: list[str], T: int) -> np.ndarray:
    """Scores of 1 on every legal successor, 0 elsewhere: what a perfect network outputs."""
    scores = np.zeros((len(strings), T, 7))
    for row, s in enumerate(strings):
        for t, legal in enumerate(reber_legal_next(s)[:-1]):
            for sym in legal:
                scores[row, t, REBER_SYMBOLS.index(sym)] = 1.0
    return scores


def test_checker_accepts_the_truth_and_a_perfect_predictor() -> None:
    strings = reber_strings(200, seed=1)
    x, y, lengths = encode_reber(strings)
    assert reber_all_legal(y, x, lengths).all()  # the actual next symbol is always legal
    scores = _perfect_scores(strings, x.shape[1])
    assert reber_solved(scores, x, lengths)


def test_checker_rejects_a_network_that_forgets_the_outer_symbol() -> None:
    strings = reber_strings(400, seed=2)
    x, y, lengths = encode_reber(strings)
    guess = y.copy()
    # Knows the inner grammar, but always says T after the inner string's E.
    rows = np.arange(len(strings))
    guess[rows, lengths - 2] = REBER_SYMBOLS.index("T")
    ok = reber_all_legal(guess, x, lengths)
    assert ok.mean() == pytest.approx(reber_baseline_success(), abs=0.08)
    assert not reber_solved(guess, x, lengths)
    np.testing.assert_array_equal(ok, [s[1] == "T" for s in strings])


def test_checker_rejects_a_single_illegal_prediction() -> None:
    strings = ["BTBTXSETE"]
    x, y, lengths = encode_reber(strings)
    scores = _perfect_scores(strings, x.shape[1])
    assert reber_solved(scores, x, lengths)
    bad = y.copy()
    bad[0, 3] = REBER_SYMBOLS.index("E")  # after "BTBT" only S or X may follow
    assert not reber_solved(bad, x, lengths)
    scores[0, 3, REBER_SYMBOLS.index("E")] = 2.0  # an illegal symbol among the top 2
    assert not reber_solved(scores, x, lengths)
    # Padding steps are never checked.
    x2, y2, l2 = encode_reber(["BTBTXSETE", "BTBTSXSETE"])
    pred = y2.copy()
    pred[0, -1] = 0
    assert reber_solved(pred, x2, l2)


def test_checker_errors() -> None:
    x, y, lengths = embedded_reber(3, seed=0)
    with pytest.raises(ValueError, match="pred"):
        reber_all_legal(y[:, :-1], x, lengths)
    with pytest.raises(ValueError, match="x"):
        reber_all_legal(y, x, lengths, embedded=False)  # embedded strings are not plain ones
    with pytest.raises(ValueError, match="strings"):
        encode_reber(["BTA"])
