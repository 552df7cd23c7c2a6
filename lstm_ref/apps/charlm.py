r"""A character-level language model: an LSTM that reads text and predicts the next character.

.. math::
    e_t = E[x_t], \qquad (h_t, c_t) = \mathrm{LSTM}(e_t, (h_{t-1}, c_{t-1})), \qquad
    p(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}(W h_t + b)

trained to minimise the cross-entropy :math:`-\frac1N\sum_t \log_2 p(x_{t+1} \mid x_{\le t})`,
the *bits per character* (bpc) when the logarithm is base 2.

Training uses truncated back-propagation through time with carried state
(Williams & Peng 1990; Sutskever 2013): the text is cut into ``batch_size``
contiguous tracks, each batch is the next ``seq_len`` characters of every
track, and the final state of one batch is the initial state of the next
(detached, so gradients stop at the window while the memory does not).

The recurrent layer is ``torch.nn.LSTM`` rather than ``lstm_ref.torch.LSTM``
(the same numbers, written from matmuls): on one CPU core its fused kernel
ran a forward and backward pass of the chapters' batches (32 x 50 steps,
256 units) in 37 ms against 59 ms, and the chapters train for about half a
minute of one core.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lstm_ref.checks import check_positive_int, evaluating, model_device
from lstm_ref.data import CharVocab, PythonSource, load_python_source
from lstm_ref.history import History
from lstm_ref.models import set_forget_bias
from lstm_ref.progress import Progress
from lstm_ref.train import train_loop

__all__ = [
    "STDLIB_LM",
    "CharLM",
    "GateTrace",
    "build_char_lm",
    "char_bits",
    "gate_trace",
    "sample",
    "stdlib_corpus",
    "tbptt_batches",
    "train_char_lm",
    "train_stdlib_lm",
]

State = tuple[torch.Tensor, torch.Tensor]


class CharLM(nn.Module):
    """Embedding, one or more LSTM layers, a linear read-out to next-character scores.

    Parameters
    ----------
    vocab_size : int
        :math:`V`, the number of character ids.
    hidden_size : int
        :math:`H`, units per LSTM layer.
    embedding_size : int
        Size of the learned character embedding :math:`E[x]`.
    num_layers : int
    forget_bias : float
        Initial forget-gate bias (:func:`lstm_ref.models.set_forget_bias`).

    Shape
    -----
    ``forward(ids, state=None)``: ``ids (B, T)`` int64; returns logits
    ``(B, T, V)`` and the final state ``(h, c)``, each ``(num_layers, B, H)``.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int = 256,
        *,
        embedding_size: int = 64,
        num_layers: int = 1,
        forget_bias: float = 1.0,
    ) -> None:
        super().__init__()
        for name, value in (
            ("vocab_size", vocab_size),
            ("hidden_size", hidden_size),
            ("embedding_size", embedding_size),
            ("num_layers", num_layers),
        ):
            check_positive_int(name, value)
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size, num_layers=num_layers, batch_first=True)
        set_forget_bias(self.lstm, forget_bias)
        self.readout = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """Next-character logits ``(B, T, V)`` for ``ids (B, T)``, and the final state."""
        if ids.dim() != 2:
            raise ValueError(f"ids: expected shape (B, T), got {tuple(ids.shape)}")
        out, (h, c) = self.lstm(self.embedding(ids), state)
        return self.readout(out), (h, c)


def tbptt_batches(
    ids: np.ndarray, batch_size: int, seq_len: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless batches for truncated BPTT with carried state.

    The stream is cut into ``batch_size`` equal contiguous tracks; batch
    ``j`` holds characters ``j*seq_len .. (j+1)*seq_len - 1`` of every track
    and, as targets, the characters one further. Row ``b`` of batch ``j+1``
    continues row ``b`` of batch ``j``, so the state carried between them is
    the state of the text just read. After the last full window of the tracks
    the iteration starts again at the beginning (a new epoch).

    Parameters
    ----------
    ids : np.ndarray, int, shape (L,)
    batch_size, seq_len : int

    Yields
    ------
    x, y : torch.Tensor, int64, shape (batch_size, seq_len)
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids: expected shape (L,), got {ids.shape}")
    track = (len(ids) - 1) // batch_size
    windows = track // seq_len
    if batch_size < 1 or seq_len < 1 or windows < 1:
        raise ValueError(
            f"ids: expected at least batch_size * seq_len + 1 = {batch_size * seq_len + 1} "
            f"ids (batch_size={batch_size}, seq_len={seq_len}), got {len(ids)}"
        )
    starts = np.arange(batch_size)[:, None] * track
    stream = torch.from_numpy(ids.astype(np.int64))
    while True:
        for j in range(windows):
            at = torch.from_numpy(starts + j * seq_len + np.arange(seq_len))
            yield stream[at], stream[at + 1]


def _detach(state: State) -> State:
    return (state[0].detach(), state[1].detach())


@torch.no_grad()
def char_bits(model: CharLM, ids: np.ndarray, *, tracks: int = 16, chunk: int = 500) -> np.ndarray:
    r"""Per-character loss :math:`-\log_2 p(x_{t+1} \mid x_{\le t})` for ``t = 0 .. L-2``.

    The text is read in ``tracks`` contiguous pieces side by side (a batch),
    ``chunk`` characters at a time with the state carried, so every
    character is predicted from everything before it in its piece; only the
    first character of each piece starts from a zero state.

    Parameters
    ----------
    model : CharLM
    ids : np.ndarray, int, shape (L,)
    tracks, chunk : int

    Returns
    -------
    np.ndarray, float64, shape (L-1,)
        Bits spent on ``ids[1:]``; its mean is the bits per character.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError(f"ids: expected shape (L,) with L >= 2, got {ids.shape}")
    tracks = check_positive_int("tracks", tracks)
    chunk = check_positive_int("chunk", chunk)
    n = len(ids) - 1
    tracks = min(tracks, n)
    width = -(-n // tracks)  # ceil: the last track is padded, and the padding dropped
    x = np.zeros(tracks * width, dtype=np.int64)
    y = np.zeros(tracks * width, dtype=np.int64)
    x[:n], y[:n] = ids[:-1], ids[1:]
    device = model_device(model)
    xs = torch.from_numpy(x.reshape(tracks, width)).to(device)
    ys = torch.from_numpy(y.reshape(tracks, width)).to(device)
    bits = torch.empty(tracks, width, dtype=torch.float64)
    state: State | None = None
    with evaluating(model):
        for s in range(0, width, chunk):
            logits, state = model(xs[:, s : s + chunk], state)
            nats = F.cross_entropy(logits.transpose(1, 2), ys[:, s : s + chunk], reduction="none")
            bits[:, s : s + chunk] = nats.double().cpu() / math.log(2)
    return bits.reshape(-1)[:n].numpy()


@torch.no_grad()
def sample(
    model: CharLM,
    vocab: CharVocab,
    prime: str,
    length: int,
    *,
    temperature: float = 1.0,
    seed: int = 0,
) -> str:
    r"""Continue ``prime`` by ``length`` characters drawn from the model.

    .. math:: x_{t+1} \sim \mathrm{softmax}\big((W h_t + b) / \tau\big)

    The prime is read first (priming the state); a temperature
    :math:`\tau < 1` sharpens the distribution towards its most likely
    characters, :math:`\tau > 1` flattens it.

    Returns
    -------
    str
        The ``length`` new characters (without the prime).
    """
    if not prime:
        raise ValueError("prime: expected at least one character, got ''")
    if not temperature > 0:
        raise ValueError(f"temperature: expected a number > 0, got {temperature}")
    device = model_device(model)
    # Draws on the CPU, so a seed gives the same text whatever the model's device.
    generator = torch.Generator().manual_seed(seed)
    out = []
    with evaluating(model):
        logits, state = model(torch.from_numpy(vocab.encode(prime))[None].to(device), None)
        for _ in range(length):
            probs = torch.softmax(logits[0, -1].cpu() / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator)
            out.append(int(nxt))
            logits, state = model(nxt[None].to(device), state)
    return vocab.decode(out)


def _bits_on(ids: np.ndarray) -> Callable[[CharLM], dict[str, float]]:
    """``evaluate`` for the training core: the model's bits per character on ``ids``."""
    return lambda model: {"val_loss": float(char_bits(model, ids).mean())}


def train_char_lm(
    model: CharLM,
    ids: np.ndarray,
    *,
    steps: int,
    batch_size: int = 32,
    seq_len: int = 50,
    lr: float = 5e-3,
    final_lr: float = 5e-4,
    clip: float = 1.0,
    val_ids: np.ndarray | None = None,
    eval_every: int = 0,
    vocab: CharVocab | None = None,
    prime: str = "def ",
    sample_length: int = 120,
    seed: int = 0,
    progress: bool = True,
) -> History:
    r"""Train ``model`` on the text ``ids`` by truncated BPTT with carried state.

    Adam with a learning rate decaying exponentially from ``lr`` to
    ``final_lr`` over the ``steps``, :math:`\eta_s = \eta_0 (\eta_1/\eta_0)^{s/S}`,
    and the gradient norm clipped to ``clip``. The steps run in the training
    core, :func:`lstm_ref.train.train_loop`; what is particular to the
    language model is the loss of a batch, which reads the next window of
    every track starting from the state the previous batch left.

    Parameters
    ----------
    model : CharLM
        Trained in place.
    ids : np.ndarray, int, shape (L,)
        The training text as character ids.
    steps : int
        Optimiser steps; each reads ``batch_size * seq_len`` characters.
    batch_size, seq_len : int
        Tracks read side by side, and the truncation window (see
        :func:`tbptt_batches`).
    lr, final_lr, clip : float
    val_ids : np.ndarray, int, shape (L_val,), optional
        Held-out text, scored in bits per character every ``eval_every`` steps
        and at the end (``History.val_loss`` is in bits per character).
    eval_every : int
        0: only at the end.
    vocab : CharVocab, optional
        With a vocabulary, a sample primed with ``prime`` is printed at each
        evaluation, so one sees the model learn.
    seed : int
        Seeds the initial state of torch's generator for dropout-free
        reproducibility of the whole run (and of the samples).
    progress : bool
        Show a plain-text progress bar with the running loss (bits per character).

    Returns
    -------
    History
        ``train_loss`` (bits per character of each batch), ``grad_norm``,
        ``eval_step`` and ``val_loss`` (bits per character).
    """
    steps = check_positive_int("steps", steps)
    eval_every = check_positive_int("eval_every", eval_every, minimum=0)
    if not 0 < final_lr <= lr:
        raise ValueError(f"final_lr: expected 0 < final_lr <= lr = {lr}, got {final_lr}")
    torch.manual_seed(seed)
    device = model_device(model)
    state: State | None = None

    def loss_of_batch(model: CharLM, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        nonlocal state
        x, y = (t.to(device) for t in batch)
        logits, state = model(x, state)
        state = _detach(state)  # carried into the next batch; gradients stop here
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))

    def show_sample(record: dict[str, float]) -> str | None:
        if vocab is None:
            return None
        text = prime + sample(model, vocab, prime, sample_length, temperature=0.8)
        return f"step {record['step']:.0f}: validation {record['val_loss']:.3f} bpc\n{text}\n"

    history = train_loop(
        model,
        tbptt_batches(ids, batch_size, seq_len),
        loss_of_batch,
        steps=steps,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        clip=clip,
        schedule=lambda s: (final_lr / lr) ** (min(s, steps) / steps),
        evaluate=None if val_ids is None else _bits_on(val_ids),
        eval_every=eval_every or None,
        on_eval=show_sample,
        loss_unit=lambda nats: nats / math.log(2),
        progress=Progress(steps, enabled=progress, mininterval=10),
    )
    model.eval()
    return history


class GateTrace(NamedTuple):
    """An LSTM layer's gates and state at every step of one text, NumPy ``(T, H)`` each.

    ``i, f, o`` are the input, forget and output gates (in ``[0, 1]``), ``g``
    the candidate (in ``[-1, 1]``), ``c`` the cell and ``h`` the hidden state.
    """

    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


@torch.no_grad()
def gate_trace(model: CharLM, ids: np.ndarray) -> GateTrace:
    r"""Run the first LSTM layer over ``ids (T,)`` from a zero state and keep every gate.

    ``torch.nn.LSTM`` returns only :math:`h_t`; with all of them known the
    pre-activations of every step come from one matrix product,

    .. math::
        (\tilde\imath, \tilde f, \tilde g, \tilde o)_t
            = W_{ih} e_t + b_{ih} + W_{hh} h_{t-1} + b_{hh},

    and the cell follows :math:`c_t = f_t \odot c_{t-1} + i_t \odot g_t`.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if ids.ndim != 1 or len(ids) < 1:
        raise ValueError(f"ids: expected shape (T,) with T >= 1, got {ids.shape}")
    lstm = model.lstm
    x = model.embedding(torch.from_numpy(ids).to(model_device(model)))
    h = lstm(x[None])[0][0] if lstm.num_layers == 1 else _first_layer(model, x)
    h_prev = torch.cat([h.new_zeros(1, lstm.hidden_size), h[:-1]])
    w = dict(lstm.named_parameters())
    pre = x @ w["weight_ih_l0"].T + w["bias_ih_l0"] + h_prev @ w["weight_hh_l0"].T + w["bias_hh_l0"]
    i, f, g, o = pre.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = torch.empty_like(g)
    c_prev = g.new_zeros(lstm.hidden_size)
    for t in range(len(ids)):
        c_prev = c[t] = f[t] * c_prev + i[t] * g[t]
    return GateTrace(*(a.double().cpu().numpy() for a in (i, f, g, o, c, h)))


def _first_layer(model: CharLM, x: torch.Tensor) -> torch.Tensor:
    """Outputs ``(T, H)`` of the first layer of a stacked LSTM, with its own weights."""
    lstm = model.lstm
    first = nn.LSTM(lstm.input_size, lstm.hidden_size, batch_first=True, device=x.device)
    first.load_state_dict({k: v for k, v in lstm.state_dict().items() if k.endswith("_l0")})
    return first(x[None])[0][0]


#: The model of chapters 15 and 16, a 1x256 LSTM trained for about 30 s of one
#: CPU core on 3 MB of the standard library. ``python`` is part of the
#: configuration because the corpus is this Python's own library, so a cached
#: model is never reused with another version's text.
STDLIB_LM: dict[str, Any] = {
    "python": platform.python_version(),
    "max_chars": 3_000_000,
    "min_count": 5,
    "hidden_size": 256,
    "embedding_size": 64,
    "steps": 700,
    "batch_size": 32,
    "seq_len": 50,
    "lr": 1e-2,
    "final_lr": 1e-3,
    "seed": 0,
}


def stdlib_corpus(config: Mapping[str, Any] = STDLIB_LM) -> tuple[PythonSource, CharVocab]:
    """The standard library split by file, and the vocabulary of its training part.

    Characters seen fewer than ``config["min_count"]`` times in training map
    to ``lstm_ref.data.UNKNOWN``.
    """
    source = load_python_source(config["max_chars"])
    return source, CharVocab.from_text(source.train, min_count=config["min_count"])


def build_char_lm(config: Mapping[str, Any], vocab_size: int) -> CharLM:
    """A freshly initialised :class:`CharLM` for ``config``, seeded by ``config["seed"]``."""
    torch.manual_seed(config["seed"])
    return CharLM(vocab_size, config["hidden_size"], embedding_size=config["embedding_size"])


def train_stdlib_lm(
    model: CharLM,
    source: PythonSource,
    vocab: CharVocab,
    config: Mapping[str, Any] = STDLIB_LM,
    **options: Any,
) -> History:
    """Train ``model`` on ``source.train`` with ``config``'s settings (:func:`train_char_lm`).

    ``options`` go to :func:`train_char_lm` (``val_ids``, ``eval_every``,
    ``prime``, ``progress``, ...); they change what is shown, never the
    trained weights. Samples are printed at each evaluation.
    """
    return train_char_lm(
        model,
        vocab.encode(source.train),
        steps=config["steps"],
        batch_size=config["batch_size"],
        seq_len=config["seq_len"],
        lr=config["lr"],
        final_lr=config["final_lr"],
        seed=config["seed"],
        vocab=vocab,
        **options,
    )
