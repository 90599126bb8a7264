# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## run: install, migrate, seed demo data, serve http://127.0.0.1:8000 with a Celery worker and beat
run: seed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile.dev start

## test: install the test tools and run the suite (SQLite unless DATABASE_URL is set)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var db.sqlite3

# Benchmarks (bench/README.md). Results table: var/bench-results.json and .md.
.PHONY: bench bench-smoke

## bench: every benchmark on PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench; takes minutes)
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

## bench-smoke: each benchmark with tiny sizes on a temporary SQLite file; proves they run (CI, under 2 minutes)
bench-smoke: $(VENV)/.installed
	$(BIN)/python bench/run.py --smoke
