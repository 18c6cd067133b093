# PCN Admin. `make run` and `make test` are all a newcomer needs (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: static run test lint fmt bench worker beat check-migrations venv migrate seed clean

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

test: venv
	$(BIN)/pytest
	$(BIN)/ruff check .

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: venv
	$(BIN)/python bench/run.py

worker: venv
	$(BIN)/celery -A pcn_admin worker --loglevel=INFO

beat: venv
	$(BIN)/celery -A pcn_admin beat --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles static/vendor node_modules
