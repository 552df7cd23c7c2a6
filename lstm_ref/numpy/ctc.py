r"""Connectionist temporal classification (Graves et al. 2006) in NumPy: loss, gradient, decoding.

A recogniser emits, at every frame :math:`t`, log-probabilities
:math:`y_t(c) = \log p(c \mid x, t)` over ``C`` classes, one of which is the
*blank* (index ``blank``, 0 by default). A *path* :math:`\pi` picks one class
per frame; the collapse :math:`\mathcal{B}` merges repeated classes, then drops
blanks (``a a - b - b`` gives ``a b b``). The probability of a labelling
:math:`l` is the sum over every path that collapses to it,

.. math::
    p(l \mid x) = \sum_{\pi \in \mathcal{B}^{-1}(l)} \prod_{t=1}^{T} e^{y_t(\pi_t)},
    \qquad \mathcal{L} = -\log p(l \mid x),

computed by the forward recursion over the extended label
:math:`l' = (-, l_1, -, l_2, \dots, l_S, -)` of length :math:`2S + 1`
(:func:`ctc_forward`). Arguments and results of :func:`ctc_loss` follow
``torch.nn.functional.ctc_loss``: ``log_probs (T, N, C)`` time-major, targets
padded ``(N, S)`` or concatenated ``(sum(target_lengths),)``.

Only NumPy is imported here.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Literal

import numpy as np

Reduction = Literal["none", "mean", "sum"]


def _logsumexp3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Element-wise ``log(e^a + e^b + e^c)``, exact ``-inf`` where all three are ``-inf``."""
    top = np.maximum(np.maximum(a, b), c)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(under="ignore"):
        total = np.exp(a - safe) + np.exp(b - safe) + np.exp(c - safe)
    with np.errstate(divide="ignore"):
        return np.where(np.isfinite(top), safe + np.log(total), -np.inf)


def _shift(values: np.ndarray, by: int) -> np.ndarray:
    """``values`` moved ``by`` places to the right (left if negative), ``-inf`` filling in."""
    out = np.full_like(values, -np.inf)
    if by > 0:
        out[by:] = values[: len(values) - by]
    else:
        out[: len(values) + by] = values[-by:]
    return out


def extend_with_blanks(target: Sequence[int] | np.ndarray, blank: int = 0) -> np.ndarray:
    """The extended label :math:`l' = (-, l_1, -, \\dots, l_S, -)`, int64 of shape ``(2S+1,)``."""
    labels = np.asarray(target, dtype=np.int64).reshape(-1)
    extended = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
    extended[1::2] = labels
    return extended


def _skip_allowed(extended: np.ndarray, blank: int) -> np.ndarray:
    """``allowed[s]``: a path may jump from state ``s-2`` to ``s`` (a label unlike the last)."""
    allowed = np.zeros(len(extended), dtype=bool)
    allowed[2:] = (extended[2:] != blank) & (extended[2:] != extended[:-2])
    return allowed


def ctc_forward(
    log_probs: np.ndarray, target: Sequence[int] | np.ndarray, blank: int = 0
) -> np.ndarray:
    r"""The forward variables :math:`\log\alpha_t(s)` of one sequence, shape ``(T, 2S+1)``.

    .. math::
        \alpha_1(1) = y_1(-), \quad \alpha_1(2) = y_1(l_1), \qquad
        \alpha_t(s) = \big(\alpha_{t-1}(s) + \alpha_{t-1}(s-1)
            + [l'_s \ne - \wedge l'_s \ne l'_{s-2}]\, \alpha_{t-1}(s-2)\big)\, y_t(l'_s)

    (in probabilities; the code works with logarithms). The loss is
    :math:`-\log(\alpha_T(2S+1) + \alpha_T(2S))`.

    Parameters
    ----------
    log_probs : np.ndarray, shape (T, C)
        Log-probabilities of one sequence's ``T`` frames.
    target : sequence of int, length S
        Labels, none equal to ``blank``.
    blank : int
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    extended = extend_with_blanks(target, blank)
    skip = _skip_allowed(extended, blank)
    alpha = np.full((lp.shape[0], len(extended)), -np.inf)
    alpha[0, 0] = lp[0, blank]
    if len(extended) > 1:
        alpha[0, 1] = lp[0, extended[1]]
    for t in range(1, lp.shape[0]):
        prev = alpha[t - 1]
        one = _shift(prev, 1)
        two = np.where(skip, _shift(prev, 2), -np.inf)
        alpha[t] = _logsumexp3(prev, one, two) + lp[t, extended]
    return alpha


def ctc_backward(
    log_probs: np.ndarray, target: Sequence[int] | np.ndarray, blank: int = 0
) -> np.ndarray:
    r"""The backward variables :math:`\log\beta_t(s)` of one sequence, shape ``(T, 2S+1)``.

    :math:`\beta_t(s)` is the probability of the frames ``t..T`` given the
    path is in state ``s`` at ``t``, *including* frame ``t``'s own
    :math:`y_t(l'_s)`, so that :math:`\alpha_t(s)\beta_t(s) / y_t(l'_s)` is the
    probability of all paths through ``(t, s)``.
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    extended = extend_with_blanks(target, blank)
    skip = np.zeros(len(extended), dtype=bool)  # skip[s]: s may jump to s+2
    if len(extended) > 2:
        skip[:-2] = _skip_allowed(extended, blank)[2:]
    big_t = lp.shape[0]
    beta = np.full((big_t, len(extended)), -np.inf)
    beta[-1, -1] = lp[-1, blank]
    if len(extended) > 1:
        beta[-1, -2] = lp[-1, extended[-2]]
    for t in range(big_t - 2, -1, -1):
        nxt = beta[t + 1]
        one = _shift(nxt, -1)
        two = np.where(skip, _shift(nxt, -2), -np.inf)
        beta[t] = _logsumexp3(nxt, one, two) + lp[t, extended]
    return beta


def _targets_list(
    targets: np.ndarray, target_lengths: np.ndarray, n: int, blank: int, num_classes: int
) -> list[np.ndarray]:
    """Split padded ``(N, S)`` or concatenated ``(sum,)`` targets into N arrays, checking them."""
    if targets.ndim == 2:
        if targets.shape[0] != n:
            raise ValueError(
                f"targets: expected {n} rows (one per sequence of log_probs), "
                f"got shape {targets.shape}"
            )
        if target_lengths.max(initial=0) > targets.shape[1]:
            raise ValueError(
                f"target_lengths: expected values <= targets.shape[1] = {targets.shape[1]}, "
                f"got {target_lengths.max()}"
            )
        rows = [targets[k, : target_lengths[k]] for k in range(n)]
    elif targets.ndim == 1:
        if int(target_lengths.sum()) != len(targets):
            raise ValueError(
                f"target_lengths: concatenated targets need sum(target_lengths) == len(targets) "
                f"= {len(targets)}, got {int(target_lengths.sum())}"
            )
        rows = np.split(targets, np.cumsum(target_lengths)[:-1])
    else:
        raise ValueError(
            f"targets: expected shape (N, S) or (sum(target_lengths),), got {targets.shape}"
        )
    for k, row in enumerate(rows):
        if np.any(row == blank):
            raise ValueError(
                f"targets: sequence {k} contains the blank index {blank}; "
                "labels must differ from blank"
            )
        if np.any((row < 0) | (row >= num_classes)):
            raise ValueError(
                f"targets: sequence {k} has labels outside [0, {num_classes}): {row.tolist()}"
            )
    return [np.asarray(r, dtype=np.int64) for r in rows]


def _check(
    log_probs: np.ndarray,
    targets: np.ndarray,
    input_lengths: np.ndarray | Sequence[int],
    target_lengths: np.ndarray | Sequence[int],
    blank: int,
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    lp = np.asarray(log_probs)
    if lp.ndim != 3:
        raise ValueError(f"log_probs: expected shape (T, N, C), got {lp.shape}")
    if not np.issubdtype(lp.dtype, np.floating):
        raise TypeError(f"log_probs: expected floating-point values, got dtype {lp.dtype}")
    big_t, n, c = lp.shape
    if not 0 <= blank < c:
        raise ValueError(f"blank: expected an index in [0, {c}), got {blank}")
    in_len = np.asarray(input_lengths).reshape(-1).astype(np.int64)
    tg_len = np.asarray(target_lengths).reshape(-1).astype(np.int64)
    if in_len.shape != (n,):
        raise ValueError(f"input_lengths: expected shape ({n},), got {np.shape(input_lengths)}")
    if tg_len.shape != (n,):
        raise ValueError(f"target_lengths: expected shape ({n},), got {np.shape(target_lengths)}")
    if in_len.min() < 1:
        raise ValueError(
            f"input_lengths: expected at least one frame per sequence, got {in_len.min()} "
            f"for sequence {int(in_len.argmin())}"
        )
    if in_len.max() > big_t:
        raise ValueError(
            f"input_lengths: expected values <= T = {big_t}, got {in_len.max()} "
            f"for sequence {int(in_len.argmax())}"
        )
    if tg_len.min() < 0:
        raise ValueError(f"target_lengths: expected values >= 0, got {tg_len.min()}")
    too_long = np.flatnonzero(tg_len > in_len)
    if too_long.size:
        k = int(too_long[0])
        raise ValueError(
            f"target_lengths: sequence {k} has a target of {tg_len[k]} labels but only "
            f"{in_len[k]} frames (input_lengths); CTC needs at least one frame per label"
        )
    rows = _targets_list(np.asarray(targets), tg_len, n, blank, c)
    return lp.astype(np.float64), rows, in_len


def _reduce(losses: np.ndarray, target_lengths: np.ndarray, reduction: str) -> np.ndarray | float:
    if reduction == "none":
        return losses
    if reduction == "sum":
        return float(losses.sum())
    return float(np.mean(losses / np.maximum(target_lengths, 1)))


def ctc_loss(
    log_probs: np.ndarray,
    targets: np.ndarray,
    input_lengths: np.ndarray | Sequence[int],
    target_lengths: np.ndarray | Sequence[int],
    blank: int = 0,
    reduction: Reduction = "mean",
    zero_infinity: bool = False,
) -> np.ndarray | float:
    r"""The CTC loss :math:`-\log p(l \mid x)`, with ``torch.nn.functional.ctc_loss``'s arguments.

    Parameters
    ----------
    log_probs : np.ndarray, float, shape (T, N, C)
        Log-probabilities (log-softmax over ``C``), time-major.
    targets : np.ndarray, int, shape (N, S) or (sum(target_lengths),)
        Labels padded per row (entries past ``target_lengths[k]`` are ignored)
        or all targets concatenated. No label may equal ``blank``.
    input_lengths : array-like of int, shape (N,)
        Frames of each sequence, in ``[1, T]``.
    target_lengths : array-like of int, shape (N,)
        Labels of each sequence, in ``[0, input_lengths[k]]`` (an empty target
        is legal: the all-blank path).
    blank : int
        Index of the blank class.
    reduction : {"none", "mean", "sum"}
        ``"none"``: the ``(N,)`` losses; ``"sum"``: their sum; ``"mean"``: each
        divided by its target length (at least 1), then averaged over the batch
        (as PyTorch does).
    zero_infinity : bool
        Replace infinite losses (a target that no path of the given length can
        produce, e.g. ``1 1`` in two frames) by 0.

    Returns
    -------
    np.ndarray of shape (N,) or float

    Raises
    ------
    ValueError
        Wrong shapes, lengths out of range, a label equal to ``blank``, a
        sequence of zero frames, or a target longer than its input.
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction: expected 'none', 'mean' or 'sum', got {reduction!r}")
    lp, rows, in_len = _check(log_probs, targets, input_lengths, target_lengths, blank)
    losses = np.empty(len(rows))
    for k, target in enumerate(rows):
        alpha = ctc_forward(lp[: in_len[k], k], target, blank)
        losses[k] = -np.logaddexp(alpha[-1, -1], alpha[-1, -2] if len(target) else -np.inf)
    if zero_infinity:
        losses[np.isinf(losses)] = 0.0
    tg_len = np.array([len(r) for r in rows], dtype=np.float64)
    return _reduce(losses, tg_len, reduction)


def ctc_posteriors(
    log_probs: np.ndarray, target: Sequence[int] | np.ndarray, blank: int = 0
) -> np.ndarray:
    r"""Per-frame class occupancy :math:`\gamma_t(c)` of one sequence, shape ``(T, C)``.

    .. math::
        \gamma_t(c) = \frac{1}{p(l \mid x)} \sum_{s:\, l'_s = c}
            \frac{\alpha_t(s)\, \beta_t(s)}{y_t(l'_s)}

    the probability that a path of :math:`\mathcal{B}^{-1}(l)` emits class
    ``c`` at frame ``t``; each row sums to 1. It is the CTC *alignment*: where
    in time each label is placed. The gradient of the loss is
    :math:`\partial \mathcal{L} / \partial y_t(c) = -\gamma_t(c)`.
    All-NaN if the target is infeasible in ``T`` frames.
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    extended = extend_with_blanks(target, blank)
    alpha, beta = ctc_forward(lp, target, blank), ctc_backward(lp, target, blank)
    log_p = np.logaddexp(alpha[-1, -1], alpha[-1, -2] if len(extended) > 1 else -np.inf)
    gamma = np.zeros(lp.shape)
    if not np.isfinite(log_p):
        return np.full(lp.shape, np.nan)
    with np.errstate(under="ignore"):
        through = np.exp(alpha + beta - lp[:, extended] - log_p)  # (T, 2S+1)
    np.add.at(gamma.T, extended, through.T)
    return gamma


def ctc_loss_grad(
    log_probs: np.ndarray,
    targets: np.ndarray,
    input_lengths: np.ndarray | Sequence[int],
    target_lengths: np.ndarray | Sequence[int],
    blank: int = 0,
    reduction: Reduction = "mean",
    zero_infinity: bool = False,
) -> np.ndarray:
    r"""Gradient of :func:`ctc_loss` (summed over the batch for ``"none"``) w.r.t. ``log_probs``.

    .. math::
        \frac{\partial \mathcal{L}_n}{\partial y^{(n)}_t(c)} = -\gamma^{(n)}_t(c)
        \;\; (t < T_n), \qquad 0 \;\; (t \ge T_n)

    scaled by the reduction (``"mean"``: :math:`1 / (N \max(S_n, 1))`). This is
    the true partial derivative with every entry of ``log_probs`` free.
    PyTorch's CTC backward returns :math:`e^{y_t(c)} - \gamma_t(c)` instead,
    which is the gradient with respect to the *logits* once it has passed
    back through a log-softmax (the extra term sums to zero over ``c``); the
    two agree after that step. Sequences with an infinite loss get a zero
    gradient with ``zero_infinity``, NaN without.

    Returns
    -------
    np.ndarray, float64, shape (T, N, C)
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction: expected 'none', 'mean' or 'sum', got {reduction!r}")
    lp, rows, in_len = _check(log_probs, targets, input_lengths, target_lengths, blank)
    grad = np.zeros(lp.shape)
    n = len(rows)
    for k, target in enumerate(rows):
        gamma = ctc_posteriors(lp[: in_len[k], k], target, blank)
        if np.isnan(gamma).any():
            grad[: in_len[k], k] = 0.0 if zero_infinity else np.nan
            continue
        scale = 1.0 / (n * max(len(target), 1)) if reduction == "mean" else 1.0
        grad[: in_len[k], k] = -gamma * scale
    return grad


def collapse(path: Sequence[int] | np.ndarray, blank: int = 0) -> list[int]:
    r"""The many-to-one map :math:`\mathcal{B}`: merge repeated classes, then drop blanks."""
    out: list[int] = []
    previous = None
    for c in (int(v) for v in np.asarray(path).reshape(-1)):
        if c != previous and c != blank:
            out.append(c)
        previous = c
    return out


def greedy_decode(log_probs: np.ndarray, blank: int = 0) -> list[int]:
    r"""Best-path decoding of one sequence ``(T, C)``: :math:`\mathcal{B}(\arg\max_c y_t(c))`.

    The most probable *path*, collapsed; not always the most probable
    *labelling*, which sums over many paths (:func:`prefix_beam_decode`).
    """
    lp = np.asarray(log_probs)
    if lp.ndim != 2:
        raise ValueError(f"log_probs: expected shape (T, C) for one sequence, got {lp.shape}")
    return collapse(lp.argmax(axis=1), blank)


def _add(
    beams: dict[tuple[int, ...], list[float]], prefix: tuple[int, ...], b: float, nb: float
) -> None:
    """Add path probabilities ``b`` (ending in blank) and ``nb`` (in a label) to ``prefix``."""
    old = beams.setdefault(prefix, [-np.inf, -np.inf])
    old[0] = float(np.logaddexp(old[0], b))
    old[1] = float(np.logaddexp(old[1], nb))


def prefix_beam_decode(log_probs: np.ndarray, beam_width: int = 8, blank: int = 0) -> list[int]:
    r"""Prefix beam search over labellings of one sequence ``(T, C)`` (no language model).

    Each candidate prefix :math:`l` keeps two log-probabilities: of the paths
    so far that collapse to :math:`l` and end in a blank, :math:`p_b(l)`, or
    in its last label, :math:`p_{nb}(l)`. At frame ``t``:

    .. math::
        p_b'(l) \mathrel{+}= (p_b(l) + p_{nb}(l))\, y_t(-), \qquad
        p_{nb}'(l) \mathrel{+}= p_{nb}(l)\, y_t(l_{\mathrm{end}}), \\
        p_{nb}'(l c) \mathrel{+}= \big(p_b(l) + [c \ne l_{\mathrm{end}}]\, p_{nb}(l)\big)\, y_t(c)

    and only the ``beam_width`` prefixes with the largest
    :math:`p_b + p_{nb}` survive. With a beam as wide as the number of
    prefixes it returns the most probable labelling exactly.

    Returns
    -------
    list of int
        The best labelling found.
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    if lp.ndim != 2:
        raise ValueError(f"log_probs: expected shape (T, C) for one sequence, got {lp.shape}")
    if (
        isinstance(beam_width, bool)
        or not isinstance(beam_width, int | np.integer)
        or beam_width < 1
    ):
        raise ValueError(f"beam_width: expected an int >= 1, got {beam_width!r}")
    neg = -np.inf
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, neg)}
    for t in range(lp.shape[0]):
        frame = lp[t]
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            total = np.logaddexp(pb, pnb)
            _add(nxt, prefix, total + frame[blank], neg)
            for c in range(lp.shape[1]):
                if c == blank:
                    continue
                if prefix and prefix[-1] == c:
                    _add(nxt, prefix, neg, pnb + frame[c])  # a repeat collapses into the label
                    _add(nxt, (*prefix, c), neg, pb + frame[c])  # a blank separated them
                else:
                    _add(nxt, (*prefix, c), neg, total + frame[c])
        ranked = sorted(nxt.items(), key=lambda item: -np.logaddexp(item[1][0], item[1][1]))
        beams = {prefix: (v[0], v[1]) for prefix, v in ranked[:beam_width]}
    best = max(beams.items(), key=lambda item: np.logaddexp(item[1][0], item[1][1]))
    return list(best[0])


def edit_distance(reference: Sequence[Hashable], hypothesis: Sequence[Hashable]) -> int:
    r"""Levenshtein distance: fewest substitutions, insertions and deletions from one to the other.

    .. math::
        D_{i,j} = \min\big(D_{i-1,j} + 1,\; D_{i,j-1} + 1,\;
            D_{i-1,j-1} + [r_i \ne h_j]\big), \qquad D_{i,0} = i,\; D_{0,j} = j
    """
    ref, hyp = list(reference), list(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        diagonal, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (r != h))
    return row[-1]


def error_rate(
    references: Sequence[Sequence[Hashable]], hypotheses: Sequence[Sequence[Hashable]]
) -> float:
    r"""Token error rate: total edit distance over total reference length.

    .. math::
        \mathrm{ER} = \frac{\sum_k D(r_k, h_k)}{\sum_k |r_k|}

    the digit (or character, or word) error rate of speech and handwriting
    recognition; it can exceed 1 when hypotheses insert many tokens.

    Parameters
    ----------
    references, hypotheses : sequences of sequences, the same length
    """
    if len(references) != len(hypotheses):
        raise ValueError(
            f"hypotheses: expected {len(references)} (one per reference), got {len(hypotheses)}"
        )
    total = sum(len(r) for r in references)
    if total == 0:
        raise ValueError("references: expected at least one token in all, got only empty ones")
    return sum(edit_distance(r, h) for r, h in zip(references, hypotheses, strict=True)) / total
