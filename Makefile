# LSTM, gate by gate — every set-up step lives here, so a fresh clone needs only
#   make book   (install, build the site into _build/html)
#   make test   (install, lint and import contracts, type-check, unit tests, notebooks, strict site build, browser check)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
HTML   := _build/html
PORT   ?= 8000
# pytest-xdist workers for the unit tests and notebooks (CI has 2 cores).
JOBS   ?= 2
# Notebooks run two at a time on two cores, each on one thread: the models are
# small, and two BLAS or torch thread pools fighting over two cores run several
# times slower than one thread each.
ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: help install book test lint typecheck unit notebooks site browser serve lab bench clean

help:
	@echo "make book       install, then build the site into $(HTML)"
	@echo "make test       install, then ruff, import contracts, mypy, pytest, nbval on chapters/, strict site build, browser check"
	@echo "make serve      serve the built site on http://127.0.0.1:$(PORT)"
	@echo "make lab        open the chapters in Jupyter Lab"
	@echo "make bench      run the benchmark (python -m lstm_ref.bench)"

$(STAMP): requirements/book.txt requirements/no-deps.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/book.txt
	$(PY) -m pip install --quiet --no-deps -r requirements/no-deps.txt
	$(PY) -m pip install --quiet -e . --no-deps
	touch $(STAMP)

install: $(STAMP)

book: $(STAMP)
	$(ONE_THREAD) $(BIN)/jupyter-book build . --keep-going
	@echo
	@echo "The book is built: open $(abspath $(HTML))/index.html, or run 'make serve'."

test: lint typecheck unit notebooks site browser
	@echo "make test: all checks passed."

# ruff, then the import contracts of pyproject.toml's [tool.importlinter] (the package's layers).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check lstm_ref tests chapters tools benchmarks
	$(BIN)/lint-imports --no-logo --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(PY) -m pytest tests -n $(JOBS)

notebooks: $(STAMP)
	$(ONE_THREAD) $(PY) -m pytest chapters --nbval-lax --nbval-current-env --nbval-cell-timeout=300 -n $(JOBS) --dist loadfile -p no:cacheprovider

# Strict: any Sphinx warning (broken reference, missing citation, failing cell) fails the build.
site: $(STAMP)
	$(ONE_THREAD) $(BIN)/jupyter-book build . -W -n --keep-going

browser: $(STAMP)
	$(PY) tools/browser_check.py $(HTML)

serve:
	@test -f $(HTML)/index.html || { echo "No site yet: run 'make book' first."; exit 1; }
	$(PY) -m http.server --bind 127.0.0.1 --directory $(HTML) $(PORT)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=chapters

bench: $(STAMP)
	$(PY) -m lstm_ref.bench

clean:
	rm -rf _build .pytest_cache .mypy_cache .ruff_cache .hypothesis
