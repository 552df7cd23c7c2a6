"""One training loop for every chapter: :func:`fit` and the :class:`History` it returns.

Each step draws a batch, computes the loss, back-propagates, clips the
gradient norm and takes an optimiser step (Adam by default)::

    g = grad L(theta);  g <- g * min(1, clip / ||g||);  theta <- Adam(theta, g, lr)

Training data comes in one of two forms:

* **fixed arrays** — a :class:`~lstm_ref.data.Task` or a tuple ``(x, y)`` /
  ``(x, y, lengths)`` of NumPy arrays or tensors, shuffled each epoch and cut
  into batches of ``batch_size``;
* **a batch function** ``batch(step, rng) -> Task or tuple`` that makes fresh
  data for every step (the long-lag tasks are trained this way), e.g.
  ``lambda step, rng: adding(64, T=100, seed=rng)``.

If the model's ``forward`` has a ``lengths`` parameter it receives each
batch's lengths (as :class:`lstm_ref.models.RecurrentModel` does); otherwise it
is called as ``model(x)``.
"""

from __future__ import annotations

import inspect
import itertools
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

if TYPE_CHECKING:
    import matplotlib.figure

Arrays: TypeAlias = "tuple[Any, ...]"
BatchFn: TypeAlias = "Callable[[int, np.random.Generator], Arrays]"
LossFn: TypeAlias = "Callable[[torch.Tensor, torch.Tensor], torch.Tensor]"
Metric: TypeAlias = "Callable[[np.ndarray, np.ndarray], float]"


@dataclass
class History:
    """What happened during :func:`fit`, as plain lists ready to plot.

    Two runs with the same seed on CPU compare equal (``seconds`` is left out
    of the comparison).

    Attributes
    ----------
    step : list of int
        Optimiser steps, ``1 .. n``.
    train_loss : list of float
        Training loss of each step's batch.
    grad_norm : list of float
        Gradient norm of each step *before* clipping.
    epoch_loss : list of float
        Mean training loss of each completed epoch (fixed arrays only).
    eval_step : list of int
        Steps after which the validation set was evaluated.
    val_loss : list of float
        Validation loss at each ``eval_step``.
    val_metrics : dict of str to list of float
        Each metric at each ``eval_step``.
    stop_reason : str
        ``"steps"`` (ran to the end), ``"patience"`` or ``"stop_when"``.
    seconds : float
        Wall-clock training time (excluded from ``==``).
    """

    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metrics: dict[str, list[float]] = field(default_factory=dict)
    stop_reason: str = "steps"
    seconds: float = field(default=0.0, compare=False)

    @property
    def steps(self) -> int:
        """Number of optimiser steps taken."""
        return len(self.step)

    def last(self) -> dict[str, float]:
        """The last evaluation: ``{"step": ..., "val_loss": ..., <metric>: ...}``."""
        if not self.eval_step:
            raise ValueError("History: no evaluation was recorded (fit was given no val)")
        record = {"step": float(self.eval_step[-1]), "val_loss": self.val_loss[-1]}
        record.update({name: values[-1] for name, values in self.val_metrics.items()})
        return record

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return asdict(self)

    def plot(self, **kwargs: Any) -> matplotlib.figure.Figure:
        """Training and validation curves (:func:`lstm_ref.viz.training_curves`)."""
        from lstm_ref.viz import training_curves

        return training_curves(self, **kwargs)


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``device`` as a ``torch.device``; ``None`` picks CUDA when available, else the CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _as_arrays(data: Any, name: str) -> Arrays:
    """Check that ``data`` is ``(x, y)`` or ``(x, y, lengths)`` with a common first axis."""
    if not isinstance(data, tuple | list) or len(data) not in (2, 3):
        raise TypeError(
            f"{name}: expected a Task or a tuple (x, y[, lengths]), got {type(data).__name__}"
            + (f" of length {len(data)}" if isinstance(data, tuple | list) else "")
        )
    sizes = {len(a) for a in data}
    if len(sizes) != 1:
        raise ValueError(f"{name}: expected x, y and lengths with the same first axis, got {sizes}")
    return tuple(data)


def _to_tensor(a: Any, device: torch.device) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(a) if not isinstance(a, torch.Tensor) else a)
    if t.is_floating_point():
        t = t.float()
    return t.to(device)


def _loss_fn(loss: str | LossFn) -> LossFn:
    if callable(loss):
        return loss
    if loss == "mse":

        def mse(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            if pred.shape != y.shape:
                raise ValueError(
                    f"loss 'mse': expected pred of shape {tuple(y.shape)}, got {tuple(pred.shape)}"
                )
            return F.mse_loss(pred, y)

        return mse
    if loss == "cross_entropy":

        def cross_entropy(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            # Scores (..., C) against classes (...); padded targets (-100) are ignored.
            if pred.shape[:-1] != y.shape:
                raise ValueError(
                    f"loss 'cross_entropy': expected scores of shape {(*y.shape, 'C')}, "
                    f"got {tuple(pred.shape)}"
                )
            return F.cross_entropy(pred.reshape(-1, pred.shape[-1]), y.reshape(-1).long())

        return cross_entropy
    raise ValueError(f"loss: expected 'mse', 'cross_entropy' or a callable, got {loss!r}")


def _takes_lengths(model: nn.Module) -> bool:
    try:
        return "lengths" in inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        return False


class _Progress:
    """A plain-text bar (tqdm's standard class, never the widget one), or nothing."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:  # tqdm is optional: fall back to a line per evaluation
                pass
            else:
                self.bar = tqdm(total=total, file=sys.stdout, ncols=90, mininterval=0.5, ascii=True)
        self.enabled = enabled

    def update(self, postfix: Mapping[str, float] | None = None) -> None:
        if self.bar is not None:
            self.bar.update(1)
            if postfix:
                self.bar.set_postfix({k: f"{v:.4g}" for k, v in postfix.items()}, refresh=False)

    def log(self, step: int, record: Mapping[str, float]) -> None:
        if self.enabled and self.bar is None:
            print(f"step {step}: " + ", ".join(f"{k} {v:.4g}" for k, v in record.items()))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def predict(
    model: nn.Module,
    x: Any,
    lengths: Any = None,
    *,
    batch_size: int = 1024,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Model outputs for ``x (N, T, D)`` as a NumPy array, in evaluation mode and batches.

    The model stays where it is unless ``device`` is given.
    """
    dev = next(model.parameters()).device if device is None else resolve_device(device)
    model.to(dev)
    was_training = model.training
    model.eval()
    outs = []
    takes = _takes_lengths(model)
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = _to_tensor(x[start : start + batch_size], dev)
            if takes and lengths is not None:
                out = model(xb, lengths=_to_tensor(lengths[start : start + batch_size], dev))
            else:
                out = model(xb)
            outs.append(out.float().cpu().numpy())
    model.train(was_training)
    return np.concatenate(outs)


def _batches(
    source: Arrays | BatchFn, batch_size: int, rng: np.random.Generator
) -> Iterator[tuple[Arrays, bool]]:
    """Endless ``(batch, last of its epoch)`` pairs: shuffled epochs of arrays, or fresh batches."""
    if isinstance(source, tuple | list):
        n = len(source[0])
        while True:
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                yield tuple(a[rows] for a in source), start + batch_size >= n
    else:
        for step in itertools.count(1):
            yield _as_arrays(source(step, rng), "train(step, rng)"), False


def _evaluate(
    model: nn.Module, val: Arrays, loss_fn: LossFn, metrics: Mapping[str, Metric] | None
) -> dict[str, float]:
    """Validation loss and metrics of ``model`` on the whole set ``val``."""
    pred = predict(model, val[0], val[2] if len(val) == 3 else None)
    target = np.asarray(val[1])
    cpu = torch.device("cpu")
    record = {"val_loss": float(loss_fn(torch.from_numpy(pred), _to_tensor(target, cpu)))}
    for name, metric in (metrics or {}).items():
        record[name] = float(metric(pred, target))
    return record


def fit(
    model: nn.Module,
    train: Arrays | BatchFn,
    *,
    loss: str | LossFn,
    val: Arrays | None = None,
    steps: int | None = None,
    epochs: int | None = None,
    lr: float = 1e-3,
    batch_size: int = 64,
    clip: float | None = 1.0,
    optimizer: Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer] | None = None,
    schedule: Callable[[int], float] | None = None,
    metrics: Mapping[str, Metric] | None = None,
    eval_every: int | None = None,
    patience: int | None = None,
    stop_when: Callable[[dict[str, float]], bool] | None = None,
    restore_best: bool = False,
    device: str | torch.device | None = None,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train ``model`` on ``train`` and return its :class:`History`.

    Parameters
    ----------
    model : torch.nn.Module
        Moved to ``device``; trained in place.
    train : Task, tuple of arrays, or callable
        Fixed arrays ``(x, y[, lengths])`` (shuffled each epoch, batches of
        ``batch_size``) or a function ``batch(step, rng)`` returning fresh
        arrays each step (then give ``steps``). ``x`` is ``(N, T, D)``.
    loss : {"mse", "cross_entropy"} or callable
        ``"cross_entropy"`` takes scores ``(..., C)`` against classes
        ``(...)`` and ignores targets equal to -100 (padding); a callable gets
        ``(pred, y)`` tensors and returns a scalar.
    val : Task or tuple of arrays, optional
        A fixed validation set, evaluated every ``eval_every`` steps and at the end.
    steps, epochs : int
        How long to train: exactly one of them (``epochs`` needs fixed arrays).
    lr : float
        Learning rate of the default optimiser, Adam.
    batch_size : int
        Batch size for fixed arrays.
    clip : float or None
        Clip the gradient's global norm to this value (``None``: no clipping).
    optimizer : callable, optional
        ``optimizer(params) -> torch.optim.Optimizer`` replacing Adam (``lr`` is then unused).
    schedule : callable, optional
        ``schedule(step) -> factor``: the learning rate at ``step`` is ``factor * lr``.
    metrics : dict of str to callable, optional
        ``metric(pred, y) -> float`` on NumPy validation predictions and targets,
        e.g. ``{"accuracy": lstm_ref.data.accuracy}``.
    eval_every : int, optional
        Steps between evaluations; default once per epoch for ``epochs``,
        otherwise every ``steps // 20``.
    patience : int, optional
        Stop after this many evaluations without a lower validation loss.
    stop_when : callable, optional
        Stop as soon as ``stop_when(record)`` is true for an evaluation record
        ``{"step", "val_loss", <metrics>}``, e.g. ``lambda r: r["val_loss"] < 0.01``.
    restore_best : bool
        Load the weights of the evaluation with the lowest validation loss at the end.
    device : str, torch.device or None
        ``None`` picks CUDA when available.
    seed : int
        Seeds shuffling, the batch function's ``rng`` and torch's global generator
        (dropout): the same seed gives the same History on the CPU.
    progress : bool
        Show a plain-text progress bar.
    """
    if (steps is None) == (epochs is None):
        raise ValueError(
            f"steps, epochs: expected exactly one of them, got steps={steps}, epochs={epochs}"
        )
    if isinstance(train, tuple | list):
        data: Arrays | None = _as_arrays(train, "train")
    elif callable(train):
        data = None
        if epochs is not None:
            raise ValueError("epochs: a batch function has no epochs; give steps instead")
    else:
        raise TypeError(
            f"train: expected a Task, a tuple of arrays or a function batch(step, rng), "
            f"got {type(train).__name__}"
        )
    val_data = None if val is None else _as_arrays(val, "val")
    if (
        patience is not None or stop_when is not None or restore_best or metrics
    ) and val_data is None:
        raise ValueError("val: patience, stop_when, restore_best and metrics need a validation set")
    clash = {"step", "val_loss"} & set(metrics or {})
    if clash:
        raise ValueError(f"metrics: {sorted(clash)} are names fit records itself; rename them")
    batches_per_epoch = 0 if data is None else math.ceil(len(data[0]) / batch_size)
    total = steps if steps is not None else int(epochs or 0) * batches_per_epoch
    if total < 1:
        raise ValueError(f"steps: expected at least one training step, got {total}")
    if eval_every is None:
        eval_every = batches_per_epoch if epochs is not None else max(1, total // 20)

    dev = resolve_device(device)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model.to(dev)
    model.train()
    loss_fn = _loss_fn(loss)
    takes_lengths = _takes_lengths(model)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = optimizer(params) if optimizer is not None else torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if schedule is not None else None

    history = History(val_metrics={name: [] for name in metrics or {}})
    best_loss, best_state, evals_since_best = math.inf, None, 0
    batches = _batches(train if data is None else data, batch_size, rng)
    bar = _Progress(total, progress)
    shown: dict[str, float] = {}  # the latest evaluation, kept on the bar between evaluations
    started = time.perf_counter()

    def run(batch: Arrays) -> torch.Tensor:
        xb = _to_tensor(batch[0], dev)
        if takes_lengths and len(batch) == 3:
            return model(xb, lengths=_to_tensor(batch[2], dev))
        return model(xb)

    try:
        for step in range(1, total + 1):
            batch, epoch_done = next(batches)
            opt.zero_grad(set_to_none=True)
            value = loss_fn(run(batch), _to_tensor(batch[1], dev))
            value.backward()
            norm = nn.utils.clip_grad_norm_(params, clip if clip is not None else math.inf)
            opt.step()
            if sched is not None:
                sched.step()
            history.step.append(step)
            history.train_loss.append(float(value.detach()))
            history.grad_norm.append(float(norm))
            if epoch_done:
                history.epoch_loss.append(float(np.mean(history.train_loss[-batches_per_epoch:])))

            record: dict[str, float] = {}
            if val_data is not None and (step % eval_every == 0 or step == total):
                record = {"step": float(step), **_evaluate(model, val_data, loss_fn, metrics)}
                history.eval_step.append(step)
                history.val_loss.append(record["val_loss"])
                for name in metrics or {}:
                    history.val_metrics[name].append(record[name])
                bar.log(step, record)
                if record["val_loss"] < best_loss:
                    best_loss, evals_since_best = record["val_loss"], 0
                    if restore_best:
                        best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                else:
                    evals_since_best += 1
            shown.update({k: v for k, v in record.items() if k != "step"})
            bar.update({"loss": history.train_loss[-1], **shown})
            if record and stop_when is not None and stop_when(record):
                history.stop_reason = "stop_when"
                break
            if record and patience is not None and evals_since_best >= patience:
                history.stop_reason = "patience"
                break
    finally:
        bar.close()
        history.seconds = time.perf_counter() - started
    if best_state is not None:
        model.load_state_dict(best_state)
    return history
