r"""A linear-chain conditional random field over per-token scores (Lafferty et al. 2001).

A tagger that scores each tag at each token independently can output a
sequence no data ever shows (a proper-noun *continuation* with no start).
A linear-chain CRF adds a score for every pair of neighbouring tags and
scores a whole tag sequence :math:`y_1 \dots y_T` of a sentence with
emission scores :math:`E_{t,k}` (from a BiLSTM, in Lample et al. 2016) as

.. math::
    s(y) = a_{y_1} + \sum_{t=1}^{T} E_{t, y_t} + \sum_{t=2}^{T} A_{y_{t-1}, y_t} + b_{y_T},
    \qquad p(y \mid x) = \frac{\exp s(y)}{Z}, \quad Z = \sum_{y'} \exp s(y'),

with start scores :math:`a`, transition scores :math:`A` and end scores
:math:`b`. The sum over all :math:`K^T` sequences is the **forward
algorithm**, a recursion over :math:`\alpha_t(k)`, the log-sum of the scores
of all prefixes that end in tag :math:`k` at step :math:`t`:

.. math::
    \alpha_1(k) = a_k + E_{1,k}, \qquad
    \alpha_t(k) = E_{t,k} + \log \sum_j \exp\bigl(\alpha_{t-1}(j) + A_{j,k}\bigr), \qquad
    \log Z = \log \sum_k \exp\bigl(\alpha_T(k) + b_k\bigr).

The best sequence is the same recursion with max in place of log-sum-exp
(**Viterbi**), remembering the argmax to trace the path back.

Batches are padded at the end: ``mask[n, t]`` is ``True`` for the real
tokens of sentence ``n`` (the first token of every sentence must be real).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from lstm_ref.checks import check_positive_int

__all__ = ["LinearChainCRF"]


class LinearChainCRF(nn.Module):
    """Transition, start and end scores, with the forward algorithm, the loss and Viterbi.

    Parameters
    ----------
    num_tags : int
        :math:`K`.

    Attributes
    ----------
    transitions : torch.nn.Parameter, shape (K, K)
        :math:`A_{j,k}`, the score of tag ``k`` right after tag ``j``.
    start, end : torch.nn.Parameter, shape (K,)
        :math:`a_k` and :math:`b_k`.
    """

    def __init__(self, num_tags: int) -> None:
        super().__init__()
        check_positive_int("num_tags", num_tags)
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))

    def _check(self, emissions: Tensor, mask: Tensor | None) -> Tensor:
        if emissions.dim() != 3 or emissions.shape[-1] != self.num_tags:
            raise ValueError(
                f"emissions: expected shape (N, T, {self.num_tags}), got {tuple(emissions.shape)}"
            )
        N, T, _ = emissions.shape
        if T == 0:
            raise ValueError("emissions: expected at least one token, got T = 0")
        if mask is None:
            return torch.ones(N, T, dtype=torch.bool, device=emissions.device)
        if mask.shape != (N, T):
            raise ValueError(f"mask: expected shape {(N, T)}, got {tuple(mask.shape)}")
        mask = mask.to(device=emissions.device, dtype=torch.bool)
        if not bool(mask[:, 0].all()):
            raise ValueError("mask: expected the first token of every sequence to be real")
        return mask

    def score(self, emissions: Tensor, tags: Tensor, mask: Tensor | None = None) -> Tensor:
        r"""Scores :math:`s(y)`: emissions ``(N, T, K)`` and tags ``(N, T)`` -> ``(N,)``.

        Tags at masked (padding) positions are ignored and may hold any value,
        e.g. -100.
        """
        mask = self._check(emissions, mask)
        if tags.shape != mask.shape:
            raise ValueError(f"tags: expected shape {tuple(mask.shape)}, got {tuple(tags.shape)}")
        tags = torch.where(mask, tags, torch.zeros_like(tags)).long()
        m = mask.to(emissions.dtype)
        emit = emissions.gather(2, tags[..., None])[..., 0]  # (N, T)
        total = self.start[tags[:, 0]] + (emit * m).sum(1)
        step = self.transitions[tags[:, :-1], tags[:, 1:]]  # (N, T-1)
        total = total + (step * m[:, 1:]).sum(1)
        last = tags.gather(1, (mask.sum(1) - 1)[:, None])[:, 0]
        return total + self.end[last]

    def log_partition(self, emissions: Tensor, mask: Tensor | None = None) -> Tensor:
        r""":math:`\log Z` by the forward algorithm: emissions ``(N, T, K)`` -> ``(N,)``."""
        mask = self._check(emissions, mask)
        alpha = self.start + emissions[:, 0]  # (N, K)
        for t in range(1, emissions.shape[1]):
            nxt = torch.logsumexp(alpha[:, :, None] + self.transitions, dim=1) + emissions[:, t]
            alpha = torch.where(mask[:, t, None], nxt, alpha)  # padding keeps the last alpha
        return torch.logsumexp(alpha + self.end, dim=1)

    def nll(self, emissions: Tensor, tags: Tensor, mask: Tensor | None = None) -> Tensor:
        r"""Mean negative log-likelihood :math:`\frac1N \sum_n (\log Z_n - s_n(y_n))`: a scalar."""
        return (self.log_partition(emissions, mask) - self.score(emissions, tags, mask)).mean()

    def viterbi(self, emissions: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """The highest-scoring tag sequences and their scores.

        Returns
        -------
        tags : torch.Tensor, int64, shape (N, T)
            The best sequence of each row; -100 at padding.
        scores : torch.Tensor, shape (N,)
            Their scores :math:`s(y)`.
        """
        mask = self._check(emissions, mask)
        N, T, K = emissions.shape
        delta = self.start + emissions[:, 0]
        back = []
        for t in range(1, T):
            cand = delta[:, :, None] + self.transitions  # (N, from, to)
            best, arg = cand.max(dim=1)
            nxt = best + emissions[:, t]
            keep = mask[:, t, None]
            delta = torch.where(keep, nxt, delta)
            # At padding, point every tag at itself so the trace passes through unchanged.
            same = torch.arange(K, device=emissions.device).expand(N, K)
            back.append(torch.where(keep, arg, same))
        final = delta + self.end
        scores, tag = final.max(dim=1)
        path = [tag]
        for arg in reversed(back):
            tag = arg.gather(1, tag[:, None])[:, 0]
            path.append(tag)
        tags = torch.stack(path[::-1], dim=1)
        return tags.masked_fill(~mask, -100), scores

    def forward(self, emissions: Tensor, mask: Tensor | None = None) -> Tensor:
        """The Viterbi tags ``(N, T)`` (see :meth:`viterbi`)."""
        return self.viterbi(emissions, mask)[0]
