"""The HTTP API against a real `copydesk serve` (uvicorn) on 127.0.0.1: the demo corpus, auth, limits, jobs."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from app.api import is_loopback, require_safe_bind, UnsafeBind
from test_api_support import DEMO, REPO, api_server, call, demo_documents, free_port

TOKEN = "s3cret-token-for-tests"
DRAFT = (DEMO / "draft.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with a token, the demo corpus ingested through the API."""
    with api_server(tmp_path_factory.mktemp("api"), token=TOKEN) as (base, log, _process):
        status, stats, _ = call(base, "POST", "/v1/ingest", {"documents": demo_documents()}, token=TOKEN)
        assert status == 200 and stats["added"] == len(demo_documents()) and stats["passages"] > 0
        yield base, log


@pytest.fixture(scope="module")
def demo_check(server):
    base, _ = server
    return call(base, "POST", "/v1/check", {"text": DRAFT, "as_of": "2026-01-20"}, token=TOKEN)


def by_text(report, needle):
    return next(c for c in report["claims"] if needle in c["text"])


def test_health_needs_no_token(server):
    base, _ = server
    assert call(base, "GET", "/healthz")[:2] == (200, {"status": "ok"})
    status, ready, _ = call(base, "GET", "/readyz")
    assert status == 200 and ready["status"] == "ready" and ready["embedder"] and ready["passages"] > 0


def test_no_token_is_401_and_wrong_token_is_403(server):
    base, _ = server
    status, body, headers = call(base, "POST", "/v1/check", {"text": DRAFT, "as_of": "2026-01-20"})
    assert status == 401 and "bearer token" in body["error"] and headers.get("www-authenticate") == "Bearer"
    status, body, _ = call(base, "POST", "/v1/check", {"text": DRAFT, "as_of": "2026-01-20"}, token="wrong")
    assert status == 403 and body == {"error": "wrong token"}
    for method, path in (("GET", "/v1/search?q=troops"), ("GET", "/v1/reports/x"), ("POST", "/v1/ingest")):
        assert call(base, method, path, {"documents": []} if method == "POST" else None)[0] == 401


def test_check_answers_the_report_with_the_demo_findings(demo_check):
    status, report, headers = demo_check
    assert status == 200
    assert report["schema"] == "copydesk.report/1" and report["as_of"] == "2026-01-20"
    for claim in report["claims"]:
        assert {"id", "text", "start", "end", "kind", "verdict", "confidence", "citations", "flags"} <= set(claim)
        assert DRAFT[claim["start"]:claim["end"]] == claim["text"]
    yen = by_text(report, "60 billion yen")
    assert yen["text"] == "about 60 billion yen" and yen["verdict"] == "contradicted"
    assert yen["citations"] and any(f["kind"] == "number_mismatch" for f in yen["flags"])
    assert by_text(report, "28,500")["verdict"] == "supported"
    assert headers["x-report-id"] == report["report_id"]


def test_the_report_is_kept_and_reviews_follow_it(server, demo_check):
    base, _ = server
    report = demo_check[1]
    rid = report["report_id"]
    status, again, _ = call(base, "GET", f"/v1/reports/{rid}", token=TOKEN)
    assert status == 200 and [c["verdict"] for c in again["claims"]] == [c["verdict"] for c in report["claims"]]
    yen = by_text(report, "60 billion yen")
    status, saved, _ = call(base, "POST", f"/v1/reports/{rid}/reviews",
                            {"claim_id": yen["id"], "status": "overridden", "override": "not_enough_evidence",
                             "note": "figure from the ministry", "reviewer": "ed"}, token=TOKEN)
    assert status == 200 and saved["status"] == "overridden" and saved["updated_at"]
    status, reviews, _ = call(base, "GET", f"/v1/reports/{rid}/reviews", token=TOKEN)
    row = next(r for r in reviews["reviews"] if r["claim_id"] == yen["id"])
    assert row["machine_verdict"] == "contradicted" and row["verdict"] == "not_enough_evidence"
    assert row["note"] == "figure from the ministry"
    assert sum(r["status"] == "pending" for r in reviews["reviews"]) == len(report["claims"]) - 1
    bad = call(base, "POST", f"/v1/reports/{rid}/reviews", {"claim_id": yen["id"], "status": "overridden"}, token=TOKEN)
    assert bad[0] == 400 and "needs a verdict" in bad[1]["error"]
    assert call(base, "POST", f"/v1/reports/{rid}/reviews", {"claim_id": "c999", "status": "accepted"}, token=TOKEN)[0] == 404
    assert call(base, "GET", "/v1/reports/no-such-report", token=TOKEN)[:2] == (404, {"error": "no report 'no-such-report'"})


def test_bad_date_is_422_and_bad_input_400(server):
    base, _ = server
    status, body, _ = call(base, "POST", "/v1/check", {"text": DRAFT, "as_of": "2026-13-01"}, token=TOKEN)
    assert status == 422 and "YYYY-MM-DD" in body["error"]
    assert call(base, "POST", "/v1/check", {"text": DRAFT, "as_of": "20 January"}, token=TOKEN)[0] == 422
    assert call(base, "POST", "/v1/check", {"text": "   ", "as_of": "2026-01-20"}, token=TOKEN)[:2] == \
        (400, {"error": "text is empty: nothing to check"})
    assert call(base, "POST", "/v1/check", raw=b"{not json", token=TOKEN)[:2] == \
        (400, {"error": "the request body is not valid JSON"})
    status, body, _ = call(base, "POST", "/v1/check", {"draft": DRAFT}, token=TOKEN)
    assert status == 400 and body["error"].startswith("text")
    status, body, _ = call(base, "POST", "/v1/check/batch", {"items": [{"text": DRAFT}, {"text": DRAFT, "as_of": "x"}]},
                           token=TOKEN)
    assert status == 422 and body["error"].startswith("items[1]")
    status, body, _ = call(base, "POST", "/v1/ingest", {"documents": [{"source": "a", "text": "b", "date": "May"}]},
                           token=TOKEN)
    assert status == 422 and "documents[0].date" in body["error"]


def test_batch_checks_each_draft_in_order(server):
    base, _ = server
    items = [{"text": DRAFT, "as_of": "2026-01-20"}, {"text": "The programme has cost about 60 billion yen since 2018."}]
    status, body, _ = call(base, "POST", "/v1/check/batch", {"items": items, "as_of": "2026-01-20"}, token=TOKEN)
    assert status == 200 and len(body["results"]) == 2
    first, second = (r["report"] for r in body["results"])
    assert by_text(first, "60 billion yen")["verdict"] == "contradicted"
    assert second["as_of"] == "2026-01-20" and by_text(second, "60 billion")["verdict"] == "contradicted"


def test_search(server):
    base, _ = server
    status, body, _ = call(base, "GET", "/v1/search?q=U.S.+troops+stationed+in+South+Korea&k=3", token=TOKEN)
    assert status == 200 and 1 <= len(body["passages"]) <= 3
    assert body["passages"][0]["source"] == "usfk-cost-sharing.md" and "text" in body["passages"][0]
    assert call(base, "GET", "/v1/search?q=troops&k=0", token=TOKEN)[0] == 400


def test_a_long_draft_as_a_job_reports_progress_and_its_result(server):
    base, _ = server
    long_draft = "\n\n".join([DRAFT] * 12)
    status, job, _ = call(base, "POST", "/v1/jobs", {"text": long_draft, "as_of": "2026-01-20", "doc_id": "long-1"},
                          token=TOKEN)
    assert status == 202 and job["status"] == "queued" and job["url"] == f"/v1/jobs/{job['id']}"
    deadline = time.monotonic() + 240
    while True:
        status, state, _ = call(base, "GET", job["url"], token=TOKEN)
        assert status == 200
        if state["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert state["status"] == "done", state.get("error")
    stages = [e["stage"] for e in state["events"]]
    assert "retrieving" in stages and "verifying" in stages and stages[-1] == "done"
    done = [e["done"] for e in state["events"] if e["stage"] == "verifying"]
    assert done == sorted(done)
    result = state["result"]
    assert result["report_id"] == "long-1" and state["report_id"] == "long-1"
    assert sum(c["text"] == "about 60 billion yen" and c["verdict"] == "contradicted" for c in result["claims"]) == 12
    assert call(base, "GET", "/v1/reports/long-1", token=TOKEN)[0] == 200
    assert call(base, "GET", "/v1/jobs/0123456789abcdef0123456789abcdef", token=TOKEN)[0] == 404


def test_openapi_docs(server):
    base, _ = server
    status, schema, _ = call(base, "GET", "/openapi.json")
    assert status == 200 and {"/v1/check", "/v1/jobs", "/v1/check/batch", "/v1/ingest", "/v1/search",
                              "/v1/reports/{report_id}/reviews", "/healthz", "/readyz"} <= set(schema["paths"])
    import urllib.request

    with urllib.request.urlopen(base + "/docs", timeout=10) as reply:
        assert reply.status == 200 and b"swagger" in reply.read().lower()


def test_logs_are_json_without_draft_text_or_queries(server, demo_check):
    import json

    base, log = server
    call(base, "GET", "/v1/search?q=Minamitori+seabed+mining", token=TOKEN)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(entry.get("event") == "check" and entry["claims"] > 0 for entry in lines)
    assert any(entry.get("path") == "/v1/search" for entry in lines)
    text = log.read_text()
    for phrase in ("Minamitori", "60 billion", "Takeda", "seabed", TOKEN):
        assert phrase not in text


# ---- limits: a server with one check slot, no queue, small sizes; on loopback without a token ---------------

@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    env = {"COPYDESK_API_CONCURRENCY": "1", "COPYDESK_API_QUEUE": "0", "COPYDESK_API_SYNC_CHARS": "2000",
           "COPYDESK_API_MAX_BODY": "100000"}
    with api_server(tmp_path_factory.mktemp("small"), env=env, name="small") as (base, _log, _process):
        assert call(base, "POST", "/v1/ingest", {"documents": demo_documents()})[0] == 200
        yield base


def test_loopback_without_a_token_needs_none(small_server):
    assert call(small_server, "POST", "/v1/check", {"text": DRAFT, "as_of": "2026-01-20"})[0] == 200


def test_oversize_requests_are_413(small_server):
    status, body, _ = call(small_server, "POST", "/v1/check", {"text": DRAFT * 3, "as_of": "2026-01-20"})
    assert status == 413 and "POST /v1/jobs" in body["error"]
    status, body, _ = call(small_server, "POST", "/v1/check", {"text": "x" * 150_000})
    assert status == 413 and "limit is 100,000" in body["error"]
    # a chunked body (no Content-Length) is cut off at the limit too
    import http.client

    host, port = small_server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", "/v1/check")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    try:
        for i in range(30):
            chunk = b'{"text": "' + b"y" * 5000 if i == 0 else b"y" * 5000
            connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        connection.send(b'3\r\n"}\n\r\n0\r\n\r\n')
    except OSError:
        pass  # the server may answer and close before the whole body is sent
    reply = connection.getresponse()
    assert reply.status == 413 and b"over the limit" in reply.read()


def test_more_requests_than_slots_get_429_and_the_server_recovers(small_server):
    answers: list[int] = []

    def one() -> None:
        answers.append(call(small_server, "POST", "/v1/check", {"text": DRAFT, "as_of": "2026-01-20"})[0])

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 200 in answers and 429 in answers and set(answers) <= {200, 429}
    assert call(small_server, "POST", "/v1/check", {"text": DRAFT, "as_of": "2026-01-20"})[0] == 200


# ---- refusing an unsafe bind ------------------------------------------------------------------------------

def test_a_non_loopback_bind_without_a_token_refuses_to_start(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "COPYDESK_API_TOKEN"}
    env.update(PYTHONPATH=str(REPO), COPYDESK_STORE=str(tmp_path / "store"))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and time.monotonic() - started < 60
    assert "refusing to serve on 0.0.0.0 without a token" in done.stderr and "COPYDESK_API_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr


def test_loopback_rule():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.5") and not is_loopback("example.org")
    require_safe_bind("127.0.0.1", None)
    require_safe_bind("0.0.0.0", "t")
    with pytest.raises(UnsafeBind):
        require_safe_bind("192.168.1.2", None)
    with pytest.raises(UnsafeBind):
        require_safe_bind("::", "")


def test_save_false_keeps_nothing(server):
    base, _ = server
    draft = "The northern dam holds 38 billion cubic metres of water, officials said on May 2, 2025."
    status, report, headers = call(base, "POST", "/v1/check", {"text": draft, "as_of": "2026-01-20", "save": False},
                                   token=TOKEN)
    assert status == 200 and "report_id" not in report and "x-report-id" not in headers
    assert call(base, "GET", f"/v1/reports/r{report['draft_sha']}", token=TOKEN)[0] == 404
