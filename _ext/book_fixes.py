"""Small Sphinx fixes for the book's site.

``nitpick_ignore`` comes from ``_config.yml`` as a list of two-item lists, but
Sphinx looks up ``(type, target)`` tuples in it: convert, or no entry matches.

sphinx-thebe registers its inline configuration script on every
``env-before-read-docs`` event; a build that reads documents twice (as
Jupyter Book's does) emits the same ``const THEBE_JS_URL = ...`` script twice,
and the second copy is a JavaScript SyntaxError on every page. Sphinx
de-duplicates script files by name but not inline bodies, so we do it here,
keeping the first occurrence of each script.
"""

from __future__ import annotations

from typing import Any


def _dedupe_scripts(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        # An inline script is registered with filename None or "" depending on the caller.
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _nitpick_ignore_as_tuples(app: Any, config: Any) -> None:
    config.nitpick_ignore = [tuple(entry) for entry in config.nitpick_ignore]


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _nitpick_ignore_as_tuples)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
