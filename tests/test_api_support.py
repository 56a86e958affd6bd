"""A real `copydesk serve` (uvicorn) on 127.0.0.1 for the API tests, and a small JSON HTTP client.

No tests here: test_api*.py, test_service*.py and bench/load_bench.py start servers with `api_server`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "app" / "demo"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body: Any = None, *, token: str | None = None, raw: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, Any, dict[str, str]]:
    """(status, decoded JSON body, headers) of one request; HTTP errors are answers, not exceptions."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"null"), dict(reply.headers)
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            decoded = json.loads(payload)
        except ValueError:
            decoded = payload.decode("utf-8", "replace")
        return error.code, decoded, dict(error.headers)


def demo_documents() -> list[dict[str, str]]:
    return [{"source": p.name, "text": p.read_text(encoding="utf-8")} for p in sorted((DEMO / "corpus").glob("*"))
            if p.is_file()]


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def api_server(tmp: Path, env: dict[str, str] | None = None, *, token: str | None = None, host: str = "127.0.0.1",
               timeout_s: float = 180, name: str = "api") -> Iterator[tuple[str, Path, subprocess.Popen]]:
    """Start `copydesk serve` on a free loopback port with its own store, review database and jobs folder;
    yield (base URL, log file, process) once /readyz answers 200; stop it (and only it) afterwards."""
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / f"{name}.log"
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "COPYDESK_STORE": str(tmp / "store"),
                "COPYDESK_REVIEW_DB": str(tmp / "reviews.sqlite3"), "COPYDESK_JOBS_DIR": str(tmp / "jobs"),
                "COPYDESK_LLM": "none", "ANONYMIZED_TELEMETRY": "False", **(env or {})}
    full_env.pop("COPYDESK_API_TOKEN", None)
    if token:
        full_env["COPYDESK_API_TOKEN"] = token
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", host, "--port", str(port)],
                                   cwd=REPO, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"copydesk serve exited with {process.returncode}: {log.read_text()[-2000:]}")
            try:
                status, body, _ = call(base, "GET", "/readyz", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"copydesk serve was not ready within {timeout_s} s: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield base, log, process
    finally:
        stop(process)
