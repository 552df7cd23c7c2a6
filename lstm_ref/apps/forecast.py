r"""Forecasting one series: baselines, an LSTM forecaster, errors in the series' units.

Every forecaster here answers the same three calls, so that a chapter can
compare them in one loop, and every one of them learns from the training part
only:

``fit(train)``
    Learn the parameters from ``train (T,)``; returns the forecaster.
``one_step(series, start)``
    One-step-ahead forecasts :math:`\hat y_{t|t-1}` of ``series[start:]``, each
    from the observed values before it, parameters frozen.
``forecast(history, horizon)``
    Multi-step forecasts :math:`\hat y_{T+1|T}, \dots, \hat y_{T+h|T}` after
    ``history (T,)``, each step built on the forecasts before it.

The forecasters are :class:`SeasonalNaive`, :class:`SARIMA` and :class:`ETS`
(the classical baselines, statsmodels behind the last two) and
:class:`LSTMForecaster`; :func:`mae` and :func:`rmse` measure errors in the
units of the series.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from lstm_ref.checks import (
    check_positive_int,
    check_series,
    check_type,
    evaluating,
    model_device,
)
from lstm_ref.data.series import StandardScaler, make_windows
from lstm_ref.history import History
from lstm_ref.models import RecurrentModel
from lstm_ref.optional import require
from lstm_ref.train import fit, predict

__all__ = [
    "ETS",
    "SARIMA",
    "Forecaster",
    "LSTMForecaster",
    "SeasonalNaive",
    "mae",
    "recursive_forecast",
    "rmse",
]


class Forecaster(Protocol):
    """The three calls every forecaster of this module answers (see the module docstring)."""

    def fit(self, train: Any) -> Any: ...

    def one_step(self, series: Any, start: int) -> np.ndarray: ...

    def forecast(self, history: Any, horizon: int) -> np.ndarray: ...


def _as_series(name: str, values: Any, minimum: int = 1) -> np.ndarray:
    """``values`` as a finite 1-D float64 array of at least ``minimum`` steps, or a clear error."""
    array = check_series(name, values)
    if len(array) < minimum:
        raise ValueError(f"{name}: expected at least {minimum} steps, got {len(array)}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: expected finite values, got NaN or inf")
    return array


def _check_start(start: int, length: int, first: int) -> int:
    """``start`` as an int in ``[first, length)``: the earliest step a forecaster can predict."""
    start = check_positive_int("start", start, minimum=0)
    if not first <= start < length:
        raise ValueError(
            f"start: expected a step in [{first}, {length}) (the forecaster needs {first} "
            f"earlier values), got {start}"
        )
    return start


def _errors(forecast: Any, actual: Any) -> np.ndarray:
    f, a = np.asarray(forecast, dtype=np.float64), np.asarray(actual, dtype=np.float64)
    if f.shape != a.shape or f.size == 0:
        raise ValueError(
            f"forecast, actual: expected two non-empty arrays of one shape, got {f.shape} "
            f"and {a.shape}"
        )
    return f - a


def mae(forecast: Any, actual: Any) -> float:
    r"""Mean absolute error :math:`\frac1n\sum_t |\hat y_t - y_t|`, in the series' units.

    Parameters
    ----------
    forecast, actual : array-like, same shape (any)
    """
    return float(np.abs(_errors(forecast, actual)).mean())


def rmse(forecast: Any, actual: Any) -> float:
    r"""Root mean squared error :math:`\sqrt{\frac1n\sum_t (\hat y_t - y_t)^2}`, same units.

    Parameters
    ----------
    forecast, actual : array-like, same shape (any)
    """
    return float(np.sqrt(np.square(_errors(forecast, actual)).mean()))


class SeasonalNaive:
    r"""Repeat the last observed season: the baseline every seasonal forecast must beat.

    .. math:: \hat y_{T+h|T} = y_{T+h-km}, \qquad k = \lfloor (h-1)/m \rfloor + 1

    with period :math:`m`: next January is forecast as last January
    (Hyndman & Athanasopoulos, *Forecasting: principles and practice*, 5.2).
    It has no parameters, so :meth:`fit` only checks the series is long enough.

    Parameters
    ----------
    period : int
        Steps per season :math:`m` (12 for monthly data with a yearly cycle).
    """

    def __init__(self, period: int) -> None:
        self.period = check_positive_int("period", period)

    def fit(self, train: Any) -> SeasonalNaive:
        """Check ``train (T,)`` holds at least one season; nothing is learnt."""
        _as_series("train", train, self.period)
        return self

    def one_step(self, series: Any, start: int) -> np.ndarray:
        """``series[t - period]`` for every ``t >= start``: shape ``(len(series) - start,)``."""
        values = _as_series("series", series)
        start = _check_start(start, len(values), self.period)
        return values[start - self.period : len(values) - self.period].copy()

    def forecast(self, history: Any, horizon: int) -> np.ndarray:
        """The last season of ``history (T,)``, repeated over ``horizon`` steps: ``(horizon,)``."""
        values = _as_series("history", history, self.period)
        horizon = check_positive_int("horizon", horizon)
        return np.resize(values[-self.period :], horizon)


class SARIMA:
    r"""Seasonal ARIMA :math:`(p,d,q)(P,D,Q)_m` (Box & Jenkins), fitted by statsmodels' SARIMAX.

    With the backshift :math:`B y_t = y_{t-1}`:

    .. math::
        \phi(B)\,\Phi(B^m)\,(1-B)^d (1-B^m)^D\, y_t = \theta(B)\,\Theta(B^m)\,\varepsilon_t

    The default is Box and Jenkins' "airline" model :math:`(0,1,1)(0,1,1)_{12}`:
    difference away the trend and the yearly cycle, then model what is left
    with one moving-average term at lag 1 and one at lag 12 — three
    parameters in all (with the noise variance).

    Parameters
    ----------
    order : tuple of 3 ints
        :math:`(p, d, q)`.
    seasonal_order : tuple of 4 ints
        :math:`(P, D, Q, m)`.
    """

    def __init__(
        self,
        order: tuple[int, int, int] = (0, 1, 1),
        seasonal_order: tuple[int, int, int, int] = (0, 1, 1, 12),
    ) -> None:
        if len(order) != 3 or len(seasonal_order) != 4:
            raise ValueError(
                f"order, seasonal_order: expected 3 and 4 ints, got {order} and {seasonal_order}"
            )
        self.order, self.seasonal_order = tuple(order), tuple(seasonal_order)
        self.result_: Any = None

    def _fitted(self) -> Any:
        if self.result_ is None:
            raise RuntimeError("SARIMA: call fit(train) first")
        return self.result_

    def fit(self, train: Any) -> SARIMA:
        """Maximum-likelihood fit on ``train (T,)``; the statsmodels result is ``result_``."""
        values = _as_series("train", train, 2 * self.seasonal_order[3] + 2)
        sm = require("statsmodels.api", pip_name="statsmodels", needed_for="SARIMA.fit()")
        model = sm.tsa.SARIMAX(values, order=self.order, seasonal_order=self.seasonal_order)
        self.result_ = model.fit(disp=False)
        return self

    def one_step(self, series: Any, start: int) -> np.ndarray:
        """One-step forecasts of ``series[start:]`` with the fitted parameters: ``(T - start,)``."""
        values = _as_series("series", series)
        start = _check_start(start, len(values), 1)
        # apply() runs the Kalman filter over new data without re-estimating anything.
        run = self._fitted().apply(values)
        return np.asarray(run.predict(start=start, end=len(values) - 1))

    def forecast(self, history: Any, horizon: int) -> np.ndarray:
        """``horizon`` steps after ``history (T,)``, fitted parameters kept: ``(horizon,)``."""
        values = _as_series("history", history)
        horizon = check_positive_int("horizon", horizon)
        return np.asarray(self._fitted().apply(values).forecast(horizon))


class ETS:
    r"""Exponential smoothing with additive error, trend and season: ETS(A,A,A).

    A level :math:`\ell`, a slope :math:`b` and :math:`m` seasonal terms
    :math:`s` are updated by each one-step error :math:`e_t = y_t - \hat y_{t|t-1}`
    (Hyndman & Athanasopoulos, *Forecasting: principles and practice*, 8.5):

    .. math::
        \hat y_{t|t-1} = \ell_{t-1} + b_{t-1} + s_{t-m}, \quad
        \ell_t = \ell_{t-1} + b_{t-1} + \alpha e_t, \quad
        b_t = b_{t-1} + \beta e_t, \quad
        s_t = s_{t-m} + \gamma e_t

    and :math:`\hat y_{T+h|T} = \ell_T + h b_T + s_{T+h-km}`. Fitted by
    statsmodels' ``ETSModel`` (maximum likelihood).

    Parameters
    ----------
    period : int
        Steps per season :math:`m`.
    """

    def __init__(self, period: int) -> None:
        self.period = check_positive_int("period", period, minimum=2)
        self.params_: np.ndarray | None = None

    def _model(self, values: np.ndarray) -> Any:
        ets = require(
            "statsmodels.tsa.exponential_smoothing.ets",
            pip_name="statsmodels",
            needed_for="ETS",
        )
        return ets.ETSModel(
            values, error="add", trend="add", seasonal="add", seasonal_periods=self.period
        )

    def _smooth(self, values: np.ndarray) -> Any:
        if self.params_ is None:
            raise RuntimeError("ETS: call fit(train) first")
        # Same parameters and initial states, run over other data: no re-estimation.
        return self._model(values).smooth(self.params_)

    def fit(self, train: Any) -> ETS:
        """Maximum-likelihood fit on ``train (T,)``; the estimates are ``params_``."""
        values = _as_series("train", train, 2 * self.period + 2)
        self.params_ = np.asarray(self._model(values).fit(disp=False).params)
        return self

    def one_step(self, series: Any, start: int) -> np.ndarray:
        """One-step forecasts of ``series[start:]`` with the fitted parameters: ``(T - start,)``.

        ``series`` must start where the training data started (the initial
        states belong to that date).
        """
        values = _as_series("series", series)
        start = _check_start(start, len(values), 1)
        return np.asarray(self._smooth(values).fittedvalues)[start:]

    def forecast(self, history: Any, horizon: int) -> np.ndarray:
        """``horizon`` steps after ``history (T,)``, which starts where ``train`` did."""
        values = _as_series("history", history)
        horizon = check_positive_int("horizon", horizon)
        return np.asarray(self._smooth(values).forecast(horizon))


def recursive_forecast(model: nn.Module, context: Any, horizon: int) -> np.ndarray:
    r"""Forecast ``horizon`` steps with a one-step model, feeding each forecast back in.

    .. math::
        \hat z_{T+k} = f(\tilde z_{T+k-L}, \dots, \tilde z_{T+k-1}), \qquad
        \tilde z_s = z_s \text{ if } s \le T \text{ else } \hat z_s

    The window slides one step per forecast: the oldest value drops out, the
    new forecast comes in. Errors therefore compound with the horizon.

    Parameters
    ----------
    model : torch.nn.Module
        Maps windows ``(N, L, 1)`` to next values ``(N, 1)``.
    context : array-like, shape (N, L) or (L,)
        The last ``L`` values before each forecast origin, in the model's units.
    horizon : int
        Steps to forecast.

    Returns
    -------
    np.ndarray, float32, shape (N, horizon), or (horizon,) for a 1-D context
    """
    horizon = check_positive_int("horizon", horizon)
    window = torch.as_tensor(np.asarray(context, dtype=np.float32))
    flat = window.dim() == 1
    if flat:
        window = window[None]
    if window.dim() != 2 or window.shape[1] == 0:
        raise ValueError(f"context: expected shape (N, L) or (L,), got {tuple(window.shape)}")
    window = window.to(model_device(model))
    steps = []
    with evaluating(model), torch.no_grad():
        for _ in range(horizon):
            step = model(window[:, :, None])[:, 0]
            steps.append(step)
            window = torch.cat([window[:, 1:], step[:, None]], dim=1)
    out = torch.stack(steps, dim=1).cpu().numpy()
    return out[0] if flat else out


class LSTMForecaster:
    r"""An LSTM that reads the last ``input_len`` values and predicts the next one.

    The series :math:`y_t` is first turned into what the network reads,

    .. math::
        u_t = y_t \;\; (\texttt{difference=False}) \qquad\text{or}\qquad
        u_t = y_t - y_{t-1} \;\; (\texttt{difference=True}), \qquad
        z_t = (u_t - \mu) / \sigma,

    with :math:`\mu, \sigma` from the training part only. A
    :class:`~lstm_ref.models.RecurrentModel` (``torch.nn.LSTM`` and a linear
    read-out of the last hidden state) learns
    :math:`\hat z_{t+1} = f(z_{t-L+1}, \dots, z_t)` by mean squared error, and
    a forecast goes back to the series' units:

    .. math::
        \hat y_{t+1} = \sigma \hat z_{t+1} + \mu \;\; \text{(levels)}, \qquad
        \hat y_{t+1} = y_t + \sigma \hat z_{t+1} + \mu \;\; \text{(changes)}.

    A network on levels can only output levels close to those it was trained
    on, so a trending series leaves it behind; on changes it predicts the step
    from the last value, which looks the same in every decade.

    Parameters
    ----------
    input_len : int
        Steps :math:`L` in each input window.
    hidden_size : int
        LSTM units.
    difference : bool
        Model the changes :math:`y_t - y_{t-1}` instead of the levels.

    Attributes
    ----------
    model_ : RecurrentModel
    scaler_ : StandardScaler
        Fitted on the training part's :math:`u_t`.
    history_ : History
        What :func:`lstm_ref.train.fit` recorded.
    """

    def __init__(
        self, input_len: int = 24, hidden_size: int = 32, *, difference: bool = False
    ) -> None:
        self.input_len = check_positive_int("input_len", input_len)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.difference = check_type("difference", difference, bool)
        self.lag = int(difference)  # u_t needs y_{t-1} when differencing
        self.model_: RecurrentModel | None = None
        self.scaler_: StandardScaler | None = None
        self.history_: History | None = None

    def _inputs(self, values: np.ndarray) -> np.ndarray:
        """:math:`u_t`, shape ``(T - lag,)``: ``u[k]`` belongs to ``y[k + lag]``."""
        return np.diff(values) if self.difference else values

    def _scaled(self, values: np.ndarray) -> np.ndarray:
        if self.scaler_ is None or self.model_ is None:
            raise RuntimeError("LSTMForecaster: call fit(train) first")
        return self.scaler_.transform(self._inputs(values))

    def fit(
        self,
        train: Any,
        *,
        val: Any = None,
        steps: int = 800,
        lr: float = 3e-3,
        batch_size: int = 32,
        seed: int = 0,
    ) -> LSTMForecaster:
        """Train on the windows of ``train (T,)``.

        Parameters
        ----------
        train : array-like, shape (T,)
        val : array-like, shape (V,), optional
            The values right after ``train``: the weights with the lowest
            one-step validation loss are kept (windows may read back into ``train``).
        steps, lr, batch_size, seed
            Passed to :func:`lstm_ref.train.fit`; ``seed`` also seeds the initial weights.
        """
        values = _as_series("train", train, self.input_len + self.lag + 1)
        self.scaler_ = StandardScaler().fit(self._inputs(values))
        torch.manual_seed(seed)
        self.model_ = RecurrentModel(1, self.hidden_size, 1)
        x, y = make_windows(self._scaled(values), self.input_len)
        val_windows = None
        if val is not None:
            joined = np.concatenate([values, _as_series("val", val)])
            vx, vy = make_windows(self._scaled(joined), self.input_len)
            # Window i predicts u[i + L], i.e. y[i + L + lag]: keep those past the training part.
            first = len(values) - self.input_len - self.lag
            val_windows = (vx[first:], vy[first:].copy())
        # make_windows may hand back read-only views, which torch warns about: copy them.
        self.history_ = fit(
            self.model_,
            (x, y.copy()),
            loss="mse",
            val=val_windows,
            steps=steps,
            lr=lr,
            batch_size=batch_size,
            eval_every=max(1, steps // 16),
            restore_best=val_windows is not None,
            seed=seed,
            progress=False,
        )
        return self

    def _unscale(self, z: np.ndarray) -> np.ndarray:
        """Forecasts ``z`` back to :math:`u` in the series' units, float64."""
        assert self.scaler_ is not None  # set by fit, checked by _scaled
        return self.scaler_.inverse_transform(z).astype(np.float64)

    def one_step(self, series: Any, start: int) -> np.ndarray:
        """One-step forecasts of ``series[start:]``, each from the ``input_len`` values before it.

        Returns
        -------
        np.ndarray, float64, shape (len(series) - start,)
        """
        values = _as_series("series", series)
        start = _check_start(start, len(values), self.input_len + self.lag)
        z = self._scaled(values)
        # The window ending at u[t - 1 - lag] (i.e. y[t - 1]) predicts y[t], for t >= start.
        windows = np.lib.stride_tricks.sliding_window_view(z[:-1], self.input_len)
        windows = windows[start - self.input_len - self.lag :]
        assert self.model_ is not None
        u_next = self._unscale(predict(self.model_, np.array(windows[:, :, None]))[:, 0])
        return values[start - 1 : -1] + u_next if self.difference else u_next

    def forecast(self, history: Any, horizon: int) -> np.ndarray:
        """``horizon`` steps after ``history (T,)``, recursively: shape ``(horizon,)``.

        With ``difference=True`` the forecast changes are summed onto the last
        observed level: :math:`\\hat y_{T+h} = y_T + \\sum_{k \\le h} \\hat u_{T+k}`.
        """
        values = _as_series("history", history, self.input_len + self.lag)
        z = self._scaled(values)
        assert self.model_ is not None
        u_next = self._unscale(recursive_forecast(self.model_, z[-self.input_len :], horizon))
        return values[-1] + np.cumsum(u_next) if self.difference else u_next
