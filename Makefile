# careerpath developer commands. `make help` lists them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test lint fmt migrate train evaluate bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install careerpath with its test tools

run: $(STAMP) ## start everything (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set)
	$(VENV)/bin/careerpath run

test: $(STAMP) ## run the whole test suite (unit, integration, end-to-end)
	@bash tools/ensure_chromium.sh
	@bash tools/ensure_kubectl.sh
	@bash tools/ensure_node.sh
	$(VENV)/bin/python -m pytest

lint: $(STAMP) ## ruff and mypy
	$(VENV)/bin/ruff check services shared tools tests
	$(VENV)/bin/mypy services shared tools --strict --ignore-missing-imports

fmt: $(STAMP) ## format the code
	$(VENV)/bin/ruff format services shared tools tests

migrate: $(STAMP) ## apply database migrations to DATABASE_URL
	$(VENV)/bin/careerpath migrate

train: $(STAMP) ## train the role-fit model
	$(VENV)/bin/careerpath train

evaluate: $(STAMP) ## evaluate the role-fit model against baselines
	$(VENV)/bin/careerpath evaluate

bench: $(STAMP) ## benchmark the main endpoints (starts the system)
	$(VENV)/bin/careerpath bench

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) .data
