"""copydesk's Python entry point: one call checks a draft.

    import copydesk
    report = copydesk.check(open("draft.txt").read(), store="stores/news", as_of="2026-01-20")
    for r in report.claims:
        print(r.claim.text, r.verdict.label.value, r.verdict.confidence, [c.quote for c in r.verdict.citations])
    print(report.to_json()["schema"])   # "copydesk.report/1", the same JSON as the CLI and the HTTP API

`store` is a `retrieval.store.Store`, a store folder, a Chroma server URL (http://..., its token from
$COPYDESK_CHROMA_TOKEN), or None (only the officials roster decides claims). `as_of` is a date, a
"YYYY-MM-DD" string or None (today). Other keywords go to `claims.pipeline.check` unchanged (rosters,
llm, evidence, k, progress, sources_until_as_of). LangChain: `copydesk.langchain`. Many drafts on all cores: `copydesk.check_many`.
"""
from __future__ import annotations

import os
from datetime import date
from typing import Any

from claims.models import ClaimResult, Label, Report
from retrieval.store import Store, StoreError, open_store

__all__ = ["check", "check_many", "open_store", "Report", "ClaimResult", "Label", "Store", "StoreError"]

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


def _location(store: Store | str | os.PathLike | None) -> str | None:
    if store is None:
        return None
    if isinstance(store, Store):
        return store.location
    return os.fspath(store)


_WORKER: dict[str, Any] = {}


def _start_worker(location: str | None, as_of: date | None, options: dict[str, Any], threads: int,
                  runtime: Any = None) -> None:
    from dataclasses import replace

    from retrieval.embeddings import ModelRuntime, set_model_runtime

    os.environ.setdefault("COPYDESK_THREADS", str(threads))
    set_model_runtime(replace(runtime or ModelRuntime(), threads=threads))  # the cores shared out, not oversubscribed
    _WORKER.update(store=_store(location), as_of=as_of, options=options)


def _check_in_worker(draft: str) -> Report:
    return check(draft, store=_WORKER["store"], as_of=_WORKER["as_of"], **_WORKER["options"])


def check_many(drafts: Any, *, store: Store | str | os.PathLike | None = None, as_of: date | str | None = None,
               processes: int | None = None, **options: Any) -> list[Report]:
    """Check many drafts on all cores: one process per core (default), each with its own store client and
    models; the reports, in order, are the ones `check` gives one by one. With an `llm` client, or one process,
    the drafts are checked here, one after another. Processes are spawned: call it under
    `if __name__ == "__main__":` in a script."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from retrieval.embeddings import model_runtime

    drafts = list(drafts)
    day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    workers = min(processes or os.cpu_count() or 1, len(drafts))
    if workers <= 1 or options.get("llm") is not None or options.get("progress") is not None:
        return [check(d, store=store, as_of=day, **options) for d in drafts]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker,
                             initargs=(_location(store), day, options, max(1, (os.cpu_count() or 1) // workers),
                                       model_runtime())) as pool:
        return list(pool.map(_check_in_worker, drafts))
