# Touchbase — developer commands. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed


.PHONY: run test lint typecheck pytest bench demo screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: create the environment if needed and open Touchbase on your own database
run: $(STAMP)
	$(BIN)/touchbase

## test: lint, type checks and the whole test suite, headless
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy db desktop_app tests tools

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

## bench: build a 100,000-contact, 1,000,000-touch database and print timings
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench.py

## demo: open the app on a throwaway database filled with sample data
demo: $(STAMP)
	rm -f /tmp/touchbase-demo.sqlite*
	$(BIN)/touchbase --db /tmp/touchbase-demo.sqlite demo --contacts 500
	$(BIN)/touchbase --db /tmp/touchbase-demo.sqlite

## screenshots: every place and dialog, light and dark, into docs/screenshots/ (Xvfb if any)
SHOT_DISPLAY ?= 77
screenshots: $(STAMP)
	@if command -v Xvfb >/dev/null 2>&1; then \
	  Xvfb :$(SHOT_DISPLAY) -screen 0 1366x768x24 >/dev/null 2>&1 & xvfb=$$!; sleep 1; \
	  DISPLAY=:$(SHOT_DISPLAY) QT_QPA_PLATFORM=xcb $(BIN)/python tools/screenshots.py; \
	  status=$$?; kill $$xvfb; exit $$status; \
	else \
	  QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots.py; \
	fi

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
