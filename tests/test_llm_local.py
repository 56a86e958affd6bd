"""Integration against the REAL local model (llama.cpp server + the packaged Qwen2.5-Coder-1.5B GGUF).

Slow (minutes on 2 cores): run with `pytest -m slow tests/test_llm_local.py`. Skipped only where
llama-cpp-python is not installed or the model file is missing (scripts/install_local_llm.sh installs both).
"""
from __future__ import annotations

from datetime import date

import pytest

from claims.llm import LLMClient, LLMConfig
from claims.llm_extract import LLMExtractor
from claims.llm_judge import LLMJudge
from claims.llm_local import MODEL_ALIAS, LocalServer, is_model_ready, llama_cpp_available, model_path
from claims.models import Label
from retrieval.types import Passage

pytestmark = pytest.mark.slow

AS_OF = date(2026, 11, 24)
EVIDENCE = ("Transport office bulletin, July 2024. The Lunden tram line cost 180 million euros to build. "
            "The line opened in June 2024 and carries 30,000 riders a day.")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    if not llama_cpp_available():
        pytest.skip("llama-cpp-python is not installed (scripts/install_local_llm.sh)")
    if not is_model_ready():
        pytest.skip(f"local model file missing at {model_path()} (scripts/install_local_llm.sh)")
    with LocalServer() as server:
        config = LLMConfig(backend="local", base_url=server.base_url, model=MODEL_ALIAS, timeout_s=600,
                           repeat_penalty=1.0, max_tokens=768, cache_dir=tmp_path_factory.mktemp("llm-cache"))
        yield LLMClient(config)


def test_extracts_checked_claims_from_a_paragraph(client):
    text = "The Lunden tram line cost 180 million euros, Transport Director Ines Moll said in June 2024."
    claims = LLMExtractor(client).extract(text, AS_OF)
    assert claims, "the model found no claim"
    for claim in claims:
        assert text[claim.start:claim.end] == claim.text
    quantities = [c for c in claims if c.kind == "quantity"]
    assert any(c.quantity.value == 1.8e8 for c in quantities)
    assert client.schema_mode == "json_object"  # llama.cpp refuses json_schema; the schema goes with json_object


@pytest.mark.parametrize("statement, expected", [
    ("The Lunden tram line cost 180 million euros.", Label.supported),
    ("The Lunden tram line cost 450 million euros.", Label.contradicted),
])
def test_judges_a_supported_and_a_contradicted_pair(client, statement, expected):
    passage = Passage(id="p1", source="bulletin.txt", text=EVIDENCE, start=0, end=len(EVIDENCE))
    verdict = LLMJudge(client).judge(statement, [passage], AS_OF)
    assert verdict.label is expected, verdict.rationale
    citation = verdict.citations[0]
    assert EVIDENCE[citation.start:citation.end] == citation.quote
    assert client.usage.prompt_tokens > 0 and client.usage.estimated_cost_usd == 0.0
