r"""A small causal Transformer built from PyTorch's own layers, and its cached generation step.

The model (Vaswani et al. 2017, pre-norm as in most current models):

.. math::
    u_t^{(0)} = E x_t + P_t, \qquad
    u^{(\ell)} = u^{(\ell-1)} + \mathrm{Attn}(\mathrm{LN}(u^{(\ell-1)})), \qquad
    u^{(\ell)} \leftarrow u^{(\ell)} + \mathrm{FF}(\mathrm{LN}(u^{(\ell)})),

with causal self-attention (position :math:`t` attends to :math:`s \le t`),

.. math::
    \mathrm{Attn}(u)_t = W_O\, \mathrm{concat}_k\,
    \sum_{s \le t} \mathrm{softmax}_s\!\Big(\frac{q^k_t \cdot k^k_s}{\sqrt{d_k}}\Big) v^k_s ,

and fixed sinusoidal positions :math:`P_{t,2j} = \sin(t / 10000^{2j/d})`,
:math:`P_{t,2j+1} = \cos(t / 10000^{2j/d})`, defined at every position (a
learnt table would have no entries past the longest training string).

Each layer is a ``torch.nn.TransformerEncoderLayer`` run with a causal mask.
Generating one token at a time, :meth:`CausalTransformer.step` keeps every
layer's keys and values (the *KV cache*) and attends from the new position
only, with ``torch.nn.functional.scaled_dot_product_attention`` on the same
weights; the cache grows by :math:`2 \cdot \text{layers} \cdot d` numbers per
token, where an LSTM's state stays :math:`2H` numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_ref.checks import check_positive_int

__all__ = ["CausalTransformer", "KVCache", "sinusoidal_positions"]


def sinusoidal_positions(length: int, d_model: int) -> Tensor:
    r"""The table :math:`P`, shape ``(length, d_model)``: sines in even, cosines in odd columns."""
    position = torch.arange(length, dtype=torch.float32)[:, None]
    rate = torch.exp(-math.log(10_000.0) * torch.arange(0, d_model, 2).float() / d_model)
    table = torch.zeros(length, d_model)
    table[:, 0::2] = torch.sin(position * rate)  # P_{t,2j} = sin(t / 10000^(2j/d))
    table[:, 1::2] = torch.cos(position * rate)[:, : d_model // 2]  # P_{t,2j+1} = cos(...)
    return table


@dataclass
class KVCache:
    """Keys and values of every layer for the tokens generated so far.

    Attributes
    ----------
    keys, values : list of Tensor, each ``(B, heads, capacity, d_k)``
        Pre-allocated; positions ``0 .. length - 1`` are filled.
    length : int
        Tokens seen.
    """

    keys: list[Tensor] = field(default_factory=list)
    values: list[Tensor] = field(default_factory=list)
    length: int = 0

    def nbytes(self) -> int:
        """Bytes of the filled part: ``2 * layers * B * length * d_model * itemsize``."""
        return sum(
            t[:, :, : self.length].numel() * t.element_size() for t in self.keys + self.values
        )


class CausalTransformer(nn.Module):
    """Input projection, sinusoidal positions, ``num_layers`` causal encoder layers, final norm.

    Parameters
    ----------
    input_size : int
        :math:`D`, features per step (one-hot symbols are projected like an embedding).
    d_model : int
        Width :math:`d`; a multiple of ``nhead``.
    nhead : int
        Attention heads.
    num_layers : int
    dim_feedforward : int or None
        Width of the feed-forward block (default ``2 * d_model``).

    Shape
    -----
    ``forward(x)``: ``x (B, T, D)`` -> ``(B, T, d)``, position ``t`` computed
    from ``x[:, :t+1]`` only. Dropout is 0 (the tasks here are not
    regularisation problems).
    """

    def __init__(
        self,
        input_size: int,
        d_model: int,
        *,
        nhead: int = 4,
        num_layers: int = 2,
        dim_feedforward: int | None = None,
    ) -> None:
        super().__init__()
        for name, value in (
            ("input_size", input_size),
            ("d_model", d_model),
            ("nhead", nhead),
            ("num_layers", num_layers),
        ):
            check_positive_int(name, value)
        if d_model % nhead:
            raise ValueError(f"d_model: expected a multiple of nhead = {nhead}, got {d_model}")
        self.input_size, self.hidden_size, self.nhead = input_size, d_model, nhead
        self.embed = nn.Linear(input_size, d_model)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(
                d_model,
                nhead,
                dim_feedforward=dim_feedforward or 2 * d_model,
                dropout=0.0,
                batch_first=True,
                norm_first=True,
            )
            for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self._positions = sinusoidal_positions(1, d_model)

    def positions(self, length: int, device: torch.device) -> Tensor:
        """The first ``length`` rows of :math:`P`, grown on demand."""
        if len(self._positions) < length:
            self._positions = sinusoidal_positions(
                max(length, 2 * len(self._positions)), self.hidden_size
            )
        return self._positions[:length].to(device)

    def _check(self, x: object) -> Tensor:
        if not isinstance(x, Tensor) or not x.is_floating_point():
            raise TypeError("x: expected a floating-point torch.Tensor")
        if x.dim() != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"x: expected shape (B, T, {self.input_size}), got {tuple(x.shape)}")
        if x.shape[1] == 0:
            raise ValueError("x: expected at least one time step (T >= 1), got T = 0")
        return x

    def forward(self, x: Tensor) -> Tensor:
        """Outputs ``(B, T, d)`` for ``x (B, T, D)`` under a causal mask."""
        x = self._check(x)
        steps = x.shape[1]
        u = self.embed(x) + self.positions(steps, x.device)
        mask = nn.Transformer.generate_square_subsequent_mask(steps, device=x.device)
        for layer in self.layers:
            u = layer(u, src_mask=mask, is_causal=True)
        return self.norm(u)

    def new_cache(self, batch: int, capacity: int) -> KVCache:
        """An empty :class:`KVCache` for ``batch`` sequences of up to ``capacity`` tokens."""
        p = self.embed.weight
        shape = (batch, self.nhead, capacity, self.hidden_size // self.nhead)
        return KVCache(
            [p.new_zeros(shape) for _ in self.layers], [p.new_zeros(shape) for _ in self.layers]
        )

    @torch.no_grad()
    def step(self, x_t: Tensor, cache: KVCache) -> Tensor:
        """The output ``(B, d)`` at the next position for one step ``x_t (B, D)``; fills ``cache``.

        Equal to the last row of :meth:`forward` on the whole prefix (a test
        checks it); the new query attends to all cached keys, so no mask is
        needed.
        """
        t = cache.length
        if t >= cache.keys[0].shape[2]:
            raise ValueError(f"cache: full at {t} tokens; make it with a larger capacity")
        batch, heads = x_t.shape[0], self.nhead
        u = (self.embed(x_t) + self.positions(t + 1, x_t.device)[t])[:, None]  # (B, 1, d)
        for k, layer in enumerate(self.layers):
            assert isinstance(layer, nn.TransformerEncoderLayer)
            attn = layer.self_attn
            q, key, value = F.linear(layer.norm1(u), attn.in_proj_weight, attn.in_proj_bias).chunk(
                3, -1
            )
            q, key, value = (z.view(batch, 1, heads, -1).transpose(1, 2) for z in (q, key, value))
            cache.keys[k][:, :, t : t + 1] = key
            cache.values[k][:, :, t : t + 1] = value
            mixed = F.scaled_dot_product_attention(
                q, cache.keys[k][:, :, : t + 1], cache.values[k][:, :, : t + 1]
            )
            u = u + attn.out_proj(mixed.transpose(1, 2).reshape(batch, 1, -1))
            u = u + layer.linear2(layer.activation(layer.linear1(layer.norm2(u))))
        cache.length = t + 1
        return self.norm(u)[:, 0]
