"""The (embedded) Reber grammar: next-symbol prediction (Hochreiter & Schmidhuber 1997, exp. 1).

The Reber grammar is a small automaton over seven symbols; every state has
two exits, taken with probability 1/2::

    start -B-> 1    1 -T-> 2    2 -S-> 2    3 -T-> 3    4 -X-> 3    5 -P-> 4    6 -E-> end
                    1 -P-> 3    2 -X-> 4    3 -V-> 5    4 -S-> 6    5 -V-> 6

The *embedded* grammar wraps a Reber string as ``B T <reber> T E`` or
``B P <reber> P E``: the symbol after the inner string's final E is legal only
if it repeats the second symbol, which the network must carry across the whole
inner string. A network that learns the inner grammar but not this long lag
predicts that symbol right only half of the time (:func:`reber_baseline_success`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from lstm_ref.checks import Seed, as_generator, check_padded, check_positive_int

from ._common import PAD_TARGET, Task, one_hot

#: The seven symbols, in the order of the one-hot axis.
REBER_SYMBOLS = "BTPSXVE"

# state -> ((symbol, next state), (symbol, next state)); state 6 only ends with E.
_REBER: dict[int, tuple[tuple[str, int], ...]] = {
    0: (("B", 1),),
    1: (("T", 2), ("P", 3)),
    2: (("S", 2), ("X", 4)),
    3: (("T", 3), ("V", 5)),
    4: (("X", 3), ("S", 6)),
    5: (("P", 4), ("V", 6)),
    6: (("E", -1),),
}


def _reber_string(rng: np.random.Generator) -> str:
    out, state = [], 0
    while state != -1:
        exits = _REBER[state]
        symbol, state = exits[int(rng.integers(len(exits)))]
        out.append(symbol)
    return "".join(out)


def reber_strings(n: int, *, embedded: bool = True, seed: Seed = None) -> list[str]:
    """Draw ``n`` strings of the (embedded) Reber grammar, e.g. ``"BTBPVVETE"``."""
    n = check_positive_int("n", n)
    rng = as_generator(seed)
    if not embedded:
        return [_reber_string(rng) for _ in range(n)]
    outer = rng.integers(0, 2, size=n)
    return [f"B{'TP'[o]}{_reber_string(rng)}{'TP'[o]}E" for o in outer]


State = tuple[str, ...]


def _successors(state: State, embedded: bool) -> dict[str, State]:
    """Legal next symbols and the states they lead to.

    States of the embedded grammar: ``("start",)``, ``("outer",)`` after the
    first B, ``("inner", o, s)`` in state ``s`` of the inner automaton with
    outer symbol ``o``, ``("repeat", o)`` after the inner E, ``("last",)``
    before the final E, and ``("end",)``. The plain grammar is the inner part.
    """
    kind = state[0]
    if kind == "start":
        return {"B": ("outer",)}
    if kind == "outer":
        return {o: ("inner", o, "0") for o in "TP"}
    if kind == "inner":
        outer, inner = state[1], int(state[2])
        after_inner = ("repeat", outer) if embedded else ("end",)
        return {
            symbol: ("inner", outer, str(nxt)) if nxt != -1 else after_inner
            for symbol, nxt in _REBER[inner]
        }
    if kind == "repeat":
        return {state[1]: ("last",)}
    if kind == "last":
        return {"E": ("end",)}
    return {}


def _legal_sets(string: str, embedded: bool) -> Iterator[frozenset[str]]:
    """Yield the legal next symbols after each prefix ``string[:t+1]``.

    Stops early (fewer sets than symbols) at the first illegal symbol.
    """
    state: State = ("start",) if embedded else ("inner", "", "0")
    for symbol in string:
        successors = _successors(state, embedded)
        if symbol not in successors:
            return
        state = successors[symbol]
        yield frozenset(_successors(state, embedded))


def reber_legal_next(string: str, *, embedded: bool = True) -> list[frozenset[str]]:
    """The set of legal next symbols after each prefix of a grammatical ``string``.

    Returns
    -------
    list of frozenset of str
        ``len(string)`` sets; entry ``t`` is what may follow ``string[:t+1]``
        (the last one is empty).

    Raises
    ------
    ValueError
        If ``string`` is not a complete string of the grammar.
    """
    if not is_reber(string, embedded=embedded):
        raise ValueError(f"string: expected a complete {_name(embedded)} string, got {string!r}")
    return list(_legal_sets(string, embedded))


def is_reber(string: str, *, embedded: bool = True) -> bool:
    """Whether ``string`` is a complete string of the (embedded) Reber grammar."""
    sets = list(_legal_sets(string, embedded))
    return len(sets) == len(string) > 0 and not sets[-1]


def _name(embedded: bool) -> str:
    return "embedded Reber" if embedded else "Reber"


def encode_reber(strings: Sequence[str]) -> Task:
    """One-hot inputs and next-symbol targets for Reber strings.

    Returns
    -------
    Task
        ``x`` float32 (N, L_max - 1, 7): every symbol but the last, one-hot over
        :data:`REBER_SYMBOLS`; ``y`` int64 (N, L_max - 1): the index of the next
        symbol, :data:`~lstm_ref.data.PAD_TARGET` past the end; ``lengths``
        int64 (N,): ``len(string) - 1``.
    """
    if len(strings) == 0:
        raise ValueError("strings: expected at least one string, got none")
    index = {s: i for i, s in enumerate(REBER_SYMBOLS)}
    lengths = np.array([len(s) - 1 for s in strings], dtype=np.int64)
    if lengths.min() < 1:
        raise ValueError("strings: expected strings of at least two symbols")
    codes = np.full((len(strings), int(lengths.max()) + 1), PAD_TARGET, dtype=np.int64)
    for row, s in enumerate(strings):
        try:
            codes[row, : len(s)] = [index[c] for c in s]
        except KeyError as e:
            raise ValueError(
                f"strings: symbol {e.args[0]!r} is not one of {REBER_SYMBOLS!r}"
            ) from None
    inputs = codes[:, :-1].copy()
    inputs[np.arange(inputs.shape[1])[None, :] >= lengths[:, None]] = -1  # a string's last symbol
    return Task(one_hot(inputs, len(REBER_SYMBOLS)), codes[:, 1:], lengths)


def embedded_reber(n: int, *, embedded: bool = True, seed: Seed = None) -> Task:
    """A batch of next-symbol prediction on the embedded Reber grammar.

    Parameters
    ----------
    n : int
        Number of strings.
    embedded : bool
        ``False`` gives the plain Reber grammar (short lags only).
    seed : int, np.random.Generator or None

    Returns
    -------
    Task
        As :func:`encode_reber`: ``x`` float32 (N, T, 7), ``y`` int64 (N, T),
        ``lengths`` int64 (N,) (strings vary in length; at least 8 steps).
    """
    return encode_reber(reber_strings(n, embedded=embedded, seed=seed))


def decode_reber(x: np.ndarray, lengths: np.ndarray) -> list[str]:
    """The input strings (every symbol but the last) of one-hot ``x (N, T, 7)``."""
    values, steps = check_padded(x, lengths)
    if values.shape[-1] != len(REBER_SYMBOLS):
        raise ValueError(f"x: expected shape (N, T, {len(REBER_SYMBOLS)}), got {values.shape}")
    codes = values.argmax(axis=-1)
    return ["".join(REBER_SYMBOLS[c] for c in row[:n]) for row, n in zip(codes, steps, strict=True)]


def reber_all_legal(
    pred: np.ndarray, x: np.ndarray, lengths: np.ndarray, *, embedded: bool = True
) -> np.ndarray:
    """Whether every prediction of each string is legal.

    Parameters
    ----------
    pred : np.ndarray
        Predicted next symbols, int (N, T) indices into :data:`REBER_SYMBOLS`:
        each must be a legal successor. Or scores, float (N, T, 7): then, as in
        Hochreiter & Schmidhuber (1997), the ``k`` highest scores at each step
        must be exactly the ``k`` legal successors.
    x : np.ndarray, float (N, T, 7)
        The one-hot inputs the predictions were made from.
    lengths : np.ndarray, int (N,)
        Valid steps of each string; steps past the end are not checked.
    embedded : bool
        Which grammar ``x`` comes from.

    Returns
    -------
    np.ndarray, bool (N,)
        ``True`` where every step of the string is predicted legally.
    """
    pred = np.asarray(pred)
    x = np.asarray(x)
    lengths = np.asarray(lengths)
    if pred.shape[:2] != x.shape[:2] or pred.ndim not in (2, 3):
        raise ValueError(
            f"pred: expected shape {x.shape[:2]} (symbols) or {(*x.shape[:2], 7)} (scores), "
            f"got {pred.shape}"
        )
    index = {s: i for i, s in enumerate(REBER_SYMBOLS)}
    ok = np.zeros(len(x), dtype=bool)
    for row, prefix in enumerate(decode_reber(x, lengths)):
        sets = list(_legal_sets(prefix, embedded))
        if len(sets) != len(prefix):
            raise ValueError(f"x: row {row} ({prefix!r}) is not a {_name(embedded)} prefix")
        good = True
        for t, legal in enumerate(sets):
            if pred.ndim == 2:
                good = REBER_SYMBOLS[int(pred[row, t])] in legal if 0 <= pred[row, t] < 7 else False
            else:
                top = np.argsort(-pred[row, t])[: len(legal)]
                good = set(top.tolist()) == {index[s] for s in legal}
            if not good:
                break
        ok[row] = good
    return ok


def reber_solved(
    pred: np.ndarray, x: np.ndarray, lengths: np.ndarray, *, embedded: bool = True
) -> bool:
    """Whether every prediction of every string is legal (see :func:`reber_all_legal`)."""
    return bool(reber_all_legal(pred, x, lengths, embedded=embedded).all())


def reber_baseline_success() -> float:
    """Fraction of embedded strings right for a network that forgets the outer symbol: 1/2."""
    return 0.5
