# Two commands for a newcomer: `make run` (serve with demo data) and `make test`.
# Each builds the virtual environment and the translations first when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)
export FLASK_APP := app:create_app
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: setup run test test-postgres messages clean

setup: $(STAMP) $(COMPILED)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=python3.x)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	$(BIN)/flask run --debug --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# The same suite against the PostgreSQL server (CI runs this after `make test`).
test-postgres: setup
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

# Re-extract the UI strings and merge them into every catalogue.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --project "CRM Readiness" -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete
	rm app/translations/messages.pot

clean:
	rm -rf $(VENV) $(COMPILED) .pytest_cache .ruff_cache
