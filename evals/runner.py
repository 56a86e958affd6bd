"""`copydesk eval`: run an eval set through the pipeline and write predictions, metrics, a summary and plots.

    result = run_eval("evals/sets/planted.jsonl", out_dir="out/eval/planted")
    result.metrics["documents"]["extraction"]["all"]["f1"]

Claim items go through `check_claim` (their evidence, or the store when they have none); document
items get a temporary store built from their corpus and go through `check`. The checkers are
parameters so tests can pass fakes; by default they are `claims.pipeline.check` / `check_claim`.

`workers` > 1 spreads the items over that many spawned processes (each with its own store client, models
and temporary corpus stores, the cores shared out between their ONNX runtimes); the records, in the set's
order, are the ones one process gives. With an LLM client, or a store on a Chroma server, items run here.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.formats import (ClaimItem, DocumentItem, EvalSetError, Item, corpus_documents, document_text,
                           expected_span, load_set, sample_items)
from evals.metrics import citation_precision, citation_validity, compute_metrics, headline

ROSTER_SOURCE_PREFIX = "roster:"
USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "llm_calls", "cached_calls", "estimated_cost_usd")


@dataclass
class Checkers:
    """The functions the runner calls; defaults are the real pipeline and store."""

    check: Callable[..., Any]
    check_claim: Callable[..., Any]
    open_store: Callable[[str], Any]

    @classmethod
    def default(cls) -> "Checkers":
        from claims.pipeline import check, check_claim
        from retrieval.store import open_store

        return cls(check=check, check_claim=check_claim, open_store=open_store)


@dataclass
class EvalResult:
    set_path: Path
    records: list[dict[str, Any]]
    metrics: dict[str, Any]
    out_dir: Path | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def headline(self) -> dict[str, Any]:
        return headline(self.metrics)

    @property
    def summary_markdown(self) -> str:
        return summary_markdown(self.metrics)


def run_eval(set_path: str | Path, *, store: Any = None, out_dir: str | Path | None = None,
             limit: int | None = None, seed: int = 0, llm: Any = None, progress: bool = True,
             shared_dir: str | Path | None = None, checkers: Checkers | None = None,
             items: list[Item] | None = None, workers: int = 1) -> EvalResult:
    """Score a set. `store` is an opened Store or a store folder (used by claim items without evidence).

    `items` may be given instead of reading `set_path` (already loaded or converted items). `workers`: processes
    to check items in (1: this process; more need picklable checkers, i.e. module-level functions).
    Raises EvalSetError for a malformed set or a claim item that has neither evidence nor a store.
    """
    from tqdm import tqdm

    set_path = Path(set_path)
    chosen = sample_items(items if items is not None else load_set(set_path), limit, seed)
    checkers = checkers or Checkers.default()
    shared = Path(shared_dir) if shared_dir else None
    if store is not None and isinstance(store, (str, Path)):
        store = checkers.open_store(str(store))
    missing = [i.id for i in chosen if isinstance(i, ClaimItem) and not i.evidence and store is None]
    if missing:
        raise EvalSetError(f"{set_path}: item {missing[0]} has no evidence; pass a store (--store DIR)")
    records = []
    workers = min(max(1, workers), len(chosen))
    location = getattr(store, "local_dir", None) and store.location  # an embedded store: workers open it too
    if llm is not None or (store is not None and not location):
        workers = 1
    with tempfile.TemporaryDirectory(prefix="copydesk-eval-", ignore_cleanup_errors=True) as workdir:
        bar = tqdm(total=len(chosen), desc=f"eval {set_path.name}", unit="item", disable=not progress)
        if workers > 1:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            from retrieval.embeddings import model_runtime

            threads = max(1, (os.cpu_count() or 1) // workers)
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker,
                                     initargs=(workdir, location, checkers, shared, model_runtime(), threads)) as pool:
                for record in pool.map(_run_in_worker, chosen):
                    records.append(record)
                    bar.update(1)
        else:
            stores = _CorpusStores(Path(workdir), checkers.open_store)
            for item in chosen:
                records.append(_run_item(item, store, llm, checkers, shared, stores))
                bar.update(1)
        bar.close()
    metrics = compute_metrics(records)
    metrics["set"] = str(set_path)
    metrics["limit"], metrics["seed"] = limit, seed
    metrics["n_errors"] = sum(1 for r in records if r.get("error"))
    result = EvalResult(set_path=set_path, records=records, metrics=metrics)
    if out_dir is not None:
        result.out_dir = Path(out_dir)
        result.files = write_outputs(result, result.out_dir)
    return result


def _run_item(item: Item, store: Any, llm: Any, checkers: Checkers, shared: Path | None,
              stores: "_CorpusStores") -> dict[str, Any]:
    if isinstance(item, ClaimItem):
        return _run_claim(item, store, llm, checkers)
    return _run_document(item, llm, checkers, shared, stores)


_WORKER: dict[str, Any] = {}


def _start_worker(workdir: str, location: str | None, checkers: Checkers, shared: Path | None, runtime: Any,
                  threads: int) -> None:
    """A worker process: the parent's model runtime with its share of the cores, the store opened once."""
    from dataclasses import replace

    from retrieval.embeddings import set_model_runtime

    set_model_runtime(replace(runtime, threads=threads))
    own = Path(workdir) / f"worker-{os.getpid()}"
    own.mkdir(parents=True, exist_ok=True)
    _WORKER.update(store=checkers.open_store(location) if location else None, checkers=checkers, shared=shared,
                   stores=_CorpusStores(own, checkers.open_store))


def _run_in_worker(item: Item) -> dict[str, Any]:
    w = _WORKER
    return _run_item(item, w["store"], None, w["checkers"], w["shared"], w["stores"])


def _usage_of(llm: Any) -> dict[str, Any]:
    usage = getattr(llm, "usage", None)
    if usage is None:
        return {}
    return {name: getattr(usage, name, 0) for name in USAGE_FIELDS}


def _usage_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {name: after.get(name, 0) - before.get(name, 0) for name in after}


def _citations(verdict: Any) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json", exclude_none=True) for c in verdict.citations]


def _run_claim(item: ClaimItem, store: Any, llm: Any, checkers: Checkers) -> dict[str, Any]:
    started = time.perf_counter()
    before = _usage_of(llm)
    record: dict[str, Any] = {"id": item.id, "type": "claim", "label": item.label.value}
    try:
        result = checkers.check_claim(item.claim, evidence=item.evidence or None,
                                      store=None if item.evidence else store, as_of=item.as_of, llm=llm)
    except Exception as exc:  # an item that crashes the checker is scored as undecided, and counted
        record.update(verdict="not_enough_evidence", confidence=0.0, citations=[], error=f"{type(exc).__name__}: {exc}")
        return _finish(record, started, before, llm)
    verdict = result.verdict
    citations = _citations(verdict)
    record.update(verdict=verdict.label.value, confidence=round(float(verdict.confidence), 4),
                  citations=citations, method=verdict.method, tier=verdict.tier)
    if item.evidence:
        sources = {f"evidence[{i}]": text for i, text in enumerate(item.evidence)}
    else:
        record["retrieved"] = [{"source": r.get("source"), "text": r.get("text"), "score": r.get("score")}
                               for r in result.retrieved]
        sources = {c["source"]: store.document_text(c["source"]) or "" for c in citations}
    record["citations_valid"], record["citations_n"] = citation_validity(citations, sources)
    if item.gold_evidence is not None:
        gold = {f"evidence[{i}]" for i in item.gold_evidence}
        record["citations_gold"], _ = citation_precision(citations, gold)
    return _finish(record, started, before, llm)


class _CorpusStores:
    """Temporary stores for document items: one per inline corpus, one shared per corpus folder."""

    def __init__(self, workdir: Path, open_store: Callable[[str], Any]) -> None:
        self.workdir, self.open_store = workdir, open_store
        self.by_folder: dict[str, Any] = {}
        self.opened = 0

    def get(self, item: DocumentItem, docs: list) -> Any:
        if not docs:
            return None
        folder = item.corpus if isinstance(item.corpus, str) else None
        if folder is not None and folder in self.by_folder:
            return self.by_folder[folder]
        self.opened += 1
        store = self.open_store(str(self.workdir / f"store-{self.opened}"))
        store.ingest(docs)
        if folder is not None:
            self.by_folder[folder] = store
        return store


def _run_document(item: DocumentItem, llm: Any, checkers: Checkers, shared_dir: Path | None,
                  stores: _CorpusStores) -> dict[str, Any]:
    started = time.perf_counter()
    before = _usage_of(llm)
    text = document_text(item, shared_dir)
    docs = corpus_documents(item)
    expected = []
    for entry in item.expected:
        start, end = expected_span(text, entry, item.id)
        expected.append({"quote": entry.quote, "start": start, "end": end, "kind": entry.kind,
                         "verdict": entry.verdict.value if entry.verdict else None, "flags": list(entry.flags),
                         **({"category": entry.category} if entry.category else {}),
                         **({} if entry.checkworthy else {"checkworthy": False})})
    record: dict[str, Any] = {"id": item.id, "type": "document", "expected": expected}
    try:
        store = stores.get(item, docs)
        report = checkers.check(text, store=store, as_of=item.as_of, roster_rows=item.roster or None, llm=llm)
    except Exception as exc:  # scored as a document where nothing was found, and counted
        record.update(claims=[], flags=[], citations_valid=0, citations_n=0, error=f"{type(exc).__name__}: {exc}")
        return _finish(record, started, before, llm)
    claims = []
    all_citations = []
    for r in report.claims:
        citations = _citations(r.verdict)
        all_citations += citations
        claims.append({"id": r.claim.id, "text": r.claim.text, "start": r.claim.start, "end": r.claim.end,
                       "kind": r.claim.kind, "verdict": r.verdict.label.value,
                       "confidence": round(float(r.verdict.confidence), 4), "method": r.verdict.method,
                       "tier": r.verdict.tier, "flags": [f.kind for f in r.flags], "citations": citations})
    record["claims"] = claims
    record["flags"] = [{"kind": f.kind, "spans": [list(s) for s in f.spans], "message": f.message}
                       for f in report.flags]
    # roster citations quote the officials roster, not the corpus: counted, but not checked here
    corpus_citations = [c for c in all_citations if not c.get("source", "").startswith(ROSTER_SOURCE_PREFIX)]
    record["citations_roster"] = len(all_citations) - len(corpus_citations)
    record["citations_valid"], record["citations_n"] = citation_validity(corpus_citations,
                                                                         {d.source: d.text for d in docs})
    usage = report.usage.model_dump(mode="json") if getattr(report, "usage", None) is not None else {}
    return _finish(record, started, before, llm, usage=usage)


def _finish(record: dict[str, Any], started: float, before: dict[str, Any], llm: Any,
            usage: dict[str, Any] | None = None) -> dict[str, Any]:
    record["seconds"] = round(time.perf_counter() - started, 4)
    after = _usage_of(llm)
    # the client's usage is cumulative (and so is a report's copy of it): score the item's own share
    record["usage"] = _usage_delta(before, after) if after else (usage or {})
    return record


def write_outputs(result: EvalResult, out_dir: Path) -> list[Path]:
    """predictions.jsonl, metrics.json, summary.md and the PNG plots."""
    from evals.plots import write_plots

    out_dir.mkdir(parents=True, exist_ok=True)
    predictions = out_dir / "predictions.jsonl"
    with predictions.open("w", encoding="utf-8") as handle:
        for record in result.records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    metrics_path = out_dir / "metrics.json"
    metrics_path.write_text(json.dumps(result.metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    summary = out_dir / "summary.md"
    summary.write_text(summary_markdown(result.metrics), encoding="utf-8")
    return [predictions, metrics_path, summary, *write_plots(result.metrics, out_dir)]


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def summary_markdown(metrics: dict[str, Any]) -> str:
    """A readable report: headline numbers, then per-class, per-kind and per-flag tables with supports."""
    parts = [f"# Eval: {metrics.get('set', '')}\n",
             f"{metrics['n_items']} items ({metrics['n_claim_items']} claim, {metrics['n_document_items']} document),"
             f" {metrics.get('n_errors', 0)} errors, {metrics['seconds']} s.\n"]
    h = headline(metrics)
    parts.append(markdown_table(list(h), [list(h.values())]))
    claims = metrics.get("claims")
    if claims:
        parts.append(f"\n## Claim items (n={claims['n']}, ECE {_fmt(claims['ece'])})\n")
        parts.append(markdown_table(["class", "precision", "recall", "F1", "support", "predicted"],
                                    [[label, s["precision"], s["recall"], s["f1"], s["support"], s["n_pred"]]
                                     for label, s in claims["per_class"].items()]))
        labels = claims["confusion"]["labels"]
        parts.append("\nConfusion (rows gold, columns predicted):\n\n")
        parts.append(markdown_table(["gold \\ predicted", *labels],
                                    [[label, *row] for label, row in zip(labels, claims["confusion"]["matrix"])]))
    docs = metrics.get("documents")
    if docs:
        parts.append(f"\n## Document items (n={docs['n_documents']})\n\nExtraction by span overlap:\n\n")
        parts.append(markdown_table(["kind", "precision", "recall", "F1", "gold", "predicted"],
                                    [[k, s["precision"], s["recall"], s["f1"], s["n_gold"], s["n_pred"]]
                                     for k, s in docs["extraction"].items()]))
        v = docs["verdict"]
        parts.append(f"\nVerdict accuracy on found claims: {_fmt(v['accuracy'])} (n={v['n']}; "
                     f"{v['missed']} gold claims with a verdict not found); not-enough-evidence precision "
                     f"{_fmt(v.get('nee_precision'))} (n={v.get('nee_predicted')})\n")
        for tier, row in (v.get("decided") or {}).items():
            parts.append(f"Decided ({tier}s): {row['right']} of {row['n']} right on gold claims, precision "
                         f"{_fmt(row['precision'])}\n")
        if docs.get("categories"):
            parts.append("\nBy category (found: extraction recall; verdicts on the found ones):\n\n")
            parts.append(markdown_table(["category", "gold", "found", "recall", "with verdict", "right", "accuracy"],
                                        [[k, s["n_gold"], s["found"], s["recall"], s["verdict_n"], s["verdict_right"],
                                          s["verdict_accuracy"]] for k, s in docs["categories"].items()]))
        nc = docs.get("not_claims")
        if nc and nc["n"]:
            parts.append(f"\nNot claims (furniture, questions, opinions, predictions): {nc['n']}, reported as claims "
                         f"{nc['extracted']}, flagged {nc['flagged']}\n")
        parts.append("\nFlags:\n\n")
        parts.append(markdown_table(["flag", "precision", "recall", "gold", "predicted"],
                                    [[k, s["precision"], s["recall"], s["n_gold"], s["n_pred"]]
                                     for k, s in docs["flags"].items()]))
    c = metrics["citations"]
    parts.append(f"\nCitations: validity {_fmt(c['validity'])} (n={c['n']}; {c['roster_unchecked']} roster citations "
                 f"not checked), precision against gold evidence {_fmt(c['precision'])} "
                 f"(n={c['n_with_gold_evidence']}).\n")
    u = metrics["usage"]
    if u["llm_calls"] or u["tokens"]:
        parts.append(f"\nLLM: {u['llm_calls']} calls, {u['tokens']} tokens ({_fmt(u['tokens_per_item'])} per item), "
                     f"estimated ${u['estimated_cost_usd']}.\n")
    return "".join(parts)
