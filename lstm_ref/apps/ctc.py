r"""Recognising unsegmented sequences with an LSTM and CTC (Graves et al. 2006).

A bidirectional LSTM reads the whole input (speech frames, image columns) and
emits at every output step a distribution over the ``C - 1`` labels and a
*blank*; the CTC loss sums over every alignment of the label string with the
steps, so the training data need no segmentation:

.. math::
    y_t = \log\operatorname{softmax}(W [\overrightarrow{h}_t; \overleftarrow{h}_t] + b),
    \qquad \mathcal{L} = -\log \sum_{\pi \in \mathcal{B}^{-1}(l)} \prod_t e^{y_t(\pi_t)} .

The NumPy reference of the loss, its gradient, the decoders and the error
rate live in :mod:`lstm_ref.numpy.ctc`; this module adds the model
(:class:`CTCRecognizer`) and the glue that lets
:func:`lstm_ref.train.fit` train it: the targets and their lengths travel
packed in one integer array (:func:`pack_ctc_targets`), which the loss
(:func:`ctc_objective`) and the validation metric (:func:`ctc_error_metric`)
unpack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_ref.checks import check_positive_int
from lstm_ref.numpy.ctc import error_rate, greedy_decode, prefix_beam_decode

__all__ = [
    "CTCRecognizer",
    "ctc_error_metric",
    "ctc_objective",
    "decode",
    "min_ctc_frames",
    "pack_ctc_targets",
    "unpack_ctc_targets",
]


class CTCRecognizer(nn.Module):
    r"""A (bi)LSTM that emits log-probabilities over labels and blank at every output step.

    .. math::
        z_\tau = [x_{s\tau}; x_{s\tau+1}; \dots; x_{s\tau+s-1}], \qquad
        h_\tau = \operatorname{BiLSTM}(z_\tau), \qquad
        y_\tau = \log\operatorname{softmax}(W h_\tau + b)

    ``stride`` :math:`s` stacks that many consecutive input steps into one
    (a common trick in speech recognition: fewer, wider steps), so ``T``
    inputs give ``ceil(T / s)`` outputs.

    Parameters
    ----------
    input_size : int
        Features per input step ``D``.
    hidden_size : int
        Units per direction.
    num_classes : int
        ``C``: the labels plus the blank.
    num_layers : int
    bidirectional : bool
    stride : int
    rnn : class or callable
        Built as ``rnn(D * stride, hidden_size, num_layers=..., batch_first=True,
        bidirectional=...)``; ``torch.nn.LSTM`` by default.

    Shape
    -----
    ``forward(x, lengths=None)``: ``x (N, T, D)`` float, ``lengths (N,)`` ints in
    ``[1, T]``; returns log-probabilities ``(N, ceil(T / stride), C)``,
    batch-major (``torch.nn.functional.ctc_loss`` wants them time-major).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        *,
        num_layers: int = 1,
        bidirectional: bool = True,
        stride: int = 1,
        rnn: Callable[..., nn.Module] = nn.LSTM,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.stride = check_positive_int("stride", stride)
        check_positive_int("num_classes", num_classes, minimum=2)
        self.rnn = rnn(
            input_size * self.stride,
            check_positive_int("hidden_size", hidden_size),
            num_layers=check_positive_int("num_layers", num_layers),
            batch_first=True,
            bidirectional=bidirectional,
        )
        self.linear = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def output_lengths(self, lengths: torch.Tensor | np.ndarray) -> torch.Tensor | np.ndarray:
        """Output steps for inputs of ``lengths`` steps: ``ceil(lengths / stride)``."""
        return (lengths + self.stride - 1) // self.stride

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Log-probabilities ``(N, ceil(T / stride), C)``; rows past a sequence's end are junk."""
        if x.dim() != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"x: expected shape (N, T, {self.input_size}), got {tuple(x.shape)}")
        n, big_t, d = x.shape
        pad = (-big_t) % self.stride
        if pad:
            x = F.pad(x, (0, 0, 0, pad))
        z = x.reshape(n, (big_t + pad) // self.stride, d * self.stride)
        if lengths is None:
            h = self.rnn(z)[0]
        else:
            steps = (lengths.long().cpu() + self.stride - 1) // self.stride
            if bool((steps < 1).any()) or bool((steps > z.shape[1]).any()):
                raise ValueError(
                    f"lengths: expected values in [1, {big_t}], got {lengths.tolist()}"
                )
            packed = pack_padded_sequence(z, steps, batch_first=True, enforce_sorted=False)
            h, _ = pad_packed_sequence(
                self.rnn(packed)[0], batch_first=True, total_length=z.shape[1]
            )
        return self.linear(h).log_softmax(-1)


def min_ctc_frames(target: Sequence[int] | np.ndarray) -> int:
    """Fewest frames a CTC path for ``target`` needs: a label each, a blank between repeats."""
    labels = np.asarray(target).reshape(-1)
    return int(len(labels) + np.sum(labels[1:] == labels[:-1]))


def pack_ctc_targets(
    targets: np.ndarray, target_lengths: np.ndarray, output_lengths: np.ndarray
) -> np.ndarray:
    """Targets, their lengths and the model's output lengths in one int64 array for ``fit``.

    ``fit`` hands the loss ``(pred, y)`` only; CTC also needs the lengths, so
    ``y[k] = [output_lengths[k], target_lengths[k], targets[k, 0], ...]``.

    Parameters
    ----------
    targets : np.ndarray, int, shape (N, S)
        Labels (never the blank), padded after ``target_lengths[k]``.
    target_lengths, output_lengths : np.ndarray, int, shape (N,)

    Returns
    -------
    np.ndarray, int64, shape (N, S + 2)

    Raises
    ------
    ValueError
        If a target cannot be aligned with its output steps (:func:`min_ctc_frames`).
    """
    labels = np.asarray(targets, dtype=np.int64)
    tl = np.asarray(target_lengths, dtype=np.int64)
    ol = np.asarray(output_lengths, dtype=np.int64)
    if labels.ndim != 2 or tl.shape != labels.shape[:1] or ol.shape != labels.shape[:1]:
        raise ValueError(
            f"targets, target_lengths, output_lengths: expected shapes (N, S), (N,), (N,), "
            f"got {labels.shape}, {tl.shape}, {ol.shape}"
        )
    for k in range(len(labels)):
        need = min_ctc_frames(labels[k, : tl[k]])
        if need > ol[k]:
            raise ValueError(
                f"output_lengths: sequence {k} has {ol[k]} output steps but its target needs "
                f"{need} (one per label, one blank between repeats)"
            )
    return np.concatenate([ol[:, None], tl[:, None], np.where(labels < 0, 0, labels)], axis=1)


def unpack_ctc_targets(y: np.ndarray | torch.Tensor) -> tuple[list[list[int]], np.ndarray]:
    """The label lists and output lengths packed by :func:`pack_ctc_targets`."""
    rows = np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y, dtype=np.int64)
    return [r[2 : 2 + r[1]].tolist() for r in rows], rows[:, 0]


def ctc_objective(blank: int = 0) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """A loss ``(pred, y) -> scalar`` for ``fit``: mean CTC loss per label of ``pred (N, T, C)``.

    ``y`` comes from :func:`pack_ctc_targets`; ``pred`` holds log-probabilities
    (as :class:`CTCRecognizer` returns) or scores (they pass a log-softmax,
    which leaves log-probabilities unchanged).
    """

    def loss(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if pred.dim() != 3 or y.dim() != 2 or y.shape[0] != pred.shape[0]:
            raise ValueError(
                f"pred, y: expected (N, T, C) and (N, S + 2), got {tuple(pred.shape)}, "
                f"{tuple(y.shape)}"
            )
        y = y.long()
        return F.ctc_loss(
            pred.log_softmax(-1).transpose(0, 1),
            y[:, 2:],
            y[:, 0],
            y[:, 1],
            blank=blank,
            reduction="mean",
        )

    return loss


def decode(
    log_probs: np.ndarray,
    lengths: np.ndarray | Sequence[int],
    *,
    method: str = "greedy",
    beam_width: int = 8,
    blank: int = 0,
) -> list[list[int]]:
    """Decode a batch of outputs ``(N, T, C)`` (batch-major), each up to its own length.

    ``method`` is ``"greedy"`` (:func:`~lstm_ref.numpy.ctc.greedy_decode`) or ``"beam"``
    (:func:`~lstm_ref.numpy.ctc.prefix_beam_decode` with ``beam_width``).
    """
    scores = np.asarray(log_probs)
    steps = np.asarray(lengths).reshape(-1)
    if scores.ndim != 3 or steps.shape != scores.shape[:1]:
        raise ValueError(
            f"log_probs, lengths: expected (N, T, C) and (N,), got {scores.shape}, {steps.shape}"
        )
    if method == "greedy":
        return [greedy_decode(scores[k, : steps[k]], blank) for k in range(len(steps))]
    if method == "beam":
        return [
            prefix_beam_decode(scores[k, : steps[k]], beam_width, blank) for k in range(len(steps))
        ]
    raise ValueError(f"method: expected 'greedy' or 'beam', got {method!r}")


def ctc_error_metric(blank: int = 0) -> Callable[[np.ndarray, np.ndarray], float]:
    """A metric ``(pred, y) -> error rate`` for ``fit``: greedy decoding, edits per label."""

    def metric(pred: np.ndarray, y: np.ndarray) -> float:
        references, steps = unpack_ctc_targets(y)
        return error_rate(references, decode(pred, steps, blank=blank))

    return metric
