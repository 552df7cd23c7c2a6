"""Moving digits, the clip classifier, the next-frame predictor and its baselines."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_ref.apps.video import (
    ClipClassifier,
    NextFramePredictor,
    clip_accuracies,
    clip_loss,
    copy_last_frame,
    frame_mse,
    linear_extrapolation,
    predict_next_frames,
    rollout,
)
from lstm_ref.data import (
    DIRECTIONS,
    check_clips,
    load_small_digits,
    moving_digits,
    split_images,
)
from lstm_ref.viz import frame_rows

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    return load_small_digits()


def test_small_digits(digits: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = digits
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert set(labels.tolist()) == set(range(10))


def test_line_clips_move_one_pixel_per_frame(digits: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = digits
    clips = moving_digits(images, labels, 50, frames=6, canvas=16, seed=0)
    assert clips.frames.shape == (50, 6, 16, 16) and clips.frames.dtype == np.float32
    steps = np.diff(clips.positions, axis=1)
    expected = np.array([(0, 1), (0, -1), (1, 0), (-1, 0)])[clips.directions]
    assert (steps == expected[:, None]).all()
    assert clips.positions.min() >= 0 and clips.positions.max() <= 8
    for k in range(50):  # the digit is pasted whole at its position in every frame
        for t in range(6):
            r, c = clips.positions[k, t]
            np.testing.assert_array_equal(
                clips.frames[k, t, r : r + 8, c : c + 8], images[clips.sources[k]]
            )
            assert clips.frames[k, t].sum() == pytest.approx(images[clips.sources[k]].sum())
    np.testing.assert_array_equal(clips.digits, labels[clips.sources])
    assert set(clips.directions.tolist()) == set(range(len(DIRECTIONS)))
    again = moving_digits(images, labels, 50, frames=6, canvas=16, seed=0)
    np.testing.assert_array_equal(again.frames, clips.frames)


def test_bounce_stays_on_canvas_and_reflects(digits: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = digits
    clips = moving_digits(images, labels, 200, frames=20, motion="bounce", seed=1)
    assert (clips.directions == -1).all()
    assert clips.positions.min() >= 0 and clips.positions.max() <= 8
    steps = np.diff(clips.positions, axis=1)
    assert np.isin(steps, (-1, 0, 1)).all()
    assert (np.abs(steps).sum(-1) > 0).all()  # never standing still
    # a reflection flips the step's sign on that axis, nothing else changes it
    flips = (steps[:, 1:] * steps[:, :-1] < 0).any()
    assert flips


def test_split_images_disjoint() -> None:
    train, test = split_images(100, test=0.25, seed=0)
    assert len(train) == 75 and len(test) == 25
    assert not set(train) & set(test)


def test_bad_input_is_named(digits: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = digits
    with pytest.raises(ValueError, match=r"images: expected shape \(N, h, w\)"):
        moving_digits(images[0], labels, 3)
    with pytest.raises(ValueError, match="smaller than the canvas"):
        moving_digits(images, labels, 3, canvas=8)
    with pytest.raises(ValueError, match="labels: expected shape"):
        moving_digits(images, labels[:5], 3)
    with pytest.raises(ValueError, match="frames: expected at most 9"):
        moving_digits(images, labels, 3, frames=10)
    with pytest.raises(ValueError, match="motion: expected"):
        moving_digits(images, labels, 3, motion="spin")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"clips: expected clips of square frames"):
        check_clips("clips", np.zeros((2, 3, 16)))
    with pytest.raises(ValueError, match=r"clips: expected clips of square frames"):
        copy_last_frame(np.zeros((2, 3, 16, 15)))
    with pytest.raises(ValueError, match="at least 2 frames"):
        linear_extrapolation(np.zeros((2, 1, 16, 16)))
    with pytest.raises(ValueError, match="pred: expected shape"):
        frame_mse(np.zeros((2, 3, 16, 16)), np.zeros((2, 3, 16, 16)))


def test_baselines() -> None:
    x = np.zeros((1, 4, 4, 4), dtype=np.float32)
    for t in range(4):
        x[0, t, 1, t] = 1.0  # a dot moving right
    copy = copy_last_frame(x)
    np.testing.assert_array_equal(copy, x[:, :-1])
    lin = linear_extrapolation(x)
    np.testing.assert_array_equal(lin[:, 0], x[:, 0])
    # 2 X_t - X_{t-1}: the new dot stays, the old one is clipped to 0 — no motion
    np.testing.assert_array_equal(lin[:, 1:], x[:, 1:-1])
    assert frame_mse(copy, x) == pytest.approx(2 / 16)
    fade = np.linspace(0, 1, 5, dtype=np.float32)[None, :, None, None] * np.ones((1, 5, 2, 2))
    assert frame_mse(linear_extrapolation(fade), fade, first=2) == pytest.approx(0.0, abs=1e-12)


def test_models_shapes_and_order(digits: tuple[np.ndarray, np.ndarray]) -> None:
    images, labels = digits
    clips = moving_digits(images, labels, 6, frames=5, seed=2)
    y = np.stack([clips.digits, clips.directions], 1)
    torch.manual_seed(0)
    lstm, blind = ClipClassifier(), ClipClassifier(order_blind=True)
    x = torch.from_numpy(clips.frames)
    assert lstm(x).shape == blind(x).shape == (6, 14)
    reverse = x.flip(1)
    torch.testing.assert_close(blind(reverse), blind(x))  # the mean ignores order
    assert not torch.allclose(lstm(reverse), lstm(x))
    loss = clip_loss(lstm(x), torch.from_numpy(y))
    loss.backward()
    assert loss.item() > 0
    acc = clip_accuracies(lstm, clips.frames, y)
    assert set(acc) == {"digit", "direction", "both", "axis"}
    predictor = NextFramePredictor(hidden_channels=4, kernel_size=3)
    pred = predict_next_frames(predictor, clips.frames)
    assert pred.shape == (6, 4, 16, 16) and (pred >= 0).all() and (pred <= 1).all()
    gen = rollout(predictor, clips.frames[:, :3], 4)
    assert gen.shape == (6, 4, 16, 16)
    # the first generated frame is the one-step prediction after the context
    np.testing.assert_allclose(gen[:, 0], pred[:, 2], atol=1e-6)


def test_frame_rows_figure() -> None:
    rows = [np.zeros((3, 16, 16)), np.ones((3, 16, 16))]
    fig = frame_rows(rows, ["true", "predicted"], first_frame=2, title="t")
    assert len(fig.axes) == 6
    with pytest.raises(ValueError, match=r"rows\[1\]"):
        frame_rows([np.zeros((3, 16, 16)), np.zeros((2, 16, 16))], ["a", "b"])
    with pytest.raises(ValueError, match="labels"):
        frame_rows(rows, ["a"])
