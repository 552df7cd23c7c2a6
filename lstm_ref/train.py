r"""The one training core every torch training goes through, and :func:`fit` on top of it.

:func:`train_loop` takes the model-specific part as two callables,
``loss_of_batch(model, batch) -> Tensor`` and ``evaluate(model) -> dict``,
and does everything else the same way for every model. Step
:math:`s = 1 \dots S`, on batch :math:`b_s`, with clipping threshold
:math:`\kappa` (``clip``), learning rate :math:`\eta` and schedule
:math:`\lambda` (``schedule``, 1 without one):

.. math::
    L_s = \ell(\theta; b_s), \qquad
    g_s = \nabla_\theta L_s, \qquad
    g_s \leftarrow g_s \min\Big(1, \frac{\kappa}{\lVert g_s \rVert + 10^{-6}}\Big), \qquad
    \theta \leftarrow \mathrm{Opt}\big(\theta, g_s;\ \eta\, \lambda(s - 1)\big)

where :math:`\ell` is ``loss_of_batch`` and :math:`\lVert g_s \rVert` the
global norm of all gradients, recorded before clipping. After step :math:`s`
the model is evaluated when ``eval_every`` divides :math:`s`, and after the
last step; training stops early after ``patience`` evaluations without a
lower validation loss, or when ``stop_when`` holds for an evaluation;
``restore_best`` loads the weights of the evaluation with the lowest
validation loss at the end.
Everything is recorded in a :class:`~lstm_ref.history.History`.

:func:`fit` is the general trainer of the chapters: a few short functions that
turn arrays (or a batch function) and a loss name into those two callables.
Its training data come in one of two forms:

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
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeAlias, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lstm_ref.checks import check_positive_int, evaluating, model_device
from lstm_ref.history import History
from lstm_ref.progress import Progress

__all__ = ["fit", "predict", "resolve_device", "train_loop"]

Arrays: TypeAlias = "tuple[Any, ...]"
BatchFn: TypeAlias = "Callable[[int, np.random.Generator], Arrays]"
LossFn: TypeAlias = "Callable[[torch.Tensor, torch.Tensor], torch.Tensor]"
Metric: TypeAlias = "Callable[[np.ndarray, np.ndarray], float]"
#: A batch, whatever the model needs: :func:`train_loop` only hands it on.
Batch = TypeVar("Batch")
#: An evaluation: ``{"step": s, "val_loss": ..., <metric>: ...}``.
Record: TypeAlias = "dict[str, float]"


def train_loop(
    model: nn.Module,
    batches: Iterator[Batch],
    loss_of_batch: Callable[[Any, Batch], torch.Tensor],
    *,
    steps: int,
    optimizer: torch.optim.Optimizer,
    clip: float | None = 1.0,
    schedule: Callable[[int], float] | None = None,
    evaluate: Callable[[Any], Mapping[str, float]] | None = None,
    eval_every: int | None = None,
    epoch_steps: int | None = None,
    patience: int | None = None,
    stop_when: Callable[[Record], bool] | None = None,
    restore_best: bool = False,
    on_eval: Callable[[Record], str | None] | None = None,
    loss_unit: Callable[[float], float] | None = None,
    progress: bool | Progress = False,
) -> History:
    """Train ``model`` for ``steps`` optimiser steps; the training core of the package.

    Each step takes the next batch, sets the gradients to ``None``, computes
    ``loss = loss_of_batch(model, batch)``, back-propagates, clips the global
    gradient norm to ``clip``, steps the optimiser, then the schedule (see the
    module docstring for the equations).

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place, where it is (move it and its data yourself); put in
        training mode at the start.
    batches : iterator
        One batch per step, of any form ``loss_of_batch`` understands; drawn
        lazily, so random draws happen in step order.
    loss_of_batch : callable
        ``loss_of_batch(model, batch) -> Tensor``: the scalar loss to minimise
        (a closure may carry state from one batch to the next).
    steps : int
        :math:`S`, the number of optimiser steps (fewer if training stops early).
    optimizer : torch.optim.Optimizer
        Steps the parameters it holds; those are the ones clipped.
    clip : float or None
        Largest global gradient norm; ``None``: no clipping (the norm is
        still recorded).
    schedule : callable, optional
        ``schedule(k) -> factor``: after ``k`` steps the learning rate is
        ``factor`` times the optimiser's own learning rate.
    evaluate : callable, optional
        ``evaluate(model) -> {"val_loss": ..., <metric>: ...}``, called in
        evaluation mode under ``torch.no_grad()``. The name ``"step"`` is
        reserved.
    eval_every : int, optional
        Steps between evaluations; ``None``: only after the last step, which
        is always evaluated.
    epoch_steps : int, optional
        Steps per epoch: after every ``epoch_steps`` steps the mean training
        loss of the epoch is recorded in ``History.epoch_loss``.
    patience : int, optional
        Stop after this many evaluations in a row without a lower validation loss.
    stop_when : callable, optional
        Stop as soon as ``stop_when(record)`` is true for an evaluation
        ``record = {"step": s, "val_loss": ..., <metric>: ...}``.
    restore_best : bool
        At the end, load the weights of the evaluation with the lowest validation loss.
    on_eval : callable, optional
        ``on_eval(record)`` after each evaluation; a string it returns is
        printed above the progress bar.
    loss_unit : callable, optional
        Converts each step's loss before it is recorded in
        ``History.train_loss`` (e.g. nats to bits); the gradient is always
        that of ``loss_of_batch``'s value.
    progress : bool or Progress
        Show a plain-text progress bar (:class:`lstm_ref.progress.Progress`)
        with the loss and the latest evaluation; closed at the end.

    Returns
    -------
    History
        ``step``, ``train_loss``, ``grad_norm`` for each step; ``eval_step``,
        ``val_loss`` and ``val_metrics`` for each evaluation; ``epoch_loss``;
        why training stopped; the wall-clock time.

    Raises
    ------
    ValueError
        ``patience``, ``stop_when`` or ``restore_best`` without ``evaluate``,
        or an evaluation without ``"val_loss"``.

    Examples
    --------
    The model-specific part is the loss of a batch and the evaluation; the
    core does the rest::

        def loss_of_batch(model, batch):
            x, y = batch
            return F.mse_loss(model(x), y)

        history = train_loop(
            model,
            batches,  # an iterator of (x, y)
            loss_of_batch,
            steps=1_000,
            optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
            evaluate=lambda model: {"val_loss": float(F.mse_loss(model(x_val), y_val))},
            eval_every=100,
            patience=3,
            restore_best=True,
        )
    """
    steps = check_positive_int("steps", steps)
    if eval_every is not None:
        check_positive_int("eval_every", eval_every)
    if epoch_steps is not None:
        check_positive_int("epoch_steps", epoch_steps)
    if patience is not None:
        check_positive_int("patience", patience)
    if evaluate is None and (patience is not None or stop_when is not None or restore_best):
        raise ValueError("evaluate: patience, stop_when and restore_best need an evaluation")
    params = [p for group in optimizer.param_groups for p in group["params"]]
    sched = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule) if schedule else None
    bar = progress if isinstance(progress, Progress) else Progress(steps, enabled=progress)
    history = History()
    best = _Best(keep_weights=restore_best)
    shown: dict[str, float] = {}  # the latest evaluation, kept on the bar between evaluations
    started = time.perf_counter()
    model.train()
    try:
        for step in range(1, steps + 1):
            batch = next(batches)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_of_batch(model, batch)
            loss.backward()
            norm = nn.utils.clip_grad_norm_(params, math.inf if clip is None else clip)
            optimizer.step()
            if sched is not None:
                sched.step()
            value = float(loss.detach())
            history.step.append(step)
            history.train_loss.append(value if loss_unit is None else loss_unit(value))
            history.grad_norm.append(float(norm))
            if epoch_steps is not None and step % epoch_steps == 0:
                history.epoch_loss.append(float(np.mean(history.train_loss[-epoch_steps:])))

            record: Record = {}
            if evaluate is not None and (step == steps or (eval_every and step % eval_every == 0)):
                record = _evaluation(model, evaluate, step)
                _record(history, record)
                best.update(model, record["val_loss"])
            shown.update({k: v for k, v in record.items() if k != "step"})
            bar.update({"loss": history.train_loss[-1], **shown})
            if not record:
                continue
            message = on_eval(record) if on_eval is not None else None
            if message is not None:
                bar.write(message)
            if stop_when is not None and stop_when(record):
                history.stop_reason = "stop_when"
                break
            if patience is not None and best.evals_since >= patience:
                history.stop_reason = "patience"
                break
    finally:
        bar.close()
        history.seconds = time.perf_counter() - started
    if best.weights is not None:
        model.load_state_dict(best.weights)
    return history


class _Best:
    """The lowest validation loss so far, how many evaluations ago, and its weights if kept."""

    def __init__(self, keep_weights: bool) -> None:
        self.loss, self.evals_since = math.inf, 0
        self.keep_weights = keep_weights
        self.weights: dict[str, torch.Tensor] | None = None

    def update(self, model: nn.Module, val_loss: float) -> None:
        if val_loss < self.loss:
            self.loss, self.evals_since = val_loss, 0
            if self.keep_weights:
                self.weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.evals_since += 1


def _evaluation(
    model: nn.Module, evaluate: Callable[[Any], Mapping[str, float]], step: int
) -> Record:
    """``{"step": step, **evaluate(model)}``, in evaluation mode and without gradients."""
    with evaluating(model), torch.no_grad():
        result = evaluate(model)
    if "val_loss" not in result or "step" in result:
        raise ValueError(
            f"evaluate: expected a dict with 'val_loss' and without 'step', got keys {list(result)}"
        )
    return {"step": float(step), **{name: float(value) for name, value in result.items()}}


def _record(history: History, record: Record) -> None:
    """Append one evaluation to ``history``."""
    history.eval_step.append(int(record["step"]))
    history.val_loss.append(record["val_loss"])
    for name, value in record.items():
        if name not in ("step", "val_loss"):
            history.val_metrics.setdefault(name, []).append(value)


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
    dev = model_device(model) if device is None else resolve_device(device)
    model.to(dev)
    outs = []
    takes = _takes_lengths(model)
    with evaluating(model), torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = _to_tensor(x[start : start + batch_size], dev)
            if takes and lengths is not None:
                out = model(xb, lengths=_to_tensor(lengths[start : start + batch_size], dev))
            else:
                out = model(xb)
            outs.append(out.float().cpu().numpy())
    return np.concatenate(outs)


def _batches(
    source: Arrays | BatchFn, batch_size: int, rng: np.random.Generator
) -> Iterator[Arrays]:
    """Endless batches: shuffled epochs of fixed arrays, or a fresh batch per step."""
    if isinstance(source, tuple | list):
        n = len(source[0])
        while True:
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                yield tuple(a[rows] for a in source)
    else:
        for step in itertools.count(1):
            yield _as_arrays(source(step, rng), "train(step, rng)")


def _batch_loss(
    loss_fn: LossFn, device: torch.device, takes_lengths: bool
) -> Callable[[nn.Module, Arrays], torch.Tensor]:
    """``loss_of_batch`` for arrays ``(x, y[, lengths])``: ``loss_fn(model(x), y)``."""

    def loss_of_batch(model: nn.Module, batch: Arrays) -> torch.Tensor:
        x = _to_tensor(batch[0], device)
        if takes_lengths and len(batch) == 3:
            pred = model(x, lengths=_to_tensor(batch[2], device))
        else:
            pred = model(x)
        return loss_fn(pred, _to_tensor(batch[1], device))

    return loss_of_batch


def _evaluator(
    val: Arrays, loss_fn: LossFn, metrics: Mapping[str, Metric] | None
) -> Callable[[nn.Module], dict[str, float]]:
    """``evaluate`` for a fixed validation set: its loss and each metric, on the whole set."""

    def evaluate(model: nn.Module) -> dict[str, float]:
        pred = predict(model, val[0], val[2] if len(val) == 3 else None)
        target = np.asarray(val[1])
        cpu = torch.device("cpu")
        record = {"val_loss": float(loss_fn(torch.from_numpy(pred), _to_tensor(target, cpu)))}
        for name, metric in (metrics or {}).items():
            record[name] = float(metric(pred, target))
        return record

    return evaluate


def _training_data(train: Any, epochs: int | None) -> Arrays | None:
    """Fixed arrays checked as ``(x, y[, lengths])``, or ``None`` for a batch function."""
    if isinstance(train, tuple | list):
        return _as_arrays(train, "train")
    if not callable(train):
        raise TypeError(
            f"train: expected a Task, a tuple of arrays or a function batch(step, rng), "
            f"got {type(train).__name__}"
        )
    if epochs is not None:
        raise ValueError("epochs: a batch function has no epochs; give steps instead")
    return None


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
    """Train ``model`` on ``train`` with :func:`train_loop`; its :class:`~lstm_ref.history.History`.

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
        ``schedule(k) -> factor``: after ``k`` steps the learning rate is ``factor * lr``.
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
    if steps is not None:
        check_positive_int("steps", steps)
    if epochs is not None:
        check_positive_int("epochs", epochs)
    data = _training_data(train, epochs)
    val_data = None if val is None else _as_arrays(val, "val")
    if (
        patience is not None or stop_when is not None or restore_best or metrics
    ) and val_data is None:
        raise ValueError("val: patience, stop_when, restore_best and metrics need a validation set")
    clash = {"step", "val_loss"} & set(metrics or {})
    if clash:
        raise ValueError(f"metrics: {sorted(clash)} are names fit records itself; rename them")
    batch_size = check_positive_int("batch_size", batch_size)
    epoch_steps = None if data is None else math.ceil(len(data[0]) / batch_size)
    total = steps if steps is not None else int(epochs or 0) * (epoch_steps or 0)
    if total < 1:
        raise ValueError(f"steps: expected at least one training step, got {total}")
    if eval_every is None:
        eval_every = epoch_steps if epochs is not None else max(1, total // 20)

    dev = resolve_device(device)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model.to(dev)
    loss_fn = _loss_fn(loss)
    params = [p for p in model.parameters() if p.requires_grad]
    return train_loop(
        model,
        _batches(train if data is None else data, batch_size, rng),
        _batch_loss(loss_fn, dev, _takes_lengths(model)),
        steps=total,
        optimizer=optimizer(params) if optimizer is not None else torch.optim.Adam(params, lr=lr),
        clip=clip,
        schedule=schedule,
        evaluate=None if val_data is None else _evaluator(val_data, loss_fn, metrics),
        eval_every=eval_every,
        epoch_steps=epoch_steps,
        patience=patience,
        stop_when=stop_when,
        restore_best=restore_best,
        progress=progress,
    )
