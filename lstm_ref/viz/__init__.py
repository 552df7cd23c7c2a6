"""The book's shared figures, drawn with matplotlib (no external images).

Every function returns a ``matplotlib.figure.Figure`` built without pyplot,
so nothing is shown or kept open behind the caller's back: a notebook
displays the returned figure, a script calls ``fig.savefig(...)``. Text
coloured by activation and animations come back as :class:`HTML`, a string
that notebooks render (no CDN, no widgets: it plays in a static site).

Diagrams
    :func:`unrolled_rnn`, :func:`lstm_cell` (``highlight=`` one piece)
Tasks
    :func:`echo_example`, :func:`adding_example`
Inside the network
    :func:`activations`, :func:`activation_html`, :func:`activation_text`,
    :func:`gradient_vs_lag`, :func:`gate_saturation_plot`
Training
    :func:`training_curves`
Animation
    :func:`animate_traces`, :func:`animation_html`
"""

from ._style import HTML, show_figures_in_ipython
from .activity import (
    activation_html,
    activation_text,
    activations,
    gate_saturation_plot,
    gradient_vs_lag,
)
from .animation import animate_traces, animation_html
from .curves import HistoryLike, training_curves
from .diagrams import lstm_cell, unrolled_rnn
from .tasks import adding_example, echo_example

__all__ = [
    "HTML",
    "HistoryLike",
    "activation_html",
    "activation_text",
    "activations",
    "adding_example",
    "animate_traces",
    "animation_html",
    "echo_example",
    "gate_saturation_plot",
    "gradient_vs_lag",
    "lstm_cell",
    "training_curves",
    "unrolled_rnn",
]

show_figures_in_ipython()
