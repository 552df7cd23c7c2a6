"""The CTC toolkit: the NumPy loss equals PyTorch's, its gradient is right, decoders, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from rapidfuzz.distance import Levenshtein

from lstm_ref.apps.ctc import (
    CTCRecognizer,
    ctc_error_metric,
    ctc_objective,
    decode,
    min_ctc_frames,
    pack_ctc_targets,
    unpack_ctc_targets,
)
from lstm_ref.numpy.ctc import (
    collapse,
    ctc_forward,
    ctc_loss,
    ctc_loss_grad,
    ctc_posteriors,
    edit_distance,
    error_rate,
    greedy_decode,
    prefix_beam_decode,
)


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    return (
        scores
        - np.log(np.exp(scores - scores.max(-1, keepdims=True)).sum(-1, keepdims=True))
        - (scores.max(-1, keepdims=True))
    )


def _case(seed: int, blank: int = 0):
    """A random batch with repeated labels, an empty target and the longest feasible targets."""
    rng = np.random.default_rng(seed)
    big_t, n, c = 15, 6, 5
    log_probs = _log_softmax(rng.normal(size=(big_t, n, c)) * 2)
    labels = [k for k in range(c) if k != blank]
    input_lengths = rng.integers(8, big_t + 1, size=n)
    input_lengths[0] = big_t
    targets, lengths = [], []
    for k in range(n):
        if k == 0:  # as many labels as steps, no repeats: exactly one path
            t = [labels[j % 2] for j in range(big_t)]
        elif k == 1:  # only repeats: S + (S - 1) <= T_k, the longest such target
            t = [labels[0]] * ((input_lengths[k] + 1) // 2)
        elif k == 2:
            t = []
        else:
            t = list(rng.choice(labels, size=rng.integers(1, input_lengths[k] // 2 + 1)))
            t[: min(3, len(t))] = [labels[1]] * min(3, len(t))
        assert min_ctc_frames(t) <= input_lengths[k]
        targets.append(t)
        lengths.append(len(t))
    padded = np.zeros((n, max(lengths)), dtype=np.int64)
    for k, t in enumerate(targets):
        padded[k, : len(t)] = t
    return log_probs, padded, np.array(targets, dtype=object), input_lengths, np.array(lengths)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(a) + np.abs(b)))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("blank", [0, 4])
def test_loss_equals_torch(seed: int, reduction: str, blank: int) -> None:
    log_probs, padded, _, input_lengths, target_lengths = _case(seed, blank)
    if blank != 0:
        padded = np.where(np.arange(padded.shape[1])[None] < target_lengths[:, None], padded, 0)
    expected = F.ctc_loss(
        torch.from_numpy(log_probs),
        torch.from_numpy(padded),
        torch.from_numpy(input_lengths),
        torch.from_numpy(target_lengths),
        blank=blank,
        reduction=reduction,
    ).numpy()
    got = ctc_loss(log_probs, padded, input_lengths, target_lengths, blank, reduction)
    assert np.all(np.isfinite(got))
    assert _rel(got, expected) <= 1e-10
    # the same targets concatenated
    flat = np.concatenate([padded[k, : target_lengths[k]] for k in range(len(padded))])
    got_flat = ctc_loss(log_probs, flat, input_lengths, target_lengths, blank, reduction)
    assert _rel(got_flat, expected) <= 1e-10


def test_loss_is_the_sum_over_all_paths() -> None:
    rng = np.random.default_rng(1)
    log_probs = _log_softmax(rng.normal(size=(5, 1, 3)))
    for target in ([1], [1, 1], [1, 2], [2, 1, 2], []):
        brute = sum(
            np.exp(sum(log_probs[t, 0, c] for t, c in enumerate(path)))
            for path in itertools.product(range(3), repeat=5)
            if collapse(path) == target
        )
        got = ctc_loss(log_probs, np.array([target or [1]]), [5], [len(target)], reduction="sum")
        assert abs(np.exp(-got) - brute) < 1e-12


def test_infeasible_targets_are_infinite_or_zeroed_like_torch() -> None:
    rng = np.random.default_rng(2)
    log_probs = _log_softmax(rng.normal(size=(3, 2, 4)))
    targets = np.array([[1, 1, 2], [1, 2, 3]])  # 1 1 2 needs 4 frames; 1 2 3 fits in 3
    args = (targets, [3, 3], [3, 3])
    got = ctc_loss(log_probs, *args, reduction="none")
    ref = F.ctc_loss(torch.from_numpy(log_probs), *map(torch.tensor, args), reduction="none")
    assert np.isinf(got[0]) and np.isinf(ref[0].item())
    assert _rel(got[1], ref[1].numpy()) <= 1e-10
    zeroed = ctc_loss(log_probs, *args, reduction="none", zero_infinity=True)
    ref_zeroed = F.ctc_loss(
        torch.from_numpy(log_probs), *map(torch.tensor, args), reduction="none", zero_infinity=True
    )
    np.testing.assert_allclose(zeroed, ref_zeroed.numpy(), rtol=1e-12)
    grad = ctc_loss_grad(log_probs, *args, zero_infinity=True)
    assert np.all(grad[:, 0] == 0) and np.all(np.isfinite(grad))
    assert np.all(np.isnan(ctc_loss_grad(log_probs, *args)[:, 0]))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_gradient_matches_torch_through_log_softmax(seed: int, reduction: str) -> None:
    log_probs, padded, _, input_lengths, target_lengths = _case(seed)
    scores = torch.from_numpy(log_probs).requires_grad_()
    loss = F.ctc_loss(
        scores.log_softmax(-1),
        torch.from_numpy(padded),
        torch.from_numpy(input_lengths),
        torch.from_numpy(target_lengths),
        reduction=reduction,
    )
    loss.sum().backward()
    grad = ctc_loss_grad(log_probs, padded, input_lengths, target_lengths, reduction=reduction)
    # log_probs are already normalised, so the log-softmax leaves them as they are
    through_softmax = grad - np.exp(log_probs) * grad.sum(-1, keepdims=True)
    assert scores.grad is not None
    assert _rel(through_softmax, scores.grad.numpy()) <= 1e-10
    assert np.all(grad[np.arange(15)[:, None] >= input_lengths[None, :]] == 0)


def test_gradient_matches_finite_differences() -> None:
    log_probs, padded, _, input_lengths, target_lengths = _case(7)
    grad = ctc_loss_grad(log_probs, padded, input_lengths, target_lengths)
    eps = 1e-6
    rng = np.random.default_rng(0)
    for index in [
        (0, 0, 1),
        (3, 1, 1),
        (7, 2, 0),
        *map(tuple, rng.integers(0, [15, 6, 5], (20, 3))),
    ]:
        plus, minus = log_probs.copy(), log_probs.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric = (
            ctc_loss(plus, padded, input_lengths, target_lengths)
            - ctc_loss(minus, padded, input_lengths, target_lengths)
        ) / (2 * eps)
        assert abs(numeric - grad[index]) < 1e-7, index


def test_posteriors_sum_to_one_and_backward_agrees_with_forward() -> None:
    log_probs, padded, _, input_lengths, target_lengths = _case(3)
    for k in range(len(padded)):
        lp = log_probs[: input_lengths[k], k]
        target = padded[k, : target_lengths[k]]
        gamma = ctc_posteriors(lp, target)
        np.testing.assert_allclose(gamma.sum(axis=1), 1.0, atol=1e-12)
        alpha = ctc_forward(lp, target)
        assert alpha.shape == (len(lp), 2 * len(target) + 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"targets": np.array([[1, 0, 2]])}, "contains the blank index 0"),
        ({"target_lengths": [5]}, "target of 5 labels but only 4 frames"),
        ({"input_lengths": [0]}, "at least one frame"),
        ({"input_lengths": [6]}, r"values <= T = 4"),
        ({"input_lengths": [4, 4]}, r"input_lengths: expected shape \(1,\)"),
        ({"target_lengths": [4]}, r"values <= targets.shape\[1\] = 3"),
        ({"targets": np.array([1, 2])}, r"sum\(target_lengths\) == len\(targets\) = 2"),
        ({"targets": np.array([[1, 7, 2]])}, r"labels outside \[0, 3\)"),
        ({"log_probs": np.zeros((4, 3))}, r"log_probs: expected shape \(T, N, C\)"),
        ({"blank": 3}, r"blank: expected an index in \[0, 3\)"),
        ({"reduction": "avg"}, "reduction: expected"),
    ],
)
def test_bad_input_is_named(change: dict, message: str) -> None:
    args = {
        "log_probs": _log_softmax(np.zeros((4, 1, 3))),
        "targets": np.array([[1, 2, 1]]),
        "input_lengths": [4],
        "target_lengths": [3],
    }
    args.update(change)
    with pytest.raises(ValueError, match=message):
        ctc_loss(**args)
    with pytest.raises(ValueError, match=message):
        ctc_loss_grad(**args)


def test_empty_target_is_the_all_blank_path() -> None:
    lp = _log_softmax(np.random.default_rng(0).normal(size=(6, 1, 3)))
    got = ctc_loss(lp, np.zeros((1, 0), dtype=np.int64), [6], [0], reduction="sum")
    assert abs(got + lp[:, 0, 0].sum()) < 1e-12


def test_greedy_and_collapse() -> None:
    assert collapse([0, 1, 1, 0, 1, 2, 2, 0]) == [1, 1, 2]
    assert collapse([3, 3, 0, 3], blank=3) == [0]
    lp = np.log(np.eye(4)[[0, 2, 2, 0, 2, 1]] * 0.9 + 0.025)
    assert greedy_decode(lp) == [2, 2, 1]
    with pytest.raises(ValueError, match=r"log_probs: expected shape \(T, C\)"):
        greedy_decode(lp[None])


@pytest.mark.parametrize("seed", range(8))
def test_wide_beam_finds_the_most_probable_labelling(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lp = _log_softmax(rng.normal(size=(5, 3)) * 1.5)
    totals: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(3), repeat=5):
        key = tuple(collapse(path))
        totals[key] = totals.get(key, 0.0) + np.exp(lp[np.arange(5), path].sum())
    best = max(totals, key=lambda k: totals[k])
    assert prefix_beam_decode(lp, beam_width=len(totals)) == list(best)
    with pytest.raises(ValueError, match="beam_width: expected an int >= 1"):
        prefix_beam_decode(lp, beam_width=0)


def test_edit_distance_agrees_with_rapidfuzz() -> None:
    rng = np.random.default_rng(0)
    for _ in range(300):
        a = "".join(rng.choice(list("abc"), size=rng.integers(0, 9)))
        b = "".join(rng.choice(list("abc"), size=rng.integers(0, 9)))
        assert edit_distance(a, b) == Levenshtein.distance(a, b)
        assert edit_distance(list(a), list(b)) == edit_distance(b, a)
    assert error_rate([[1, 2, 3], [4]], [[1, 3], [4, 4]]) == pytest.approx(2 / 4)
    with pytest.raises(ValueError, match="hypotheses: expected 2"):
        error_rate([[1], [2]], [[1]])
    with pytest.raises(ValueError, match="at least one token"):
        error_rate([[]], [[1]])


def test_pack_unpack_and_objective() -> None:
    targets = np.array([[3, 3, 1], [2, -1, -1]])
    y = pack_ctc_targets(targets, np.array([3, 1]), np.array([5, 2]))
    labels, steps = unpack_ctc_targets(y)
    assert labels == [[3, 3, 1], [2]] and steps.tolist() == [5, 2]
    with pytest.raises(ValueError, match="needs 4"):
        pack_ctc_targets(targets, np.array([3, 1]), np.array([3, 2]))
    rng = np.random.default_rng(0)
    pred = torch.from_numpy(_log_softmax(rng.normal(size=(2, 5, 4))))
    expected = F.ctc_loss(
        pred.transpose(0, 1),
        torch.tensor([[3, 3, 1], [2, 0, 0]]),
        torch.tensor([5, 2]),
        torch.tensor([3, 1]),
    )
    assert abs(ctc_objective()(pred, torch.from_numpy(y)).item() - expected.item()) < 1e-12
    metric = ctc_error_metric()
    perfect = np.log(np.full((2, 5, 4), 1e-6))
    for t, c in enumerate([3, 0, 3, 1, 0]):
        perfect[0, t, c] = 0.0
    perfect[1, 0, 2] = 0.0
    perfect[1, 1:, 0] = 0.0
    assert metric(perfect, y) == 0.0
    assert decode(perfect, [5, 2]) == [[3, 3, 1], [2]]
    assert decode(perfect, [5, 2], method="beam") == [[3, 3, 1], [2]]


def test_recognizer_shapes_and_padding() -> None:
    torch.manual_seed(0)
    model = CTCRecognizer(3, 8, 5, stride=2)
    x = torch.randn(2, 7, 3)
    lengths = torch.tensor([7, 4])
    out = model(x, lengths)
    assert out.shape == (2, 4, 5)
    torch.testing.assert_close(out.exp().sum(-1), torch.ones(2, 4))
    assert model.output_lengths(np.array([7, 4, 1])).tolist() == [4, 2, 1]
    alone = model(x[1:, :4], lengths[1:])
    torch.testing.assert_close(out[1, :2], alone[0], atol=1e-6, rtol=1e-6)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, T, 3\)"):
        model(torch.randn(2, 7, 4))


def test_recognizer_learns_a_toy_task() -> None:
    """Symbols as one-hot frames, each held 2-3 frames: CTC must learn to read them."""
    from lstm_ref.train import fit, predict

    def batch(step: int, rng: np.random.Generator):
        x = np.zeros((16, 18, 4), dtype=np.float32)
        targets = np.zeros((16, 4), dtype=np.int64)
        lengths = np.zeros(16, dtype=np.int64)
        for k in range(16):
            labels = rng.integers(1, 4, size=4)
            t = 0
            for label in labels:
                width = rng.integers(2, 4)
                x[k, t : t + width, label] = 1
                t += width + 1
            targets[k], lengths[k] = labels, t
        return x, pack_ctc_targets(targets, np.full(16, 4), lengths), lengths

    torch.manual_seed(0)
    model = CTCRecognizer(4, 16, 4)
    fit(model, batch, loss=ctc_objective(), steps=150, lr=1e-2, progress=False)
    x, y, lengths = batch(0, np.random.default_rng(99))
    out = predict(model, x, lengths)
    assert ctc_error_metric()(out, y) < 0.1
