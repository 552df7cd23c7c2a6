r"""Video: a clip classifier (CNN per frame + LSTM) and a next-frame predictor (ConvLSTM).

**Classifying a clip** (Donahue et al.'s LRCN, 2015). A small convolutional
network :math:`\phi` turns each frame :math:`X_t` into a vector, an LSTM
reads the vectors in order, and its last hidden state is read out:

.. math::
    v_t = \phi(X_t), \quad (h_t, c_t) = \mathrm{LSTM}(v_t, (h_{t-1}, c_{t-1})),
    \quad s = W h_T + b.

The order-blind control replaces the LSTM by the mean of the frame vectors,
:math:`s = W \frac1T \sum_t v_t + b`: the same encoder, but a clip played
backwards gets the same scores. :class:`ClipClassifier` scores the digit
(10 classes) and the motion (4 directions) at once; :func:`clip_loss` is the
sum of the two cross-entropies.

**Predicting the next frame** (Shi et al. 2015). A
:class:`~lstm_ref.torch.conv_lstm.ConvLSTM` reads the frames; a 1 x 1 convolution of
each hidden state, through a sigmoid, is the prediction of the next frame,
:math:`\hat X_{t+1} = \sigma(w * \mathcal{H}_t + b)`. Baselines that need no
training: copy the last frame, :math:`\hat X_{t+1} = X_t`, and extrapolate
each pixel linearly, :math:`\hat X_{t+1} = \mathrm{clip}(2X_t - X_{t-1}, 0, 1)`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_ref.checks import check_positive_int, evaluating, model_device
from lstm_ref.data.moving_digits import DIRECTIONS, check_clips
from lstm_ref.torch import ConvLSTM

__all__ = [
    "ClipClassifier",
    "FrameEncoder",
    "NextFramePredictor",
    "clip_accuracies",
    "clip_loss",
    "copy_last_frame",
    "frame_mse",
    "linear_extrapolation",
    "predict_next_frames",
    "rollout",
]

N_DIGITS = 10


class FrameEncoder(nn.Module):
    """Two 3 x 3 convolutions with ReLU and 2 x 2 max-pooling, then a linear layer.

    Inputs: ``frames`` (B, S, S), S divisible by 4. Outputs: (B, ``size``).
    The flattened feature map keeps *where* the strokes are, not only which.
    """

    def __init__(self, canvas: int = 16, size: int = 64, channels: int = 8) -> None:
        super().__init__()
        canvas = check_positive_int("canvas", canvas, minimum=4)
        if canvas % 4:
            raise ValueError(f"canvas: expected a multiple of 4, got {canvas}")
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, 2 * channels, 3, padding=1)
        self.out = nn.Linear(2 * channels * (canvas // 4) ** 2, check_positive_int("size", size))

    def forward(self, frames: Tensor) -> Tensor:
        """``(B, S, S) -> (B, size)``."""
        z = F.max_pool2d(F.relu(self.conv1(frames[:, None])), 2)
        z = F.max_pool2d(F.relu(self.conv2(z)), 2)
        return F.relu(self.out(z.flatten(1)))


class ClipClassifier(nn.Module):
    """Digit and direction of a clip: a :class:`FrameEncoder` per frame, then an LSTM or a mean.

    Parameters
    ----------
    canvas : int
        Side of the frames.
    size : int
        Frame vector and LSTM hidden size.
    order_blind : bool
        ``True``: average the frame vectors instead of running the LSTM.

    Inputs: ``clips`` (B, T, S, S). Outputs: scores (B, 14), the 10 digits
    then the 4 directions of :data:`lstm_ref.data.moving_digits.DIRECTIONS`.
    """

    def __init__(self, canvas: int = 16, size: int = 64, order_blind: bool = False) -> None:
        super().__init__()
        self.encoder = FrameEncoder(canvas, size)
        self.order_blind = order_blind
        self.lstm = None if order_blind else nn.LSTM(size, size, batch_first=True)
        self.head = nn.Linear(size, N_DIGITS + len(DIRECTIONS))

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, S, S) -> (B, 14)``."""
        if clips.dim() != 4:
            raise ValueError(f"clips: expected shape (B, T, S, S), got {tuple(clips.shape)}")
        B, T = clips.shape[:2]
        v = self.encoder(clips.flatten(0, 1)).view(B, T, -1)
        if self.lstm is None:
            summary = v.mean(1)
        else:
            out, _ = self.lstm(v)
            summary = out[:, -1]
        return self.head(summary)


def clip_loss(scores: Tensor, y: Tensor) -> Tensor:
    """Digit cross-entropy plus direction cross-entropy.

    ``scores`` (B, 14) from :class:`ClipClassifier`; ``y`` (B, 2) int: digit, direction.
    """
    return F.cross_entropy(scores[:, :N_DIGITS], y[:, 0]) + F.cross_entropy(
        scores[:, N_DIGITS:], y[:, 1]
    )


def clip_accuracies(model: nn.Module, clips: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Shares of clips whose digit, direction, both, and direction's axis ``model`` gets right.

    The axis is horizontal (right, left) or vertical (down, up).

    Parameters
    ----------
    model : ClipClassifier
    clips : np.ndarray, shape (N, T, S, S)
    y : np.ndarray, int, shape (N, 2)
        Digit and direction.
    """
    x = check_clips("clips", clips)
    y = np.asarray(y)
    if y.shape != (len(x), 2):
        raise ValueError(f"y: expected shape ({len(x)}, 2), got {y.shape}")
    with evaluating(model), torch.no_grad():
        scores = model(torch.from_numpy(x).to(model_device(model))).cpu().numpy()
    digit = scores[:, :N_DIGITS].argmax(1) == y[:, 0]
    guess = scores[:, N_DIGITS:].argmax(1)
    direction = guess == y[:, 1]
    return {
        "digit": float(digit.mean()),
        "direction": float(direction.mean()),
        "both": float((digit & direction).mean()),
        "axis": float((guess // 2 == y[:, 1] // 2).mean()),
    }


class NextFramePredictor(nn.Module):
    r"""A :class:`~lstm_ref.torch.conv_lstm.ConvLSTM` and a 1 x 1 convolution: frame t -> t+1.

    .. math::
        \hat X_{t+1} = \sigma(w * \mathcal{H}_t + b)

    Parameters
    ----------
    hidden_channels : int
        ``K``, the ConvLSTM's state channels.
    kernel_size : int
        Odd side of the ConvLSTM's kernels.

    Inputs: ``clips`` (B, T, S, S). Outputs: (B, T, S, S), at ``t`` the
    prediction of frame ``t + 1`` from frames ``0..t``.
    """

    def __init__(self, hidden_channels: int = 16, kernel_size: int = 5) -> None:
        super().__init__()
        self.conv_lstm = ConvLSTM(1, hidden_channels, kernel_size)
        self.read_out = nn.Conv2d(hidden_channels, 1, 1)
        self.state: tuple[Tensor, Tensor] | None = None

    def forward(self, clips: Tensor, state: tuple[Tensor, Tensor] | None = None) -> Tensor:
        """``(B, T, S, S) -> (B, T, S, S)``; the final state is kept in ``self.state``."""
        if clips.dim() != 4:
            raise ValueError(f"clips: expected shape (B, T, S, S), got {tuple(clips.shape)}")
        out, self.state = self.conv_lstm(clips[:, :, None], state)
        B, T = out.shape[:2]
        pred = torch.sigmoid(self.read_out(out.flatten(0, 1)))
        return pred.view(B, T, *clips.shape[2:])


def predict_next_frames(model: NextFramePredictor, clips: np.ndarray) -> np.ndarray:
    """One-step predictions of frames ``1..T-1`` from the true frames before each.

    ``clips`` (N, T, S, S) -> (N, T - 1, S, S).
    """
    x = check_clips("clips", clips, min_frames=2)
    with evaluating(model), torch.no_grad():
        pred = model(torch.from_numpy(x[:, :-1]).to(model_device(model)))
    return pred.cpu().numpy()


def rollout(model: NextFramePredictor, context: np.ndarray, steps: int) -> np.ndarray:
    """Feed the model ``context`` (N, T, S, S), then its own predictions for ``steps`` frames.

    Returns the ``steps`` generated frames, (N, steps, S, S).
    """
    x = check_clips("context", context)
    steps = check_positive_int("steps", steps)
    with evaluating(model), torch.no_grad():
        frame = model(torch.from_numpy(x).to(model_device(model)))[:, -1:]
        out = [frame]
        for _ in range(steps - 1):
            frame = model(frame, model.state)
            out.append(frame)
    return torch.cat(out, 1).cpu().numpy()


def copy_last_frame(clips: np.ndarray) -> np.ndarray:
    """Baseline: frame ``t + 1`` predicted as frame ``t``; (N, T, S, S) -> (N, T - 1, S, S)."""
    x = check_clips("clips", clips, min_frames=2)
    return x[:, :-1].copy()


def linear_extrapolation(clips: np.ndarray) -> np.ndarray:
    """Baseline: each pixel continues its last change, ``clip(2 X_t - X_{t-1}, 0, 1)``.

    ``clips`` (N, T, S, S) -> (N, T - 1, S, S); frame 1, with no change yet
    to continue, is predicted as frame 0.
    """
    x = check_clips("clips", clips, min_frames=2)
    pred = np.empty_like(x[:, :-1])
    pred[:, 0] = x[:, 0]
    pred[:, 1:] = np.clip(2 * x[:, 1:-1] - x[:, :-2], 0.0, 1.0)
    return pred


def frame_mse(pred: np.ndarray, clips: np.ndarray, *, first: int = 1) -> float:
    """Mean squared pixel error of one-step predictions of frames ``first..T-1``.

    ``pred`` (N, T - 1, S, S) as returned by :func:`predict_next_frames` and the
    baselines (``pred[:, t]`` is frame ``t + 1``); ``clips`` (N, T, S, S).
    """
    x = check_clips("clips", clips, min_frames=2)
    p = np.asarray(pred, dtype=np.float32)
    if p.shape != (x.shape[0], x.shape[1] - 1, *x.shape[2:]):
        raise ValueError(
            f"pred: expected shape {(x.shape[0], x.shape[1] - 1, *x.shape[2:])}, got {p.shape}"
        )
    return float(np.mean((p[:, first - 1 :] - x[:, first:]) ** 2))
