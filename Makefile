# kepatuhan: run `make help` for the list of goals.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

## help: list the goals
.PHONY: help
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  make /'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

## install: create .venv/ and install the project into it (.venv/bin/kepatuhan is the CLI)
.PHONY: install
install: $(STAMP)

## demo-data: generate the synthetic national example exports into data/synthetic/
.PHONY: demo-data
demo-data: $(STAMP)
	$(BIN)/kepatuhan demo-data

## reports: build every report from the bundled data into reports/
.PHONY: reports
reports: $(STAMP)
	$(BIN)/kepatuhan demo-data --if-missing
	$(BIN)/kepatuhan ingest
	$(BIN)/kepatuhan build

## translations: extract the report messages (babel.cfg), update the English catalogue, compile it
.PHONY: translations
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ --no-location --sort-output --project kepatuhan \
		-o kepatuhan_lib/locale/kepatuhan.pot .
	$(BIN)/pybabel update -D kepatuhan -i kepatuhan_lib/locale/kepatuhan.pot -d kepatuhan_lib/locale \
		--no-fuzzy-matching --ignore-obsolete --width 120
	$(BIN)/pybabel compile -D kepatuhan -d kepatuhan_lib/locale --statistics

## test: run the test suite
.PHONY: test
test: $(STAMP)
	$(BIN)/python -m pytest -q

## bench: run the speed benchmarks (prints ratios against a baseline measured in the same run)
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_build.py

## lab: open the notebooks in JupyterLab
.PHONY: lab
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## clean: remove built reports and processed data (never data/raw/)
.PHONY: clean
clean:
	rm -rf reports/ data/synthetic/
	find data/processed -type f ! -name .gitkeep -delete
