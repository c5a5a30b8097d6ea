# `make run` and `make test` set up what is missing, then do their job.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run ingest test bench bench-smoke clean-index browser-deps

setup: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, from the CPU wheel: otherwise sentence-transformers pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

ingest: setup
	$(BIN)/coach ingest

run: ingest
	$(BIN)/coach ui

test: setup browser-deps
	$(BIN)/python -m pytest

# Debian's Chromium for the browser test (Playwright drives it through executable_path), strace
# for the test that proves no call leaves the machine, espeak-ng to speak the voice tests' answers.
browser-deps:
	@command -v chromium >/dev/null 2>&1 && command -v strace >/dev/null 2>&1 && command -v espeak-ng >/dev/null 2>&1 || { \
	  echo "installing chromium, strace and espeak-ng for the browser, network and voice tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium strace espeak-ng >/dev/null) \
	  || echo "chromium, strace or espeak-ng could not be installed: the tests that need them will be skipped"; }

bench: setup
	$(BIN)/python -m bench.run

bench-smoke: setup
	$(BIN)/python -m bench.run --smoke

clean-index:
	rm -rf index/gen-* index/CURRENT
