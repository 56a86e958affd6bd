"""copydesk as an HTTP service: FastAPI on uvicorn, over the same backend module as the Streamlit app.

    copydesk serve --host 127.0.0.1 --port 8080          # loopback: a token is optional
    COPYDESK_API_TOKEN=... copydesk serve --host 0.0.0.0  # anything else: a bearer token is required

Endpoints (OpenAPI docs at /docs): GET /healthz, GET /readyz, POST /v1/check, POST /v1/jobs,
GET /v1/jobs/{id}, POST /v1/check/batch, POST /v1/ingest, GET /v1/search, GET /v1/reports/{id},
GET and POST /v1/reports/{id}/reviews. Every error answers JSON `{"error": "..."}` with a 4xx/5xx status.

Workers keep nothing another worker needs in memory: the corpus is in the store (a Chroma server when
several workers share it), reports and review decisions in the review database, jobs in files under the
jobs folder. Logs are JSON lines that never hold draft text or search queries.
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import ui_backend as backend
from claims.errors import CopydeskError

TOKEN_ENV = "COPYDESK_API_TOKEN"
LOG = logging.getLogger("copydesk.api")
REPORT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,120}$")
JOB_ID = re.compile(r"^[0-9a-f]{32}$")


class ApiError(CopydeskError):
    """An answer other than 2xx: status, one-line message, optional headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class UnsafeBind(CopydeskError):
    """Serving beyond loopback without a token."""


@dataclass
class ApiSettings:
    token: str | None = None  # bearer token; required (by `serve`) whenever the host is not loopback
    max_body_bytes: int = 8_000_000  # any request body (a 2,000,000-character draft in UTF-8 fits)
    sync_max_chars: int = 50_000  # POST /v1/check; longer drafts go to POST /v1/jobs
    max_concurrency: int = field(default_factory=lambda: os.cpu_count() or 2)  # checks running at once
    max_queue: int = 64  # checks waiting for a slot; beyond that: 429
    max_batch: int = 32  # drafts in one POST /v1/check/batch
    max_jobs: int = 16  # jobs queued or running in this worker; beyond that: 429
    max_ingest_documents: int = 1000
    jobs_dir: Path | None = None  # default: beside the review database
    warm_up: bool = True  # load the store, the embedder and the judge before /readyz says ready

    @classmethod
    def from_env(cls, token: str | None = None, **overrides: Any) -> "ApiSettings":
        """Limits from $COPYDESK_API_MAX_BODY, _SYNC_CHARS, _CONCURRENCY, _QUEUE, _BATCH, _JOBS; jobs folder from
        $COPYDESK_JOBS_DIR. The token is passed in by the caller (the CLI reads $COPYDESK_API_TOKEN)."""
        names = {"max_body_bytes": "COPYDESK_API_MAX_BODY", "sync_max_chars": "COPYDESK_API_SYNC_CHARS",
                 "max_concurrency": "COPYDESK_API_CONCURRENCY", "max_queue": "COPYDESK_API_QUEUE",
                 "max_batch": "COPYDESK_API_BATCH", "max_jobs": "COPYDESK_API_JOBS"}
        values: dict[str, Any] = {}
        for key, env in names.items():
            raw = os.environ.get(env, "")
            if raw:
                try:
                    values[key] = int(raw.replace("_", ""))
                except ValueError:
                    raise CopydeskError(f"{env} must be a whole number, not {raw!r}") from None
        if os.environ.get("COPYDESK_JOBS_DIR"):
            values["jobs_dir"] = Path(os.environ["COPYDESK_JOBS_DIR"]).expanduser()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(token=token or None, **values)


# ---- structured logs ------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's `fields` (never draft text)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = type(record.exc_info[1]).__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("copydesk", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # its lines carry query strings (search text)


def _log(message: str, **fields: Any) -> None:
    LOG.info(message, extra={"fields": fields})


# ---- helpers --------------------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_safe_bind(host: str, token: str | None) -> None:
    """Refuse to serve beyond loopback without a bearer token."""
    if not token and not is_loopback(host):
        raise UnsafeBind(f"refusing to serve on {host} without a token: set {TOKEN_ENV} (clients then send "
                         f"'Authorization: Bearer <token>'), or bind to 127.0.0.1")


def parse_as_of(value: str | None) -> date:
    if value is None or value == "":
        return date.today()
    try:
        return date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else _bad_date(value)
    except ValueError:
        return _bad_date(value)


def _bad_date(value: str) -> date:
    raise ApiError(422, f"as_of must be a date written YYYY-MM-DD, not {value[:40]!r}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def report_id_for(doc_id: str | None, report: Any) -> str:
    if doc_id is None:
        return f"r{report.draft_sha}"
    if not REPORT_ID.match(doc_id):
        raise ApiError(400, "doc_id may hold only letters, digits and . _ : - (at most 120 characters)")
    return doc_id


def _report_json(report: Any, report_id: str | None) -> dict[str, Any]:
    out = report.to_json()
    if report_id:
        out["report_id"] = report_id
    return out


class Gate:
    """At most `active` checks run at once and `queue` wait; a request beyond that is answered 429 at once."""

    def __init__(self, active: int, queue: int) -> None:
        self.active, self.limit, self.inside = max(1, active), max(1, active) + max(0, queue), 0
        self._semaphore: asyncio.Semaphore | None = None

    async def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self.inside >= self.limit:
            raise ApiError(429, f"busy: {self.inside} checks running or waiting (limit {self.limit}); retry shortly",
                           {"Retry-After": "1"})
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.active)
        self.inside += 1
        try:
            async with self._semaphore:
                return await run_in_threadpool(fn, *args, **kwargs)
        finally:
            self.inside -= 1


class BodyLimit:
    """ASGI middleware: a request body over `limit` bytes is answered 413 (JSON), by its Content-Length before
    it is read, or as soon as a chunked body passes the limit."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            response = JSONResponse({"error": f"request body is {int(length):,} bytes; the limit is {self.limit:,}"},
                                    status_code=413)
            return await response(scope, receive, send)
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise StarletteHTTPException(413, f"request body is over the limit of {self.limit:,} bytes")
            return message

        await self.app(scope, limited, send)


class AccessLog:
    """ASGI middleware: one JSON log line per request (method, path, status, milliseconds, request id); never
    the query string or the body. Answers carry the request id as X-Request-Id."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = given if re.fullmatch(r"[A-Za-z0-9._-]+", given or "-") and given else uuid.uuid4().hex[:16]
        status = {"code": 500}

        async def logged_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            _log("request", event="request", request_id=request_id, method=scope.get("method"), path=scope.get("path"),
                 status=status["code"], ms=round((time.perf_counter() - started) * 1000, 1))


class Jobs:
    """Long checks run on a worker thread; their state is a JSON file per job, so any worker can answer."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copydesk-job")
        self.pending = 0
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        if self.settings.jobs_dir is None:
            from app.review_store import default_review_db

            self.settings.jobs_dir = default_review_db(backend.store_dir()).parent / "copydesk-jobs"
        self.settings.jobs_dir.mkdir(parents=True, exist_ok=True)
        return self.settings.jobs_dir

    def _write(self, job: dict[str, Any]) -> None:
        job["updated_at"] = _now()
        path = self.folder / f"{job['id']}.json"
        tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def read(self, job_id: str) -> dict[str, Any] | None:
        if not JOB_ID.match(job_id):
            return None
        path = self.folder / f"{job_id}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def submit(self, text: str, as_of: date, doc_id: str | None) -> dict[str, Any]:
        with self._lock:
            if self.pending >= self.settings.max_jobs:
                raise ApiError(429, f"busy: {self.pending} jobs queued or running (limit {self.settings.max_jobs}); "
                                    f"retry later", {"Retry-After": "5"})
            self.pending += 1
        job = {"id": uuid.uuid4().hex, "status": "queued", "created_at": _now(), "as_of": as_of.isoformat(),
               "chars": len(text), "progress": {"stage": "queued", "done": 0, "total": 0}, "events": []}
        self._write(job)
        self.pool.submit(self._run, dict(job), text, as_of, doc_id)
        return job

    def _run(self, job: dict[str, Any], text: str, as_of: date, doc_id: str | None) -> None:
        last = {"stage": "", "done": -1, "at": 0.0}

        def progress(done: int, total: int, stage: str) -> None:
            now = time.monotonic()
            step = max(1, total // 20)
            if stage == last["stage"] and done - last["done"] < step and now - last["at"] < 1.0 and done != total:
                return
            last.update(stage=stage, done=done, at=now)
            job["progress"] = {"stage": stage, "done": done, "total": total}
            job["events"].append({"stage": stage, "done": done, "total": total, "at": _now()})
            self._write(job)

        started = time.perf_counter()
        try:
            job["status"] = "running"
            self._write(job)
            report = backend.check_for_service(text, as_of=as_of, progress=progress)
            report_id = report_id_for(doc_id, report)
            backend.save_report(report_id, text, report)
            job.update(status="done", report_id=report_id, result=_report_json(report, report_id))
            _log("job done", event="job", job=job["id"], chars=len(text), claims=len(report.claims),
                 seconds=round(time.perf_counter() - started, 3))
        except ApiError as exc:
            job.update(status="failed", error=exc.message)
        except CopydeskError as exc:
            job.update(status="failed", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - a job never takes the worker down; the log says what
            LOG.error("job failed", extra={"fields": {"job": job["id"], "exception": type(exc).__name__}})
            job.update(status="failed", error=f"internal error ({type(exc).__name__})")
        finally:
            self._write(job)
            with self._lock:
                self.pending -= 1


# ---- request and answer models (for validation and the OpenAPI docs) ------------------------------------

class CheckRequest(BaseModel):
    text: str = Field(description="the draft (plain text)")
    as_of: str | None = Field(None, description="the draft's date, YYYY-MM-DD (default: today)",
                              examples=["2026-01-20"])
    doc_id: str | None = Field(None, description="the id to keep the report and its review decisions under "
                                                 "(default: r + the draft's hash)")
    save: bool = Field(True, description="keep the draft and its report in the review database (false: the "
                                         "answer has no report_id and nothing is stored)")


class BatchRequest(BaseModel):
    items: list[CheckRequest]
    as_of: str | None = Field(None, description="default date for items without one")


class DocumentIn(BaseModel):
    source: str
    text: str
    title: str | None = None
    date: str | None = Field(None, description="YYYY-MM-DD")
    url: str | None = None


class IngestRequest(BaseModel):
    documents: list[DocumentIn]


class ReviewRequest(BaseModel):
    claim_id: str
    status: str = Field(description="accepted, overridden or pending")
    override: str | None = Field(None, description="the reviewer's verdict when overridden: supported, "
                                                   "contradicted or not_enough_evidence")
    note: str = ""
    for_editor: bool = False
    reviewer: str = ""


# ---- the application ------------------------------------------------------------------------------------

def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings.from_env()
    gate = Gate(settings.max_concurrency, settings.max_queue)
    jobs = Jobs(settings)
    state = {"ready": not settings.warm_up, "warm_error": None}

    def warm_up() -> None:
        try:
            backend.readiness()
            backend.check_for_service("The budget rose 5% to 12 million dollars in 2024.", as_of=date.today())
            state["ready"] = True
            _log("ready", event="ready")
        except Exception as exc:  # noqa: BLE001 - /readyz reports it
            state["warm_error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            LOG.error("warm-up failed", extra={"fields": {"error": state["warm_error"]}})

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if settings.warm_up:
            threading.Thread(target=warm_up, name="copydesk-warm-up", daemon=True).start()
        yield
        jobs.pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="copydesk", version="1", lifespan=lifespan,
                  description="Fact-claim extraction and verification against your own corpus. "
                              "Every /v1 endpoint needs `Authorization: Bearer <token>` when the server has a token.")
    bearer = HTTPBearer(auto_error=False, description="the server's COPYDESK_API_TOKEN")

    def require_token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if settings.token is None:
            return
        if credentials is None:
            raise ApiError(401, "missing bearer token: send 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(credentials.credentials.encode(), settings.token.encode()):
            raise ApiError(403, "wrong token")

    # -- errors as {"error": "..."} --
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            return JSONResponse({"error": "the request body is not valid JSON"}, status_code=400)
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        message = first.get("msg", "invalid request")
        return JSONResponse({"error": f"{where}: {message}" if where else message}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(CopydeskError)
    async def copydesk_error(_request: Request, exc: CopydeskError) -> JSONResponse:
        return JSONResponse({"error": _one_line(exc)}, status_code=400)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        from retrieval.store import StoreError

        if isinstance(exc, StoreError):
            return JSONResponse({"error": _one_line(exc)}, status_code=503)
        LOG.error("internal error", extra={"fields": {"path": request.url.path, "exception": type(exc).__name__}})
        return JSONResponse({"error": f"internal error ({type(exc).__name__}); see the server log"}, status_code=500)

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(AccessLog)  # outermost: logs every answer, the 413s included

    # -- health --
    @app.get("/healthz", tags=["health"], summary="liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="readiness: the store opens and the embedder is loaded")
    async def readyz() -> JSONResponse:
        if state["warm_error"]:
            return JSONResponse({"error": f"not ready: {state['warm_error']}"}, status_code=503)
        if not state["ready"]:
            return JSONResponse({"error": "not ready: warming up (loading the store, the embedder and the judge)"},
                                status_code=503)
        try:
            info = await run_in_threadpool(backend.readiness)
        except Exception as exc:  # noqa: BLE001 - readiness answers, never raises
            return JSONResponse({"error": f"not ready: {_one_line(exc)}"}, status_code=503)
        return JSONResponse({"status": "ready", **info})

    v1 = [Depends(require_token)]

    def _check(text: str, as_of: date, doc_id: str | None, save: bool = True) -> dict[str, Any]:
        started = time.perf_counter()
        report = backend.check_for_service(text, as_of=as_of)
        report_id = report_id_for(doc_id, report) if save else None
        if report_id:
            backend.save_report(report_id, text, report)
        _log("check", event="check", report_id=report_id, chars=len(text), claims=len(report.claims),
             contradicted=sum(1 for r in report.claims if r.verdict.label.value == "contradicted"),
             seconds=round(time.perf_counter() - started, 3))
        return _report_json(report, report_id)

    def _validated(item: CheckRequest, default_as_of: str | None = None) -> tuple[str, date]:
        as_of = parse_as_of(item.as_of if item.as_of is not None else default_as_of)
        if not item.text.strip():
            raise ApiError(400, "text is empty: nothing to check")
        if item.doc_id is not None:
            report_id_for(item.doc_id, None)
        return item.text, as_of

    @app.post("/v1/check", tags=["check"], dependencies=v1,
              summary="check a draft (up to sync_max_chars characters) and answer its report (copydesk.report/1)")
    async def check(body: CheckRequest) -> JSONResponse:
        text, as_of = _validated(body)
        if len(text) > settings.sync_max_chars:
            raise ApiError(413, f"draft has {len(text):,} characters; /v1/check takes up to "
                                f"{settings.sync_max_chars:,}: submit it to POST /v1/jobs")
        out = await gate.run(_check, text, as_of, body.doc_id, body.save)
        return JSONResponse(out, headers={"X-Report-Id": out["report_id"]} if body.save else None)

    @app.post("/v1/jobs", tags=["check"], dependencies=v1, status_code=202,
              summary="check a long draft as a job: answers its id at once; poll GET /v1/jobs/{id}")
    async def submit_job(body: CheckRequest) -> JSONResponse:
        text, as_of = _validated(body)
        from claims.drafts import validate_draft

        validate_draft(text)
        job = await run_in_threadpool(jobs.submit, text, as_of, body.doc_id)
        return JSONResponse({"id": job["id"], "status": job["status"], "url": f"/v1/jobs/{job['id']}"}, status_code=202)

    @app.get("/v1/jobs/{job_id}", tags=["check"], dependencies=v1,
             summary="a job's status, its progress events, and its report (`result`) when done")
    async def get_job(job_id: str) -> JSONResponse:
        job = await run_in_threadpool(jobs.read, job_id)
        if job is None:
            raise ApiError(404, f"no job {job_id[:40]!r}")
        return JSONResponse(job)

    @app.post("/v1/check/batch", tags=["check"], dependencies=v1,
              summary="check several drafts; answers one result per item, in order (a report or an error)")
    async def check_batch(body: BatchRequest) -> JSONResponse:
        if not body.items:
            raise ApiError(400, "items is empty: nothing to check")
        if len(body.items) > settings.max_batch:
            raise ApiError(413, f"{len(body.items)} items; a batch takes up to {settings.max_batch}")
        prepared = []
        for i, item in enumerate(body.items):
            try:
                text, as_of = _validated(item, body.as_of)
            except ApiError as exc:
                raise ApiError(exc.status, f"items[{i}]: {exc.message}") from None
            if len(text) > settings.sync_max_chars:
                raise ApiError(413, f"items[{i}] has {len(text):,} characters; batch items take up to "
                                    f"{settings.sync_max_chars:,}")
            prepared.append((text, as_of, item.doc_id, item.save))

        def run_all() -> list[dict[str, Any]]:
            results = []
            for text, as_of, doc_id, save in prepared:
                try:
                    results.append({"report": _check(text, as_of, doc_id, save)})
                except CopydeskError as exc:
                    results.append({"error": _one_line(exc)})
            return results

        return JSONResponse({"results": await gate.run(run_all)})

    @app.post("/v1/ingest", tags=["corpus"], dependencies=v1,
              summary="add documents (source, text, title, date, url) to the store; unchanged ones add nothing")
    async def ingest(body: IngestRequest) -> JSONResponse:
        if not body.documents:
            raise ApiError(400, "documents is empty: nothing to ingest")
        if len(body.documents) > settings.max_ingest_documents:
            raise ApiError(413, f"{len(body.documents)} documents; one request takes up to {settings.max_ingest_documents}")
        items = []
        for i, doc in enumerate(body.documents):
            if not doc.source.strip() or not doc.text.strip():
                raise ApiError(400, f"documents[{i}]: source and text must not be empty")
            item = doc.model_dump()
            if doc.date:
                try:
                    item["date"] = date.fromisoformat(doc.date)
                except ValueError:
                    raise ApiError(422, f"documents[{i}].date must be a date written YYYY-MM-DD, not {doc.date[:40]!r}") from None
            items.append(item)
        stats = await gate.run(backend.ingest_documents, items)
        _log("ingest", event="ingest", documents=len(items), passages=stats.passages)
        return JSONResponse({"added": stats.added, "replaced": stats.replaced, "unchanged": stats.unchanged,
                             "passages": stats.passages})

    @app.get("/v1/search", tags=["corpus"], dependencies=v1, summary="hybrid search of the store")
    async def search(q: str = Query(..., description="the query"), k: int = Query(5, ge=1, le=50),
                     as_of: str | None = Query(None, description="only documents dated on or before, YYYY-MM-DD")) -> JSONResponse:
        if not q.strip():
            raise ApiError(400, "q is empty")
        day = parse_as_of(as_of) if as_of else None
        passages = await gate.run(backend.search_passages, q, k=k, as_of=day)
        return JSONResponse({"passages": [p.model_dump(mode="json", exclude_none=True) for p in passages]})

    @app.get("/v1/reports/{report_id}", tags=["reports"], dependencies=v1, summary="a saved report")
    async def get_report(report_id: str) -> JSONResponse:
        saved = await run_in_threadpool(backend.load_report, report_id) if REPORT_ID.match(report_id) else None
        if saved is None:
            raise ApiError(404, f"no report {report_id[:40]!r}")
        return JSONResponse(_report_json(saved[1], report_id))

    @app.get("/v1/reports/{report_id}/reviews", tags=["reports"], dependencies=v1,
             summary="every claim of a report with the reviewer's decision (pending when none)")
    async def get_reviews(report_id: str) -> JSONResponse:
        rows = await run_in_threadpool(backend.report_reviews, report_id) if REPORT_ID.match(report_id) else None
        if rows is None:
            raise ApiError(404, f"no report {report_id[:40]!r}")
        return JSONResponse({"report_id": report_id, "reviews": rows})

    @app.post("/v1/reports/{report_id}/reviews", tags=["reports"], dependencies=v1,
              summary="record a reviewer's decision on one claim (accepted, overridden with a verdict, or pending)")
    async def post_review(report_id: str, body: ReviewRequest) -> JSONResponse:
        if body.status not in ("accepted", "overridden", "pending"):
            raise ApiError(400, "status must be accepted, overridden or pending")
        labels = ("supported", "contradicted", "not_enough_evidence")
        if body.status == "overridden" and body.override not in labels:
            raise ApiError(400, f"an override needs a verdict: one of {', '.join(labels)}")
        if body.override is not None and body.override not in labels:
            raise ApiError(400, f"override must be one of {', '.join(labels)}")
        saved = None
        if REPORT_ID.match(report_id):
            saved = await run_in_threadpool(backend.save_review, report_id, body.claim_id, status=body.status,
                                            override=body.override, note=body.note, for_editor=body.for_editor,
                                            reviewer=body.reviewer)
        if saved is None:
            raise ApiError(404, f"no claim {body.claim_id[:40]!r} in report {report_id[:40]!r}")
        return JSONResponse(saved)

    return app


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def serve(host: str = "127.0.0.1", port: int = 8080, *, token: str | None = None, log_level: str = "info",
          **limits: Any) -> None:
    """Run the API on uvicorn until interrupted; refuses a non-loopback host without a token."""
    import uvicorn

    require_safe_bind(host, token)
    configure_logging(log_level)
    settings = ApiSettings.from_env(token=token, **limits)
    _log("starting", event="start", host=host, port=port, auth=bool(token), max_concurrency=settings.max_concurrency,
         max_queue=settings.max_queue, sync_max_chars=settings.sync_max_chars, max_body_bytes=settings.max_body_bytes)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False,
                log_level=log_level, timeout_graceful_shutdown=5)
