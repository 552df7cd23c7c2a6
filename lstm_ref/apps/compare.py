r"""Comparing sequence architectures on an equal footing: the LSTM, a Transformer, the revival.

One wrapper, :class:`SequenceModel`, puts any of five cores between the same
input and read-out, so that models differ only where they should:

``"lstm"``
    ``torch.nn.LSTM``, one layer, forget bias 1.
``"transformer"``
    :class:`~lstm_ref.apps.transformer.CausalTransformer`, two layers, two
    heads, feed-forward width :math:`2d`, sinusoidal positions.
``"mingru"``, ``"minlstm"``
    Two stacked :class:`~lstm_ref.torch.minimal.MinGRU` / :class:`~lstm_ref.torch.minimal.MinLSTM`
    layers, trained with the parallel scan (their gates have no recurrent
    weights, so one layer would have far fewer parameters at the same width).
``"slstm"``
    One :class:`~lstm_ref.torch.slstm.SLSTM` layer (exponential gating, stabilised).

:func:`matched_size` picks each core's width so that the whole models' parameter
counts are as close as possible to a target (within 10 %). The experiment
helpers measure what the chapters report: accuracy by string length
(:func:`length_accuracy`), training throughput (:func:`training_throughput`),
the per-token cost of generation (:func:`generation_cost`) and a language
model trained for a fixed CPU-time budget (:func:`train_for_seconds`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_ref.data import formal_batches, formal_task
from lstm_ref.models import set_forget_bias
from lstm_ref.torch import SLSTM, MinGRU, MinLSTM
from lstm_ref.train import History, fit, predict

from .transformer import CausalTransformer

__all__ = [
    "KINDS",
    "GenerationCost",
    "Kind",
    "SequenceModel",
    "count_parameters",
    "generation_cost",
    "length_accuracy",
    "matched_size",
    "train_for_seconds",
    "train_formal",
    "training_throughput",
]

Kind = Literal["lstm", "transformer", "mingru", "minlstm", "slstm"]
#: The five cores, in the order the chapters show them.
KINDS: tuple[Kind, ...] = ("lstm", "transformer", "mingru", "minlstm", "slstm")


class SequenceModel(nn.Module):
    r"""A core from :data:`KINDS` and a linear read-out.

    .. math::
        u_{1..T} = \mathrm{core}(x_{1..T}), \qquad
        \hat y = W u_T + b \;\; (\texttt{readout="last"}), \qquad
        \hat y_t = W u_t + b \;\; (\texttt{readout="all"})

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    input_size, size, output_size : int
        Features per step, the core's width (hidden units or :math:`d`), outputs.
    readout : {"last", "all"}

    Shape
    -----
    ``forward(x)``: ``x (B, T, input_size)`` float -> ``(B, output_size)`` or
    ``(B, T, output_size)``.
    """

    def __init__(
        self,
        kind: Kind,
        input_size: int,
        size: int,
        output_size: int,
        *,
        readout: Literal["last", "all"] = "last",
    ) -> None:
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
        if readout not in ("last", "all"):
            raise ValueError(f"readout: expected 'last' or 'all', got {readout!r}")
        self.kind, self.readout_mode, self.input_size = kind, readout, input_size
        self.core: nn.Module
        if kind == "lstm":
            self.core = nn.LSTM(input_size, size, batch_first=True)
            set_forget_bias(self.core, 1.0)
        elif kind == "transformer":
            self.core = CausalTransformer(input_size, size, nhead=2)
        elif kind == "slstm":
            self.core = SLSTM(input_size, size)
        else:
            layer = MinGRU if kind == "mingru" else MinLSTM
            self.core = nn.ModuleList([layer(input_size, size), layer(size, size)])
        self.readout = nn.Linear(size, output_size)

    def features(self, x: Tensor) -> Tensor:
        """The core's outputs ``(B, T, size)``."""
        if isinstance(self.core, nn.ModuleList):
            for layer in self.core:
                x = layer(x)[0]
            return x
        if isinstance(self.core, CausalTransformer):
            return self.core(x)
        return self.core(x)[0]

    def forward(self, x: Tensor) -> Tensor:
        """Scores or predictions for ``x (B, T, D)``."""
        u = self.features(x)
        return self.readout(u[:, -1] if self.readout_mode == "last" else u)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def matched_size(kind: Kind, target: int, input_size: int, output_size: int) -> int:
    """The width whose :class:`SequenceModel` has the parameter count nearest ``target``.

    Transformer widths are multiples of its 2 heads.

    Raises
    ------
    ValueError
        If no width comes within 10 % of ``target``.
    """
    step = 2 if kind == "transformer" else 1
    best, best_gap = step, math.inf
    for size in range(step, 1025, step):
        n = count_parameters(SequenceModel(kind, input_size, size, output_size))
        if abs(n - target) < best_gap:
            best, best_gap = size, abs(n - target)
        if n > target:
            break
    if best_gap > 0.1 * target:
        raise ValueError(f"target: no {kind} width within 10 % of {target} parameters")
    return best


def train_formal(
    kind: Kind,
    task: str,
    *,
    size: int,
    steps: int,
    seed: int,
    max_length: int = 40,
    batch_size: int = 64,
    lr: float = 3e-3,
    device: str | torch.device | None = None,
) -> tuple[SequenceModel, History]:
    """Train a :class:`SequenceModel` on a formal task with strings of length 1 .. ``max_length``.

    Adam at ``lr`` for ``steps`` steps (the same for every kind), gradient
    norm clipped to 1, fresh strings every step (:func:`lstm_ref.data.formal.formal_batches`).
    ``device`` as in :func:`lstm_ref.train.fit` (``None``: CUDA when available);
    runs are deterministic for a seed on the CPU.
    """
    from lstm_ref.data import FORMAL_TASKS

    spec = FORMAL_TASKS[task]
    torch.manual_seed(seed)
    model = SequenceModel(kind, spec.symbols, size, spec.classes)
    history = fit(
        model,
        formal_batches(task, batch_size, max_length),
        loss="cross_entropy",
        steps=steps,
        lr=lr,
        seed=seed,
        device=device,
        progress=False,
    )
    return model, history


def length_accuracy(
    model: nn.Module, task: str, lengths: Sequence[int], *, n: int = 500, seed: int = 12345
) -> dict[int, float]:
    """Accuracy on ``n`` fresh strings of each length (the same strings for every model)."""
    out = {}
    for length in lengths:
        x, y, _ = formal_task(task, n, int(length), seed=seed + int(length))
        pred = predict(model, x, batch_size=max(1, 20_000 // int(length)))
        out[int(length)] = float((pred.argmax(-1) == y).mean())
    return out


def training_throughput(
    model: SequenceModel, steps: int, *, batch: int = 8, repeats: int = 2
) -> float:
    """Tokens per CPU second of one forward and backward pass at sequence length ``steps``.

    The model (``readout="all"``) reads random one-hot tokens and is scored
    by cross-entropy against random targets; the best of ``repeats`` runs
    after one warm-up.
    """
    first = next(model.parameters())
    size_in = model.input_size
    rng = torch.Generator().manual_seed(0)
    ids = torch.randint(size_in, (batch, steps), generator=rng)
    x = F.one_hot(ids, size_in).to(first.dtype)
    best = math.inf
    for k in range(repeats + 1):
        started = time.process_time()
        out = model(x)
        loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), ids.reshape(-1) % out.shape[-1])
        loss.backward()
        elapsed = time.process_time() - started
        model.zero_grad(set_to_none=True)
        if k:
            best = min(best, elapsed)
    return batch * steps / best


class GenerationCost(NamedTuple):
    """Per-token cost of generating ``positions[-1]`` tokens one at a time.

    Attributes
    ----------
    positions : np.ndarray, int, shape (K,)
        Token counts at which the cost is read.
    seconds : np.ndarray, shape (K,)
        Mean CPU seconds per token over the block of tokens ending at each position.
    state_bytes : np.ndarray, shape (K,)
        Bytes the model must keep to continue: the LSTM's ``(h, c)``, the
        Transformer's filled KV cache.
    """

    positions: np.ndarray
    seconds: np.ndarray
    state_bytes: np.ndarray


@torch.no_grad()
def generation_cost(
    model: SequenceModel, tokens: int, *, block: int = 64, batch: int = 1
) -> GenerationCost:
    """Feed ``tokens`` random tokens one at a time, keeping state; time each block of ``block``.

    Works for ``"lstm"`` (state ``(h, c)``) and ``"transformer"`` (a
    :class:`~lstm_ref.apps.transformer.KVCache`).
    """
    if model.kind not in ("lstm", "transformer"):
        raise ValueError(f"model: expected an 'lstm' or 'transformer' kind, got {model.kind!r}")
    core = model.core
    size_in = model.input_size
    ids = torch.randint(size_in, (tokens, batch), generator=torch.Generator().manual_seed(0))
    x = F.one_hot(ids, size_in).float()
    positions, seconds, nbytes = [], [], []
    if isinstance(core, CausalTransformer):
        cache = core.new_cache(batch, tokens)

        def one(t: int) -> None:
            model.readout(core.step(x[t], cache))

        def state_bytes() -> int:
            return cache.nbytes()
    else:
        state: list[Any] = [None]

        def one(t: int) -> None:
            out, state[0] = core(x[t][:, None], state[0])
            model.readout(out[:, 0])

        def state_bytes() -> int:
            return sum(s.numel() * s.element_size() for s in state[0])

    started = time.process_time()
    for t in range(tokens):
        one(t)
        if (t + 1) % block == 0:
            now = time.process_time()
            positions.append(t + 1)
            seconds.append((now - started) / block)
            nbytes.append(state_bytes())
            started = time.process_time()
    return GenerationCost(np.array(positions), np.array(seconds), np.array(nbytes))


def train_for_seconds(
    model: nn.Module,
    batches: Callable[[int, np.random.Generator], tuple[Any, ...]],
    val: tuple[Any, ...],
    *,
    seconds: float,
    lr: float,
    seed: int,
    eval_every: int = 25,
    max_steps: int = 1_000_000,
    device: str | torch.device | None = None,
) -> History:
    """Train with :func:`lstm_ref.train.fit` until ``seconds`` of CPU time have passed.

    The clock is checked at each evaluation (every ``eval_every`` steps), so a
    run overshoots by at most one evaluation interval; the evaluations count
    against the budget. ``val`` is ``(x, y)`` with ``y`` a class per step.
    ``device`` as in :func:`lstm_ref.train.fit`.
    """
    started = time.process_time()

    def spent(record: Mapping[str, float]) -> bool:
        return time.process_time() - started >= seconds

    return fit(
        model,
        batches,
        loss="cross_entropy",
        val=val,
        steps=max_steps,
        lr=lr,
        seed=seed,
        eval_every=eval_every,
        stop_when=spent,
        device=device,
        progress=False,
    )
