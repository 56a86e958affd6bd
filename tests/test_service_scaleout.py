"""Scale-out: a real `chroma run` on 127.0.0.1 behind the token proxy, two `copydesk serve` workers over it.

Chroma 1.5.9's server does no authentication itself (checked below), so the deployment keeps it on
loopback behind `app/api_chroma_proxy.py`; copydesk sends $COPYDESK_CHROMA_TOKEN and refuses a server off
loopback without one.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from retrieval.store import StoreError, open_store
from test_api_support import DEMO, REPO, api_server, call, demo_documents, free_port, stop

CHROMA_TOKEN = "chroma-token-for-tests"
API_TOKEN = "api-token-for-tests"
DRAFT = (DEMO / "draft.txt").read_text(encoding="utf-8")
COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections"


def wait_for_port(port: int, process: subprocess.Popen, log: Path, what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited early: {log.read_text()[-800:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not start within {timeout_s} s")


def http(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    """(the Chroma server's own loopback URL, the token proxy's URL)."""
    tmp = tmp_path_factory.mktemp("chroma")
    binary = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if binary is None:
        pytest.skip("the chroma CLI is not installed (pip install chromadb provides it)")
    port, proxy_port = free_port(), free_port()
    log, proxy_log = open(tmp / "chroma.log", "wb"), open(tmp / "proxy.log", "wb")
    server = subprocess.Popen([binary, "run", "--path", str(tmp / "data"), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    proxy = subprocess.Popen([sys.executable, "-m", "app.api_chroma_proxy", "--listen", f"127.0.0.1:{proxy_port}",
                              "--upstream", f"http://127.0.0.1:{port}"], cwd=REPO, stdout=proxy_log,
                             stderr=subprocess.STDOUT,
                             env={**os.environ, "PYTHONPATH": str(REPO), "COPYDESK_CHROMA_TOKEN": CHROMA_TOKEN})
    try:
        wait_for_port(port, server, tmp / "chroma.log", "chroma run")
        wait_for_port(proxy_port, proxy, tmp / "proxy.log", "the chroma token proxy")
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{proxy_port}"
    finally:
        stop(proxy)
        stop(server)
        log.close()
        proxy_log.close()


def test_chroma_run_itself_authenticates_no_one(chroma):
    """Why the proxy exists: chroma 1.5.9's server answers anyone (if this fails, Chroma grew auth: revisit)."""
    direct, _ = chroma
    status, _ = http("GET", direct + COLLECTIONS)
    assert status == 200


def test_the_proxy_requires_the_token_and_refuses_trust_remote_code(chroma):
    _, proxy = chroma
    assert http("GET", proxy + COLLECTIONS)[0] == 401
    assert http("GET", proxy + COLLECTIONS, headers={"Authorization": "Bearer wrong"})[0] == 401
    assert http("GET", proxy + COLLECTIONS, headers={"Authorization": f"Bearer {CHROMA_TOKEN}"})[0] == 200
    assert http("GET", proxy + COLLECTIONS, headers={"X-Chroma-Token": CHROMA_TOKEN})[0] == 200
    payload = {"name": "evil", "configuration": {"embedding_function": {"type": "known", "name": "huggingface",
                                                                        "config": {"trust_remote_code": True}}}}
    status, body = http("POST", proxy + COLLECTIONS, payload, headers={"Authorization": f"Bearer {CHROMA_TOKEN}"})
    assert status == 403 and b"trust_remote_code" in body
    names = json.loads(http("GET", proxy + COLLECTIONS, headers={"X-Chroma-Token": CHROMA_TOKEN})[1])
    assert "evil" not in [c["name"] for c in names]


def test_copydesk_sends_the_token_and_fails_clearly_without_it(chroma):
    from retrieval.types import Document

    _, proxy = chroma
    with pytest.raises(StoreError):
        open_store(url=proxy)  # loopback, no token: the proxy answers 401
    store = open_store(url=proxy, token=CHROMA_TOKEN)  # the default embedder, as the workers use
    doc = Document(source="dams.txt", text="The northern dam holds 38 billion cubic metres of water.")
    assert store.ingest([doc]).added == 1 and store.document_text("dams.txt") == doc.text


def test_a_server_off_loopback_without_credentials_is_refused(monkeypatch):
    monkeypatch.delenv("COPYDESK_CHROMA_TOKEN", raising=False)
    started = time.monotonic()
    for url in ("http://203.0.113.7:8000", "https://chroma.example.org", "10.1.2.3:8000"):
        with pytest.raises(StoreError, match="refusing to use the Chroma server .* without credentials"):
            open_store(url=url)
    assert time.monotonic() - started < 30  # refused before any connection is tried (the embedder loads first)


def test_two_workers_over_one_chroma_server_check_drafts_through_both(chroma, tmp_path):
    _, proxy = chroma
    shared = {"COPYDESK_CHROMA_URL": proxy, "COPYDESK_CHROMA_TOKEN": CHROMA_TOKEN,
              "COPYDESK_REVIEW_DB": str(tmp_path / "reviews.sqlite3"), "COPYDESK_JOBS_DIR": str(tmp_path / "jobs")}
    with api_server(tmp_path / "w1", env=shared, token=API_TOKEN, name="worker1") as (one, log1, _), \
            api_server(tmp_path / "w2", env=shared, token=API_TOKEN, name="worker2") as (two, log2, _):
        status, stats, _ = call(one, "POST", "/v1/ingest", {"documents": demo_documents()}, token=API_TOKEN)
        assert status == 200 and stats["added"] + stats["unchanged"] == len(demo_documents())
        reports = []
        for base in (one, two, one, two):
            status, report, _ = call(base, "POST", "/v1/check", {"text": DRAFT, "as_of": "2026-01-20"}, token=API_TOKEN)
            assert status == 200, report
            reports.append(report)
        verdicts = [[(c["text"], c["verdict"]) for c in r["claims"]] for r in reports]
        assert all(v == verdicts[0] for v in verdicts)
        yen = next(c for c in reports[1]["claims"] if c["text"] == "about 60 billion yen")
        assert yen["verdict"] == "contradicted" and yen["citations"][0]["source"]
        # the second worker sees what the first ingested, and answers for the first one's reports and jobs
        assert call(two, "GET", "/v1/search?q=troops+stationed+in+South+Korea&k=1", token=API_TOKEN)[1][
            "passages"][0]["source"] == "usfk-cost-sharing.md"
        rid = reports[0]["report_id"]
        assert call(two, "GET", f"/v1/reports/{rid}", token=API_TOKEN)[0] == 200
        status, job, _ = call(one, "POST", "/v1/jobs", {"text": DRAFT, "as_of": "2026-01-20"}, token=API_TOKEN)
        deadline = time.monotonic() + 120
        while (state := call(two, "GET", job["url"], token=API_TOKEN)[1])["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.3)
        assert state["status"] == "done"
        for log in (log1, log2):
            assert CHROMA_TOKEN not in log.read_text() and API_TOKEN not in log.read_text()
