r"""An interpolated Kneser-Ney character n-gram model: the baseline a language model must beat.

Kneser & Ney (1995) as interpolated by Chen & Goodman (1999, eq. 15-17): the
probability of character :math:`w` after the context :math:`h` (the previous
:math:`n-1` characters) mixes a discounted count of :math:`hw` with the
same estimate one order down, for the shorter context :math:`h'`,

.. math::
    P_n(w \mid h) = \frac{\max(c_n(hw) - D_n,\, 0)}{\sum_v c_n(hv)}
        + \frac{D_n \, N_{1+}(h\,\bullet)}{\sum_v c_n(hv)} \, P_{n-1}(w \mid h'),
    \qquad P_0(w) = \frac{1}{V},

where :math:`N_{1+}(h\,\bullet)` counts the distinct characters seen after
:math:`h` (so the weight of the lower order is exactly the mass the discount
took away) and a context never seen falls through to :math:`P_{n-1}`. At the
highest order :math:`c_n` is the raw count; below it is the *continuation
count* :math:`N_{1+}(\bullet\, hw)`, the number of distinct characters that
precede :math:`hw` - a lower order is only asked when the longer context was
rare, so it should model how many contexts a string completes, not how often
it occurs. The discount is :math:`D_k = n_1 / (n_1 + 2 n_2)` with
:math:`n_r` the number of :math:`k`-grams of count :math:`r`, kept inside
:math:`[0.1, 0.9]` (on real text it is well inside).

Every :math:`k`-gram of ids is packed into one int64 (base :math:`V`), so
counting is ``np.unique`` and lookup is ``np.searchsorted``: fitting orders
up to 8 on a few million characters takes about a second.
"""

from __future__ import annotations

import numpy as np

from lstm_ref.checks import check_ids, check_positive_int

__all__ = ["KneserNey"]


def _codes(ids: np.ndarray, k: int, base: int) -> np.ndarray:
    """The k-grams of ``ids`` packed as ``sum_j ids[t+j] * base**(k-1-j)``: shape ``(L-k+1,)``."""
    codes = np.zeros(len(ids) - k + 1, dtype=np.int64)
    for j in range(k):
        codes = codes * base + ids[j : len(ids) - k + 1 + j]
    return codes


def _lookup(table: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``values`` at the positions of ``queries`` in the sorted ``table``; 0 where absent."""
    if len(table) == 0:
        return np.zeros(len(queries), dtype=values.dtype)
    at = np.minimum(np.searchsorted(table, queries), len(table) - 1)
    return np.where(table[at] == queries, values[at], 0)


class _Order:
    """The tables of one order ``k``: counts of k-grams and per-context sums, all sorted."""

    def __init__(self, grams: np.ndarray, counts: np.ndarray, base: int) -> None:
        self.grams, self.counts = grams, counts.astype(np.float64)
        n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
        # Chen & Goodman's estimate, kept inside [0.1, 0.9]: a table with no
        # singletons (a short text, the unigrams) would otherwise give D = 0
        # and probability 0 to every unseen character.
        self.discount = float(np.clip(n1 / max(n1 + 2 * n2, 1), 0.1, 0.9))
        contexts = grams // base  # sorted grams give sorted contexts
        self.contexts, first, self.followers = np.unique(
            contexts, return_index=True, return_counts=True
        )
        self.totals = np.add.reduceat(self.counts, first) if len(first) else self.counts[:0]


class KneserNey:
    r"""Interpolated Kneser-Ney character n-gram of order ``n`` over ids ``0 .. V-1``.

    Parameters
    ----------
    order : int
        :math:`n`: the model conditions on the previous ``n - 1`` characters.
    vocab_size : int
        :math:`V`; ``V ** order`` must fit in an int64.

    Examples
    --------
    >>> import numpy as np
    >>> model = KneserNey(3, vocab_size=3).fit(np.array([0, 1, 2] * 50))
    >>> round(float(model.probabilities(np.array([0, 1, 2, 0]))[-1]), 3)
    0.986
    """

    def __init__(self, order: int, vocab_size: int) -> None:
        order = check_positive_int("order", order)
        vocab_size = check_positive_int("vocab_size", vocab_size)
        if float(vocab_size) ** order >= 2.0**63:
            raise ValueError(
                f"order: vocab_size ** order must fit in an int64, got {vocab_size} ** {order}"
            )
        self.order, self.vocab_size = order, vocab_size
        self._orders: list[_Order] = []

    def _check_ids(self, ids: np.ndarray, name: str) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"{name}: expected a 1-D integer array, got {ids.dtype} {ids.shape}")
        return check_ids(name, ids, self.vocab_size).astype(np.int64)

    def fit(self, ids: np.ndarray) -> KneserNey:
        """Count the k-grams of ``ids`` (int array, shape ``(L,)``, ``L > order``); returns self."""
        ids = self._check_ids(ids, "ids")
        if len(ids) <= self.order:
            raise ValueError(f"ids: expected more than order = {self.order} ids, got {len(ids)}")
        V = self.vocab_size
        grams, counts = np.unique(_codes(ids, self.order, V), return_counts=True)
        orders = [_Order(grams, counts, V)]
        for _k in range(self.order - 1, 0, -1):
            # Continuation count of a k-gram g: distinct (k+1)-grams that end with g.
            grams, counts = np.unique(grams % V ** (_k), return_counts=True)
            orders.append(_Order(grams, counts, V))
        self._orders = orders[::-1]  # index k-1 holds order k
        return self

    def probabilities(self, ids: np.ndarray) -> np.ndarray:
        r""":math:`P(\text{ids}[t] \mid \text{ids}[t-n+1:t])`, ``t = 1 .. L-1``: shape ``(L-1,)``.

        The first characters use the contexts they have (shorter than
        :math:`n-1`); the first character itself is not predicted.
        """
        if not self._orders:
            raise RuntimeError("KneserNey: call fit() before probabilities()")
        ids = self._check_ids(ids, "ids")
        if len(ids) < 2:
            raise ValueError(f"ids: expected at least 2 ids, got {len(ids)}")
        V, L = self.vocab_size, len(ids)
        p = np.full(L - 1, 1.0 / V)
        for k, table in enumerate(self._orders[:L], start=1):  # no k-gram is longer than ids
            # Position t (predicted ids[t], t >= k-1) has its k-gram starting at t-k+1.
            start = max(k - 1, 1)
            grams = _codes(ids, k, V)[start - k + 1 :]
            count = _lookup(table.grams, table.counts, grams)
            context = grams // V
            total = _lookup(table.contexts, table.totals, context)
            followers = _lookup(table.contexts, table.followers, context).astype(np.float64)
            seen = total > 0
            safe = np.where(seen, total, 1.0)
            lower = p[start - 1 :]
            mixed = (
                np.maximum(count - table.discount, 0.0) + table.discount * followers * lower
            ) / safe
            p[start - 1 :] = np.where(seen, mixed, p[start - 1 :])
        return p

    def bits_per_char(self, ids: np.ndarray) -> float:
        r"""Mean :math:`-\log_2 P` over ``ids[1:]`` (see :meth:`probabilities`)."""
        return float(-np.mean(np.log2(self.probabilities(ids))))
