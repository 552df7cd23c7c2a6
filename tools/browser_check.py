"""Check the built site in headless Chromium, the way a reader meets it.

Serves ``_build/html`` on 127.0.0.1 and, for every page, fails if

- the page requests anything that is not on this machine (a CDN, a font host),
- TeX is left untypeset (a ``.math`` element without MathJax output, or raw
  ``$$``, ``\\(``, ``\\begin{`` or unrendered MyST roles in the visible text),
- an image does not decode,
- an ``<audio>`` element (the synthesised melodies) does not load, or its
  source is not on this machine: a ``data:`` URI must hold a decodable WAV,
  and in the browser the element must reach its metadata (a finite duration),
- the browser logs a JavaScript error that is not in ``KNOWN_HARMLESS``;

and it fails if the search page does not find a word from a chapter.
Screenshots of the landing page and every chapter go to ``_build/screenshots/``.

Chromium comes from Debian (``chromium`` and ``chromium-driver``); when they are
missing this script installs them if it can (root and apt-get). Where it cannot
(a reader's Mac, no root), it says the check is skipped — except under
``CI=true``, where the check must run.

Usage: ``python tools/browser_check.py _build/html``
"""

from __future__ import annotations

import argparse
import base64
import binascii
import functools
import html.parser
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}
SEARCH_TERM = "recurrent"

# JavaScript console messages the theme is known to log on a static, offline
# site, and which do not affect what the reader sees. Each entry is a regular
# expression matched against the message; keep this list short and specific.
KNOWN_HARMLESS: list[str] = [
    # The browser asks every site for /favicon.ico; the book has none.
    r"/favicon\.ico - Failed to load resource",
    # pydata-sphinx-theme reads the light/dark choice from localStorage; a fresh
    # browser profile has none, and the theme logs this before choosing "auto".
    r"Got invalid theme mode: \. Resetting to auto\.",
]

# Text that must never reach a reader: TeX that MathJax did not typeset and
# MyST roles that were not rendered.
RAW_MARKUP = re.compile(r"\$\$|\\\(|\\\[|\\begin\{|\{glue:|\{cite[:}]|\{math\}|\{eq\}")

WAIT_FOR_PAGE_JS = """
const done = arguments[arguments.length - 1];
(async () => {
  for (const img of document.images) { img.loading = "eager"; }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const broken = [];
  for (const img of document.images) {
    try { await img.decode(); } catch (e) { broken.push(img.currentSrc || img.src); }
    if (img.naturalWidth === 0 && !broken.includes(img.src)) { broken.push(img.src); }
  }
  const audio = [];
  for (const el of document.querySelectorAll("audio")) {
    const source = el.querySelector("source");
    const src = el.getAttribute("src") || (source ? source.getAttribute("src") : "") || "";
    const state = await new Promise((resolve) => {
      if (el.readyState >= 1) { resolve("ok"); return; }
      const timer = setTimeout(() => resolve("timeout"), 15000);
      const fail = (what) => () => { clearTimeout(timer); resolve(what); };
      el.addEventListener("loadedmetadata", () => { clearTimeout(timer); resolve("ok"); },
                          {once: true});
      el.addEventListener("error", () => {
        clearTimeout(timer);
        resolve("media error " + (el.error ? el.error.code : "?"));
      }, {once: true});
      if (source) { source.addEventListener("error", fail("source error"), {once: true}); }
      el.preload = "auto";
      el.load();
    });
    audio.push({src: src.slice(0, 80), state, duration: el.duration});
  }
  const untypeset = [];
  for (const el of document.querySelectorAll(".math")) {
    if (!el.querySelector("mjx-container")) { untypeset.push(el.textContent.slice(0, 80)); }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  const skip = "PRE,CODE,SCRIPT,STYLE,TEXTAREA,MJX-CONTAINER,MJX-ASSISTIVE-MML";
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) { continue; }
    if (parent.offsetParent === null && getComputedStyle(parent).position !== "fixed") { continue; }
    raw.push(node.textContent);
  }
  done({broken, audio, untypeset, text: raw.join(" "), title: document.title,
        mathjax: !!(window.MathJax && MathJax.startup)});
})().catch((e) => done({error: String(e)}));
"""

SEARCH_JS = """
const done = arguments[arguments.length - 1];
const deadline = Date.now() + 30000;
(function poll() {
  const hits = document.querySelectorAll("#search-results ul.search li");
  const status = document.querySelector("#search-results p.search-summary");
  if (hits.length > 0) { done({hits: hits.length}); return; }
  if (Date.now() > deadline) {
    done({hits: 0, status: status ? status.textContent : null});
    return;
  }
  setTimeout(poll, 200);
})();
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def ensure_chromium() -> str | None:
    """Return None when Chromium and its driver are usable, else why not."""
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
        return None
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("browser check: installing Debian's chromium and chromium-driver ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"], check=True, env=env
        )
        if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
            return None
    return f"{CHROMIUM} and {CHROMEDRIVER} are needed (Debian packages chromium, chromium-driver)"


def make_driver() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-quic",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(60)
    driver.set_page_load_timeout(60)
    return driver


def requested_urls(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or parsed.hostname in LOCAL_HOSTS


class _AudioSources(html.parser.HTMLParser):
    """Collects the sources of every ``<audio>`` element: its ``src`` or its ``<source>``s."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[list[str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "audio":
            self._inside = True
            self.elements.append([values["src"]] if values.get("src") else [])
        elif tag == "source" and self._inside and values.get("src"):
            self.elements[-1].append(str(values["src"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "audio":
            self._inside = False


def audio_sources(page_html: str) -> list[list[str]]:
    """The sources of each ``<audio>`` element of a page, in document order."""
    parser = _AudioSources()
    parser.feed(page_html)
    return parser.elements


def static_audio_problems(page_html: str) -> list[str]:
    """What is wrong with a page's audio before any browser plays it.

    Every ``<audio>`` needs a source; a source must be on this machine (a
    ``data:`` URI or a relative path); a ``data:audio/...;base64,`` URI must
    decode to a RIFF/WAVE file with at least one sample.
    """
    problems = []
    for k, sources in enumerate(audio_sources(page_html)):
        if not sources:
            problems.append(f"audio element {k}: no source")
        for src in sources:
            short = src[:60] + ("..." if len(src) > 60 else "")
            parsed = urlparse(src)
            if parsed.scheme == "data":
                header, _, payload = src.partition(",")
                if not header.startswith("data:audio/") or not header.endswith(";base64"):
                    problems.append(f"audio element {k}: not base64 audio: {short}")
                    continue
                try:
                    data = base64.b64decode(payload, validate=True)
                except (binascii.Error, ValueError):
                    problems.append(f"audio element {k}: its base64 does not decode: {short}")
                    continue
                if header.startswith(("data:audio/wav", "data:audio/x-wav")) and not (
                    data[:4] == b"RIFF" and data[8:12] == b"WAVE" and len(data) > 44
                ):
                    problems.append(f"audio element {k}: not a WAV file with samples: {short}")
            elif parsed.scheme or parsed.netloc:
                if not is_local(src):
                    problems.append(f"audio element {k}: source not on this machine: {short}")
    return problems


def audio_problems(entries: list[dict[str, Any]]) -> list[str]:
    """What the browser reported for each ``<audio>``: it must load, with a finite duration."""
    problems = []
    for k, entry in enumerate(entries):
        duration = entry.get("duration")
        if entry.get("state") != "ok":
            problems.append(
                f"audio element {k} does not load ({entry.get('state')}): {entry.get('src')}"
            )
        elif not isinstance(duration, int | float) or not 0 < duration < float("inf"):
            problems.append(f"audio element {k} has no playable duration ({duration})")
    return problems


def js_errors(driver: Any) -> list[str]:
    errors = []
    for entry in driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        if any(re.search(pattern, entry["message"]) for pattern in KNOWN_HARMLESS):
            continue
        errors.append(entry["message"])
    return errors


def full_page_screenshot(driver: Any, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(int(height), 20000))
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)


def pages_of(root: Path) -> list[str]:
    skip = {"_static", "_sources", "_images", "_modules", "_panels_static"}
    pages = []
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root)
        if rel.parts[0] in skip or rel.name in {"index.html", "search.html"}:
            continue
        pages.append(rel.as_posix())
    return pages


def check_page(driver: Any, base: str, page: str, root: Path | None = None) -> list[str]:
    driver.get(f"{base}/{page}")
    result = driver.execute_async_script(WAIT_FOR_PAGE_JS)
    problems = []
    if "error" in result:
        problems.append(f"page script failed: {result['error']}")
        return problems
    problems += [f"image does not decode: {src}" for src in result["broken"]]
    problems += audio_problems(result.get("audio", []))
    if root is not None:
        problems += static_audio_problems((root / page).read_text(encoding="utf-8"))
    problems += [f"untypeset math: {tex!r}" for tex in result["untypeset"]]
    raw = RAW_MARKUP.search(result["text"])
    if raw:
        start = max(0, raw.start() - 40)
        problems.append(f"raw markup in the text: ...{result['text'][start : raw.end() + 40]!r}")
    problems += [f"non-local request: {url}" for url in requested_urls(driver) if not is_local(url)]
    problems += [f"JavaScript error: {message}" for message in js_errors(driver)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built site, e.g. _build/html")
    parser.add_argument("--screenshots", type=Path, default=Path("_build/screenshots"))
    args = parser.parse_args(argv)

    if not (args.html / "intro.html").exists():
        print(f"browser check: {args.html} holds no built book; run 'make book' first")
        return 1
    missing = ensure_chromium()
    if missing:
        if os.environ.get("CI") == "true":
            print(f"browser check: FAILED — it must run under CI=true, but {missing}")
            return 1
        print(f"browser check: SKIPPED — {missing}. Install them (as root) to run it.")
        return 0

    args.screenshots.mkdir(parents=True, exist_ok=True)
    server, base = serve(args.html)
    driver = make_driver()
    failures: dict[str, list[str]] = {}
    passed = 0
    try:
        pages = pages_of(args.html)
        for page in pages:
            started = time.perf_counter()
            problems = check_page(driver, base, page, args.html)
            if page == "intro.html" or page.startswith("chapters/"):
                full_page_screenshot(driver, args.screenshots / (Path(page).stem + ".png"))
            status = "ok" if not problems else "FAILED"
            print(f"  {status:6} {page} ({time.perf_counter() - started:.1f} s)", flush=True)
            if problems:
                failures[page] = problems
            else:
                passed += 1

        driver.get(f"{base}/search.html?q={SEARCH_TERM}")
        found = driver.execute_async_script(SEARCH_JS)
        driver.save_screenshot(str(args.screenshots / "search.png"))
        problems = [f"search for {SEARCH_TERM!r} found nothing ({found.get('status')})"]
        problems = [] if found["hits"] > 0 else problems
        problems += [f"non-local request: {u}" for u in requested_urls(driver) if not is_local(u)]
        problems += [f"JavaScript error: {message}" for message in js_errors(driver)]
        print(
            f"  {'ok' if not problems else 'FAILED':6} search.html?q={SEARCH_TERM} "
            f"({found['hits']} results)"
        )
        if problems:
            failures["search.html"] = problems
        else:
            passed += 1
    finally:
        driver.quit()
        server.shutdown()

    for page, problems in failures.items():
        print(f"\n{page}:")
        for problem in problems:
            print(f"  - {problem}")
    print(f"screenshots in {args.screenshots}/")
    print(f"browser: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
