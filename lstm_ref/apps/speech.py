r"""The classic recognisers of isolated words, and segmenting a string of words by its energy.

Before recurrent networks, isolated-word recognisers compared a recording
with stored ones by **dynamic time warping** (DTW): the cheapest monotone
alignment of two sequences of frames,

.. math::
    D_{i,j} = \lVert a_i - b_j \rVert + \min(D_{i-1,j},\, D_{i,j-1},\, D_{i-1,j-1}),

and named the word of the nearest stored recording (:func:`dtw_distances`);
or they fitted one **hidden Markov model** with Gaussian emissions per word
and named the word whose model gives the recording the highest likelihood
(:func:`fit_word_hmms`, :func:`hmm_log_likelihoods`).

To recognise a string of words with an isolated-word recogniser, the string
must first be cut into words: :func:`energy_segments` cuts at dips of the
frames' energy, :func:`equal_segments` into equal pieces of the typical word
length. :func:`segment_batch` turns the pieces into a padded batch.

DTW uses ``dtaidistance`` (C implementation) and the HMMs ``hmmlearn``;
both are imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lstm_ref.checks import check_padded, check_positive_int
from lstm_ref.optional import require


def _sequences(x: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    values, steps = check_padded(x, lengths)
    return [np.ascontiguousarray(values[k, : steps[k]]) for k in range(len(steps))]


def dtw_distances(
    queries: np.ndarray,
    query_lengths: np.ndarray,
    templates: np.ndarray,
    template_lengths: np.ndarray,
) -> np.ndarray:
    r"""DTW distance from every query to every template, with Euclidean frame distances.

    ``dtaidistance`` computes :math:`\sqrt{D_{I,J}}` with squared Euclidean
    frame costs, no window; it is symmetric in its two arguments.

    Parameters
    ----------
    queries : np.ndarray, shape (Q, T, D), and query_lengths (Q,)
    templates : np.ndarray, shape (M, T', D), and template_lengths (M,)

    Returns
    -------
    np.ndarray, float64, shape (Q, M)
    """
    dtw_ndim = require(
        "dtaidistance.dtw_ndim", pip_name="dtaidistance", needed_for="dtw_distances()"
    )
    q = _sequences(queries, query_lengths)
    m = _sequences(templates, template_lengths)
    if q[0].shape[1] != m[0].shape[1]:
        raise ValueError(
            f"templates: expected {q[0].shape[1]} features per frame like the queries, "
            f"got {m[0].shape[1]}"
        )
    # Rows are the templates and columns the queries: an upper-triangular block.
    flat = dtw_ndim.distance_matrix_fast(
        m + q, block=((0, len(m)), (len(m), len(m) + len(q))), compact=True
    )
    return np.asarray(flat, dtype=np.float64).reshape(len(m), len(q)).T


def fit_word_hmms(
    x: np.ndarray,
    y: np.ndarray,
    lengths: np.ndarray,
    *,
    n_states: int = 5,
    n_iter: int = 10,
    seed: int = 0,
) -> list[Any]:
    r"""One Gaussian HMM (diagonal covariances) per class, fitted by Baum-Welch.

    .. math::
        p(x_{1:L} \mid \text{word } c) = \sum_{s_{1:L}} \pi_{s_1} \prod_t
            A_{s_{t-1} s_t}\, \mathcal{N}(x_t;\, \mu_{s_t}, \operatorname{diag} \sigma^2_{s_t})

    Parameters
    ----------
    x : np.ndarray, shape (N, T, D), y (N,) ints 0..C-1, lengths (N,)
    n_states, n_iter : int
        Hidden states per word; EM iterations.
    seed : int

    Returns
    -------
    list of hmmlearn.hmm.GaussianHMM, one per class 0..C-1
    """
    hmm = require("hmmlearn.hmm", pip_name="hmmlearn", needed_for="fit_word_hmms()")
    sequences = _sequences(x, lengths)
    labels = np.asarray(y)
    models = []
    for c in range(int(labels.max()) + 1):
        rows = np.flatnonzero(labels == c)
        if not len(rows):
            raise ValueError(
                f"y: class {c} has no examples; expected every class 0..{labels.max()}"
            )
        model = hmm.GaussianHMM(
            n_components=check_positive_int("n_states", n_states),
            covariance_type="diag",
            n_iter=check_positive_int("n_iter", n_iter),
            random_state=seed,
            tol=1e-3,
        )
        model.fit(np.concatenate([sequences[k] for k in rows]), [len(sequences[k]) for k in rows])
        models.append(model)
    return models


def hmm_log_likelihoods(models: Sequence[Any], x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``log p(x_k | model_c)`` for every sequence and model, ``(N, C)``: argmax predicts."""
    sequences = _sequences(x, lengths)
    return np.array([[m.score(s) for m in models] for s in sequences])


def energy_segments(
    energy: np.ndarray, *, prominence: float = 60.0, min_distance: int = 8
) -> np.ndarray:
    """Cut a string of words where its energy dips: the boundaries of the pieces.

    The energy (e.g. MFCC coefficient 0) is smoothed over 3 frames; every
    local minimum at least ``prominence`` below the maxima around it and at
    least ``min_distance`` frames from the next becomes a cut
    (``scipy.signal.find_peaks`` on the negated energy).

    Parameters
    ----------
    energy : np.ndarray, shape (L,)

    Returns
    -------
    np.ndarray, int64, shape (n + 1,)
        ``0 = b_0 < b_1 < ... < b_n = L``: piece ``j`` is frames ``b_j:b_{j+1}``.
    """
    signal = require("scipy.signal", pip_name="scipy", needed_for="energy_segments()")
    values = np.asarray(energy, dtype=np.float64)
    if values.ndim != 1 or len(values) < 1:
        raise ValueError(f"energy: expected a non-empty 1-D array, got shape {values.shape}")
    padded = np.concatenate(([values[0]], values, [values[-1]]))
    smooth = np.convolve(padded, np.ones(3) / 3, mode="valid")
    dips, _ = signal.find_peaks(
        -smooth, prominence=prominence, distance=check_positive_int("min_distance", min_distance)
    )
    return np.concatenate(([0], dips, [len(values)])).astype(np.int64)


def equal_segments(length: int, typical: float) -> np.ndarray:
    """Cut ``length`` frames into ``max(1, round(length / typical))`` pieces of equal length.

    Returns boundaries as :func:`energy_segments` does.
    """
    steps = check_positive_int("length", length)
    if not typical > 0:
        raise ValueError(f"typical: expected a positive length, got {typical}")
    pieces = max(1, round(steps / typical))
    return np.round(np.linspace(0, steps, pieces + 1)).astype(np.int64)


def segment_batch(x: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pieces ``x[b_j:b_{j+1}]`` of one sequence ``x (L, D)`` as a padded batch.

    Returns
    -------
    pieces : np.ndarray, float32, shape (n, max piece length, D)
    lengths : np.ndarray, int64, shape (n,)
    """
    values = np.asarray(x)
    cuts = np.asarray(bounds, dtype=np.int64)
    if values.ndim != 2:
        raise ValueError(f"x: expected shape (L, D), got {values.shape}")
    if cuts.ndim != 1 or len(cuts) < 2 or cuts[0] != 0 or cuts[-1] > len(values):
        raise ValueError(
            f"bounds: expected 0 = b_0 < ... < b_n <= {len(values)}, got {cuts.tolist()}"
        )
    steps = np.diff(cuts)
    if steps.min() < 1:
        raise ValueError(f"bounds: expected strictly increasing values, got {cuts.tolist()}")
    out = np.zeros((len(steps), int(steps.max()), values.shape[1]), dtype=np.float32)
    for j in range(len(steps)):
        out[j, : steps[j]] = values[cuts[j] : cuts[j + 1]]
    return out, steps
