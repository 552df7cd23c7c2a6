"""Language models against n-gram baselines, in bits per character."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
from matplotlib.figure import Figure

from lstm_ref.checks import check_positive_int


def bpc_by_order(
    ngram_bpc: Mapping[int, float], models: Mapping[str, float], *, title: str = ""
) -> Figure:
    """Bits per character of n-gram models by order, with other models as lines.

    Parameters
    ----------
    ngram_bpc : dict of int to float
        The n-gram model's bits per character for each order ``n``, drawn as
        a line over the orders.
    models : dict of str to float
        Other models' bits per character on the same text, one horizontal
        line each, labelled by the key.
    title : str
    """
    if not ngram_bpc:
        raise ValueError("ngram_bpc: expected at least one order")
    orders = sorted(check_positive_int(f"ngram_bpc key {n!r}", n) for n in ngram_bpc)
    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(orders, [ngram_bpc[n] for n in orders], "o-", color="C0", label="Kneser-Ney n-gram")
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, bpc) in enumerate(models.items()):
        ax.axhline(bpc, color=colors[(i + 3) % len(colors)], lw=2, label=label)
    ax.set_xticks(orders)
    ax.set_xlabel("n-gram order n")
    ax.set_ylabel("bits per character")
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
