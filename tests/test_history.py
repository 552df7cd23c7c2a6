"""The foundation every training loop shares: one History, one plain-text progress bar."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from lstm_ref.history import STOP_REASONS, History
from lstm_ref.numpy import LSTMModel
from lstm_ref.progress import Progress

FIELDS = [
    "step",
    "train_loss",
    "grad_norm",
    "epoch_loss",
    "eval_step",
    "val_loss",
    "val_metrics",
    "stop_reason",
    "seconds",
]


def _numpy_run(seed: int = 0) -> History:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((48, 4, 2)), rng.standard_normal((48, 1))
    model = LSTMModel(2, 3, seed=seed)
    return model.fit(x, y, steps=6, batch_size=16, val=(x[:8], y[:8]), eval_every=3, seed=seed)


def test_fields() -> None:
    assert [f.name for f in dataclasses.fields(History)] == FIELDS


def test_numpy_and_torch_runs_record_the_same_history() -> None:
    torch = pytest.importorskip("torch")
    from lstm_ref.data import adding
    from lstm_ref.models import RecurrentModel
    from lstm_ref.train import fit

    torch.manual_seed(0)
    data = adding(16, 4, seed=0)
    torch_run = fit(RecurrentModel(2, 3, 1), data, val=data, loss="mse", steps=2, progress=False)
    numpy_run = _numpy_run()
    assert type(torch_run) is type(numpy_run) is History
    assert numpy_run.eval_step == [3, 6] and numpy_run.stop_reason == "steps"
    assert len(numpy_run.train_loss) == len(numpy_run.grad_norm) == numpy_run.steps == 6
    assert numpy_run.val_metrics == {} and numpy_run.epoch_loss == []
    assert set(numpy_run.to_dict()) == set(torch_run.to_dict()) == set(FIELDS)


def test_equality_ignores_the_wall_clock_and_the_seed_decides() -> None:
    first, second = _numpy_run(), _numpy_run()
    assert first.seconds > 0 and first == second
    second.seconds += 1.0
    assert first == second
    assert _numpy_run(seed=1) != first


def test_last_and_to_dict() -> None:
    h = History(
        step=[1, 2],
        train_loss=[1.0, 0.5],
        grad_norm=[2.0, 1.0],
        eval_step=[2],
        val_loss=[0.7],
        val_metrics={"accuracy": [0.75]},
    )
    assert h.steps == 2
    assert h.last() == {"step": 2.0, "val_loss": 0.7, "accuracy": 0.75}
    assert History(**json.loads(json.dumps(h.to_dict()))) == h
    with pytest.raises(ValueError, match="no evaluation"):
        History().last()


def test_stop_reason_is_checked() -> None:
    assert STOP_REASONS == ("steps", "patience", "stop_when")
    with pytest.raises(ValueError, match="stop_reason: expected one of"):
        History(stop_reason="tired")


@pytest.mark.parametrize("module", ["lstm_ref.history", "lstm_ref.progress"])
def test_foundation_modules_import_neither_torch_nor_matplotlib(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(','.join(m for m in ('torch', 'matplotlib', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `from tqdm import tqdm` now fails


def test_progress_without_tqdm_prints_a_line_per_tenth(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_tqdm(monkeypatch)
    stream = io.StringIO()
    bar = Progress(20, file=stream, desc="train")
    assert not bar.uses_tqdm
    for step in range(20):
        bar.update({"loss": 1.0 / (step + 1)})
        if step == 4:
            bar.write("a message")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "train: 2/20 (10%)  loss=0.5"
    assert "a message" in lines and lines[-1] == "train: 20/20 (100%)  loss=0.05"
    assert len(lines) == 10 + 1 and bar.closed  # closed itself at the end
    bar.update()  # after the end: nothing
    assert stream.getvalue().splitlines() == lines


def test_progress_without_tqdm_shows_where_it_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_tqdm(monkeypatch)
    stream = io.StringIO()
    with Progress(100, file=stream) as bar:
        for _ in range(25):
            bar.update("label")
    assert stream.getvalue().splitlines() == [
        "10/100 (10%)  label",
        "20/100 (20%)  label",
        "25/100 (25%)  label",
    ]


def test_progress_uses_tqdms_text_bar_and_can_be_silent() -> None:
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    bar = Progress(4, file=stream, mininterval=0.0)
    assert bar.uses_tqdm
    for _ in range(4):
        bar.update({"loss": 0.25})
    out = stream.getvalue()
    assert "4/4" in out and "loss=0.25" in out and "|####" in out  # ASCII, not a widget
    quiet = io.StringIO()
    silent = Progress(3, enabled=False, file=quiet)
    silent.update()
    silent.close()
    assert quiet.getvalue() == "" and not silent.uses_tqdm
    silent.write("still printed")
    assert quiet.getvalue() == "still printed\n"


def test_progress_arguments() -> None:
    with pytest.raises(ValueError, match="total: expected an int >= 0"):
        Progress(-1)
    with pytest.raises(TypeError, match="total: expected an int"):
        Progress(2.5)  # type: ignore[arg-type]
    Progress(0, enabled=False).close()  # nothing to do is fine
