# eBOK – the two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TEST_ENV := DJANGO_SETTINGS_MODULE=ebok.settings_test

.PHONY: run test install system-deps lint migrations-check pytest bench messages clean

# Two install stamps: `make run` needs only what the portal needs to run; `make test` (and the
# helpers) add the test and lint tools (the `dev` extra), which include the former.
$(VENV)/.installed-run: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-dev

# Run the portal on the embedded default: SQLite, tasks in-process, SMS/e-mail to console + DB.
run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# The whole suite against PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else localhost).
test: install system-deps lint migrations-check pytest

system-deps:
	@bash .ci/system-deps --check-or-install

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check:
	DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

pytest:
	$(TEST_ENV) $(VENV)/bin/pytest

# Query counts, page times and the 100 000-row Excel export on the `seed_demo --scale 1000`
# company, in its own database (ebok_bench). Prints a table; figures in bench/results.{json,md}.
bench: install
	$(PY) -m bench $(BENCH_ARGS)

messages:
	$(PY) manage.py makemessages -l en --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*" --ignore "var/*" --no-obsolete
	$(PY) manage.py compilemessages -l en --ignore ".venv/*"

clean:
	rm -rf var db.sqlite3 .pytest_cache .ruff_cache
