"""What a training run measured: one :class:`History` for every training loop of the package.

The torch training core (:func:`lstm_ref.train.train_loop`, and so
:func:`lstm_ref.train.fit` and the applications built on it) and the NumPy
reference (:meth:`lstm_ref.numpy.model.LSTMModel.fit`) both return it, so one
figure, :func:`lstm_ref.viz.training_curves`, draws any run.

This module imports neither torch nor matplotlib.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["STOP_REASONS", "History"]

#: The values ``History.stop_reason`` can take.
STOP_REASONS = ("steps", "patience", "stop_when")


@dataclass
class History:
    """What happened during training, as plain lists ready to plot.

    Two runs with the same seed on the CPU compare equal (``seconds`` is left
    out of the comparison).

    Attributes
    ----------
    step : list of int
        Optimiser steps, ``1 .. n``.
    train_loss : list of float
        Training loss of each step's batch.
    grad_norm : list of float
        Gradient norm of each step *before* clipping.
    epoch_loss : list of float
        Mean training loss of each completed epoch (training on fixed data only).
    eval_step : list of int
        Steps after which the validation set was evaluated.
    val_loss : list of float
        Validation loss at each ``eval_step``.
    val_metrics : dict of str to list of float
        Each metric at each ``eval_step``.
    stop_reason : str
        ``"steps"`` (ran to the end), ``"patience"`` (no better validation
        loss for too long) or ``"stop_when"`` (a stopping rule on an
        evaluation was met).
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

    def __post_init__(self) -> None:
        if self.stop_reason not in STOP_REASONS:
            raise ValueError(
                f"stop_reason: expected one of {STOP_REASONS}, got {self.stop_reason!r}"
            )

    @property
    def steps(self) -> int:
        """Number of optimiser steps taken."""
        return len(self.step)

    def last(self) -> dict[str, float]:
        """The last evaluation: ``{"step": ..., "val_loss": ..., <metric>: ...}``."""
        if not self.eval_step:
            raise ValueError("History: no evaluation was recorded (training was given no val)")
        record = {"step": float(self.eval_step[-1]), "val_loss": self.val_loss[-1]}
        record.update({name: values[-1] for name, values in self.val_metrics.items()})
        return record

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return asdict(self)
