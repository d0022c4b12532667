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

# `make run` behaves like production where users can see it: DEBUG off (the app's own
# 403/404/500 pages), static files hashed by collectstatic and served by WhiteNoise.
# `DEBUG=true make run` brings Django's debug pages back. Plain http on 127.0.0.1, so
# cookies are not marked Secure; a random SECRET_KEY is made once and kept in var/.
# DEMO=true: demo encryption keys in var/, and no second factor (a banner says so).
RUN_ENV = DEBUG=$${DEBUG:-false} DEMO=true TWO_FACTOR_REQUIRED=$${TWO_FACTOR_REQUIRED:-false} SECRET_KEY=$${SECRET_KEY:-$$(cat var/demo-secret-key)} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SECURE_COOKIES=$${SECURE_COOKIES:-false} \
	EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend} \
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}

var/demo-secret-key: | $(BIN)/python
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# Hashing and compressing (Swagger UI is large) takes minutes on a busy machine: only
# when a static file changed.
var/static/staticfiles.json: $(VENV)/.runtime var/demo-secret-key $(shell find static -type f)
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: $(VENV)/.runtime var/demo-secret-key var/static/staticfiles.json
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo "Caseworker is at http://127.0.0.1:$(PORT)/ — log in with one of the demo logins above."
	$(RUN_ENV) $(BIN)/python manage.py runserver --nostatic 127.0.0.1:$(PORT)

# axe-core for the accessibility walk (tests/browser/test_axe.py); skipped without npm.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	-npm ci --no-audit --no-fund

test: $(VENV)/.dev node_modules/axe-core/axe.min.js
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
	rm -rf $(VENV) var/caseworker.sqlite3 var/static var/demo-secret-key
