# One entry point for people and CI. `make report` and `make test` are the two
# commands in README.md; both set up everything they need first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= full
ARGS ?=

.PHONY: help report test test-fast lint lock chapter setup data browser clean

help:  ## what each target does
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

# the full profile renders the committed records after re-checking a sample of them here; the others compute live
report: setup  ## set up, re-check a sample here, build the full profile's report (PROFILE=quick: all live)
	$(PY) -m fmnist_lib.book run --profile $(PROFILE) $(ARGS)

# two processes: most tests wait on one core (kernels, book builds, process start-ups); the smoke report's tests
# share the process that builds it (tests/conftest.py)
TEST_PROCESSES ?= 2
test: setup lint  ## set up, then ruff and the whole test suite in two processes (what CI runs; lists the 15 slowest)
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadgroup --durations=15 $(ARGS)

test-fast: $(VENV)/.installed data  ## the unit tests only: no book builds, no browser, no training runs
	$(PY) -m pytest -m "not slow" $(ARGS)

lint: $(VENV)/.installed  ## ruff: formatting and lint
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .

# One chapter with papermill: the records it reads, the chapter as a notebook, papermill on it.
#   make chapter CHAPTER=03 PROFILE=smoke   -> _build/notebooks/03_cnn_3_128.executed.ipynb
CHAPTER ?= 03
chapter: setup  ## one chapter with papermill (CHAPTER=03 PROFILE=smoke)
	@$(PY) -m fmnist_lib.book notebook $(CHAPTER) --out _build/notebooks >/dev/null  # a chapter that exists, or one line
	$(if $(filter full,$(PROFILE)),,$(PY) -m fmnist_lib.compute --profile $(PROFILE) --chapter $(CHAPTER))
	@nb=$$($(PY) -m fmnist_lib.book notebook $(CHAPTER)) && \
	  $(VENV)/bin/papermill --no-progress-bar "$$nb" "$${nb%.ipynb}.executed.ipynb" -p profile $(PROFILE) && \
	  echo "executed: $${nb%.ipynb}.executed.ipynb"

setup: $(VENV)/.installed data browser

# the exact versions the records were made with (requirements.lock), not whatever is newest today
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

lock: $(VENV)/.installed  ## write the installed versions into requirements.lock (after an upgrade; then make test)
	@{ sed -n '/^#/p' requirements.lock; $(PY) -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

# The dataset: already there, else the Debian package when we may install it,
# else Keras' download into ~/.keras/datasets (the loader says how, if that fails).
data: $(VENV)/.installed
	@$(PY) -m fmnist_lib.data >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing the Debian package dataset-fashion-mnist ..."; \
	    (apt-get install -y -qq dataset-fashion-mnist || \
	     (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist)) >/dev/null; \
	  elif command -v apt-get >/dev/null 2>&1; then \
	    echo "tip: 'sudo apt-get install dataset-fashion-mnist' gives the files without a download"; \
	  fi; }
	$(PY) -m fmnist_lib.data --download

# Chromium and its driver, for the test that reads the report in a real browser; without
# them (no root, no apt) that test is skipped and says why.
browser:
	@command -v chromedriver >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing the Debian packages chromium and chromium-driver ..."; \
	    (apt-get install -y -qq chromium chromium-driver || \
	     (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)) >/dev/null; \
	  else \
	    echo "tip: 'sudo apt-get install chromium chromium-driver' lets make test read the report in a browser"; \
	  fi; }

clean:  ## remove the built report
	rm -rf _build
