r"""Sequence to sequence: an LSTM encoder-decoder, with or without attention.

The model of Sutskever et al. (2014) reads a source sequence
:math:`x_1 \dots x_S` with one LSTM (the *encoder*) and hands its final state
to a second LSTM (the *decoder*), which writes the target one token at a time,
each conditioned on the tokens before it:

.. math::
    p(y_1 \dots y_L \mid x) = \prod_{t=1}^{L} p(y_t \mid y_{<t}, x), \qquad
    y_L = \texttt{<eos>}.

Without attention everything the decoder knows about the source must pass
through the encoder's last state :math:`(h_S, c_S)`. *Attention* lets every
decoder step look back at all encoder outputs :math:`\bar h_1 \dots \bar h_S`
and take a weighted average of the ones it needs, in one of two forms
(``Seq2Seq(..., attention=...)``):

* ``"luong"`` (the default): the global attention of Luong et al. (2015) with
  the multiplicative "general" score, computed from the decoder's *current*
  output and applied after its LSTM (:class:`LuongAttention`);
* ``"bahdanau"``: the additive attention of Bahdanau et al. (2015), computed
  from the decoder's *previous* state and fed into its LSTM's input
  (:class:`BahdanauAttention`; the decoder equations are in :class:`Decoder`).

Training uses *teacher forcing* (:func:`teacher_forcing_loss`): the decoder
reads the true previous token, so a whole target is scored in one pass.
Translating cannot: :func:`greedy_decode` feeds back its own most likely
token, :func:`beam_search` keeps the ``beam_size`` most likely prefixes.

Data come as a :class:`~lstm_ref.data.number_words.Translation` (ids padded with
``PAD_ID = 0``, targets framed ``BOS ... EOS``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_ref.checks import check_positive_int, evaluating, model_device
from lstm_ref.data.number_words import BOS_ID, EOS_ID, PAD_ID, Translation
from lstm_ref.history import History
from lstm_ref.torch import LSTM
from lstm_ref.train import train_loop

State = tuple[Tensor, Tensor]
#: The attention forms of :class:`Seq2Seq` (None: no attention).
AttentionKind = Literal["luong", "bahdanau"]
_ATTENTION_KINDS: tuple[AttentionKind, ...] = ("luong", "bahdanau")


class Memory(NamedTuple):
    """What the encoder hands the decoder.

    Attributes
    ----------
    outputs : Tensor, shape (N, S, H)
        Encoder outputs :math:`\\bar h_s` (zero past each source's end).
    mask : Tensor, bool, shape (N, S)
        True at the valid source positions.
    state : tuple of Tensor, each shape (1, N, H)
        The encoder's final ``(h, c)`` at each source's own last token.
    """

    outputs: Tensor
    mask: Tensor
    state: State


class Encoder(nn.Module):
    r"""Embed the source tokens and read them with an LSTM.

    .. math::
        \bar h_s, c_s = \mathrm{LSTM}(E x_s, (\bar h_{s-1}, c_{s-1})), \qquad s = 1 \dots S

    Padded sequences are packed, so each row's final state is taken at its own
    last token, not after the padding.

    Parameters
    ----------
    vocab_size, embed_size, hidden_size : int
    rnn : class
        A recurrent class with ``torch.nn.LSTM``'s interface
        (``lstm_ref.torch.LSTM`` by default, or ``torch.nn.LSTM``).
    """

    def __init__(
        self, vocab_size: int, embed_size: int, hidden_size: int, *, rnn: type[nn.Module] = LSTM
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD_ID)
        self.rnn = rnn(embed_size, hidden_size, batch_first=True)

    def forward(self, src: Tensor, src_lengths: Tensor) -> Memory:
        """Encode ``src (N, S)`` ids with ``src_lengths (N,)``; see :class:`Memory`."""
        packed = pack_padded_sequence(
            self.embed(src), src_lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, state = self.rnn(packed)
        outputs = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])[0]
        mask = (
            torch.arange(src.shape[1], device=src.device)[None, :]
            < src_lengths.to(src.device)[:, None]
        )
        return Memory(outputs, mask, state)


class LuongAttention(nn.Module):
    r"""Global attention with the "general" score (Luong, Pham & Manning 2015).

    For each decoder output :math:`h_t` and the encoder outputs :math:`\bar h_s`:

    .. math::
        \begin{array}{ll}
        \mathrm{score}(h_t, \bar h_s) = h_t^\top W_a \bar h_s \\
        a_t(s) = \dfrac{\exp \mathrm{score}(h_t, \bar h_s)}
                       {\sum_{s'} \exp \mathrm{score}(h_t, \bar h_{s'})}
                 \quad \text{(padded } s \text{ get weight 0)} \\
        c_t = \sum_s a_t(s)\, \bar h_s \\
        \tilde h_t = \tanh(W_c [c_t; h_t])
        \end{array}

    The weights :math:`a_t(s)` sum to 1 over the source: they say where step
    :math:`t` looks. The query is the decoder's output at step :math:`t`, so
    attention comes after the LSTM and teacher-forced training runs the
    decoder over all steps in one call (compare :class:`BahdanauAttention`).

    Parameters
    ----------
    hidden_size : int
        ``H`` of both the encoder and the decoder.
    """

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.W_a = nn.Linear(hidden_size, hidden_size, bias=False)
        self.W_c = nn.Linear(2 * hidden_size, hidden_size, bias=False)

    def forward(self, query: Tensor, memory: Memory) -> tuple[Tensor, Tensor]:
        """Attend from ``query (N, T, H)`` to ``memory``.

        Returns
        -------
        h_tilde : Tensor, shape (N, T, H)
            The attentional hidden states :math:`\\tilde h_t`.
        weights : Tensor, shape (N, T, S)
            :math:`a_t(s)`, each row summing to 1 over the valid source positions.
        """
        scores = query @ self.W_a(memory.outputs).transpose(1, 2)
        scores = scores.masked_fill(~memory.mask[:, None, :], -math.inf)
        weights = torch.softmax(scores, dim=-1)
        context = weights @ memory.outputs
        return torch.tanh(self.W_c(torch.cat([context, query], dim=-1))), weights


class BahdanauAttention(nn.Module):
    r"""Additive attention (Bahdanau, Cho & Bengio 2015), queried by the previous decoder state.

    For the decoder's previous hidden state :math:`h_{t-1}` and the encoder
    outputs :math:`\bar h_s`:

    .. math::
        \begin{array}{ll}
        e_t(s) = v_a^\top \tanh(W_a h_{t-1} + U_a \bar h_s) \\
        a_t(s) = \dfrac{\exp e_t(s)}{\sum_{s'} \exp e_t(s')}
                 \quad \text{(padded } s \text{ get weight 0)} \\
        c_t = \sum_s a_t(s)\, \bar h_s
        \end{array}

    This is equation (6) and Appendix A.1.2 of the paper (their
    :math:`s_{i-1}, h_j, \alpha_{ij}, c_i`), with no bias, as printed. The
    score is a one-hidden-layer network of the query and each key, where
    :class:`LuongAttention` takes a bilinear form. Because the query is the
    *previous* state, :math:`c_t` exists before step :math:`t` runs and the
    :class:`Decoder` feeds it into its LSTM, one step at a time.

    Parameters
    ----------
    hidden_size : int
        ``H`` of both the encoder and the decoder; the score's hidden layer
        has ``H`` units too (the paper's :math:`n' = n`).
    """

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.W_a = nn.Linear(hidden_size, hidden_size, bias=False)
        self.U_a = nn.Linear(hidden_size, hidden_size, bias=False)
        self.v_a = nn.Linear(hidden_size, 1, bias=False)

    def forward(
        self, query: Tensor, memory: Memory, keys: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Attend from ``query (N, H)``, the decoder state :math:`h_{t-1}`, to ``memory``.

        Parameters
        ----------
        query : Tensor, shape (N, H)
        memory : Memory
            Encoder outputs ``(N, S, H)`` and their mask ``(N, S)``.
        keys : Tensor, shape (N, S, H), optional
            :math:`U_a \bar h_s`, the part of the score that does not depend
            on the step; pass ``self.U_a(memory.outputs)`` to compute it once
            per sequence.

        Returns
        -------
        context : Tensor, shape (N, H)
            :math:`c_t`.
        weights : Tensor, shape (N, S)
            :math:`a_t(s)`, summing to 1 over the valid source positions.
        """
        if keys is None:
            keys = self.U_a(memory.outputs)
        scores = self.v_a(torch.tanh(self.W_a(query)[:, None, :] + keys))[..., 0]
        scores = scores.masked_fill(~memory.mask, -math.inf)
        weights = torch.softmax(scores, dim=-1)
        return (weights[:, None, :] @ memory.outputs)[:, 0], weights


def _check_attention(attention: object) -> AttentionKind | None:
    if attention is None:
        return None
    for kind in _ATTENTION_KINDS:
        if attention == kind:
            return kind
    raise ValueError(f"attention: expected one of {_ATTENTION_KINDS} or None, got {attention!r}")


class Decoder(nn.Module):
    r"""An LSTM that writes the target, starting from the encoder's final state.

    Without attention, or with ``attention="luong"``, the LSTM reads the
    previous token and attention (if any) comes after it:

    .. math::
        \begin{array}{ll}
        h_t, c_t = \mathrm{LSTM}(E y_{t-1}, (h_{t-1}, c_{t-1})), \qquad
            (h_0, c_0) = (\bar h_S, c_S), \quad y_0 = \texttt{<bos>} \\
        p(y_t \mid y_{<t}, x) = \mathrm{softmax}(W_s \tilde h_t + b_s)
        \end{array}

    with :math:`\tilde h_t = h_t` without attention and the attentional state
    of :class:`LuongAttention` with it.

    With ``attention="bahdanau"`` the decoder of Bahdanau et al. (2015)
    (equation (4), Appendix A.2.2) attends *before* each step, from its
    previous hidden state, and the LSTM reads the context next to the
    previous token (the LSTM's cell is written :math:`m_t` here, to keep
    :math:`c_t` for the context):

    .. math::
        \begin{array}{ll}
        c_t, a_t = \mathrm{BahdanauAttention}(h_{t-1}, \bar h_{1 \dots S}) \\
        h_t, m_t = \mathrm{LSTM}([E y_{t-1}; c_t], (h_{t-1}, m_{t-1})), \qquad
            (h_0, m_0) = (\bar h_S, c_S) \\
        u_t = W_o [h_t; c_t; E y_{t-1}] + b_o \in \mathbb R^{2H}, \qquad
            \tilde h_{t,j} = \max(u_{t,j}, u_{t,H+j}), \quad j = 1 \dots H \\
        p(y_t \mid y_{<t}, x) = \mathrm{softmax}(W_s \tilde h_t + b_s)
        \end{array}

    The read-out is the paper's "deep output" with a maxout layer, fed by the
    new state :math:`h_t` as in their equation (4) (their appendix writes
    :math:`s_{i-1}`). The paper pools neighbouring units
    :math:`(u_{2j-1}, u_{2j})`; pooling the two halves of :math:`u_t` is the
    same layer with the rows of :math:`W_o` in another order, and cheaper.

    Where this differs from the paper: an LSTM instead of their gated
    recurrent unit, and the same one-directional :class:`Encoder` and
    initial state as the other forms (they read the source in both
    directions and start from :math:`\tanh(W_s \overleftarrow{h}_1)`), so
    that only the attention differs between the forms. Teacher-forced
    training has to run this decoder step by step.

    ``<pad>`` and ``<bos>`` are never outputs: their scores are :math:`-\infty`.

    Parameters
    ----------
    vocab_size, embed_size, hidden_size : int
    attention : {"luong", "bahdanau"} or None
        The attention form, or None for none.
    rnn : class
        As for :class:`Encoder`.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int,
        hidden_size: int,
        *,
        attention: AttentionKind | None = "luong",
        rnn: type[nn.Module] = LSTM,
    ) -> None:
        super().__init__()
        self.attention_kind = _check_attention(attention)
        bahdanau = self.attention_kind == "bahdanau"
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD_ID)
        # Bahdanau's LSTM reads [E y_{t-1}; c_t].
        rnn_input = embed_size + (hidden_size if bahdanau else 0)
        self.rnn = rnn(rnn_input, hidden_size, batch_first=True)
        self.attention: LuongAttention | BahdanauAttention | None = None
        if self.attention_kind == "luong":
            self.attention = LuongAttention(hidden_size)
        elif bahdanau:
            self.attention = BahdanauAttention(hidden_size)
            self.W_o = nn.Linear(2 * hidden_size + embed_size, 2 * hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size)
        never = torch.zeros(vocab_size, dtype=torch.bool)
        never[[PAD_ID, BOS_ID]] = True
        self.register_buffer("never_output", never, persistent=False)

    def forward(
        self, tgt_in: Tensor, state: State, memory: Memory
    ) -> tuple[Tensor, State, Tensor | None]:
        """Scores for the next token after each of ``tgt_in (N, T)``.

        Returns
        -------
        logits : Tensor, shape (N, T, V)
        state : tuple of Tensor, each shape (1, N, H)
            The decoder state after the last step (to continue decoding).
        weights : Tensor of shape (N, T, S), or None without attention
            :math:`a_t(s)` of each step.
        """
        embedded = self.embed(tgt_in)
        if isinstance(self.attention, BahdanauAttention):
            out, state, weights = self._attend_then_step(self.attention, embedded, state, memory)
        else:
            out, state = self.rnn(embedded, state)
            weights = None
            if self.attention is not None:
                out, weights = self.attention(out, memory)
        logits = self.out(out).masked_fill(self.never_output, -math.inf)
        return logits, state, weights

    def _attend_then_step(
        self, attention: BahdanauAttention, embedded: Tensor, state: State, memory: Memory
    ) -> tuple[Tensor, State, Tensor]:
        """Bahdanau's decoder over ``embedded (N, T, E)``: ``h_tilde (N, T, H)``, state, weights."""
        keys = attention.U_a(memory.outputs)  # U_a h_s: the same at every step
        outputs, contexts, weights = [], [], []
        for t in range(embedded.shape[1]):
            context, a = attention(state[0][-1], memory, keys)  # from h_{t-1}
            out, state = self.rnn(torch.cat([embedded[:, t], context], -1)[:, None], state)
            outputs.append(out[:, 0])
            contexts.append(context)
            weights.append(a)
        readout = torch.cat([torch.stack(outputs, 1), torch.stack(contexts, 1), embedded], -1)
        u = self.W_o(readout)  # (N, T, 2H)
        h_tilde = torch.maximum(*u.chunk(2, -1))  # maxout over the pairs (u_j, u_H+j)
        return h_tilde, state, torch.stack(weights, 1)


class Seq2Seq(nn.Module):
    """An encoder-decoder LSTM (Sutskever et al. 2014), with optional attention.

    Parameters
    ----------
    source_vocab_size, target_vocab_size : int
        Sizes of the :class:`~lstm_ref.data.number_words.TokenVocab` of each side.
    embed_size, hidden_size : int
    attention : {"luong", "bahdanau"} or None
        How the decoder attends to every encoder output: Luong's multiplicative
        attention after its LSTM (:class:`LuongAttention`), Bahdanau's additive
        attention fed into it (:class:`BahdanauAttention`), or not at all
        (None). The equations are in :class:`Decoder`.
    rnn : class
        The recurrent class of both sides: ``lstm_ref.torch.LSTM`` (default) or
        ``torch.nn.LSTM``.

    Shape
    -----
    ``forward(src, src_lengths, tgt_in)``: ``src (N, S)``, ``src_lengths (N,)``,
    ``tgt_in (N, T)`` ids; returns scores ``(N, T, target_vocab_size)``.
    """

    def __init__(
        self,
        source_vocab_size: int,
        target_vocab_size: int,
        *,
        embed_size: int = 32,
        hidden_size: int = 64,
        attention: AttentionKind | None = "luong",
        rnn: type[nn.Module] = LSTM,
    ) -> None:
        super().__init__()
        self.encoder = Encoder(source_vocab_size, embed_size, hidden_size, rnn=rnn)
        self.decoder = Decoder(
            target_vocab_size, embed_size, hidden_size, attention=attention, rnn=rnn
        )

    @property
    def attention(self) -> AttentionKind | None:
        """The decoder's attention form, ``"luong"`` or ``"bahdanau"``, or None."""
        return self.decoder.attention_kind

    def forward(self, src: Tensor, src_lengths: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced scores ``(N, T, V)`` of the token after each of ``tgt_in``."""
        memory = self.encoder(src, src_lengths)
        return self.decoder(tgt_in, memory.state, memory)[0]


def _tensors(
    src: Tensor | np.ndarray, src_lengths: Tensor | np.ndarray, device: torch.device
) -> tuple[Tensor, Tensor]:
    src_t = torch.as_tensor(src, device=device)
    lengths_t = torch.as_tensor(src_lengths)
    if src_t.dim() != 2 or src_t.dtype != torch.int64:
        raise ValueError(
            f"src: expected int64 ids of shape (N, S), got {src_t.dtype} {tuple(src_t.shape)}"
        )
    if lengths_t.shape != (src_t.shape[0],):
        raise ValueError(
            f"src_lengths: expected shape ({src_t.shape[0]},), got {tuple(lengths_t.shape)}"
        )
    if len(lengths_t) and (int(lengths_t.min()) < 1 or int(lengths_t.max()) > src_t.shape[1]):
        raise ValueError(
            f"src_lengths: expected values in [1, {src_t.shape[1]}], "
            f"got {int(lengths_t.min())}..{int(lengths_t.max())}"
        )
    return src_t, lengths_t


def teacher_forcing_loss(model: Seq2Seq, src: Tensor, src_lengths: Tensor, tgt: Tensor) -> Tensor:
    r"""Mean cross-entropy of the target tokens, each predicted from the true ones before it.

    .. math::
        \mathcal L = -\frac{1}{\sum_n L_n} \sum_n \sum_{t=1}^{L_n}
        \log p(y_{n,t} \mid y_{n,<t}, x_n)

    Parameters
    ----------
    model : Seq2Seq
    src : Tensor, int64, shape (N, S)
    src_lengths : Tensor, int64, shape (N,)
    tgt : Tensor, int64, shape (N, T + 1)
        ``BOS y_1 ... y_L EOS`` padded with ``PAD_ID``: the decoder reads
        ``tgt[:, :-1]`` and is scored on ``tgt[:, 1:]`` (padding ignored).
    """
    if tgt.dim() != 2 or tgt.shape[1] < 2:
        raise ValueError(
            f"tgt: expected ids of shape (N, T + 1) with T >= 1, got {tuple(tgt.shape)}"
        )
    logits = model(src, src_lengths, tgt[:, :-1])
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), tgt[:, 1:].reshape(-1), ignore_index=PAD_ID
    )


class Decoded(NamedTuple):
    """The output of :func:`greedy_decode` and :func:`beam_search`.

    Attributes
    ----------
    ids : Tensor, int64, shape (N, L)
        Output tokens, ``EOS`` included, ``PAD_ID`` after it.
    scores : Tensor, shape (N,)
        :math:`\\log p(y \\mid x)` of each output under the model (up to and
        including ``EOS``).
    weights : Tensor of shape (N, L, S), or None
        Attention weights of each output step (None without attention).
    """

    ids: Tensor
    scores: Tensor
    weights: Tensor | None


def _step(
    model: Seq2Seq, tokens: Tensor, state: State, memory: Memory
) -> tuple[Tensor, State, Tensor | None]:
    """One decoder step from ``tokens (M,)``: log-probabilities ``(M, V)``, state, weights."""
    logits, state, weights = model.decoder(tokens[:, None], state, memory)
    return (
        torch.log_softmax(logits[:, 0], dim=-1),
        state,
        None if weights is None else weights[:, 0],
    )


def greedy_decode(
    model: Seq2Seq, src: Tensor | np.ndarray, src_lengths: Tensor | np.ndarray, *, max_len: int
) -> Decoded:
    r"""Translate by taking the most likely token at every step.

    .. math::
        y_t = \arg\max_y \, p(y \mid y_{<t}, x), \qquad t = 1, 2, \dots
        \text{ until } y_t = \texttt{<eos>}

    Parameters
    ----------
    model : Seq2Seq
    src : Tensor or np.ndarray, int64, shape (N, S)
    src_lengths : Tensor or np.ndarray, int64, shape (N,)
    max_len : int
        Stop after this many output tokens even without ``EOS``.

    Returns
    -------
    Decoded
        ``ids (N, L)`` with ``L <= max_len``, their log-probabilities, the
        attention weights.
    """
    device = model_device(model)
    src_t, lengths = _tensors(src, src_lengths, device)
    with evaluating(model), torch.no_grad():
        memory = model.encoder(src_t, lengths)
        state = memory.state
        tokens = torch.full((len(src_t),), BOS_ID, dtype=torch.int64, device=device)
        scores = torch.zeros(len(src_t), dtype=memory.outputs.dtype, device=device)
        done = torch.zeros(len(src_t), dtype=torch.bool, device=device)
        ids, weights = [], []
        for _ in range(max_len):
            logp, state, w = _step(model, tokens, state, memory)
            best, tokens = logp.max(dim=-1)
            tokens = tokens.masked_fill(done, PAD_ID)
            scores += best.masked_fill(done, 0.0)
            ids.append(tokens)
            if w is not None:
                weights.append(w.masked_fill(done[:, None], 0.0))
            done |= tokens == EOS_ID
            if bool(done.all()):
                break
    return Decoded(torch.stack(ids, 1), scores, torch.stack(weights, 1) if weights else None)


def _reorder(per_beam: Tensor, pick: Tensor) -> Tensor:
    """Rows ``pick`` of a per-beam tensor ``(N, K, ...)``, flattened as ``N*K`` rows."""
    n, k, *rest = per_beam.shape
    return per_beam.reshape(n * k, *rest)[pick].view(n, k, *rest)


def beam_search(
    model: Seq2Seq,
    src: Tensor | np.ndarray,
    src_lengths: Tensor | np.ndarray,
    *,
    beam_size: int,
    max_len: int,
) -> Decoded:
    r"""Translate by keeping the ``beam_size`` most likely prefixes at every step.

    Each step extends every kept prefix by every token and keeps the
    ``beam_size`` extensions with the highest :math:`\log p(y_{\le t} \mid x)`;
    finished prefixes (ending in ``EOS``) are carried on unchanged. The most
    likely prefix at the end is returned (no length normalisation). With
    ``beam_size=1`` this is :func:`greedy_decode`. Beam search approximates
    :math:`\arg\max_y p(y \mid x)`: a wider beam usually finds a more likely
    output, but it is not guaranteed to (the greedy prefix can be pushed out
    of the beam).

    Parameters
    ----------
    model : Seq2Seq
    src : Tensor or np.ndarray, int64, shape (N, S)
    src_lengths : Tensor or np.ndarray, int64, shape (N,)
    beam_size : int
        ``K``, prefixes kept per source.
    max_len : int
        Stop after this many output tokens.

    Returns
    -------
    Decoded
        The best prefix of each source: ``ids (N, L)``, its log-probability,
        its attention weights.
    """
    k = check_positive_int("beam_size", beam_size)
    device = model_device(model)
    src_t, lengths = _tensors(src, src_lengths, device)
    n = len(src_t)
    with evaluating(model), torch.no_grad():
        enc = model.encoder(src_t, lengths)
        # Every source is repeated K times: row n*K + j is beam j of source n.
        memory = Memory(
            enc.outputs.repeat_interleave(k, 0),
            enc.mask.repeat_interleave(k, 0),
            (enc.state[0].repeat_interleave(k, 1), enc.state[1].repeat_interleave(k, 1)),
        )
        state = memory.state
        tokens = torch.full((n * k,), BOS_ID, dtype=torch.int64, device=device)
        # At the start the K beams are one and the same: keep only beam 0 alive.
        dtype = enc.outputs.dtype
        scores = torch.full((n, k), -math.inf, dtype=dtype, device=device)
        scores[:, 0] = 0.0
        done = torch.zeros(n, k, dtype=torch.bool, device=device)
        ids = torch.zeros(n, k, 0, dtype=torch.int64, device=device)
        weights = torch.zeros(n, k, 0, src_t.shape[1], dtype=dtype, device=device)
        rows = torch.arange(n, device=device)[:, None] * k
        # A finished beam continues only with PAD, at no cost.
        finished = torch.full(
            (model.decoder.out.out_features,), -math.inf, dtype=dtype, device=device
        )
        finished[PAD_ID] = 0.0
        for _ in range(max_len):
            logp, state, w = _step(model, tokens, state, memory)
            vocab = logp.shape[-1]
            logp = logp.view(n, k, vocab)
            logp = torch.where(done[..., None], finished, logp)
            scores, flat = (scores[..., None] + logp).view(n, k * vocab).topk(k, dim=1)
            origin, tokens_nk = flat // vocab, flat % vocab
            pick = (rows + origin).view(-1)
            state = (state[0][:, pick], state[1][:, pick])  # (1, N*K, H) rows follow the beams
            ids = torch.cat([_reorder(ids, pick), tokens_nk[..., None]], 2)
            if w is not None:
                # Step t's weights belong to the beam that was extended.
                step_weights = w.masked_fill(done.view(-1, 1), 0.0).view(n, k, 1, -1)
                weights = torch.cat([_reorder(weights, pick), _reorder(step_weights, pick)], 2)
            done = _reorder(done, pick) | (tokens_nk == EOS_ID)
            tokens = tokens_nk.view(-1)
            if bool(done.all()):
                break
    return Decoded(ids[:, 0], scores[:, 0], weights[:, 0] if model.attention is not None else None)


def _until_eos(row: Sequence[int]) -> tuple[int, ...]:
    """The ids of one sequence up to and including the first EOS."""
    out = []
    for i in row:
        out.append(i)
        if i == EOS_ID:
            break
    return tuple(out)


def exact_match(predicted: Tensor | np.ndarray, target: Tensor | np.ndarray) -> float:
    """Fraction of rows whose output equals the target exactly, up to and including ``EOS``.

    Parameters
    ----------
    predicted : Tensor or np.ndarray, int, shape (N, L)
        Output ids (as :attr:`Decoded.ids`).
    target : Tensor or np.ndarray, int, shape (N, T)
        Reference ids ``y_1 ... y_L EOS`` padded (``Translation.tgt[:, 1:]``).
    """
    pred, ref = np.asarray(predicted), np.asarray(target)
    if pred.ndim != 2 or ref.ndim != 2 or len(pred) != len(ref):
        raise ValueError(
            f"predicted, target: expected (N, L) and (N, T) with the same N, "
            f"got {pred.shape} and {ref.shape}"
        )
    if len(ref) == 0:
        raise ValueError("target: expected at least one row, got none")
    hits = [
        _until_eos(p.tolist()) == _until_eos(r.tolist()) for p, r in zip(pred, ref, strict=True)
    ]
    return float(np.mean(hits))


def _shuffled_batches(
    src: Tensor, lengths: Tensor, tgt: Tensor, batch_size: int, rng: np.random.Generator
) -> Iterator[tuple[Tensor, Tensor, Tensor]]:
    """Endless ``(src, src_lengths, tgt)`` batches, the pairs shuffled anew each epoch.

    Each batch is trimmed to the longest source and target it holds: fewer
    steps to run, the same loss.
    """
    while True:
        order = torch.as_tensor(rng.permutation(len(src)), device=src.device)
        for start in range(0, len(src), batch_size):
            rows = order[start : start + batch_size]
            b_lengths = lengths[rows.cpu()]
            b_src = src[rows, : int(b_lengths.max())]
            b_tgt = tgt[rows]
            b_tgt = b_tgt[:, : int((b_tgt != PAD_ID).sum(1).max())]
            yield b_src, b_lengths, b_tgt


def _teacher_forcing_batch_loss(model: Seq2Seq, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
    """``loss_of_batch`` of the training core: :func:`teacher_forcing_loss` of one batch."""
    return teacher_forcing_loss(model, *batch)


def fit_seq2seq(
    model: Seq2Seq,
    train: Translation,
    *,
    epochs: int,
    val: Translation | None = None,
    lr: float = 3e-3,
    batch_size: int = 64,
    clip: float | None = 1.0,
    seed: int = 0,
    eval_every: int | None = None,
    on_eval: Callable[[dict[str, float]], None] | None = None,
) -> History:
    """Train ``model`` with teacher forcing (Adam) and record a :class:`~lstm_ref.history.History`.

    The training core :func:`lstm_ref.train.train_loop` runs the steps, with
    :func:`teacher_forcing_loss` as the loss of a batch. Every ``eval_every``
    steps the validation set, if given, is translated greedily:
    ``history.val_loss`` holds its teacher-forced loss and
    ``history.val_metrics["exact_match"]`` the fraction translated exactly.

    Parameters
    ----------
    model : Seq2Seq
        Trained in place on its own device.
    train, val : Translation
        Encoded pairs (:func:`~lstm_ref.data.number_words.number_translation`).
    epochs : int
    lr : float
        Adam's learning rate.
    batch_size : int
    clip : float or None
        Clip the gradient norm to this value.
    seed : int
        Seeds the shuffling (seed the model's initialisation yourself, with
        ``torch.manual_seed``, before building it).
    eval_every : int, optional
        Steps between evaluations; by default once per epoch. The last step
        is always evaluated.
    on_eval : callable, optional
        ``on_eval(record)`` after each evaluation, e.g. to print it;
        ``record`` holds ``step``, ``epoch``, ``val_loss`` and ``exact_match``.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    if eval_every is not None:
        check_positive_int("eval_every", eval_every)
    for name, data in (("train", train), ("val", val)):
        if data is not None and not isinstance(data, Translation):
            raise TypeError(
                f"{name}: expected a lstm_ref.data.Translation, got {type(data).__name__}"
            )
    device = model_device(model)
    src, lengths = _tensors(train.src, train.src_lengths, device)
    tgt = torch.as_tensor(train.tgt, device=device)
    steps_per_epoch = math.ceil(len(src) / batch_size)

    def report(record: dict[str, float]) -> None:
        if on_eval is not None:
            step, rest = record["step"], {k: v for k, v in record.items() if k != "step"}
            on_eval({"step": step, "epoch": step / steps_per_epoch, **rest})

    return train_loop(
        model,
        _shuffled_batches(src, lengths, tgt, batch_size, np.random.default_rng(seed)),
        _teacher_forcing_batch_loss,
        steps=epochs * steps_per_epoch,
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        clip=clip,
        evaluate=None if val is None else lambda m: evaluate(m, val),
        eval_every=eval_every or steps_per_epoch,
        epoch_steps=steps_per_epoch,
        on_eval=report,
    )


def evaluate(model: Seq2Seq, data: Translation, *, beam_size: int = 1) -> dict[str, float]:
    """Teacher-forced loss and exact-match accuracy of ``model`` on ``data``.

    Returns
    -------
    dict
        ``{"val_loss": ..., "exact_match": ...}``; outputs come from
        :func:`greedy_decode` (``beam_size=1``) or :func:`beam_search`.
    """
    device = model_device(model)
    src, lengths = _tensors(data.src, data.src_lengths, device)
    tgt = torch.as_tensor(data.tgt, device=device)
    with evaluating(model), torch.no_grad():
        loss = float(teacher_forcing_loss(model, src, lengths, tgt))
    max_len = tgt.shape[1] + 5
    if beam_size == 1:
        out = greedy_decode(model, src, lengths, max_len=max_len)
    else:
        out = beam_search(model, src, lengths, beam_size=beam_size, max_len=max_len)
    return {"val_loss": loss, "exact_match": exact_match(out.ids.cpu(), data.tgt[:, 1:])}
