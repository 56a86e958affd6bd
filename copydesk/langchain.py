"""LangChain integration: the store as a retriever, `check` as a tool an agent can call.

    from copydesk.langchain import CopydeskRetriever, check_tool
    retriever = CopydeskRetriever(store=open_store("stores/news"), k=4)      # a BaseRetriever
    chain = {"context": retriever | format_docs, "question": RunnablePassthrough()} | prompt | llm
    agent = create_agent(llm, tools=[check_tool(store, as_of=date(2026, 1, 20))])

Retrieved documents carry the passage's source, offsets, title, date, url and score in `metadata`, so a
chain can cite them. The tool answers JSON: one entry per claim with its verdict, confidence, the quoted
evidence and its source, and the flags.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import StructuredTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class CopydeskRetriever(BaseRetriever):
    """copydesk's hybrid search (dense + BM25) over a store, as a LangChain retriever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    k: int = 5
    as_of: date | None = None  # only documents dated on or before
    mode: str = "hybrid"  # "hybrid", "dense" or "keyword"
    _searcher: Any = PrivateAttr(default=None)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        from retrieval.search import Searcher

        if self._searcher is None:
            self._searcher = Searcher(self.store)
        passages = self._searcher.search(query, k=self.k, as_of=self.as_of, mode=self.mode)
        return [Document(id=p.id, page_content=p.text,
                         metadata={k: v for k, v in {"source": p.source, "start": p.start, "end": p.end,
                                                     "title": p.title, "date": p.date.isoformat() if p.date else None,
                                                     "url": p.url, "score": p.score}.items() if v is not None})
                for p in passages]


class _CheckArgs(BaseModel):
    text: str = Field(description="the draft or passage to fact-check")
    as_of: str | None = Field(None, description="the draft's date, YYYY-MM-DD")


def report_summary(report: Any) -> list[dict[str, Any]]:
    """What an LLM needs from a report: claim, verdict, confidence, evidence quote and source, flags."""
    out = []
    for r in report.claims:
        entry: dict[str, Any] = {"claim": r.claim.text, "verdict": r.verdict.label.value,
                                 "confidence": round(r.verdict.confidence, 2)}
        if r.verdict.citations:
            entry["evidence"] = r.verdict.citations[0].quote
            entry["source"] = r.verdict.citations[0].source
        if r.flags:
            entry["flags"] = [f"{f.kind}: {f.suggestion}" if f.suggestion else f.kind for f in r.flags]
        out.append(entry)
    return out


def check_tool(store: Any = None, *, as_of: date | None = None, llm: Any = None, name: str = "check_draft") -> StructuredTool:
    """`copydesk.check` as a LangChain tool over this store (as_of: the default date when the call gives none)."""
    import copydesk

    default_day = as_of

    def check_draft(text: str, as_of: str | None = None) -> str:
        day = date.fromisoformat(as_of) if as_of else default_day
        report = copydesk.check(text, store=store, as_of=day, llm=llm)
        return json.dumps({"claims": report_summary(report), "draft_flags": [f.kind for f in report.flags]},
                          ensure_ascii=False)

    return StructuredTool.from_function(
        func=check_draft, name=name, args_schema=_CheckArgs,
        description="Fact-check a news draft against the newsroom's own corpus: every number, date and named "
                    "official gets supported / contradicted / not_enough_evidence with the quoted evidence.")
