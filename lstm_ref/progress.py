"""One plain-text progress bar for every loop of the package.

Where tqdm is installed, :class:`Progress` draws tqdm's plain-text bar (its
standard class with ``ascii=True``, never the notebook widget of
``tqdm.auto``: an executed page must show text, not a widget that needs
JavaScript from the web). Without tqdm it prints a line at every tenth of the
way, so a long run still shows that it is alive.

This module imports neither torch nor matplotlib.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TextIO

from lstm_ref.checks import check_positive_int

__all__ = ["Progress"]

Postfix = Mapping[str, float] | str


def _format(postfix: Postfix | None) -> str:
    """``{"loss": 0.123456}`` as ``"loss=0.1235"``; a string as it is."""
    if postfix is None:
        return ""
    if isinstance(postfix, str):
        return postfix
    return ", ".join(f"{name}={value:.4g}" for name, value in postfix.items())


class Progress:
    """A plain-text progress bar over ``total`` steps, or silence.

    Parameters
    ----------
    total : int
        Steps to the end (``>= 0``); the bar closes itself when :meth:`update`
        reaches it.
    enabled : bool
        ``False``: draw nothing (:meth:`write` still prints).
    file : text stream, optional
        Where to draw; standard output (as it is when the bar is made) by default.
    desc : str
        A label in front of the bar.
    mininterval : float
        Seconds between redraws of the tqdm bar.

    Examples
    --------
    >>> with Progress(3, enabled=False) as bar:
    ...     for step in range(3):
    ...         bar.update({"loss": 1.0 / (step + 1)})
    """

    def __init__(
        self,
        total: int,
        *,
        enabled: bool = True,
        file: TextIO | None = None,
        desc: str = "",
        mininterval: float = 0.5,
    ) -> None:
        self.total = check_positive_int("total", total, minimum=0)
        self.enabled = enabled
        self.file: TextIO = sys.stdout if file is None else file
        self.desc = desc
        self.done = 0
        self.closed = not enabled
        self._bar: Any = None
        self._shown_at = 0  # text mode: the step of the last line printed
        self._postfix = ""
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:  # tqdm is optional: fall back to a line per tenth
                pass
            else:
                self._bar = tqdm(
                    total=total,
                    file=self.file,
                    ncols=90,
                    mininterval=mininterval,
                    ascii=True,
                    desc=desc or None,
                )

    @property
    def uses_tqdm(self) -> bool:
        """Whether tqdm draws the bar; otherwise plain lines, or nothing when disabled."""
        return self._bar is not None

    def update(self, postfix: Postfix | None = None) -> None:
        """One step done; ``postfix`` (e.g. ``{"loss": 0.12}``) is shown after the count."""
        if self.closed:
            return
        self.done += 1
        if self._bar is not None:
            if postfix is not None:
                if isinstance(postfix, str):
                    self._bar.set_postfix_str(postfix, refresh=False)
                else:
                    self._bar.set_postfix(
                        {name: f"{value:.4g}" for name, value in postfix.items()}, refresh=False
                    )
            self._bar.update(1)
        else:
            self._postfix = _format(postfix)
            if 10 * self.done // self.total > 10 * self._shown_at // self.total:
                self._line()
        if self.done >= self.total:
            self.close()

    def _line(self) -> None:
        label = f"{self.desc}: " if self.desc else ""
        share = f"{100 * self.done // max(self.total, 1)}%"
        tail = f"  {self._postfix}" if self._postfix else ""
        print(f"{label}{self.done}/{self.total} ({share}){tail}", file=self.file, flush=True)
        self._shown_at = self.done

    def write(self, message: str) -> None:
        """Print ``message`` on lines of its own, above the bar (also when disabled)."""
        if self._bar is not None and not self.closed:
            self._bar.write(message, file=self.file)
        else:
            print(message, file=self.file, flush=True)

    def close(self) -> None:
        """Finish the bar; in text mode, print where it stopped if that was not yet shown."""
        if self.closed:
            return
        self.closed = True
        if self._bar is not None:
            self._bar.close()
        elif self.done != self._shown_at:
            self._line()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
