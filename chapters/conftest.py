"""Print how long each chapter takes to execute under nbval, and the total.

Chapters must run in 60 s or less on CI's two cores; printing the times on
every run makes growth visible long before it becomes a problem.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _seconds[Path(path).name] += report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _seconds:
        return
    terminalreporter.section("chapter execution times (budget: 60 s each)")
    for name, seconds in sorted(_seconds.items()):
        flag = "  OVER BUDGET" if seconds > 60 else ""
        terminalreporter.write_line(f"{seconds:7.1f} s  {name}{flag}")
    terminalreporter.write_line(f"{sum(_seconds.values()):7.1f} s  total")
