"""The training core and fit: deterministic, clips, schedules, evaluates, stops early,
restores the best weights, reports progress as plain text."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from torch import nn

from lstm_ref.data import accuracy, adding, adding_baseline_mse, temporal_order
from lstm_ref.history import History
from lstm_ref.models import RecurrentModel
from lstm_ref.progress import Progress
from lstm_ref.train import fit, predict, resolve_device, train_loop
from lstm_ref.viz import training_curves


def _model(seed: int = 0, **kwargs: object) -> RecurrentModel:
    torch.manual_seed(seed)
    return RecurrentModel(2, 8, 1, **kwargs)  # type: ignore[arg-type]


def _adding_batches(step: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    return tuple(adding(16, 8, seed=rng))


def test_same_seed_same_history() -> None:
    val = adding(64, 8, seed=99)
    runs = [
        fit(_model(), _adding_batches, val=val, loss="mse", steps=20, lr=1e-2, progress=False)
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].train_loss == runs[1].train_loss and len(runs[0].train_loss) == 20
    assert runs[0].val_loss == runs[1].val_loss and len(runs[0].val_loss) == 20
    other = fit(
        _model(), _adding_batches, val=val, loss="mse", steps=20, lr=1e-2, seed=1, progress=False
    )
    assert other.train_loss != runs[0].train_loss


def test_same_seed_same_history_on_fixed_arrays_with_dropout() -> None:
    data = adding(100, 8, seed=0)
    runs = [
        fit(
            _model(num_layers=2, dropout=0.5),
            data,
            loss="mse",
            epochs=2,
            batch_size=32,
            progress=False,
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].steps == 2 * math.ceil(100 / 32) and len(runs[0].epoch_loss) == 2


def test_learns_a_short_adding_problem() -> None:
    val = adding(256, 6, seed=1)
    model = _model()
    history = fit(
        model,
        lambda step, rng: adding(32, 6, seed=rng),
        val=val,
        loss="mse",
        steps=200,
        lr=3e-2,
        progress=False,
    )
    assert history.val_loss[-1] < adding_baseline_mse() / 2
    assert history.eval_step[-1] == 200 and len(history.eval_step) == 20  # steps // 20 by default
    mse = float(np.mean((predict(model, val.x, val.lengths) - val.y) ** 2))
    assert mse == pytest.approx(history.val_loss[-1], rel=1e-5)


def test_clipping_bounds_the_update() -> None:
    model = _model()
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    history = fit(
        model,
        adding(16, 8, seed=0),
        loss="mse",
        steps=1,
        batch_size=16,
        clip=1e-3,
        optimizer=lambda params: torch.optim.SGD(params, lr=1.0),
        progress=False,
    )
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert history.grad_norm[0] > 1e-2  # recorded before clipping
    assert float((after - before).norm()) == pytest.approx(1e-3, rel=1e-4)


def test_stop_when_and_patience() -> None:
    val = adding(32, 8, seed=1)
    h = fit(
        _model(),
        _adding_batches,
        val=val,
        loss="mse",
        steps=50,
        eval_every=5,
        stop_when=lambda r: r["step"] >= 10,
        progress=False,
    )
    assert h.stop_reason == "stop_when" and h.steps == 10 and h.eval_step == [5, 10]
    # lr = 0: the validation loss never improves after the first evaluation.
    h = fit(
        _model(),
        _adding_batches,
        val=val,
        loss="mse",
        steps=50,
        lr=0.0,
        eval_every=5,
        patience=3,
        progress=False,
    )
    assert h.stop_reason == "patience" and h.eval_step == [5, 10, 15, 20]
    h = fit(_model(), _adding_batches, val=val, loss="mse", steps=20, eval_every=5, progress=False)
    assert h.stop_reason == "steps"


def test_restore_best() -> None:
    val = adding(64, 8, seed=1)
    model = _model()
    # A huge learning rate makes the validation loss jump around; the best weights come back.
    h = fit(
        model,
        _adding_batches,
        val=val,
        loss="mse",
        steps=40,
        lr=0.5,
        eval_every=4,
        restore_best=True,
        progress=False,
    )
    final = float(np.mean((predict(model, val.x, val.lengths) - val.y) ** 2))
    assert final == pytest.approx(min(h.val_loss), rel=1e-5)


def test_classification_with_metrics_and_schedule() -> None:
    torch.manual_seed(0)
    model = RecurrentModel(8, 8, 4)
    val = temporal_order(64, 20, seed=5)
    h = fit(
        model,
        lambda step, rng: temporal_order(16, 20, same_length=True, seed=rng),
        val=val,
        loss="cross_entropy",
        metrics={"accuracy": accuracy},
        steps=10,
        eval_every=5,
        schedule=lambda step: 0.5**step,
        progress=False,
    )
    assert set(h.val_metrics) == {"accuracy"} and len(h.val_metrics["accuracy"]) == 2
    assert 0.0 <= h.last()["accuracy"] <= 1.0
    assert h.last()["step"] == 10.0


def test_model_without_lengths_and_custom_loss() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 1))
    calls: list[int] = []

    def loss(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        return ((pred - y) ** 2).mean()

    data = adding(32, 8, seed=0)
    h = fit(model, (data.x, data.y), loss=loss, steps=3, batch_size=8, progress=False)
    assert len(calls) == 3 and h.steps == 3


def test_history_is_ready_to_plot_and_serialise(tmp_path: object) -> None:
    val = adding(32, 8, seed=1)
    h = fit(_model(), _adding_batches, val=val, loss="mse", steps=10, eval_every=5, progress=False)
    record = json.loads(json.dumps(h.to_dict()))
    assert record["step"] == list(range(1, 11)) and record["eval_step"] == [5, 10]
    fig = training_curves(h)
    assert len(fig.axes) == 2


def test_progress_is_plain_text_and_quiet_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    val = adding(32, 8, seed=1)
    fit(_model(), _adding_batches, val=val, loss="mse", steps=5, progress=False)
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""
    fit(_model(), _adding_batches, val=val, loss="mse", steps=5, progress=True)
    shown = capsys.readouterr()
    assert "5/5" in shown.out and "val_loss" in shown.out


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": 5, "epochs": 1}, ValueError, "steps, epochs"),
        ({"steps": 1.5}, TypeError, "steps: expected an int, got float"),
        ({"epochs": 0}, ValueError, "epochs: expected an int >= 1, got 0"),
        ({"steps": 5, "batch_size": 0}, ValueError, "batch_size: expected an int >= 1"),
        ({"steps": 5, "val": adding(4, 8), "patience": 0}, ValueError, "patience"),
        ({}, ValueError, "steps, epochs"),
        ({"epochs": 1, "train": _adding_batches}, ValueError, "epochs"),
        ({"steps": 5, "patience": 2}, ValueError, "val"),
        ({"steps": 5, "loss": "l1"}, ValueError, "loss"),
        (
            {"steps": 5, "val": adding(4, 8), "metrics": {"val_loss": np.mean}},
            ValueError,
            "metrics",
        ),
        ({"steps": 5, "train": ([1.0],)}, TypeError, "train"),
        ({"steps": 5, "train": 5}, TypeError, "train"),
        ({"steps": 5, "train": (np.zeros((3, 2, 2)), np.zeros((4, 1)))}, ValueError, "train"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    args: dict[str, object] = {"train": adding(8, 8, seed=0), "loss": "mse", "progress": False}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        fit(_model(), **args)  # type: ignore[arg-type]


def test_loss_shape_mismatch_is_explained() -> None:
    data = adding(8, 8, seed=0)
    with pytest.raises(ValueError, match="mse"):
        fit(_model(), (data.x, data.y[:, 0], data.lengths), loss="mse", steps=1, progress=False)


def test_device_choice() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device(None).type == expected
    assert resolve_device("cpu") == torch.device("cpu")
    assert isinstance(History().to_dict(), dict)


def test_progress_without_tqdm_prints_plain_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now fails
    val = adding(32, 8, seed=1)
    fit(_model(), _adding_batches, val=val, loss="mse", steps=5, progress=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("5/5 (100%)") and "val_loss=" in lines[-1]
    assert len(lines) == 5  # one line per tenth of the way: 5 steps, 5 lines


# ---------------------------------------------------------------- the training core


def _linear(seed: int = 0) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(3, 1)


def _fixed_batches(seed: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    while True:
        yield torch.randn(8, 3, generator=g), torch.randn(8, 1, generator=g)


def _mse(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    x, y = batch
    return ((model(x) - y) ** 2).mean()


def _weights(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_core_clips_the_global_norm_and_records_it_before() -> None:
    model = _linear()
    batch = next(_fixed_batches())
    loss = _mse(model, batch)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    norm = float(torch.cat([g.flatten() for g in grads]).norm())
    before = _weights(model)
    h = train_loop(
        model,
        iter([batch]),
        _mse,
        steps=1,
        optimizer=torch.optim.SGD(model.parameters(), lr=1.0),
        clip=norm / 4,
    )
    assert h.grad_norm[0] == pytest.approx(norm, rel=1e-6)
    assert h.train_loss[0] == pytest.approx(float(loss.detach()), rel=1e-6)
    # SGD with lr 1 moves the weights by the clipped gradient, of norm clip.
    assert float((_weights(model) - before).norm()) == pytest.approx(norm / 4, rel=1e-5)
    unclipped = _linear()
    train_loop(
        unclipped,
        iter([batch]),
        _mse,
        steps=1,
        optimizer=torch.optim.SGD(unclipped.parameters(), lr=1.0),
        clip=None,
    )
    assert float((_weights(unclipped) - before).norm()) == pytest.approx(norm, rel=1e-5)


def test_core_steps_the_schedule_after_the_optimiser() -> None:
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    seen: list[float] = []

    def loss_of_batch(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        seen.append(opt.param_groups[0]["lr"])  # the rate this step will use
        return _mse(model, batch)

    train_loop(
        model, _fixed_batches(), loss_of_batch, steps=4, optimizer=opt, schedule=lambda k: 0.5**k
    )
    assert seen == pytest.approx([0.1, 0.05, 0.025, 0.0125])  # step s: lr * schedule(s - 1)


def test_core_evaluates_on_schedule_in_evaluation_mode() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 1))
    modes: list[tuple[bool, bool]] = []

    def evaluate(model: nn.Module) -> dict[str, float]:
        modes.append((model.training, torch.is_grad_enabled()))
        return {"val_loss": 1.0, "accuracy": 0.5}

    h = train_loop(
        model,
        _fixed_batches(),
        _mse,
        steps=10,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
        evaluate=evaluate,
        eval_every=4,
        epoch_steps=5,
    )
    assert h.eval_step == [4, 8, 10] and h.val_metrics == {"accuracy": [0.5] * 3}
    assert modes == [(False, False)] * 3 and model.training  # back in training mode
    assert h.epoch_loss == pytest.approx([np.mean(h.train_loss[:5]), np.mean(h.train_loss[5:])])
    assert h.stop_reason == "steps" and h.last() == {"step": 10.0, "val_loss": 1.0, "accuracy": 0.5}


def _scripted(losses: list[float]) -> tuple[list[torch.Tensor], object]:
    """An ``evaluate`` returning ``losses`` in turn, and the weights it saw each time."""
    seen: list[torch.Tensor] = []
    values = iter(losses)

    def evaluate(model: nn.Module) -> dict[str, float]:
        seen.append(_weights(model).clone())
        return {"val_loss": next(values)}

    return seen, evaluate


def test_core_patience_stop_when_and_restore_best() -> None:
    model = _linear()
    seen, evaluate = _scripted([3.0, 1.0, 2.0, 5.0, 4.0, 0.5])
    h = train_loop(
        model,
        _fixed_batches(),
        _mse,
        steps=12,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        evaluate=evaluate,  # type: ignore[arg-type]
        eval_every=2,
        patience=3,
        restore_best=True,
    )
    # Best at step 4; three evaluations without a lower loss (steps 6, 8, 10) stop it.
    assert h.stop_reason == "patience" and h.eval_step == [2, 4, 6, 8, 10] and h.steps == 10
    assert torch.equal(_weights(model), seen[1])  # the weights of the best evaluation
    records: list[dict[str, float]] = []
    model = _linear()
    h = train_loop(
        model,
        _fixed_batches(),
        _mse,
        steps=12,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        evaluate=lambda model: {"val_loss": 1.0},
        eval_every=3,
        stop_when=lambda record: record["step"] >= 6,
        on_eval=lambda record: records.append(record),  # type: ignore[func-returns-value]
    )
    assert h.stop_reason == "stop_when" and h.steps == 6
    assert records == [{"step": 3.0, "val_loss": 1.0}, {"step": 6.0, "val_loss": 1.0}]


def test_core_is_deterministic_and_records_in_the_loss_unit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def run() -> History:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.3), nn.Linear(8, 1))
        return train_loop(
            model,
            _fixed_batches(),
            _mse,
            steps=6,
            optimizer=torch.optim.Adam(model.parameters(), lr=0.01),
            evaluate=lambda model: {"val_loss": float(_mse(model, next(_fixed_batches(9))))},
            eval_every=3,
            on_eval=lambda record: f"evaluated at {record['step']:.0f}",
            loss_unit=lambda nats: nats / math.log(2),
            progress=Progress(6, enabled=False),
        )

    first, second = run(), run()
    assert first == second and first.seconds > 0.0
    assert first != History() and first.to_dict()["step"] == [1, 2, 3, 4, 5, 6]
    assert capsys.readouterr().out.splitlines() == ["evaluated at 3", "evaluated at 6"] * 2
    batch = next(_fixed_batches())
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.3), nn.Linear(8, 1))
    first_loss = float(_mse(model, batch).detach())  # the same dropout draw as the run's
    assert first.train_loss[0] == first_loss / math.log(2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": 0}, ValueError, "steps: expected an int >= 1, got 0"),
        ({"steps": 2.0}, TypeError, "steps: expected an int, got float"),
        ({"eval_every": 0}, ValueError, "eval_every"),
        ({"patience": 2}, ValueError, "evaluate"),
        ({"restore_best": True}, ValueError, "evaluate"),
        ({"evaluate": lambda model: {"loss": 1.0}}, ValueError, "evaluate: expected a dict"),
        ({"evaluate": lambda model: {"val_loss": 1.0, "step": 2}}, ValueError, "'step'"),
    ],
)
def test_core_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    model = _linear()
    args: dict[str, object] = {
        "steps": 2,
        "optimizer": torch.optim.SGD(model.parameters(), lr=0.1),
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        train_loop(model, _fixed_batches(), _mse, **args)  # type: ignore[arg-type]


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_fit_on_cuda() -> None:
    model = _model()
    h = fit(model, _adding_batches, loss="mse", steps=5, progress=False)
    assert next(model.parameters()).device.type == "cuda" and h.steps == 5
