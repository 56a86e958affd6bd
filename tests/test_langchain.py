"""The LangChain integration in real LangChain runnables against the stub OpenAI-compatible server:
the store as a retriever in a RAG chain, and `check` as a tool in an agent (create_agent)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_openai import ChatOpenAI

from copydesk.langchain import CopydeskRetriever, check_tool
from retrieval.loaders import load_paths
from retrieval.store import open_store
from tests.llm_stub_server import StubLLMServer

DEMO = Path(__file__).resolve().parents[1] / "app" / "demo"
DRAFT = (DEMO / "draft.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("lcstore"))
    s.ingest(load_paths([DEMO / "corpus"]))
    return s


def chat(stub: StubLLMServer) -> ChatOpenAI:
    return ChatOpenAI(base_url=stub.base_url, api_key="stub-key", model="stub-model", max_retries=0, timeout=30)


def test_the_retriever_returns_passages_with_their_sources(store):
    docs = CopydeskRetriever(store=store, k=3).invoke("how many U.S. troops are stationed in South Korea")
    assert 1 <= len(docs) <= 3
    top = docs[0]
    assert top.metadata["source"] == "usfk-cost-sharing.md" and "28,500" in top.page_content
    assert store.document_text(top.metadata["source"])[top.metadata["start"]:top.metadata["end"]] == top.page_content


def test_a_rag_chain_sends_the_retrieved_passages_to_the_llm(store):
    retriever = CopydeskRetriever(store=store, k=2)
    prompt = ChatPromptTemplate.from_messages([
        ("system", "Answer from the context only.\n\nContext:\n{context}"), ("human", "{question}")])

    def format_docs(docs):
        return "\n\n".join(f"[{d.metadata['source']}] {d.page_content}" for d in docs)

    with StubLLMServer("About 28,500 U.S. troops [usfk-cost-sharing.md].") as stub:
        chain = {"context": retriever | format_docs, "question": RunnablePassthrough()} | prompt | chat(stub) | StrOutputParser()
        answer = chain.invoke("How many U.S. troops are stationed in South Korea?")
        assert answer == "About 28,500 U.S. troops [usfk-cost-sharing.md]."
        [request] = stub.completions
        system = request["messages"][0]["content"]
        assert "[usfk-cost-sharing.md]" in system and "28,500" in system


def test_an_agent_calls_the_check_tool_and_reads_its_verdicts(store):
    from langchain.agents import create_agent

    seen_tool_output: list[str] = []

    def reply(request):
        tool_messages = [m for m in request["messages"] if m.get("role") == "tool"]
        if not tool_messages:  # first turn: ask for the tool with the draft
            return json.dumps({"text": DRAFT, "as_of": "2026-01-20"})
        stub.quirks.discard("tool_call")
        output = json.loads(tool_messages[-1]["content"])
        seen_tool_output.append(tool_messages[-1]["content"])
        wrong = [c["claim"] for c in output["claims"] if c["verdict"] == "contradicted"]
        return "Contradicted: " + "; ".join(wrong)

    with StubLLMServer(reply, quirks={"tool_call"}) as stub:
        tool = check_tool(store, as_of=date(2026, 1, 20))
        agent = create_agent(chat(stub), tools=[tool], system_prompt="Fact-check drafts with the check_draft tool.")
        result = agent.invoke({"messages": [{"role": "user", "content": "Check this draft:\n" + DRAFT}]})
        final = result["messages"][-1].content
        assert len(stub.completions) == 2
        assert stub.completions[0]["tools"][0]["function"]["name"] == "check_draft"
    assert "about 60 billion yen" in final and final.startswith("Contradicted:")
    output = json.loads(seen_tool_output[0])
    yen = next(c for c in output["claims"] if c["claim"] == "about 60 billion yen")
    assert yen["verdict"] == "contradicted" and yen["evidence"] and yen["source"].endswith(".md")
    takeda = next(c for c in output["claims"] if "Takeda" in c["claim"])
    assert "misnamed_official: Sanae Takaichi" in takeda["flags"]
