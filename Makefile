# e-helse book. Two commands: `make book` builds the HTML book, `make test` runs every test.
# Both create .venv/ from requirements.txt when it is missing or out of date.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test execute bench replicate clean sync data screenshots mutate

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Execute chapters whose inputs (chapter text, lib/, data/, settings, microdata files) changed, then
# build the HTML into a temporary folder: _build/html is replaced only when the whole build succeeded.
book: $(STAMP)
	$(BIN)/python -m ehelse.build execute
	$(BIN)/python -m ehelse.build html

test: $(STAMP)
	@tools/ensure-chromium
	@tools/ensure-r
	$(BIN)/python -m pytest -p no:cacheprovider tests --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

# Regenerate the .ipynb of every chapter from its .md (outputs are kept), then execute stale ones.
sync: $(STAMP)
	$(BIN)/python -m ehelse.build sync

execute: $(STAMP)
	$(BIN)/python -m ehelse.build execute

data: $(STAMP)
	$(BIN)/python data/population/build_margins.py
	$(BIN)/python -m ehelse.microdata write

bench: $(STAMP)
	$(BIN)/python bench/bench_stats.py
	$(BIN)/python bench/simulate_coverage.py
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_microdata.py

replicate: $(STAMP)
	$(BIN)/python -m ehelse.replicate

# Screenshots of every page in headless Chromium (for reviewers), into _build/screenshots/.
screenshots: book
	@tools/ensure-chromium
	$(BIN)/python tools/screenshots.py

# Mutation testing of lib/ehelse/ against the library tests (mutmut 3, pinned in tools/requirements-mutate.txt).
# Not part of `make test`: it is slow. Incremental: a rerun only retests changed functions.
# Low priority on a shared machine; MUTATE_ARGS=--fresh forgets earlier results, --summary only reports.
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet -r tools/requirements-mutate.txt
	nice -n 10 $(BIN)/python tools/mutate.py $(MUTATE_ARGS)

clean:
	rm -rf _build
