"""The LSTM benchmark of the book (``python -m lstm_ref.bench``).

Protocol: for every shape, implementation and pass
(``"fwd"``: forward under :func:`torch.no_grad`; ``"fwd+bwd"``: forward, then
the gradients of ``y.sum()`` with respect to the parameters), run
``warmup`` untimed calls, then ``repeats`` timed calls and keep the median.
The timed calls are interleaved (one call of each implementation in turn,
``repeats`` rounds), so a burst of load on a shared machine hits every
implementation alike; the ratio to ``torch.nn.LSTM`` (oneDNN on CPU, cuDNN on
GPU) comes from the same run. CUDA timings use CUDA events. TF32 is set the
same for every implementation and recorded. Implementations: ``torch.nn``,
every rung of :mod:`lstm_ref.torch` the device supports, and ``numpy``
(:mod:`lstm_ref.numpy`, CPU only); the rungs that need CUDA (``cuda_graphs``,
``persistent``) are left out elsewhere, with a note in the report.

Shape sets: the CPU set, the GPU set (``--device cuda``), and the grid of the
persistent kernel (``--grid persistent``, CUDA only: T ∈ {100, 1024},
B ∈ {1, 4, 16, 64}, I = H ∈ {128, 256, 512, 1024}, against ``torch.nn`` and
``cuda_graphs`` unless ``--impl`` says otherwise).

Long runs in pieces: with ``--max-minutes M`` the run stops before a case
(one shape and pass, all implementations) whose timed calls, predicted from
its warm-up, would end more than M minutes after the start, and writes what
it measured, with a note; ``--resume`` reads that report back from ``--out``,
keeps its cases and runs the rest (exit status 3 while cases are left).

The report is a dict (and the JSON file written by ``--out``)::

    {"device": "...", "torch": "...", "date": "YYYY-MM-DD", "tf32": false,
     "threads": 2, "repeats": 5, "warmup": 1, "notes": ["..."],
     "results": [{"impl": "...", "T": 100, "B": 64, "I": 512, "H": 512, "layers": 1,
                  "dtype": "float32", "pass": "fwd|fwd+bwd", "median_ms": 0.0,
                  "ratio_vs_torch": 0.0}]}
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import platform
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import numpy as np
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from lstm_ref.progress import Progress
from lstm_ref.torch import IMPLS, LSTM

BASELINE = "torch.nn"
PASSES = ("fwd", "fwd+bwd")


class Shape(NamedTuple):
    """One benchmark case: ``T`` steps, batch ``B``, ``I`` input and ``H`` hidden features."""

    T: int
    B: int
    I: int
    H: int
    layers: int = 1


#: The sizes the book's chapters train at (H/B/T = 32/32/100 ... 256/16/200, I = H) and
#: one-sequence inference (B = 1): here a step costs little arithmetic, so the cost of
#: calling each operator, not the GEMM, decides the time.
SMALL_SHAPES = (
    Shape(100, 32, 32, 32),
    Shape(100, 64, 64, 64),
    Shape(100, 64, 128, 128),
    Shape(200, 16, 256, 256),
    Shape(50, 1, 64, 64),
)
#: The CPU set (a few minutes on 2 cores), the small shapes, then two where the GEMMs dominate.
CPU_SHAPES = (*SMALL_SHAPES, Shape(100, 64, 256, 256), Shape(100, 64, 512, 512))
#: The GPU set, which adds H = 1024, small batches and a long sequence to the CPU set.
GPU_SHAPES = (
    *CPU_SHAPES,
    Shape(100, 64, 1024, 1024),
    *(Shape(100, b, h, h) for h in (256, 512) for b in (1, 4, 16)),
    Shape(1024, 16, 768, 768),
)
#: The grid of the persistent kernel, issue 13 (small and large batches, four widths, two lengths).
PERSISTENT_SHAPES = tuple(
    Shape(t, b, h, h) for t in (100, 1024) for b in (1, 4, 16, 64) for h in (128, 256, 512, 1024)
)
#: What ``--grid persistent`` compares by default (cuDNN, the one-launch rung below, the kernel).
PERSISTENT_IMPLS = (BASELINE, "cuda_graphs", "persistent")
#: The rungs that run only on a CUDA device.
CUDA_ONLY = ("cuda_graphs", "persistent")
#: The rungs that run only on the CPU (compiled CPU time loops).
CPU_ONLY = ("compiled_loop",)
#: A smoke test that runs in seconds.
QUICK_SHAPES = (Shape(5, 2, 8, 8),)
#: How the note of a report stopped by ``max_minutes`` begins.
STOPPED = "stopped at the time limit"
#: The exit status of ``main`` when it stopped with cases left.
EXIT_PARTIAL = 3

Run = Callable[[], object]
Case = tuple[Shape, str]  # (shape, pass)


def available_impls(device: torch.device) -> list[str]:
    """Every implementation that runs on ``device``: torch.nn, the rungs, and numpy on CPU."""
    on_cuda = device.type == "cuda"
    rungs = [i for i in IMPLS if i not in (CPU_ONLY if on_cuda else CUDA_ONLY)]
    return [BASELINE, *rungs, *(["numpy"] if device.type == "cpu" else [])]


def _torch_runs(
    impl: str, shape: Shape, device: torch.device, dtype: torch.dtype
) -> dict[str, Run]:
    torch.manual_seed(0)
    model: torch.nn.Module
    if impl == BASELINE:
        model = torch.nn.LSTM(shape.I, shape.H, shape.layers, device=device, dtype=dtype)
    else:
        model = LSTM(shape.I, shape.H, shape.layers, device=device, dtype=dtype, impl=impl)
    x = torch.randn(shape.T, shape.B, shape.I, device=device, dtype=dtype)
    params = list(model.parameters())

    def forward() -> object:
        with torch.no_grad():
            return model(x)

    def forward_backward() -> object:
        y, _ = model(x)
        return torch.autograd.grad(y.sum(), params)

    return {"fwd": forward, "fwd+bwd": forward_backward}


def _numpy_runs(shape: Shape, dtype: torch.dtype) -> dict[str, Run]:
    ref = importlib.import_module("lstm_ref.numpy")
    if shape.layers != 1:
        raise ValueError(f"the NumPy reference has one layer, got layers={shape.layers}")
    rng = np.random.default_rng(0)
    np_dtype = torch.empty((), dtype=dtype).numpy().dtype
    bound = 1 / np.sqrt(shape.H)

    def uniform(*dims: int) -> np.ndarray:
        return rng.uniform(-bound, bound, dims).astype(np_dtype)

    weights = (
        uniform(4 * shape.H, shape.I),
        uniform(4 * shape.H, shape.H),
        uniform(4 * shape.H),
        uniform(4 * shape.H),
    )
    x = rng.standard_normal((shape.T, shape.B, shape.I)).astype(np_dtype)
    zeros = np.zeros((shape.B, shape.H), np_dtype)
    dy = np.ones((shape.T, shape.B, shape.H), np_dtype)

    def forward() -> object:
        return ref.lstm_forward(x, zeros, zeros, *weights)

    def forward_backward() -> object:
        _, _, cache = ref.lstm_forward(x, zeros, zeros, *weights)
        return ref.lstm_backward(dy, zeros, zeros, cache)

    return {"fwd": forward, "fwd+bwd": forward_backward}


def _has_numpy_reference() -> bool:
    try:
        importlib.import_module("lstm_ref.numpy")
    except ModuleNotFoundError as e:
        if e.name is not None and "lstm_ref.numpy".startswith(e.name):
            return False
        raise  # lstm_ref.numpy exists but is broken: say so
    return True


def _time_ms(run: Run, device: torch.device) -> float:
    if device.type == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        run()
        end.record()
        torch.cuda.synchronize(device)
        return float(start.elapsed_time(end))
    begin = time.perf_counter()
    run()
    return (time.perf_counter() - begin) * 1e3


def run_benchmark(
    shapes: Sequence[Shape] = CPU_SHAPES,
    impls: Sequence[str] | None = None,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    repeats: int = 5,
    warmup: int = 1,
    tf32: bool = False,
    progress: bool | TextIO = True,
    max_minutes: float | None = None,
    resume: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Time LSTM implementations against torch.nn.LSTM (protocol in the module docstring).

    Parameters
    ----------
    shapes : sequence of Shape
        The cases to run.
    impls : sequence of str, optional
        Implementations (``"torch.nn"`` is always added as the baseline); all
        that run on ``device`` if omitted. ``"numpy"`` is skipped, with a note on
        ``progress``, when :mod:`lstm_ref.numpy` is not installed.
    device : str or torch.device
        ``"cpu"`` or a CUDA device.
    dtype : torch.dtype
        Precision of inputs and parameters.
    repeats, warmup : int
        Timed and untimed calls per (shape, implementation, pass).
    tf32 : bool
        Allow TF32 matmuls (CUDA), for every implementation alike.
    progress : bool or text stream
        Where to draw the progress bar and notes: ``True`` for standard error
        (as it is at the call), a stream, or ``False`` for silence.
    max_minutes : float, optional
        Stop before a case (a shape and a pass, every implementation) whose
        timed calls, predicted from the last warm-up call of each
        implementation, would end later than this many minutes after the
        start. The first case measured always runs, so every call makes
        progress. The report then holds the cases measured and a note
        beginning with :data:`STOPPED`.
    resume : dict, optional
        A report of an earlier, stopped run with the same device, torch
        version, settings and implementations: its cases are kept and not
        run again.

    Returns
    -------
    dict
        The report, in the JSON format of the module docstring, its rows in
        the order of ``shapes``.
    """
    stream: TextIO | None = sys.stderr if progress is True else progress or None
    device = torch.device(device)
    notes = []
    if impls is None and device.type != "cuda":
        notes.append(f"{', '.join(CUDA_ONLY)}: need a CUDA device, not run on {device}")
    if impls is None and device.type == "cuda":
        notes.append(f"{', '.join(CPU_ONLY)}: compiled for the CPU, not run on {device}")
    chosen = list(available_impls(device) if impls is None else impls)
    if BASELINE in chosen:
        chosen.remove(BASELINE)
    chosen.insert(0, BASELINE)
    unknown = set(chosen) - set(available_impls(device))
    if unknown:
        raise ValueError(
            f"impls must be among {available_impls(device)} on {device}, got {sorted(unknown)}"
        )
    if "numpy" in chosen and not _has_numpy_reference():
        chosen.remove("numpy")
        notes.append("numpy: lstm_ref.numpy is not installed here, not run")
        if stream is not None:
            stream.write("note: lstm_ref.numpy is not installed here; skipping the numpy row\n")
    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got {repeats} and {warmup}")
    if max_minutes is not None and max_minutes < 0:
        raise ValueError(f"max_minutes must be >= 0, got {max_minutes}")
    report = {
        "device": device_name(device),
        "torch": torch.__version__,
        "date": datetime.date.today().isoformat(),
        "tf32": tf32,
        "threads": torch.get_num_threads(),
        "repeats": repeats,
        "warmup": warmup,
        "notes": notes,
        "results": [],
    }
    kept = [] if resume is None else _resumable_rows(resume, report, shapes, chosen, dtype)
    done = {_case(r) for r in kept}
    deadline = None if max_minutes is None else time.perf_counter() + 60 * max_minutes
    saved_tf32 = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = tf32
    try:
        timing = _Timing(chosen, device, dtype, repeats, warmup, deadline)
        measured = _measure(shapes, done, timing, stream)
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved_tf32
    if resume is not None:
        old = [n for n in resume.get("notes", ()) if not n.startswith(STOPPED)]
        notes[:0] = [n for n in old if n not in notes]
    left = len(shapes) * len(PASSES) - len(done) - len({_case(r) for r in measured})
    if left:
        notes.append(
            f"{STOPPED} of {max_minutes:g} minutes with {left} of "
            f"{len(shapes) * len(PASSES)} cases (shape x pass) left: run again with --resume"
        )
    order = {case: k for k, case in enumerate((s, p) for s in shapes for p in PASSES)}
    report["results"] = sorted(
        kept + measured, key=lambda r: (order[_case(r)], chosen.index(r["impl"]))
    )
    return report


def _case(row: dict[str, Any]) -> Case:
    """The (shape, pass) of a result row."""
    return Shape(row["T"], row["B"], row["I"], row["H"], row["layers"]), row["pass"]


def _resumable_rows(
    resume: dict[str, Any],
    report: dict[str, Any],
    shapes: Sequence[Shape],
    chosen: list[str],
    dtype: torch.dtype,
) -> list[dict[str, Any]]:
    """The rows of ``resume`` to keep; :class:`ValueError` unless it is a part of this run."""
    settings = ("device", "torch", "tf32", "threads", "repeats", "warmup")
    differ = {k: (resume.get(k), report[k]) for k in settings if resume.get(k) != report[k]}
    if differ:
        raise ValueError(f"resume: a report of other settings (resumed, now): {differ}")
    rows = list(resume["results"])
    by_case: dict[Case, set[str]] = {}
    for row in rows:
        by_case.setdefault(_case(row), set()).add(row["impl"])
    foreign = {case for case in by_case if case[0] not in shapes}
    incomplete = {case for case, impls in by_case.items() if impls != set(chosen)}
    dtypes = {row["dtype"] for row in rows} - {str(dtype).removeprefix("torch.")}
    if foreign or incomplete or dtypes:
        raise ValueError(
            f"resume: expected rows of {sorted(chosen)} on these shapes in {dtype}, got "
            f"{len(foreign)} cases of other shapes, {len(incomplete)} cases of other "
            f"implementations and dtypes {sorted(dtypes)}"
        )
    return rows


class _Timing(NamedTuple):
    """What :func:`_measure` times, and how."""

    impls: list[str]
    device: torch.device
    dtype: torch.dtype
    repeats: int
    warmup: int
    deadline: float | None  # time.perf_counter() after which no case starts


def _measure(
    shapes: Sequence[Shape], done: set[Case], timing: _Timing, progress: TextIO | None
) -> list[dict[str, Any]]:
    """The timing loop of :func:`run_benchmark`: one row per (shape, pass, implementation).

    Skips the cases in ``done``; returns early, before a case that would end
    past ``timing.deadline``, once it has measured one.
    """
    chosen, device, dtype = timing.impls, timing.device, timing.dtype
    todo = [(s, p) for s in shapes for p in PASSES if (s, p) not in done]
    bar = Progress(len(todo) * len(chosen), enabled=progress is not None, file=progress)
    results: list[dict[str, Any]] = []
    for shape in dict.fromkeys(s for s, _ in todo):
        runs = {
            impl: _numpy_runs(shape, dtype)
            if impl == "numpy"
            else _torch_runs(impl, shape, device, dtype)
            for impl in chosen
        }
        for pass_ in (p for s, p in todo if s == shape):
            if results and timing.deadline is not None and time.perf_counter() > timing.deadline:
                return results
            last = dict.fromkeys(chosen, 0.0)  # seconds of each one's last warm-up call
            for impl in chosen:
                for _ in range(timing.warmup):
                    begin = time.perf_counter()
                    _time_ms(runs[impl][pass_], device)
                    last[impl] = time.perf_counter() - begin
            ends = time.perf_counter() + timing.repeats * sum(last.values())
            if results and timing.deadline is not None and ends > timing.deadline:
                return results
            times: dict[str, list[float]] = {impl: [] for impl in chosen}
            for _ in range(timing.repeats):
                for impl in chosen:
                    times[impl].append(_time_ms(runs[impl][pass_], device))
            base = statistics.median(times[BASELINE])
            for impl in chosen:
                median = statistics.median(times[impl])
                results.append(
                    {
                        "impl": impl,
                        **shape._asdict(),
                        "dtype": str(dtype).removeprefix("torch."),
                        "pass": pass_,
                        "median_ms": round(median, 4),
                        "ratio_vs_torch": round(median / base, 4),
                    }
                )
                bar.update(f"T={shape.T} B={shape.B} H={shape.H} {pass_} {impl}")
    return results


class _OpCounter(TorchDispatchMode):
    """Counts every ATen operator that reaches a kernel, by name."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def __torch_dispatch__(
        self,
        func: Any,
        types: Any,
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        self.counts[func.overloadpacket.__name__] += 1
        return func(*args, **(kwargs or {}))


def count_ops(run: Run) -> Counter[str]:
    """The ATen operators ``run()`` executes, counted by name (``"addmm"``, ``"sigmoid"``, ...).

    Operators are counted where PyTorch dispatches them to a kernel, below
    autograd, so the backward pass of a ``run`` that calls ``backward`` or
    ``torch.autograd.grad`` is counted too; on a GPU each count is (at
    least) one kernel launch. Views such as ``"t"`` or ``"slice"`` are counted
    although they launch nothing.

    Parameters
    ----------
    run : callable
        Called once, without arguments.

    Returns
    -------
    collections.Counter
        Operator name -> number of calls.
    """
    counter = _OpCounter()
    with counter:
        run()
    return counter.counts


#: The ATen operators that are matrix products (GEMMs) in :func:`count_ops`'s counts.
GEMM_OPS = ("addmm", "mm", "bmm", "_linear_pointwise")


class Exported(NamedTuple):
    """What :func:`export_operators` found in ``torch.export``'s graph of a model."""

    program: Any  # torch.export.ExportedProgram
    ops: Counter[str]  # ATen operator name -> calls in the graph (and its subgraphs)
    warnings: list[str]  # the first sentence of each warning export raised


def export_operators(model: nn.Module, x: torch.Tensor) -> Exported:
    """Export ``model(x)`` with ``torch.export`` and count the ATen operators of its graph.

    Unlike :func:`count_ops`, which counts what one call *runs*, this reads
    the exported graph: what a runtime that loads the program must provide
    (for ``torch.nn.LSTM`` one ``lstm`` operator for the whole layer). Warnings
    raised while exporting are caught and returned, not printed.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        program = torch.export.export(model, (x,))
    ops: Counter[str] = Counter(
        str(node.target).split(".")[1]
        for graph_module in program.graph_module.modules()
        if isinstance(graph_module, torch.fx.GraphModule)
        for node in graph_module.graph.nodes
        if node.op == "call_function" and str(node.target).startswith("aten.")
    )
    return Exported(program, ops, [str(w.message).split(". ")[0] for w in caught])


def operator_counts(model: nn.Module, x: torch.Tensor) -> dict[str, int]:
    """GEMMs and all operators of one forward, and of one forward + backward, of ``model``.

    Parameters
    ----------
    model : torch.nn.Module
        A recurrent module called as ``y, state = model(x)``.
    x : torch.Tensor
        Its input, e.g. ``(T, B, D)``.

    Returns
    -------
    dict of str to int
        ``"GEMMs (fwd)"``, ``"operators (fwd)"``, ``"GEMMs (fwd+bwd)"`` and
        ``"operators (fwd+bwd)"``: counts of :func:`count_ops`, the GEMMs being
        the operators in :data:`GEMM_OPS`. The backward pass is the gradient of
        ``y.sum()`` with respect to every parameter.
    """

    def forward() -> None:
        with torch.no_grad():
            model(x)

    def forward_backward() -> None:
        y, _ = model(x)
        torch.autograd.grad(y.sum(), list(model.parameters()))

    fwd, both = count_ops(forward), count_ops(forward_backward)
    return {
        "GEMMs (fwd)": sum(fwd[g] for g in GEMM_OPS),
        "operators (fwd)": sum(fwd.values()),
        "GEMMs (fwd+bwd)": sum(both[g] for g in GEMM_OPS),
        "operators (fwd+bwd)": sum(both.values()),
    }


def ratio_of(report: dict[str, Any], *, impl: str, H: int, pass_: str, **shape: int) -> float:
    """The ``ratio_vs_torch`` of one row of a benchmark report.

    Parameters
    ----------
    report : dict
        A report as :func:`run_benchmark` returns it or ``--out`` writes it.
    impl, H, pass_ :
        The row's implementation, hidden size and pass (``"fwd"`` or ``"fwd+bwd"``).
    **shape : int
        Further columns to match when the report has several rows for these
        (``T=``, ``B=``, ``layers=``, ...).

    Raises
    ------
    KeyError
        No row matches, naming what was looked for.
    """
    wanted = {"impl": impl, "H": H, "pass": pass_, **shape}
    for row in report["results"]:
        if all(row.get(key) == value for key, value in wanted.items()):
            return float(row["ratio_vs_torch"])
    raise KeyError(f"report: no row with {wanted}")


def provenance(device: torch.device | str = "cpu") -> dict[str, str]:
    """Where and when a stored measurement was made, for the head of its JSON.

    Returns
    -------
    dict of str to str
        ``device`` (:func:`device_name`), ``torch`` and ``python`` versions, and
        today's ``date`` (ISO, ``YYYY-MM-DD``).
    """
    return {
        "device": device_name(torch.device(device)),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
    }


def write_stored_run(
    path: Path, *, config: dict[str, Any], started: float, complete: bool, **results: Any
) -> None:
    """Write the JSON of a long run that a chapter quotes (``benchmarks/training/``).

    The head is :func:`provenance` on the CPU with one thread, then ``config``,
    ``complete`` (``False`` while a run saves what it has measured so far),
    ``cpu_seconds`` since ``started`` (a ``time.process_time()`` reading) and
    ``results`` under their own keys.
    """
    report = {
        **provenance("cpu"),
        "threads": 1,
        "config": config,
        "complete": complete,
        "cpu_seconds": time.process_time() - started,
        **results,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")


def device_name(device: torch.device) -> str:
    """A readable name: the GPU's, or ``"cpu: <model>"`` (from /proc/cpuinfo where there is one)."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"cpu: {model}"


def benchmarks_dir(start: Path | None = None) -> Path:
    """The repository's ``benchmarks`` folder, the nearest one at or above ``start``.

    Stored measurements live there (``results/`` for speed tables, ``training/``
    for long training runs); the chapters read them from a checkout of the
    repository, ``start`` defaulting to the working directory.
    """
    start = Path.cwd() if start is None else Path(start)
    for folder in (start, *start.parents):
        if (folder / "benchmarks" / "results").is_dir():
            return folder / "benchmarks"
    raise FileNotFoundError(
        f"start: expected a folder inside a checkout of the book's repository "
        f"(one with benchmarks/results/ at or above it), got {start}"
    )


def device_slug(name: str) -> str:
    """A file name stem for a device name, as :func:`device_name` gives it.

    ``"NVIDIA H100 80GB HBM3"`` becomes ``"nvidia-h100-80gb-hbm3"``: lower
    case, each run of characters other than letters and digits one ``-``.
    The committed tables are ``benchmarks/results/<slug>.json`` (and
    ``<slug>-persistent.json`` for the persistent kernel's grid).
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ValueError(f"name: expected a device name with letters or digits, got {name!r}")
    return slug


def format_table(report: dict[str, Any]) -> str:
    """The report as a fixed-width text table, one row per result."""
    head = (
        f"{report['device']} | torch {report['torch']} | {report['date']} | tf32={report['tf32']}"
    )
    if "threads" in report:
        head += f" | threads={report['threads']}"
    width = max([12, *(len(r["impl"]) for r in report["results"])])
    columns = (
        f"{'impl':<{width}} {'T':>5} {'B':>4} {'I':>5} {'H':>5} {'pass':<8} {'median ms':>10} "
        f"{'ratio':>7}"
    )
    lines = [head, columns, "-" * len(columns)]
    for r in report["results"]:
        lines.append(
            f"{r['impl']:<{width}} {r['T']:>5} {r['B']:>4} {r['I']:>5} {r['H']:>5} {r['pass']:<8} "
            f"{r['median_ms']:>10.2f} {r['ratio_vs_torch']:>7.3f}"
        )
    lines += [f"note: {note}" for note in report.get("notes", ())]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m lstm_ref.bench [--quick | --grid G] [--impl ...] [--out F]``.

    Returns the exit status: 0, or :data:`EXIT_PARTIAL` when ``--max-minutes``
    stopped the run with cases left.
    """
    parser = argparse.ArgumentParser(
        prog="python -m lstm_ref.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--device",
        default="cuda" if torch.cuda.is_available() else "cpu",
        help="cpu or cuda[:N] (default: cuda when there is one)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny shapes: a smoke test")
    parser.add_argument(
        "--grid",
        choices=("default", "persistent"),
        default="default",
        help="shape set: the CPU or GPU set of the device (default), or the persistent "
        "kernel's grid (CUDA; torch.nn, cuda_graphs and persistent unless --impl is given)",
    )
    parser.add_argument(
        "--impl",
        action="append",
        help="implementation to run (repeatable; "
        "default: all that run on the device); torch.nn is always included",
    )
    parser.add_argument("--repeats", type=int, help="timed calls per case (default 5 CPU, 50 GPU)")
    parser.add_argument("--warmup", type=int, help="untimed calls first (default 1 CPU, 10 GPU)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's)")
    parser.add_argument(
        "--dtype", default="float32", choices=("float32", "float64", "bfloat16", "float16")
    )
    parser.add_argument("--tf32", action="store_true", help="allow TF32 matmuls on both sides")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    parser.add_argument(
        "--max-minutes",
        type=float,
        help="stop before a case that would end later than this, keeping what was measured "
        f"(exit status {EXIT_PARTIAL} while cases are left)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the stopped report in --out, if that file exists, with the same settings",
    )
    args = parser.parse_args(argv)
    if args.resume and args.out is None:
        parser.error("--resume continues the report in --out: give --out")

    device = torch.device(args.device)
    gpu = device.type == "cuda"
    if gpu and not torch.cuda.is_available():
        parser.error(f"--device {args.device}: CUDA is not available here")
    if args.grid == "persistent" and not gpu:
        parser.error("--grid persistent times the Triton kernel on a GPU: it needs --device cuda")
    if args.threads:
        torch.set_num_threads(args.threads)
    impls = args.impl
    shapes: Sequence[Shape]
    if args.quick:
        shapes = QUICK_SHAPES
    elif args.grid == "persistent":
        shapes, impls = PERSISTENT_SHAPES, impls or list(PERSISTENT_IMPLS)
    else:
        shapes = GPU_SHAPES if gpu else CPU_SHAPES
    resume = None
    if args.resume and args.out.is_file():
        resume = json.loads(args.out.read_text())
    report = run_benchmark(
        shapes,
        impls=impls,
        device=device,
        dtype=getattr(torch, args.dtype),
        repeats=args.repeats or (3 if args.quick else 50 if gpu else 5),
        warmup=args.warmup if args.warmup is not None else (10 if gpu and not args.quick else 1),
        tf32=args.tf32,
        max_minutes=args.max_minutes,
        resume=resume,
    )
    print(format_table(report))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
        print(f"wrote {args.out}")
    stopped = any(note.startswith(STOPPED) for note in report["notes"])
    return EXIT_PARTIAL if stopped else 0


if __name__ == "__main__":
    raise SystemExit(main())
