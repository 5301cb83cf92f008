# Isnad — common tasks. `make setup` once, then `make test` / `make run`.
PY ?= .venv/bin/python

.PHONY: setup test lint run bench
setup:
	python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	.venv/bin/pip install -q torch==2.13.0
	.venv/bin/pip install -q -e '.[test,bench,milvus]'

test:
	$(PY) -m pytest -q

lint:
	.venv/bin/ruff check assistant tests benchmarks app.py

run:
	$(PY) app.py

bench:
	$(PY) benchmarks/retrieval.py
	$(PY) benchmarks/answers.py
	$(PY) benchmarks/figures.py
