"""Animations as self-contained JS/HTML that play in a static site."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.animation import Animation, FuncAnimation
from matplotlib.figure import Figure

from ._style import (
    HTML,
)

# matplotlib's player styles its buttons with Font Awesome from a CDN; a static
# site must not fetch anything, so the icons become plain characters.
_ICONS = {
    "fa-minus": "\u2212",
    "fa-fast-backward": "|\u25c0\u25c0",
    "fa-step-backward": "|\u25c0",
    "fa-play fa-flip-horizontal": "\u25c0",
    "fa-pause": "\u275a\u275a",
    "fa-play": "\u25b6",
    "fa-step-forward": "\u25b6|",
    "fa-fast-forward": "\u25b6\u25b6|",
    "fa-plus": "+",
}
_ICON = re.compile(r'<i class="fa ([a-z -]+)"></i>')
_CDN_LINK = re.compile(r"<link[^>]*https?://[^>]*>")


def animation_html(anim: Animation, *, loop: bool = True) -> HTML:
    """An animation as self-contained JS/HTML for a static site.

    The frames are embedded as PNG images and the player needs nothing from
    the network (matplotlib's link to a Font Awesome CDN is removed and its
    icons replaced by characters).
    """
    page = anim.to_jshtml(default_mode="loop" if loop else "once")
    page = _CDN_LINK.sub("", page)
    page = _ICON.sub(lambda m: _ICONS.get(m.group(1), m.group(1)), page)
    return HTML(page)


def animate_traces(
    values: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    tokens: Sequence[str] | None = None,
    interval: int = 120,
    title: str = "",
) -> HTML:
    """Lines that draw themselves step by step, e.g. a cell state and its gates.

    Parameters
    ----------
    values : np.ndarray, shape (T, K)
        ``K`` traces over ``T`` steps (keep ``T`` small: every step is a frame).
    labels : sequence of str, optional
        ``K`` legend labels.
    tokens : sequence of str, optional
        ``T`` input symbols, shown as the current input in the title.
    interval : int
        Milliseconds per frame.
    title : str

    Returns
    -------
    HTML
        See :func:`animation_html`.
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[:, None] if v.ndim == 1 else v
    if v.ndim != 2 or len(v) == 0:
        raise ValueError(f"values: expected shape (T, K), got {np.shape(values)}")
    T, K = v.shape
    if labels is not None and len(labels) != K:
        raise ValueError(f"labels: expected {K} labels, got {len(labels)}")
    if tokens is not None and len(tokens) != T:
        raise ValueError(f"tokens: expected {T} labels, got {len(tokens)}")
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.add_subplot()
    pad = 0.05 * (float(v.max() - v.min()) or 1.0)
    ax.set_xlim(-0.5, T - 0.5)
    ax.set_ylim(float(v.min()) - pad, float(v.max()) + pad)
    ax.set_xlabel("time step t")
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    lines = [
        ax.plot([], [], lw=1.8, marker="o", ms=3, label=(labels[k] if labels else None))[0]
        for k in range(K)
    ]
    if labels:
        ax.legend(frameon=False, loc="upper left", fontsize=9)
    heading = ax.set_title(title, fontsize=11)

    def draw(t: int) -> list[Any]:
        for k, line in enumerate(lines):
            line.set_data(np.arange(t + 1), v[: t + 1, k])
        if tokens is not None:
            heading.set_text(f"{title}  t = {t}, input {tokens[t]!r}".strip())
        return [*lines, heading]

    anim = FuncAnimation(fig, draw, frames=T, interval=interval, blit=False)
    return animation_html(anim)
