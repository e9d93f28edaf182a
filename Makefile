# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Two workers (pytest-xdist) take whole test modules; the slowest tests are listed after
# every run (CI keeps the whole run under 30 minutes).
PYTEST_ARGS ?= -n 2 --dist loadfile --durations=20
export FLASK_APP := wsgi

.PHONY: run test lint translations bench chaos clean css

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/flask upgrade-db
	$(BIN)/flask seed-demo --if-empty
	PORT=$(PORT) $(BIN)/python wsgi.py

test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Release step: Bootstrap without the rules no template or script uses, committed in
# static/vendor/bootstrap/bootstrap.purged.min.css (pinned PurgeCSS, tools/npm).
css:
	scripts/npm-tools.sh
	.cache/npm-tools/node_modules/.bin/purgecss --config tools/npm/purgecss.config.cjs

lint: $(VENV)/.dev
	$(BIN)/ruff check .

translations: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations

bench: $(VENV)/.dev
	test -d bench/node_modules/socket.io || npm ci --prefix bench --no-audit --no-fund
	$(BIN)/python -m bench $(BENCH_ARGS)

# Faults survived, with figures (docs/reliability.md): its own PostgreSQL, Redis, two web
# processes and the scheduler; kills and cuts them one at a time. Needs root (initdb as
# the postgres user, a tmpfs for uploads). CI: CHAOS_ARGS=--quick.
chaos: $(VENV)/.dev
	$(BIN)/python -m bench.chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
