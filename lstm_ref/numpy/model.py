r"""A small trainable NumPy model: an LSTM and a linear read-out.

.. math::

    h_1, \dots, h_T &= \mathrm{LSTM}(x_1, \dots, x_T), \quad h_0 = c_0 = 0 \\
    \hat y &= W_{out} h_T + b_{out} \quad (\texttt{readout="last"}) \\
    \hat y_t &= W_{out} h_t + b_{out} \quad (\texttt{readout="all"})

with a mean-squared-error head (regression, e.g. the adding problem) or a
softmax cross-entropy head (classification, ``output_size`` classes).
Trained by :meth:`LSTMModel.fit` with Adam and gradient-norm clipping; the
gradients come from ``lstm_backward``, written by hand. The run is recorded in
the same :class:`~lstm_ref.history.History` as the PyTorch trainings, so
:func:`lstm_ref.viz.training_curves` draws either.

Data are **batch-major**, ``x`` of shape ``(N, T, D)``, as ``lstm_ref.data``
produces them; the model transposes to the time-major layout of the LSTM.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from lstm_ref.checks import check_positive_int
from lstm_ref.history import History
from lstm_ref.numpy._validation import FloatArray, check_float_array
from lstm_ref.numpy.losses import cross_entropy_loss, mse_loss
from lstm_ref.numpy.lstm import LSTMCache, lstm_backward, lstm_forward
from lstm_ref.numpy.optim import Adam, clip_grad_norm, global_norm
from lstm_ref.progress import Progress

Loss = Literal["mse", "cross_entropy"]
Readout = Literal["last", "all"]


class LSTMModel:
    """An LSTM with a linear read-out, in NumPy.

    Parameters
    ----------
    input_size : int
        D, features per time step.
    hidden_size : int
        H, LSTM units.
    output_size : int
        O, regression outputs or number of classes.
    loss : str
        ``"mse"`` or ``"cross_entropy"``.
    readout : str
        ``"last"`` (one prediction from h_T) or ``"all"`` (one per step).
    forget_bias : float
        Initial forget-gate bias; 1.0 keeps the cell's memory open at the
        start of training (Jozefowicz et al. 2015).
    seed : int
        For the initial weights.
    dtype : numpy.dtype
        float32 (fast) or float64 (for gradient checks).

    Attributes
    ----------
    params : dict[str, numpy.ndarray]
        The weights, ``torch.nn.LSTM`` layout: ``W_ih`` (4H, D), ``W_hh`` (4H, H),
        ``b_ih`` and ``b_hh`` (4H,), then the read-out ``W_out`` (O, H), ``b_out`` (O,).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int = 1,
        *,
        loss: Loss = "mse",
        readout: Readout = "last",
        forget_bias: float = 1.0,
        seed: int = 0,
        dtype: npt.DTypeLike = np.float32,
    ) -> None:
        for name, size in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("output_size", output_size),
        ):
            check_positive_int(name, size)
        if loss not in ("mse", "cross_entropy"):
            raise ValueError(f"loss: expected 'mse' or 'cross_entropy', got {loss!r}")
        if readout not in ("last", "all"):
            raise ValueError(f"readout: expected 'last' or 'all', got {readout!r}")
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise TypeError(f"dtype: expected a floating-point dtype, got {self.dtype}")
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.loss_name: Loss = loss
        self.readout: Readout = readout

        # torch.nn.LSTM's initialisation: U(-1/√H, 1/√H); biases zero except the forget gate.
        rng = np.random.default_rng(seed)
        D, H, O = input_size, hidden_size, output_size
        k = 1 / np.sqrt(H)
        b_ih = np.zeros(4 * H)
        b_ih[H : 2 * H] = forget_bias
        params = {
            "W_ih": rng.uniform(-k, k, (4 * H, D)),
            "W_hh": rng.uniform(-k, k, (4 * H, H)),
            "b_ih": b_ih,
            "b_hh": np.zeros(4 * H),
            "W_out": rng.uniform(-k, k, (O, H)),
            "b_out": np.zeros(O),
        }
        self.params: dict[str, FloatArray] = {n: p.astype(self.dtype) for n, p in params.items()}

    # ----------------------------------------------------------------- passes
    def _check_x(self, x: Any) -> FloatArray:
        """Batch-major (N, T, D) in, time-major (T, N, D) in the model's dtype out."""
        check_float_array("x", x)
        if x.ndim != 3 or x.shape[2] != self.input_size or x.shape[1] == 0:
            raise ValueError(
                f"x: expected shape (N, T, D) with T >= 1 and D = {self.input_size}, got {x.shape}"
            )
        return np.ascontiguousarray(x.transpose(1, 0, 2), dtype=self.dtype)

    def _forward(self, x: Any) -> tuple[FloatArray, FloatArray, LSTMCache]:
        """Outputs (batch-major), the read-out's input features, the LSTM cache."""
        p = self.params
        xt = self._check_x(x)
        h0 = np.zeros((xt.shape[1], self.hidden_size), dtype=self.dtype)
        y, (h_n, _), cache = lstm_forward(xt, h0, h0, p["W_ih"], p["W_hh"], p["b_ih"], p["b_hh"])
        features = h_n if self.readout == "last" else y.transpose(1, 0, 2)  # (N, H) or (N, T, H)
        return features @ p["W_out"].T + p["b_out"], features, cache

    def forward(self, x: FloatArray) -> FloatArray:
        """Raw outputs: predictions (MSE) or logits (cross-entropy).

        Parameters
        ----------
        x : numpy.ndarray
            Shape (N, T, D): inputs, batch-major.

        Returns
        -------
        numpy.ndarray
            Shape (N, O) for ``readout="last"``, (N, T, O) for ``readout="all"``.
        """
        return self._forward(x)[0]

    def predict(self, x: FloatArray) -> FloatArray:
        """Predictions (MSE) or class probabilities (cross-entropy), shaped like :meth:`forward`."""
        out = self.forward(x)
        if self.loss_name == "mse":
            return out
        exp = np.exp(out - out.max(axis=-1, keepdims=True))
        return exp / exp.sum(axis=-1, keepdims=True)

    def _loss(self, out: FloatArray, y: npt.ArrayLike) -> tuple[float, FloatArray]:
        return mse_loss(out, y) if self.loss_name == "mse" else cross_entropy_loss(out, y)

    def evaluate(self, x: FloatArray, y: npt.ArrayLike) -> float:
        """Mean loss on ``(x, y)``, no gradients (targets as in :meth:`loss_and_grads`)."""
        return self._loss(self.forward(x), y)[0]

    def loss_and_grads(
        self, x: FloatArray, y: npt.ArrayLike
    ) -> tuple[float, dict[str, FloatArray]]:
        """Mean loss and its gradient w.r.t. every array of ``params``.

        Parameters
        ----------
        x : numpy.ndarray
            Shape (N, T, D): inputs, batch-major.
        y : numpy.ndarray
            Targets. MSE: shape (N, O), or (N,) when O = 1 (``readout="all"``:
            (N, T, O) or (N, T)). Cross-entropy: integer labels (N,)
            (``readout="all"``: (N, T)).

        Returns
        -------
        loss : float
            The mean loss.
        grads : dict[str, numpy.ndarray]
            The gradients, with the keys and shapes of ``params``.
        """
        p = self.params
        out, features, cache = self._forward(x)
        loss, dout = self._loss(out, y)
        dout_rows = dout.reshape(-1, self.output_size)
        dfeatures = dout @ p["W_out"]  # (N, H) or (N, T, H)
        if self.readout == "last":
            grads = lstm_backward(None, dfeatures, None, cache)
        else:
            grads = lstm_backward(
                np.ascontiguousarray(dfeatures.transpose(1, 0, 2)), None, None, cache
            )
        return loss, {
            "W_ih": grads["W_ih"],
            "W_hh": grads["W_hh"],
            "b_ih": grads["b_ih"],
            "b_hh": grads["b_hh"],
            "W_out": dout_rows.T @ features.reshape(-1, self.hidden_size),
            "b_out": dout_rows.sum(axis=0),
        }

    # --------------------------------------------------------------- training
    def fit(
        self,
        x: FloatArray,
        y: npt.ArrayLike,
        *,
        steps: int,
        batch_size: int = 64,
        lr: float = 1e-2,
        clip: float | None = 1.0,
        seed: int = 0,
        val: tuple[FloatArray, npt.ArrayLike] | None = None,
        eval_every: int = 100,
        stop_below: float | None = None,
        progress: bool = False,
    ) -> History:
        """Train with Adam on shuffled mini-batches, clipping the gradient norm.

        Parameters
        ----------
        x : numpy.ndarray
            Shape (N, T, D): training inputs, batch-major.
        y : numpy.ndarray
            Training targets (see :meth:`loss_and_grads`).
        steps : int
            Number of Adam steps (mini-batches).
        batch_size : int
            Examples per step (reshuffled at every pass over the data).
        lr : float
            Adam learning rate.
        clip : float or None
            Largest gradient norm, or None not to clip.
        seed : int
            For the order of the examples.
        val : tuple or None
            ``(x_val, y_val)``, evaluated every ``eval_every`` steps.
        eval_every : int
            Steps between validation evaluations.
        stop_below : float or None
            Stop as soon as the validation loss is below this value
            (``History.stop_reason`` is then ``"stop_when"``).
        progress : bool
            Show a plain-text progress bar with the loss and the latest
            validation loss.

        Returns
        -------
        History
            ``step``, ``train_loss`` and ``grad_norm`` (before clipping) of
            each step; ``eval_step`` and ``val_loss`` of each evaluation; why
            training stopped; the wall-clock time. ``epoch_loss`` and
            ``val_metrics`` stay empty.
        """
        steps = check_positive_int("steps", steps)
        batch_size = check_positive_int("batch_size", batch_size)
        eval_every = check_positive_int("eval_every", eval_every)
        y_all = np.asarray(y)
        n = len(x)
        if len(y_all) != n:
            raise ValueError(f"y: expected {n} targets (one per example of x), got {len(y_all)}")
        rng = np.random.default_rng(seed)
        optimizer = Adam(lr)
        history = History()
        shown: dict[str, float] = {}  # the latest validation loss, kept on the bar
        start = time.perf_counter()
        order = rng.permutation(n)
        position = 0
        with Progress(steps, enabled=progress) as bar:
            for step in range(1, steps + 1):
                if position + batch_size > n:  # a new pass over the data, in a new order
                    order, position = rng.permutation(n), 0
                batch = order[position : position + batch_size]
                position += batch_size

                loss, grads = self.loss_and_grads(x[batch], y_all[batch])
                norm = clip_grad_norm(grads, clip) if clip is not None else global_norm(grads)
                optimizer.step(self.params, grads)
                history.step.append(step)
                history.train_loss.append(loss)
                history.grad_norm.append(norm)

                evaluated = val is not None and step % eval_every == 0
                if val is not None and evaluated:
                    shown["val_loss"] = self.evaluate(*val)
                    history.eval_step.append(step)
                    history.val_loss.append(shown["val_loss"])
                bar.update({"loss": loss, **shown})
                if evaluated and stop_below is not None and shown["val_loss"] < stop_below:
                    history.stop_reason = "stop_when"
                    break
        history.seconds = time.perf_counter() - start
        return history

    # ------------------------------------------------------------ persistence
    def _config(self) -> dict[str, Any]:
        return {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "output_size": self.output_size,
            "loss": self.loss_name,
            "readout": self.readout,
            "dtype": self.dtype.name,
        }

    def save(self, path: str | Path) -> Path:
        """Write the configuration and parameters to one ``.npz`` file.

        Returns the path written (``.npz`` is appended when missing, as NumPy does).
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        arrays: dict[str, Any] = {"config": np.array(json.dumps(self._config())), **self.params}
        np.savez(path, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> LSTMModel:
        """Rebuild a model written by :meth:`save`."""
        with np.load(path) as archive:
            model = cls(**json.loads(str(archive["config"])))
            for name, value in model.params.items():
                stored = archive[name]
                if stored.shape != value.shape:
                    raise ValueError(f"{name}: expected shape {value.shape}, got {stored.shape}")
                value[...] = stored
        return model
