"""The UI's only door to the backend: checking, the corpus store, evaluations and the LLM settings.

Pages call these functions and never import claims/retrieval/evals directly, so wiring changes in
one place and tests can replace a function with monkeypatch.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from claims.errors import CopydeskError
from claims.models import Report
from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEMO_DRAFT = REPO / "app" / "demo" / "draft.txt"
EVAL_SETS_DIR = REPO / "evals" / "sets"
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".jsonl")
DRAFT_SUFFIXES = ("txt", "md", "html", "htm")
MAX_DRAFT_UPLOAD_BYTES = 2_000_000
MAX_CORPUS_UPLOAD_BYTES = 20_000_000

Progress = Callable[[int, int, str], None]


class BackendUnavailable(CopydeskError):
    """A resource this page needs is missing (e.g. no eval set at the path given)."""


@dataclass(frozen=True)
class LLMSettings:
    """What the Settings page chose. The API key lives only in the session, never on disk."""

    backend: str = "none"  # "none", "local" or "openai-compatible"
    base_url: str = ""
    model: str = ""
    api_key: str = ""


def app_settings() -> Settings:
    """The app's settings: environment (COPYDESK_*, set by `copydesk ui`) > config file > defaults.
    Read on each call (cheap), so a page sees the environment it runs in; the process-wide parts are applied."""
    return Settings.load().apply()


def store_dir() -> str:
    return str(app_settings().store)


def chroma_url() -> str | None:
    return app_settings().chroma_url


def demo_mode() -> bool:
    return app_settings().demo


def review_db() -> Path:
    """The reviewers' database: COPYDESK_REVIEW_DB, else beside the store."""
    from app.review_store import default_review_db

    chosen = app_settings()
    return chosen.review_db or default_review_db(chosen.store)


def eval_out_dir() -> str | None:
    """Where the Evaluate page writes its runs (COPYDESK_EVAL_OUT; None: the system's temporary folder)."""
    chosen = app_settings().eval_out
    return str(chosen) if chosen else None


def _has_corpus() -> bool:
    """A store to check against: the Chroma server when COPYDESK_CHROMA_URL is set, else an existing store folder."""
    return bool(chroma_url()) or Path(store_dir()).exists()


def demo_draft() -> str:
    return DEMO_DRAFT.read_text(encoding="utf-8") if DEMO_DRAFT.is_file() else ""


_STORES: dict[str, Any] = {}


def open_corpus(path: str | None = None):
    """The retrieval store, opened once per process: the Chroma server at COPYDESK_CHROMA_URL when set (as in
    the CLI), else the folder at `path` (default COPYDESK_STORE)."""
    chosen = app_settings().retrieval
    key = chosen.chroma_url or str(Path(path or chosen.store_dir).expanduser().resolve())
    if key not in _STORES:
        _STORES[key] = chosen.open_store(key if not chosen.chroma_url else None)
    return _STORES[key]


def decode_draft_upload(data: bytes, name: str) -> str:
    """An uploaded draft as text, or a DraftError with a one-line message."""
    from claims.drafts import DraftError, decode_draft

    if len(data) > MAX_DRAFT_UPLOAD_BYTES:
        raise DraftError(f"{name} is {len(data) / 1e6:.1f} MB; uploaded drafts are limited to "
                         f"{MAX_DRAFT_UPLOAD_BYTES / 1e6:.0f} MB")
    return decode_draft(data, name)


def llm_client(settings: LLMSettings):
    """An LLM client for these settings, or None for the offline default."""
    if settings.backend == "none":
        return None
    from claims.llm import get_client

    return get_client(llm_config(settings))


def llm_config(settings: LLMSettings):
    """The claims.llm configuration: the environment's, with the page's choices on top."""
    chosen = {"backend": settings.backend, "base_url": settings.base_url, "model": settings.model,
              "api_key": settings.api_key}
    return app_settings().llm_config(**chosen)


def connection_test(settings: LLMSettings) -> dict[str, Any]:
    from claims.llm import connection_test as test

    return test(llm_config(settings))


def check_draft(draft: str, *, as_of: date, settings: LLMSettings = LLMSettings(),
                progress: Progress | None = None) -> Report:
    """Check the draft against the configured corpus (none when the store does not exist yet)."""
    from claims.pipeline import check

    store = open_corpus() if _has_corpus() else None
    return check(draft, store=store, as_of=as_of, llm=llm_client(settings), progress=progress)


def ingest_uploads(files: Iterable[tuple[str, bytes]], progress: Progress | None = None) -> Any:
    """Ingest uploaded (name, bytes) files into the store; returns the store's IngestStats."""
    from retrieval.loaders import LoadError, load_file

    files = list(files)
    with tempfile.TemporaryDirectory(prefix="copydesk-upload-") as tmp:
        docs = []
        for i, (name, data) in enumerate(files):
            if progress:
                progress(i, len(files), f"reading {name}")
            safe = Path(name).name
            if not safe.lower().endswith(UPLOAD_SUFFIXES):
                raise LoadError(f"{safe}: unsupported file type (use {', '.join(UPLOAD_SUFFIXES)})")
            if len(data) > MAX_CORPUS_UPLOAD_BYTES:
                raise LoadError(f"{safe} is {len(data) / 1e6:.1f} MB; uploads are limited to "
                                f"{MAX_CORPUS_UPLOAD_BYTES / 1e6:.0f} MB per file")
            path = Path(tmp) / safe
            path.write_bytes(data)
            docs += load_file(path, root=tmp)
        return _ingest(docs, progress)


def ingest_folder(folder: str, progress: Progress | None = None) -> Any:
    """Ingest every supported file under a folder on the server."""
    from retrieval.loaders import LoadError, load_paths

    path = Path(folder).expanduser()
    if not path.exists():
        raise LoadError(f"no such file or folder on the server: {path}")
    return _ingest(list(load_paths([path])), progress)


def _ingest(docs: list, progress: Progress | None) -> Any:
    store = open_corpus()
    total = len(docs)
    stats = None
    for i, doc in enumerate(docs):  # one at a time, so the page can show progress
        if progress:
            progress(i, total, f"ingesting {doc.source}")
        part = store.ingest([doc], progress=False)
        stats = part if stats is None else _merge_stats(stats, part)
    if progress:
        progress(total, total, "done")
    return stats


def _merge_stats(a: Any, b: Any) -> Any:
    if hasattr(a, "model_dump"):
        merged = {k: (v + getattr(b, k)) if isinstance(v, (int, float)) else v for k, v in a.model_dump().items()}
        return type(a)(**merged)
    if hasattr(a, "__dataclass_fields__"):
        from dataclasses import fields, replace

        return replace(a, **{f.name: getattr(a, f.name) + getattr(b, f.name) for f in fields(a)
                             if isinstance(getattr(a, f.name), (int, float))})
    return b


def eval_sets() -> list[Path]:
    return sorted(EVAL_SETS_DIR.glob("*.jsonl")) if EVAL_SETS_DIR.is_dir() else []


def run_eval(set_path: str | Path, *, out_dir: Path, limit: int | None, seed: int = 0,
             settings: LLMSettings = LLMSettings(), progress: Progress | None = None) -> dict[str, Any]:
    """Run an eval set in small batches (so the page can show progress); returns its metrics.

    Writes predictions, metrics, a summary and plots to out_dir, as `copydesk eval --out` does.
    """
    from evals.formats import load_set, sample_items
    from evals.metrics import compute_metrics
    from evals.runner import EvalResult, write_outputs
    from evals.runner import run_eval as runner

    path = Path(set_path).expanduser()
    if not path.is_file():
        raise BackendUnavailable(f"no eval set at {path}")
    items = sample_items(load_set(path), limit, seed)
    store = open_corpus() if _has_corpus() else None
    llm = llm_client(settings)
    batch = max(1, len(items) // 20)
    records: list[dict[str, Any]] = []
    for first in range(0, len(items), batch):
        if progress:
            progress(first, len(items), "items")
        part = runner(path, store=store, items=items[first:first + batch], llm=llm, progress=False)
        records += part.records
    if progress:
        progress(len(items), len(items), "items")
    metrics = compute_metrics(records)
    metrics.update(set=str(path), limit=limit, seed=seed, n_errors=sum(1 for r in records if r.get("error")))
    write_outputs(EvalResult(set_path=path, records=records, metrics=metrics, out_dir=out_dir), out_dir)
    return metrics


def plots_in(out_dir: Path) -> list[Path]:
    """The plots an eval run left in out_dir, writing them from metrics.json when the runner did not."""
    plots = sorted(out_dir.glob("*.png"))
    metrics_file = out_dir / "metrics.json"
    if not plots and metrics_file.is_file():
        from evals.plots import write_plots

        plots = write_plots(json.loads(metrics_file.read_text(encoding="utf-8")), out_dir)
    return plots


def document_text(source: str) -> str | None:
    """The whole text of a corpus document, or None when there is no store or no such document."""
    if not _has_corpus():
        return None
    try:
        return open_corpus().document_text(source)
    except (BackendUnavailable, CopydeskError):
        return None


def corpus_overview() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(documents with passage counts and dates, store statistics); empty when no store exists yet."""
    if not _has_corpus():
        return [], {}
    store = open_corpus()
    return list(store.documents()), dict(store.stats())


def remove_document(source: str) -> bool:
    return bool(open_corpus().remove(source))


def corpus_state() -> str:
    """A one-line description of the corpus a check ran against (kept with each saved check)."""
    if not Path(store_dir()).exists():
        return "no corpus"
    try:
        stats = dict(open_corpus().stats())
    except Exception:  # noqa: BLE001 - a description only; the check itself reports real errors
        return f"store {store_dir()}"
    shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in stats.items() if isinstance(v, (int, float)))
    return f"{store_dir()}: {shown}" if shown else str(store_dir())


GOOD_MATCH_SIMILARITY = 0.35  # below this cosine similarity (and without a shared word) nothing is a good match


def search_corpus(query: str, k: int = 8) -> tuple[list[dict[str, Any]], bool]:
    """(passages best first: source, title, text, score, similarity; whether any is a good match).

    Ranked by the hybrid search; `similarity` is the passage's cosine similarity to the query, and a
    result is a good match when it reaches GOOD_MATCH_SIMILARITY or shares a word of 4+ letters with it.
    """
    import re

    if not Path(store_dir()).exists():
        return [], False
    from retrieval.search import Searcher

    searcher = Searcher(open_corpus())
    hits = searcher.search(query, k=k)
    similarity = {p.id: float(p.score or 0.0) for p in searcher.dense(query, max(k, 20), None)}
    words = {w for w in re.findall(r"[a-z0-9]{4,}", query.lower())}
    out, good = [], False
    for hit in hits:
        sim = similarity.get(hit.id)
        shared = bool(words & set(re.findall(r"[a-z0-9]{4,}", hit.text.lower())))
        good = good or shared or (sim is not None and sim >= GOOD_MATCH_SIMILARITY)
        out.append({"source": hit.source, "title": hit.title, "text": hit.text, "score": hit.score,
                    "similarity": sim, "start": hit.start})
    return out, good


def ingest_each(files: Iterable[tuple[str, bytes]], progress: Progress | None = None) -> tuple[Any, list[str]]:
    """Ingest the uploaded files that load; (stats of the good ones, one line per bad file by its own name)."""
    from retrieval.loaders import LoadError, load_file

    good: list[tuple[str, bytes]] = []
    bad: list[str] = []
    files = list(files)
    with tempfile.TemporaryDirectory(prefix="copydesk-upload-") as tmp:
        docs = []
        for i, (name, data) in enumerate(files):
            safe = Path(name).name
            if progress:
                progress(i, len(files), f"reading {safe}")
            if not safe.lower().endswith(UPLOAD_SUFFIXES):
                bad.append(f"{safe}: unsupported file type (use {', '.join(UPLOAD_SUFFIXES)})")
                continue
            if len(data) > MAX_CORPUS_UPLOAD_BYTES:
                bad.append(f"{safe} is {len(data) / 1e6:.1f} MB; uploads are limited to "
                           f"{MAX_CORPUS_UPLOAD_BYTES / 1e6:.0f} MB per file")
                continue
            path = Path(tmp) / safe
            path.write_bytes(data)
            try:
                docs += load_file(path, root=tmp)
            except (LoadError, OSError, ValueError) as exc:
                bad.append(str(exc).replace(str(path), safe).replace(tmp + "/", ""))
        return (_ingest(docs, progress) if docs else None), bad


# ---- batches of drafts (the Batch page) ------------------------------------------------------------------

@dataclass(frozen=True)
class BatchDraft:
    """One draft of a batch, checked and saved as a version of its own document (as a single check is)."""

    number: int  # 1-based among the checked drafts: what the cross-draft messages call "draft N"
    name: str  # the uploaded file's name, or "pasted draft N"
    doc_id: str
    version: int
    draft: str
    report: Report
    as_of_from: str  # "the draft's dateline" or "the batch"


@dataclass(frozen=True)
class BatchRejected:
    """A draft of the batch that was not checked, by its own name, with the one-line reason."""

    name: str
    reason: str

    @property
    def line(self) -> str:
        return self.reason if self.reason.startswith(self.name) else f"{self.name}: {self.reason}"


@dataclass(frozen=True)
class BatchResult:
    checked: list[BatchDraft]
    rejected: list[BatchRejected]
    disagreements: list[Any]  # claims.cross_draft.CrossDraftFlag; a place's `draft` indexes `checked`


def check_batch(inputs: Iterable[tuple[str, bytes | str]], *, as_of: date | None, reviews: Any,
                settings: LLMSettings = LLMSettings(), dateline: Callable[[str], date | None] | None = None,
                progress: Progress | None = None) -> BatchResult:
    """Check several drafts: (name, bytes) for an upload (decoded as `decode_draft_upload` does; its file
    name gives the document id) or (name, text) for a pasted draft (its headline gives the id).

    Each draft is checked as of its dateline's date (`dateline(draft)`, when given and found), else `as_of`;
    each is saved in `reviews` (a ReviewStore) as a new version of its own document, exactly as a single
    check is. A draft that cannot be read or checked is listed with its reason and never stops the others.
    Then the checked drafts are compared with each other (claims.cross_draft, as `copydesk check a b`).
    """
    import logging

    from app.review_store import ReviewStoreError, document_id
    from claims.cross_draft import cross_draft_flags
    from claims.drafts import validate_draft

    inputs = list(inputs)
    total = len(inputs)
    checked: list[BatchDraft] = []
    rejected: list[BatchRejected] = []
    corpus = corpus_state()
    for index, (name, data) in enumerate(inputs):
        shown = Path(name).name or name
        if progress:
            progress(index, total, f"checking {shown}")
        uploaded = isinstance(data, bytes)
        try:
            if uploaded:
                if not shown.lower().endswith(tuple(f".{s}" for s in DRAFT_SUFFIXES)):
                    raise CopydeskError(f"unsupported file type (use {', '.join(DRAFT_SUFFIXES)})")
                draft = decode_draft_upload(data, shown)
            else:
                draft = validate_draft(data, shown)
        except CopydeskError as exc:
            rejected.append(BatchRejected(shown, str(exc)))
            continue
        found = dateline(draft) if dateline else None
        when = found or as_of
        if when is None:
            rejected.append(BatchRejected(shown, "no dateline to take the date from: set “As of” for the batch"))
            continue

        def inner(done: int, of: int, what: str, _i: int = index, _name: str = shown) -> None:
            if progress:
                progress(_i, total, f"{_name}: {what} {done} of {of} claims")

        try:
            report = check_draft(draft, as_of=when, settings=settings, progress=inner)
            base = document_id(draft, shown if uploaded else None)
            doc_id = reviews.resolve_document_id(base, draft)
            version = reviews.save_check(doc_id, draft, report, corpus=corpus)
        except (CopydeskError, ReviewStoreError) as exc:
            rejected.append(BatchRejected(shown, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one draft's failure is a line; the log keeps the traceback
            logging.getLogger("copydesk.ui").exception("checking %s failed", shown)
            rejected.append(BatchRejected(shown, f"checking failed ({type(exc).__name__}: {exc})"))
            continue
        checked.append(BatchDraft(number=len(checked) + 1, name=shown, doc_id=doc_id, version=version, draft=draft,
                                  report=report, as_of_from="the draft's dateline" if found else "the batch"))
    if progress:
        progress(total, total, "comparing the drafts")
    disagreements = cross_draft_flags([(d.draft, [r.claim for r in d.report.claims]) for d in checked])
    if progress:
        progress(total, total, "done")
    return BatchResult(checked=checked, rejected=rejected, disagreements=disagreements)


# ---- the HTTP API's door (app/api.py): the same backend the pages use ----------------------------------
# The service keeps no state of its own in memory that a second worker would need: the corpus lives in the
# store (a Chroma server when several workers share it), reports and review decisions in the review database.

import threading as _threading  # noqa: E402 (this section is appended; the pages' part above is edited elsewhere)

_SERVICE: dict[Any, Any] = {}
_SERVICE_LOCK = _threading.RLock()  # concurrent first requests open one store, one client


def service_store():
    """The store the service checks against: the Chroma server of the settings (COPYDESK_CHROMA_URL, its token
    COPYDESK_CHROMA_TOKEN), else the store folder (created when missing). Opened once per process."""
    with _SERVICE_LOCK:
        return open_corpus()


def service_llm():
    """The LLM client the service's configuration names ($COPYDESK_LLM...), or None offline; made once."""
    with _SERVICE_LOCK:
        if "llm" not in _SERVICE:
            from claims.llm import LLMConfig, get_client

            _SERVICE["llm"] = get_client(LLMConfig.from_env())
        return _SERVICE["llm"]


def readiness() -> dict[str, Any]:
    """What /readyz reports: the store opens and answers, and the embedder is loaded."""
    store = service_store()
    return {"store": store.location, "passages": store.count(), "embedder": store.embedder.name}


def check_for_service(draft: str, *, as_of: date, progress: Progress | None = None) -> Report:
    """Check one draft against the service's store with its configured LLM (none by default)."""
    from claims.pipeline import check

    return check(draft, store=service_store(), as_of=as_of, llm=service_llm(), progress=progress)


def ingest_documents(items: Iterable[dict[str, Any]]) -> Any:
    """Ingest documents given as dicts (source, text, title, date, url); returns the store's IngestStats."""
    from retrieval.types import Document

    return service_store().ingest([Document(**item) for item in items], progress=False)


def search_passages(query: str, *, k: int = 5, as_of: date | None = None) -> list[Any]:
    from retrieval.search import Searcher

    return Searcher(service_store()).search(query, k=k, as_of=as_of)


def service_reviews():
    """The review database of the service: $COPYDESK_REVIEW_DB, else beside the store folder."""
    from app.review_store import ReviewStore, default_review_db

    path = str(default_review_db(store_dir()))
    with _SERVICE_LOCK:
        if ("reviews", path) not in _SERVICE:
            _SERVICE[("reviews", path)] = ReviewStore(path)
        return _SERVICE[("reviews", path)]


def save_report(report_id: str, draft: str, report: Report) -> None:
    service_reviews().save_check(report_id, draft, report)


def load_report(report_id: str) -> tuple[str, Report] | None:
    return service_reviews().last_check(report_id)


def report_reviews(report_id: str) -> list[dict[str, Any]] | None:
    """Every claim of a saved report with the reviewer's decision on it (pending when none); None: no report."""
    from app.review_store import Decision, claim_keys

    saved = load_report(report_id)
    if saved is None:
        return None
    draft, report = saved
    claims = [r.claim for r in report.claims]
    decisions = service_reviews().attach(report_id, draft, claims)
    keys = claim_keys(draft, claims)
    rows = []
    for r in report.claims:
        d = decisions.get(r.claim.id, Decision())
        rows.append({"claim_id": r.claim.id, "key": keys[r.claim.id], "text": r.claim.text,
                     "machine_verdict": r.verdict.label.value, "verdict": d.verdict(r.verdict.label).value,
                     "status": d.status, "override": d.override.value if d.override else None, "note": d.note,
                     "for_editor": d.for_editor, "reviewer": d.reviewer, "updated_at": d.updated_at})
    return rows


def save_review(report_id: str, claim_id: str, *, status: str, override: str | None = None, note: str = "",
                for_editor: bool = False, reviewer: str = "") -> dict[str, Any] | None:
    """Record a reviewer's decision on one claim of a saved report; None when the report or claim is unknown."""
    from app.review_store import Decision, claim_keys
    from claims.models import Label

    saved = load_report(report_id)
    if saved is None:
        return None
    draft, report = saved
    claims = [r.claim for r in report.claims]
    claim = next((c for c in claims if c.id == claim_id), None)
    if claim is None:
        return None
    decision = Decision(status=status, override=Label(override) if override else None, note=note,  # type: ignore[arg-type]
                        for_editor=for_editor, reviewer=reviewer)
    stamped = service_reviews().save(report_id, draft, claim, decision, key=claim_keys(draft, claims)[claim_id])
    return {"claim_id": claim_id, "status": stamped.status,
            "override": stamped.override.value if stamped.override else None, "note": stamped.note,
            "for_editor": stamped.for_editor, "reviewer": stamped.reviewer, "updated_at": stamped.updated_at}
