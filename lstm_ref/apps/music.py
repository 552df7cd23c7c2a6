r"""Melody models: an LSTM over (pitch, duration) events, its n-gram baseline, musical statistics.

A melody is a sequence of events :math:`e_1 \dots e_L`, each a (pitch,
duration) pair, framed by a boundary symbol :math:`e_0 = e_{L+1} = \langle b\rangle`.
A model assigns

.. math::
    p(e_1 \dots e_L) = \prod_{t=1}^{L+1} p(e_t \mid e_0 \dots e_{t-1}),

and is scored in *bits per note*, :math:`-\frac{1}{L+1}\sum_t \log_2 p(e_t \mid e_{<t})`
averaged over every predicted event of the held-out melodies (the end of the
melody included). The LSTM reads the whole history,

.. math::
    x_t = E[e_t], \qquad (h_t, c_t) = \mathrm{LSTM}(x_t, (h_{t-1}, c_{t-1})), \qquad
    p(e_{t+1} \mid e_{\le t}) = \mathrm{softmax}(W h_t + b);

the Kneser-Ney n-gram of :mod:`lstm_ref.apps.ngram` reads the last
:math:`n-1` events. Both predict exactly the same events from the same start.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lstm_ref.apps.ngram import KneserNey
from lstm_ref.checks import Seed, as_generator, check_positive_int
from lstm_ref.data import PAD_TARGET
from lstm_ref.data.chorales import REST, Chorale

__all__ = [
    "BOUNDARY",
    "UNKNOWN_EVENT",
    "EventVocab",
    "MelodyLSTM",
    "MelodyScore",
    "in_key_share",
    "interval_histogram",
    "melody_arrays",
    "melody_score",
    "ngram_score",
    "ngram_stream",
    "opening_returns",
    "pitch_class_histogram",
    "sample_melodies",
    "total_variation",
]

#: Id of the boundary event that starts and ends every melody.
BOUNDARY = 0
#: Id of an event never seen in training.
UNKNOWN_EVENT = 1


class EventVocab:
    """The (pitch, duration) events of a set of melodies, as ids.

    Ids 0 and 1 are ``BOUNDARY`` and ``UNKNOWN_EVENT``; the events
    seen in ``chorales`` follow, sorted by pitch then duration.

    Parameters
    ----------
    chorales : sequence of Chorale
        The training melodies.
    """

    def __init__(self, chorales: Sequence[Chorale]) -> None:
        if not chorales:
            raise ValueError("chorales: expected at least one melody, got none")
        seen = {
            (int(p), float(d)) for c in chorales for p, d in zip(c.pitch, c.duration, strict=True)
        }
        self.events: list[tuple[int, float]] = sorted(seen)
        self._index = {event: k + 2 for k, event in enumerate(self.events)}

    def __len__(self) -> int:
        return len(self.events) + 2

    def encode(self, chorale: Chorale) -> np.ndarray:
        """Ids ``(L + 2,)`` int64: boundary, the events (unseen ones as 1), boundary."""
        ids = [
            self._index.get((int(p), float(d)), UNKNOWN_EVENT)
            for p, d in zip(chorale.pitch, chorale.duration, strict=True)
        ]
        return np.asarray([BOUNDARY, *ids, BOUNDARY], dtype=np.int64)

    def decode(self, ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pitches ``(K,)`` int64 and durations ``(K,)`` float64 of the real events in ``ids``.

        Boundary and unknown ids are skipped.
        """
        events = [self.events[int(i) - 2] for i in ids if int(i) >= 2]
        pitch = np.asarray([p for p, _ in events], dtype=np.int64)
        duration = np.asarray([d for _, d in events], dtype=np.float64)
        return pitch, duration


def melody_arrays(
    chorales: Sequence[Chorale], vocab: EventVocab
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs and next-event targets for teacher forcing, padded at the end.

    Returns
    -------
    x : np.ndarray, int64, shape (N, T)
        ``[boundary, e_1, ..., e_L]``, padded with 0.
    y : np.ndarray, int64, shape (N, T)
        ``[e_1, ..., e_L, boundary]``, padded with ``lstm_ref.data.PAD_TARGET``.
    lengths : np.ndarray, int64, shape (N,)
        ``L + 1`` for each melody.
    """
    encoded = [vocab.encode(c) for c in chorales]
    if not encoded:
        raise ValueError("chorales: expected at least one melody, got none")
    T = max(len(e) - 1 for e in encoded)
    x = np.zeros((len(encoded), T), dtype=np.int64)
    y = np.full((len(encoded), T), PAD_TARGET, dtype=np.int64)
    lengths = np.zeros(len(encoded), dtype=np.int64)
    for k, e in enumerate(encoded):
        x[k, : len(e) - 1] = e[:-1]
        y[k, : len(e) - 1] = e[1:]
        lengths[k] = len(e) - 1
    return x, y, lengths


class MelodyLSTM(nn.Module):
    """Embedding, LSTM, linear read-out: next-event scores at every step.

    Parameters
    ----------
    vocab_size : int
        Number of event ids (``len(vocab)``).
    hidden_size : int
    embedding_size : int
    num_layers : int
    dropout : float
        Dropout on the LSTM's outputs before the read-out.

    Shape
    -----
    ``forward(x)``: ``x (N, T)`` int64 ids -> scores ``(N, T, vocab_size)``.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int = 128,
        *,
        embedding_size: int = 32,
        num_layers: int = 1,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_positive_int("vocab_size", vocab_size, 2)
        check_positive_int("hidden_size", hidden_size)
        self.embed = nn.Embedding(vocab_size, embedding_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> torch.Tensor:
        """Scores ``(N, T, V)`` for ids ``x (N, T)``; ``state`` continues a sequence."""
        if x.dim() != 2:
            raise ValueError(f"x: expected ids of shape (N, T), got {tuple(x.shape)}")
        out, self.last_state = self.lstm(self.embed(x.long()), state)
        return self.out(self.drop(out))


class MelodyScore(NamedTuple):
    """How well a model predicts held-out melodies.

    Attributes
    ----------
    bits : float
        Mean :math:`-\\log_2 p` per predicted event (bits per note).
    accuracy : float
        Share of events that were the model's most probable guess.
    events : int
        Number of predicted events.
    """

    bits: float
    accuracy: float
    events: int


def melody_score(model: MelodyLSTM, chorales: Sequence[Chorale], vocab: EventVocab) -> MelodyScore:
    """Bits per note and next-event accuracy of the LSTM on ``chorales``."""
    x, y, _ = melody_arrays(chorales, vocab)
    was = model.training
    model.eval()
    with torch.no_grad():
        device = next(model.parameters()).device
        logp = F.log_softmax(model(torch.from_numpy(x).to(device)).float(), dim=-1).cpu()
    model.train(was)
    target = torch.from_numpy(y)
    valid = target != PAD_TARGET
    picked = logp.gather(-1, target.clamp(min=0)[..., None])[..., 0][valid]
    hits = (logp.argmax(-1) == target)[valid]
    return MelodyScore(
        bits=float(-picked.mean() / np.log(2)),
        accuracy=float(hits.float().mean()),
        events=int(valid.sum()),
    )


def ngram_stream(chorales: Sequence[Chorale], vocab: EventVocab, order: int) -> np.ndarray:
    """The melodies as one id stream for an n-gram of ``order``: shape ``(sum(L + n),)``.

    Each melody is preceded by ``order - 1`` boundary ids and followed by one,
    the usual sentence padding of n-gram models: the first event is then
    predicted from a context of boundaries only, as the LSTM predicts it from
    the boundary alone.
    """
    check_positive_int("order", order)
    pad = np.full(order - 1, BOUNDARY, dtype=np.int64)
    return np.concatenate([np.concatenate([pad, vocab.encode(c)[1:]]) for c in chorales])


def ngram_score(
    model: KneserNey, chorales: Sequence[Chorale], vocab: EventVocab, *, accuracy: bool = True
) -> MelodyScore:
    """Bits per note and accuracy of a fitted n-gram on ``chorales``, melody by melody.

    ``model`` must have been fitted on :func:`ngram_stream` of the training
    melodies with its own order. The accuracy asks, at every step, whether
    the true event is the n-gram's most probable one among all ``V``
    (``accuracy=False`` skips that scoring of every candidate and reports NaN).
    """
    n, V = model.order, len(vocab)
    if model.vocab_size != V:
        raise ValueError(f"model: expected an n-gram over {V} ids, got {model.vocab_size}")
    logs: list[np.ndarray] = []
    hits: list[np.ndarray] = []
    for chorale in chorales:
        ids = ngram_stream([chorale], vocab, n)
        # A leading boundary lets even a unigram predict the first id.
        p = model.probabilities(np.concatenate([[BOUNDARY], ids]))[n - 1 :]
        logs.append(np.log2(p))
        if not accuracy:
            continue
        # Every candidate after every context: blocks "context, candidate" of
        # length n, so each candidate's context is exactly its own block.
        steps = len(ids) - (n - 1)
        contexts = np.stack([ids[t : t + n - 1] for t in range(steps)])  # (steps, n-1)
        blocks = np.concatenate(
            [np.repeat(contexts, V, axis=0), np.tile(np.arange(V), steps)[:, None]], axis=1
        )
        flat = np.concatenate([[BOUNDARY], blocks.ravel()])
        scores = model.probabilities(flat)[n - 1 :: n].reshape(steps, V)
        hits.append(scores.argmax(1) == ids[n - 1 :])
    all_logs = np.concatenate(logs)
    return MelodyScore(
        bits=float(-all_logs.mean()),
        accuracy=float(np.concatenate(hits).mean()) if accuracy else float("nan"),
        events=len(all_logs),
    )


def sample_melodies(
    model: MelodyLSTM,
    vocab: EventVocab,
    n: int,
    *,
    temperature: float = 1.0,
    max_events: int = 64,
    seed: Seed = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Draw ``n`` melodies event by event from :math:`\mathrm{softmax}(s / \tau)`.

    Each starts after the boundary symbol and stops at the next boundary or
    after ``max_events`` events. Unknown events are never drawn.

    Returns
    -------
    list of (pitch, duration)
        Arrays as in :class:`lstm_ref.data.chorales.Chorale`.
    """
    check_positive_int("n", n)
    check_positive_int("max_events", max_events)
    if not temperature > 0:
        raise ValueError(f"temperature: expected a number > 0, got {temperature}")
    rng = as_generator(seed)
    device = next(model.parameters()).device
    was = model.training
    model.eval()
    ids = np.full((n, 1), BOUNDARY, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    drawn: list[np.ndarray] = []
    state = None
    with torch.no_grad():
        for _ in range(max_events):
            scores = model(torch.from_numpy(ids[:, -1:]).to(device), state)[:, -1].float().cpu()
            state = model.last_state
            scores[:, UNKNOWN_EVENT] = -torch.inf
            p = torch.softmax(scores / temperature, dim=-1).numpy().astype(np.float64)
            p /= p.sum(1, keepdims=True)
            nxt = np.array([rng.choice(len(row), p=row) for row in p], dtype=np.int64)
            nxt[done] = BOUNDARY
            done |= nxt == BOUNDARY
            drawn.append(nxt)
            ids = nxt[:, None]
            if done.all():
                break
    model.train(was)
    seqs = np.stack(drawn, axis=1)
    out = []
    for row in seqs:
        stop = np.flatnonzero(row == BOUNDARY)
        out.append(vocab.decode(row[: stop[0]] if len(stop) else row))
    return out


def _sounding(pitches: Sequence[np.ndarray]) -> list[np.ndarray]:
    return [np.asarray(p)[np.asarray(p) != REST] for p in pitches]


def pitch_class_histogram(pitches: Sequence[np.ndarray]) -> np.ndarray:
    """Share of each pitch class (C = 0 ... B = 11) over all sounding notes: shape ``(12,)``.

    Each melody is first transposed so that its most common pitch class is 0,
    which lines up melodies written in different keys.
    """
    counts = np.zeros(12)
    for p in _sounding(pitches):
        if len(p):
            pc = p % 12
            tonic = np.bincount(pc, minlength=12).argmax()
            counts += np.bincount((pc - tonic) % 12, minlength=12)
    if counts.sum() == 0:
        raise ValueError("pitches: expected at least one sounding note, got none")
    return counts / counts.sum()


def interval_histogram(pitches: Sequence[np.ndarray], *, largest: int = 12) -> np.ndarray:
    """Share of each melodic interval, ``-largest .. +largest`` semitones (clipped).

    Returns an array of shape ``(2 * largest + 1,)``; index ``largest`` is the repeated note.
    """
    counts = np.zeros(2 * largest + 1)
    for p in _sounding(pitches):
        steps = np.clip(np.diff(p), -largest, largest) + largest
        counts += np.bincount(steps, minlength=2 * largest + 1)
    if counts.sum() == 0:
        raise ValueError("pitches: expected melodies with at least two notes")
    return counts / counts.sum()


_MAJOR_SCALE = np.array([0, 2, 4, 5, 7, 9, 11])


def in_key_share(pitch: np.ndarray) -> float:
    """Share of a melody's notes inside the diatonic scale that contains the most of them.

    The scale is the major scale on each of the 12 tonics (its relative minor
    has the same notes); the best of the 12 is taken, so no key has to be
    given. A chorale melody scores close to 1; uniformly random pitches
    about 0.58.
    """
    p = _sounding([pitch])[0]
    if len(p) == 0:
        raise ValueError("pitch: expected at least one sounding note, got none")
    pc = p % 12
    best = max(np.isin(pc, (_MAJOR_SCALE + tonic) % 12).mean() for tonic in range(12))
    return float(best)


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    r"""Total variation distance :math:`\frac12 \sum_k |p_k - q_k|` between two histograms."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if p.shape != q.shape:
        raise ValueError(f"p, q: expected histograms of one shape, got {p.shape} and {q.shape}")
    return float(0.5 * np.abs(p - q).sum())


def opening_returns(pitch: np.ndarray, *, intervals: int = 6) -> bool:
    """Whether a melody's opening contour comes back later in the melody.

    Most chorale tunes are in *bar form*: the first phrase is sung twice
    (to the first two lines of the verse) before the rest. This tests the
    simplest trace of that long-range structure: do the first ``intervals``
    melodic intervals (rests skipped) occur again, in the same order, at a
    later position that does not overlap them?
    """
    check_positive_int("intervals", intervals)
    p = _sounding([pitch])[0]
    steps = np.diff(p)
    if len(steps) < 2 * intervals:
        return False
    opening = steps[:intervals]
    windows = np.lib.stride_tricks.sliding_window_view(steps[intervals:], intervals)
    return bool(np.any(np.all(windows == opening, axis=1)))
