# Two commands: `make run` (demo on SQLite, tasks in-process) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench loadtest worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	@echo "Caseworker is at http://127.0.0.1:$(PORT)/ — log in with one of the demo logins above."
	DEBUG=$${DEBUG:-true} TWO_FACTOR_REQUIRED=$${TWO_FACTOR_REQUIRED:-false} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: $(VENV)/.runtime
	$(BIN)/celery -A caseworker worker -Q celery,reports --loglevel INFO

beat: $(VENV)/.runtime
	$(BIN)/celery -A caseworker beat --loglevel INFO

bench: $(VENV)/.dev
	$(BIN)/python bench/run_all.py

.venv-load/bin/locust: bench/requirements-load.txt
	$(PYTHON) -m venv .venv-load
	.venv-load/bin/pip install --quiet -r bench/requirements-load.txt

# 25 staff for 120 s against gunicorn (production settings) on the bench database.
loadtest: $(VENV)/.dev .venv-load/bin/locust
	$(BIN)/python bench/loadtest.py

clean:
	rm -rf $(VENV) var/caseworker.sqlite3
