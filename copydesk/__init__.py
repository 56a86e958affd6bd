"""copydesk's Python entry point: one call checks a draft.

    import copydesk
    report = copydesk.check(open("draft.txt").read(), store="stores/news", as_of="2026-01-20")
    for r in report.claims:
        print(r.claim.text, r.verdict.label.value, r.verdict.confidence, [c.quote for c in r.verdict.citations])
    print(report.to_json()["schema"])   # "copydesk.report/1", the same JSON as the CLI and the HTTP API

`store` is a `retrieval.store.Store`, a store folder, a Chroma server URL (http://..., its token from
$COPYDESK_CHROMA_TOKEN), or None (only the officials roster decides claims). `as_of` is a date, a
"YYYY-MM-DD" string or None (today). Other keywords go to `claims.pipeline.check` unchanged (rosters,
llm, evidence, k, progress, sources_until_as_of). LangChain: `copydesk.langchain`.
"""
from __future__ import annotations

import os
from datetime import date
from typing import Any

from claims.models import ClaimResult, Label, Report
from retrieval.store import Store, StoreError, open_store

__all__ = ["check", "open_store", "Report", "ClaimResult", "Label", "Store", "StoreError"]

_OPENED: dict[str, Store] = {}


def _store(store: Store | str | os.PathLike | None) -> Store | None:
    if store is None or isinstance(store, Store):
        return store
    key = os.fspath(store)
    if key not in _OPENED:  # a path or URL is opened once per process
        _OPENED[key] = open_store(url=key) if key.startswith(("http://", "https://")) else open_store(key)
    return _OPENED[key]


def check(draft: str, *, store: Store | str | os.PathLike | None = None, as_of: date | str | None = None,
          **options: Any) -> Report:
    """Check a draft: every claim gets a verdict with verbatim citations, every inconsistency a flag."""
    from claims.pipeline import check as pipeline_check

    day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    return pipeline_check(draft, store=_store(store), as_of=day, **options)
