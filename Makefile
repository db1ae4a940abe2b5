# The commands the README names. `make run` and `make test` set everything up themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SITE = $(shell $(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export FLASK_APP := run
LOCALES := kk ru ky

.PHONY: chromium run test test-sqlite test-postgres install translations compile-translations check-translations lint bench demo clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed compile-translations chromium

## Debian's chromium for the browser tests (tests/browser; never `playwright install`).
## Installs only when missing and when run as root (CI); otherwise the browser tests skip.
chromium:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq && apt-get install -y -qq chromium) || \
	  echo "chromium could not be installed: the browser tests will skip"

compile-translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d app/translations -f > /dev/null

## Start the product with demo data on http://$(HOST):$(PORT) (SQLite unless DATABASE_URL is set)
HOST ?= 127.0.0.1
PORT ?= 5000
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask kundelik roles sync > /dev/null
	$(BIN)/flask kundelik demo --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## The whole suite on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set
test: install
	@echo "== SQLite"
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider tests
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
	  $(BIN)/python -m pytest -q -p no:cacheprovider tests; \
	else \
	  echo "== TEST_DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

check-translations:
	$(BIN)/python tools/check_translations.py

## Extract, update and compile the kk, ru, ky catalogues (ours + Flask-AppBuilder's + WTForms')
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k N_ -k ngettext:1,2 --sort-by-file \
	  --project Kundelik --copyright-holder "Kundelik contributors" \
	  -o app/translations/messages.pot app $(SITE)/flask_appbuilder $(SITE)/wtforms $(SITE)/flask_wtf
	@sed -i 's|$(SITE)/|site-packages/|g' app/translations/messages.pot
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d app/translations -f
	$(BIN)/python tools/check_translations.py

## ruff (with its security rules) on everything, mypy on app/services and app/security
lint: $(VENV)/.installed
	$(BIN)/ruff check app tests tools bench
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench

demo: install
	$(BIN)/flask db upgrade
	$(BIN)/flask kundelik roles sync > /dev/null
	$(BIN)/flask kundelik demo

clean-db:
	rm -f instance/kundelik.db
