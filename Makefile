# Touchbase — developer commands. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PACKAGE_STAMP := $(VENV)/.installed-package
# The standalone build: dist/touchbase/touchbase (packaging/README.md).
DIST   := dist/touchbase


.PHONY: run test lint typecheck pytest bench demo screenshots clean package package-test desktop-files-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(PACKAGE_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	touch $(PACKAGE_STAMP)

## run: create the environment if needed and open Touchbase on your own database
run: $(STAMP)
	$(BIN)/touchbase

## test: lint, type checks and the whole test suite, headless
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy db desktop_app tests tools packaging/launch.py packaging/render_icons.py

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

## bench: build a 100,000-contact, 1,000,000-touch database and print timings
## (with the standalone package beside running from source, once `make package` has built it)
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_package.py

## demo: open the app on a throwaway database filled with sample data
demo: $(STAMP)
	rm -f /tmp/touchbase-demo.sqlite*
	$(BIN)/touchbase --db /tmp/touchbase-demo.sqlite demo --contacts 500
	$(BIN)/touchbase --db /tmp/touchbase-demo.sqlite

## package: build the standalone one-folder Touchbase for this machine into dist/touchbase
package: $(PACKAGE_STAMP)
	rm -rf $(DIST)
	$(BIN)/pyinstaller --noconfirm --log-level WARN packaging/touchbase.spec \
		--distpath dist --workpath build/pyinstaller
	@du -sh $(DIST)

## package-test: build the package, then run the built program on a fresh database, headless
package-test: package desktop-files-check
	QT_QPA_PLATFORM=offscreen TOUCHBASE_BUILT_APP=$(DIST) \
		$(BIN)/pytest -m package tests/packaging

## desktop-files-check: the menu entry and AppStream metainfo pass desktop-file-validate and
## appstreamcli (installed with apt-get when missing and running as root)
DESKTOP_ID := app.touchbase.Touchbase
desktop-files-check:
	@missing=""; \
	command -v appstreamcli >/dev/null 2>&1 || missing="$$missing appstream"; \
	command -v desktop-file-validate >/dev/null 2>&1 || missing="$$missing desktop-file-utils"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "checking the desktop files needs:$$missing (install, then run make again)"; \
			exit 1; \
		fi; \
	fi
	appstreamcli validate --no-net packaging/linux/$(DESKTOP_ID).metainfo.xml
	@out=$$(desktop-file-validate packaging/linux/$(DESKTOP_ID).desktop); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	echo "desktop-file-validate: packaging/linux/$(DESKTOP_ID).desktop is valid"

## screenshots: every place and dialog, light and dark, into docs/screenshots/ (Xvfb if any)
SHOT_DISPLAY ?= 77
screenshots: $(STAMP)
	@if command -v Xvfb >/dev/null 2>&1; then \
	  Xvfb :$(SHOT_DISPLAY) -screen 0 2732x1536x24 >/dev/null 2>&1 & xvfb=$$!; sleep 1; \
	  DISPLAY=:$(SHOT_DISPLAY) QT_QPA_PLATFORM=xcb $(BIN)/python tools/screenshots.py && \
	  DISPLAY=:$(SHOT_DISPLAY) QT_QPA_PLATFORM=xcb $(BIN)/python tools/screenshots.py --scale 1.5 && \
	  DISPLAY=:$(SHOT_DISPLAY) QT_QPA_PLATFORM=xcb $(BIN)/python tools/screenshots.py --scale 2; \
	  status=$$?; kill $$xvfb; exit $$status; \
	else \
	  QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots.py; \
	fi

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
