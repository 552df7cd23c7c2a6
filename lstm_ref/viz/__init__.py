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
    :func:`training_curves`, :func:`seed_runs` (every seed of every setting)
Gradient checks
    :func:`central_difference_errors`
Forecasting
    :func:`forecasts`
Language models
    :func:`bpc_by_order`
Sequence to sequence
    :func:`attention_map`
Classification
    :func:`class_sizes`, :func:`confusion_heatmap`, :func:`sequence_heatmaps`
Recognition without segmentation (CTC)
    :func:`ctc_alignment`, :func:`rates_by_group`, :func:`digit_images`
Animation
    :func:`animate_traces`, :func:`animation_html`
Financial series
    :func:`price_and_returns`, :func:`volatility_forecasts`, :func:`interval_chart`
Anomaly detection
    :func:`anomaly_panels`
Music
    :func:`piano_roll`, :func:`synthesize` (a melody as a playable wave)
Video
    :func:`frame_rows` (clips, predicted frames under the true ones)
Benchmarks
    :func:`ladder_bars`, :func:`ratio_lines`, :func:`ratio_grid`, :func:`persistent_map`
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
from .anomaly import anomaly_panels
from .attention import attention_map
from .audio import midi_to_hz, piano_roll, synthesize
from .bench import ladder_bars, persistent_map, ratio_grid, ratio_lines
from .classify import class_sizes, confusion_heatmap, sequence_heatmaps
from .ctc import ctc_alignment, digit_images, rates_by_group
from .curves import HistoryLike, seed_runs, training_curves
from .diagrams import lstm_cell, unrolled_rnn
from .finance import interval_chart, price_and_returns, volatility_forecasts
from .forecast import forecasts
from .gradcheck import central_difference_errors
from .language import bpc_by_order
from .tasks import adding_example, echo_example
from .today import accuracy_by_length, generation_panels, lines_by_length, runs_by_model
from .video import frame_rows

__all__ = [
    "HTML",
    "HistoryLike",
    "accuracy_by_length",
    "activation_html",
    "activation_text",
    "activations",
    "adding_example",
    "animate_traces",
    "animation_html",
    "anomaly_panels",
    "attention_map",
    "bpc_by_order",
    "central_difference_errors",
    "class_sizes",
    "confusion_heatmap",
    "ctc_alignment",
    "digit_images",
    "echo_example",
    "forecasts",
    "frame_rows",
    "gate_saturation_plot",
    "generation_panels",
    "gradient_vs_lag",
    "interval_chart",
    "ladder_bars",
    "lines_by_length",
    "lstm_cell",
    "midi_to_hz",
    "persistent_map",
    "piano_roll",
    "price_and_returns",
    "rates_by_group",
    "ratio_grid",
    "ratio_lines",
    "runs_by_model",
    "seed_runs",
    "sequence_heatmaps",
    "synthesize",
    "training_curves",
    "unrolled_rnn",
    "volatility_forecasts",
]

show_figures_in_ipython()
