# PCN Admin. `make run` and `make test` are all a newcomer needs (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: static run test lint fmt bench loadtest worker beat check-migrations venv migrate seed \
	clean serve check-deploy

# With nothing set the settings are production's (DEBUG off, a SECRET_KEY required). The demo
# and developer targets turn DEBUG on unless the environment says otherwise; `make serve` and
# `make check-deploy` run with it off; `make worker` and `make beat`, which production runs
# too, follow the environment. (The tests set DEBUG themselves: pyproject.toml.)
run seed migrate check-migrations bench loadtest: export DEBUG ?= true

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

static:
	./scripts/build_static.sh

run: seed static
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The suite in parallel: one pytest-xdist worker per core (TEST_WORKERS=0 for one process);
# the browser tests, and the broker tests, each run together in one worker (tests/conftest.py).
# A single file runs as before: `.venv/bin/pytest tests/x/test_y.py`.
TEST_WORKERS ?= auto
test: venv
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -m "not broker" \
		--ignore=tests/referrals/test_migrations.py
	# Each in one process after the parallel run: the migration tests restore a serialised
	# database, and the broker tests start a real Celery worker on the test database's name.
	$(BIN)/pytest tests/referrals/test_migrations.py
	$(BIN)/pytest -m broker
	$(BIN)/ruff check .
	$(BIN)/lint-imports

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

# Every figure at one year and at ten years, beside its goal (bench/run.py). The ten-year
# history is built once into pcn_admin_bench10 (about 10 minutes) and kept: BENCH_REBUILD=1
# builds it again, BENCH_SCALES=1 skips it, BENCH_ONLY=dashboards runs the benches named,
# BENCH_LOAD=1 ends with the month-end load test.
bench: venv
	$(BIN)/python bench/run.py

# Month end: gunicorn on 127.0.0.1 and 220 simulated users for LOAD_SECONDS (default 300).
loadtest: venv
	$(BIN)/python bench/month_end.py

worker: venv
	$(BIN)/celery -A pcn_admin worker --loglevel=INFO

beat: venv
	$(BIN)/celery -A pcn_admin beat --loglevel=INFO

# Production on this machine: hashed, compressed static files, migrations, then gunicorn.
# Needs SECRET_KEY and DATABASE_URL from the environment (README "Production").
serve: export DEBUG = false
serve: venv static
	@test -n "$$DATABASE_URL" || { echo "make serve needs DATABASE_URL (README: Production)" >&2; exit 1; }
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn pcn_admin.wsgi --bind 127.0.0.1:8000 --workers $${WEB_CONCURRENCY:-2} \
		--access-logfile -

# Django's production checklist against the settings the environment gives, warnings failing;
# then the static files collected as production has them (hashed names), which fails on a file
# that refers to one that is missing.
check-deploy: export DEBUG = false
check-deploy: venv
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles static/vendor node_modules
