"""Every figure function returns a figure (or self-contained HTML) and writes no file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_ref import viz
from lstm_ref.history import History
from lstm_ref.numpy import LSTMModel


@pytest.fixture(autouse=True)
def _in_tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty temporary directory, so any file written by mistake would show."""
    monkeypatch.chdir(tmp_path)


def _history(seed: int, metric: bool = True) -> History:
    rng = np.random.default_rng(seed)
    steps = list(range(1, 51))
    evals = list(range(10, 51, 10))
    return History(
        step=steps,
        train_loss=list(0.2 * np.exp(-np.arange(50) / 20) + 0.01 * rng.random(50)),
        grad_norm=[1.0] * 50,
        eval_step=evals,
        val_loss=[0.2 * np.exp(-k / 20) for k in evals],
        val_metrics={"accuracy": [k / 50 for k in evals]} if metric else {},
    )


def _check(fig: Figure, tmp_path: Path) -> None:
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "figure.png", dpi=40)  # it renders
    assert (tmp_path / "figure.png").stat().st_size > 1000


@pytest.mark.parametrize("T", [1, 4])
@pytest.mark.parametrize("folded", [True, False])
def test_unrolled_rnn(T: int, folded: bool, tmp_path: Path) -> None:
    _check(viz.unrolled_rnn(T, folded=folded), tmp_path)


@pytest.mark.parametrize("highlight", [None, "cell", "forget", "input", "output"])
def test_lstm_cell(highlight: str | None, tmp_path: Path) -> None:
    fig = viz.lstm_cell(highlight)  # type: ignore[arg-type]
    _check(fig, tmp_path)
    texts = [t.get_text() for t in fig.axes[0].texts]
    # The highlighted piece's equation is written under the diagram.
    assert any(t.startswith("$f_t =") for t in texts) == (highlight == "forget")
    assert any(t.startswith("$c_t =") for t in texts) == (highlight == "cell")


def test_bad_diagram_arguments() -> None:
    with pytest.raises(ValueError, match="highlight"):
        viz.lstm_cell("gate")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="T: expected an int >= 1, got 0"):
        viz.unrolled_rnn(0)
    with pytest.raises(ValueError, match="T: expected at most 12 steps"):
        viz.unrolled_rnn(13)
    with pytest.raises(TypeError, match="T: expected an int, got float"):
        viz.unrolled_rnn(2.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["heatmap", "traces"])
def test_activations(kind: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    values = {"forget": rng.uniform(0, 1, (12, 5)), "cell": rng.normal(size=(12, 5))}
    fig = viz.activations(values, tokens=list("hello world!"), kind=kind)  # type: ignore[arg-type]
    _check(fig, tmp_path)
    _check(viz.activations(rng.normal(size=(12, 3)), units=[0, 2]), tmp_path)
    with pytest.raises(ValueError, match="tokens"):
        viz.activations(values, tokens=list("abc"))
    with pytest.raises(ValueError, match="values"):
        viz.activations({"a": np.zeros((3, 2)), "b": np.zeros((4, 2))})


def test_activation_html_colours_each_character() -> None:
    text = "a<b\n"
    out = viz.activation_html(text, np.array([-1.0, 0.0, 1.0, 0.5]))
    assert isinstance(out, str) and out._repr_html_() == out
    spans = re.findall(r'<span style="background:(#[0-9a-f]{6});color:#[0-9a-f]{6}"', out)
    assert len(spans) == 4 and len(set(spans)) == 4
    assert "&lt;" in out and "<b" not in out  # characters are escaped
    with pytest.raises(ValueError, match="values"):
        viz.activation_html(text, np.zeros(3))


def test_activation_text(tmp_path: Path) -> None:
    text = "def f(x):\n    return x\n"
    _check(viz.activation_text(text, np.linspace(-1, 1, len(text)), width=12), tmp_path)
    with pytest.raises(ValueError, match="width: expected an int >= 1, got 0"):
        viz.activation_text("ab", np.zeros(2), width=0)
    with pytest.raises(TypeError, match="width: expected an int, got float"):
        viz.activation_text("ab", np.zeros(2), width=10.0)  # type: ignore[arg-type]


def test_gradient_vs_lag(tmp_path: Path) -> None:
    lags = np.arange(1, 21)
    norms = {"radius 0.9": 0.9**lags * np.ones((3, 1)), "radius 1.1": 1.1**lags}
    fig = viz.gradient_vs_lag(lags, norms)
    _check(fig, tmp_path)
    assert fig.axes[0].get_yscale() == "log"
    _check(viz.gradient_vs_lag(lags, np.zeros(20)), tmp_path)  # vanished to 0: still drawable
    with pytest.raises(ValueError, match="norms"):
        viz.gradient_vs_lag(lags, np.ones(5))


def test_gate_saturation_plot(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    fractions = {name: (rng.random(16) / 2, rng.random(16) / 2) for name in ("i", "f", "o")}
    fig = viz.gate_saturation_plot(fractions)
    _check(fig, tmp_path)
    assert [ax.get_title() for ax in fig.axes] == ["i", "f", "o"]
    offsets = fig.axes[1].collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], fractions["f"][0])
    with pytest.raises(ValueError, match="fractions"):
        viz.gate_saturation_plot({})
    with pytest.raises(ValueError, match="fractions"):
        viz.gate_saturation_plot({"i": (np.zeros(3), np.zeros(4))})


def test_training_curves(tmp_path: Path) -> None:
    runs = [_history(s) for s in range(3)]
    fig = viz.training_curves({"LSTM": runs, "RNN": runs[0]}, metric="accuracy", baseline=0.167)
    _check(fig, tmp_path)
    assert len(fig.axes) == 3
    no_val = History(step=[1, 2], train_loss=[1.0, 0.5], grad_norm=[1.0, 1.0])
    assert len(viz.training_curves(no_val).axes) == 1
    with pytest.raises(ValueError, match="metric"):
        viz.training_curves(_history(0, metric=False), metric="accuracy")


def test_seed_runs_draws_every_run_and_the_share_solved(tmp_path: Path) -> None:
    steps = [50, 100, 150]
    runs = {
        "+3": [(steps, [0.3, 1.0, 1.0]), (steps, [0.25, 0.4, 1.0])],
        "+1": [(steps, [0.25, 0.3, 0.2]), (steps, [0.2, 0.3, 0.25])],
    }
    shares = {"+3": (steps, [0.0, 0.5, 1.0]), "+1": (steps, [0.0, 0.0, 0.0])}
    fig = viz.seed_runs(runs, ylabel="validation accuracy", solved_share=shares, baseline=0.25)
    _check(fig, tmp_path)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 5  # four runs and chance
    share = fig.axes[1].lines
    np.testing.assert_array_equal(share[0].get_ydata(), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(share[1].get_ydata(), [0.0, 0.0, 0.0])
    assert share[0].get_color() == fig.axes[0].lines[0].get_color()  # one colour per setting
    assert len(viz.seed_runs(runs, ylabel="accuracy").axes) == 1
    with pytest.raises(ValueError, match="runs"):
        viz.seed_runs({"+3": []}, ylabel="accuracy")
    with pytest.raises(ValueError, match="solved_share"):
        viz.seed_runs(runs, ylabel="accuracy", solved_share={"+3": shares["+3"]})


def test_training_curves_draw_a_numpy_run_next_to_a_torch_one(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 5, 2)), rng.standard_normal((64, 1))
    numpy_run = LSTMModel(2, 4, seed=0).fit(x, y, steps=20, batch_size=16, val=(x, y), eval_every=5)
    fig = viz.training_curves({"NumPy": numpy_run, "torch": _history(0)}, smooth=5)
    _check(fig, tmp_path)
    assert len(fig.axes) == 2  # training and validation loss
    drawn = fig.axes[1].lines[0]
    np.testing.assert_array_equal(drawn.get_xdata(), [5, 10, 15, 20])
    np.testing.assert_allclose(drawn.get_ydata(), numpy_run.val_loss)


def test_animation_is_self_contained_html() -> None:
    values = np.cumsum(np.ones((6, 2)), axis=0)
    out = viz.animate_traces(values, labels=["c", "h"], tokens=list("abcdef"), title="state")
    assert isinstance(out, viz.HTML)
    assert "<img" in out and "data:image/png;base64" in out
    assert not re.search(r"https?://", out)  # nothing fetched from a CDN
    assert "fa fa-" not in out
    with pytest.raises(ValueError, match="labels"):
        viz.animate_traces(values, labels=["c"])


def test_nothing_written_and_no_pyplot_figures(tmp_path: Path) -> None:
    viz.lstm_cell("output")
    viz.animate_traces(np.zeros((3, 1)))
    assert os.listdir(tmp_path) == []
    if "matplotlib.pyplot" in __import__("sys").modules:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []
    assert matplotlib.get_backend()  # headless is fine


def test_echo_example(tmp_path: Path) -> None:
    from lstm_ref.data import echo

    task = echo(1, 24, lag=3, seed=0)
    _check(viz.echo_example(task.x[0, :, 0], task.y[0, :, 0], lag=3), tmp_path)
    with pytest.raises(ValueError, match=r"y: expected shape \(24,\), got \(5,\)"):
        viz.echo_example(task.x[0, :, 0], task.y[0, :5, 0], lag=3)


def test_adding_example_titles_the_sum(tmp_path: Path) -> None:
    from lstm_ref.data import adding

    task = adding(1, 20, seed=3)
    fig = viz.adding_example(task.x[0], float(task.y[0, 0]))
    _check(fig, tmp_path)
    assert fig.axes[0].get_title().endswith(f"= {float(task.y[0, 0]):.2f}")
    with pytest.raises(ValueError, match=r"x: expected shape \(T, 2\)"):
        viz.adding_example(task.x[0, :, :1], 0.0)


def test_figures_display_as_png_in_ipython_without_pyplot() -> None:
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    from lstm_ref.viz._style import show_figures_in_ipython

    shell = interactiveshell.InteractiveShell.instance()
    try:
        show_figures_in_ipython()
        data, _ = shell.display_formatter.format(viz.unrolled_rnn(2))
        assert data["image/png"][:4] == b"\x89PNG"
    finally:
        interactiveshell.InteractiveShell.clear_instance()


def test_attention_map(tmp_path: Path) -> None:
    weights = np.array([[0.1, 0.9, 0.0], [0.7, 0.2, 0.1]])
    fig = viz.attention_map(weights, ["ninety", "-", "seven"], ["sieben", "und"], title="97")
    _check(fig, tmp_path)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["ninety", "-", "seven"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sieben", "und"]
    np.testing.assert_array_equal(ax.images[0].get_array(), weights)
    with pytest.raises(ValueError, match=r"len\(target\), len\(source\)"):
        viz.attention_map(weights.T, ["a", "b", "c"], ["x", "y"])
    with pytest.raises(ValueError, match="shape"):
        viz.attention_map(weights[0], ["a", "b", "c"], ["x"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        viz.attention_map(weights * 2, ["a", "b", "c"], ["x", "y"])


def test_attention_map_into_given_axes(tmp_path: Path) -> None:
    fig = Figure(figsize=(6, 3))
    left, right = fig.subplots(1, 2)
    weights = np.array([[0.1, 0.9, 0.0], [0.7, 0.2, 0.1]])
    assert viz.attention_map(weights, ["a", "b", "c"], ["x", "y"], ax=left) is fig
    assert viz.attention_map(weights[::-1], ["a", "b", "c"], ["y", "x"], ax=right) is fig
    np.testing.assert_array_equal(left.images[0].get_array(), weights)
    np.testing.assert_array_equal(right.images[0].get_array(), weights[::-1])
    assert [t.get_text() for t in right.get_yticklabels()] == ["y", "x"]
    assert tuple(fig.get_size_inches()) == (6, 3)  # the caller's figure, not resized
    _check(fig, tmp_path)


def test_lstm_cell_without_forget_gate_is_the_1997_cell() -> None:
    import matplotlib.figure
    import matplotlib.text

    def texts(fig: matplotlib.figure.Figure) -> set[str]:
        return {t.get_text() for t in fig.findobj(matplotlib.text.Text)}

    modern = texts(viz.lstm_cell(highlight="cell"))
    original = texts(viz.lstm_cell(highlight="cell", forget_gate=False))
    assert "$f_t$" in modern and "$f_t$" not in original
    assert r"$c_t = c_{t-1} + i_t \odot g_t$" in original
    assert r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$" in modern
    with pytest.raises(ValueError, match="forget_gate=True"):
        viz.lstm_cell(highlight="forget", forget_gate=False)
    with pytest.raises(TypeError, match="forget_gate"):
        viz.lstm_cell(forget_gate=1)  # type: ignore[arg-type]
