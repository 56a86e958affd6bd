"""Load test of the HTTP API on loopback: C concurrent clients x R requests of seed-length drafts.

Starts its own `copydesk serve` on 127.0.0.1 (a fresh store with the demo corpus ingested through the API)
unless --url names running workers, measures the single-request time first, then runs the clients and
reports throughput, p50/p95/p99 latency, errors, and the server's RSS at the start, middle and end.

    .venv/bin/python bench/load_bench.py                                 # quick: 4 clients x 10 requests
    .venv/bin/python bench/load_bench.py --clients 16 --requests 200     # the issue's run (long on 2 cores)
    .venv/bin/python bench/load_bench.py --clients 16 --soak-minutes 20  # the soak: not for CI
    .venv/bin/python bench/load_bench.py --url http://127.0.0.1:8081,http://127.0.0.1:8082 --token t  # deploy/run-local.sh

Drafts: the seed articles in $COPYDESK_SHARED/seeds (default ../shared/seeds), read at run time; the demo
draft when they are absent. Loopback only: --url must point at 127.0.0.1/localhost.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "app" / "demo"


def drafts() -> tuple[list[str], str]:
    shared = Path(os.environ.get("COPYDESK_SHARED") or REPO.parent / "shared")
    seeds = sorted((shared / "seeds").glob("*.txt"))
    if seeds:
        return [p.read_text(encoding="utf-8") for p in seeds], f"{len(seeds)} seed articles from {shared / 'seeds'}"
    return [(DEMO / "draft.txt").read_text(encoding="utf-8")], "the demo draft (no seed articles found)"


def post(base: str, path: str, body: dict, token: str | None, timeout: float = 300) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, {"error": error.read()[:200].decode("utf-8", "replace")}


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def start_server(tmp: Path, env_extra: dict[str, str]) -> tuple[str, subprocess.Popen]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO), "COPYDESK_STORE": str(tmp / "store"),
           "COPYDESK_REVIEW_DB": str(tmp / "reviews.sqlite3"), "COPYDESK_JOBS_DIR": str(tmp / "jobs"),
           "COPYDESK_LLM": "none", "ANONYMIZED_TELEMETRY": "False", **env_extra}
    env.pop("COPYDESK_API_TOKEN", None)
    env.pop("COPYDESK_CHROMA_URL", None)
    log = open(tmp / "server.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {(tmp / 'server.log').read_text()[-1000:]}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as reply:
                if reply.status == 200:
                    return base, process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("the server was not ready within 180 s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run(args: argparse.Namespace) -> dict:
    texts, described = drafts()
    tmp = Path(tempfile.mkdtemp(prefix="copydesk-load-"))
    process = None
    if args.url:
        bases = [u.strip().rstrip("/") for u in args.url.split(",") if u.strip()]
        for base in bases:
            host = urlparse(base).hostname or ""
            if host not in ("127.0.0.1", "localhost", "::1"):
                raise SystemExit(f"loopback only: {base}")
    else:
        base, process = start_server(tmp, {"COPYDESK_API_CONCURRENCY": str(args.concurrency)} if args.concurrency else {})
        bases = [base]
    pid = process.pid if process else None
    token = args.token or None
    try:
        docs = [{"source": p.name, "text": p.read_text(encoding="utf-8")} for p in sorted((DEMO / "corpus").glob("*"))]
        status, _ = post(bases[0], "/v1/ingest", {"documents": docs}, token)
        if status != 200:
            raise SystemExit(f"ingest answered {status}")
        # single-request time: warm, one at a time
        for text in texts:
            post(bases[0], "/v1/check", {"text": text, "as_of": args.as_of}, token)
        single = []
        for i in range(max(args.single, 1)):
            started = time.perf_counter()
            status, _ = post(bases[i % len(bases)], "/v1/check", {"text": texts[i % len(texts)], "as_of": args.as_of}, token)
            single.append(time.perf_counter() - started)
        rss: list[tuple[float, float | None]] = [(0.0, rss_mb(pid))]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.soak_minutes * 60 if args.soak_minutes else None
        done_flag = threading.Event()

        def client(number: int) -> None:
            i = 0
            while (i < args.requests) if stop_at is None else (time.monotonic() < stop_at):
                text = texts[(number + i) % len(texts)]
                base = bases[(number + i) % len(bases)]
                started = time.perf_counter()
                try:
                    status, body = post(base, "/v1/check", {"text": text, "as_of": args.as_of}, token)
                    ok = status == 200 and body.get("schema") == "copydesk.report/1"
                    problem = None if ok else f"HTTP {status}: {str(body.get('error', ''))[:80]}"
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    problem = f"{type(exc).__name__}: {exc}"[:120]
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if problem:
                        errors.append(problem)
                i += 1

        def sampler(started: float) -> None:
            while not done_flag.wait(1.0):
                rss.append((time.monotonic() - started, rss_mb(pid)))

        started = time.monotonic()
        sampling = threading.Thread(target=sampler, args=(started,), daemon=True)
        sampling.start()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        done_flag.set()
        rss.append((wall, rss_mb(pid)))
        middle = min(rss, key=lambda point: abs(point[0] - wall / 2))
        single_s = statistics.median(single)
        p95 = percentile(latencies, 95)
        result = {
            "drafts": described, "draft_words": [len(t.split()) for t in texts], "workers": len(bases),
            "clients": args.clients, "requests": len(latencies), "errors": len(errors),
            "error_examples": sorted(set(errors))[:5], "wall_s": round(wall, 1),
            "throughput_rps": round(len(latencies) / wall, 3) if wall else None,
            "single_request_s": round(single_s, 3),
            "p50_s": round(percentile(latencies, 50), 3), "p95_s": round(p95, 3), "p99_s": round(percentile(latencies, 99), 3),
            "p95_over_single": round(p95 / single_s, 2) if single_s else None,
            "rss_mb": {"start": rss[0][1], "middle": middle[1], "end": rss[-1][1],
                       "peak": max((r for _, r in rss if r is not None), default=None)} if pid else None,
            "server_concurrency": args.concurrency or os.cpu_count(), "cores": os.cpu_count(),
        }
        return result
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--requests", type=int, default=10, help="requests per client (default 10)")
    parser.add_argument("--soak-minutes", type=float, default=0, help="run the clients this long instead (soak)")
    parser.add_argument("--single", type=int, default=5, help="sequential requests that time one request alone")
    parser.add_argument("--concurrency", type=int, help="the server's check slots (default: its cores)")
    parser.add_argument("--as-of", default="2026-01-20")
    parser.add_argument("--url", help="comma-separated running workers on loopback instead of starting one")
    parser.add_argument("--token", default=os.environ.get("COPYDESK_API_TOKEN"), help="bearer token for --url")
    parser.add_argument("--out", help="also write the result as JSON here")
    args = parser.parse_args(argv)
    result = run(args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
