"""Performance benchmark: seconds to check a 1,000-word draft against a 10k-passage store.

    .venv/bin/python bench/perf_bench.py               # offline default (+ the LLM when COPYDESK_LLM is set)
    .venv/bin/python bench/perf_bench.py --passages 2000 --no-cold   # smaller and quicker

Measures, per mode: cold (a fresh `copydesk check` process, wall seconds and its peak RSS), first and
warm in-process runs (the second call in one process), claims per second (warm), this process's
peak RSS, and for LLM runs tokens per draft. The store is built once from public eval sentences
(Climate-FEVER and VitaminC evidence, ../shared/evaldata) in ~/.cache/copydesk/bench/; the draft is
composed at run time from the seed articles (../shared/seeds). Nothing derived from ../shared is
written into the repository: results go to bench/results/perf.json (gitignored).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evals.formats import default_shared_dir  # noqa: E402

CACHE = Path.home() / ".cache" / "copydesk" / "bench"
RESULTS = REPO / "bench" / "results" / "perf.json"
AS_OF = date(2026, 1, 20)


def bench_sentences(evaldata: Path, n: int) -> list[tuple[str, str]]:
    """(source, sentence) pairs: Climate-FEVER evidence first, then VitaminC evidence, deduplicated."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []

    def add(source: str, text: str) -> None:
        if text not in seen and len(out) < n:
            seen.add(text)
            out.append((source, text))

    with (evaldata / "climate-fever" / "climate-fever.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            for e in json.loads(line)["evidences"]:
                add(f"climate-fever/{e['evidence_id']}", e["evidence"])
    from evals.converters import clean_fever_text

    with (evaldata / "vitaminc" / "vitaminc_real_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if len(out) >= n:
                break
            row = json.loads(line)
            add(f"vitaminc/{row['unique_id']}", clean_fever_text(row["evidence"]))
    return out


def build_store(evaldata: Path, n: int) -> tuple[Path, float]:
    """The cached n-passage store (one short document per sentence); returns (path, build seconds or 0)."""
    from retrieval.store import open_store
    from retrieval.types import Document

    path = CACHE / f"store-{n}"
    store = open_store(path)
    if store.count() >= n:
        return path, 0.0
    started = time.perf_counter()
    docs = [Document(source=source, text=text) for source, text in bench_sentences(evaldata, n)]
    store.ingest(docs, progress=True)
    return path, time.perf_counter() - started


def compose_draft(seeds: Path, words: int) -> str:
    """About `words` words of the seed articles, whole paragraphs first, cut at a sentence end."""
    paragraphs: list[str] = []
    count = 0
    for path in sorted(seeds.glob("*.txt")):
        for para in path.read_text(encoding="utf-8").split("\n\n"):
            para = para.strip()
            if len(para.split()) < 8:  # headings, bylines
                continue
            paragraphs.append(para)
            count += len(para.split())
            if count >= words:
                return "\n\n".join(paragraphs)
    return "\n\n".join(paragraphs)


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "copydesk"
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def cold_run(store: Path, draft_file: Path, llm: str) -> dict[str, Any]:
    """A fresh `copydesk check` process: wall seconds and the child's peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [*_cli(), "check", "--store", str(store), "--as-of", AS_OF.isoformat(), "--format", "json",
               "--out", str(out), "--llm", llm, str(draft_file)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode != 0:
            return {"error": (proc.stderr.strip().splitlines() or ["exit " + str(proc.returncode)])[-1]}
        report = json.loads(out.read_text(encoding="utf-8"))
    return {"seconds": round(seconds, 2), "claims": len(report["claims"]),
            "peak_rss_mb": round(max(before, after) / 1024, 1)}


def warm_runs(store_path: Path, draft: str, llm: Any) -> dict[str, Any]:
    """Two in-process checks; the second is the warm figure."""
    from claims.pipeline import check
    from retrieval.store import open_store

    started = time.perf_counter()
    store = open_store(store_path)
    open_seconds = time.perf_counter() - started
    times, reports = [], []
    for _ in range(2):
        started = time.perf_counter()
        reports.append(check(draft, store=store, as_of=AS_OF, llm=llm))
        times.append(time.perf_counter() - started)
    claims = len(reports[-1].claims)
    usage = reports[-1].usage
    return {"open_store_seconds": round(open_seconds, 2), "first_seconds": round(times[0], 2),
            "warm_seconds": round(times[1], 2), "claims": claims,
            "claims_per_second": round(claims / times[1], 2) if times[1] else None,
            "tokens_per_draft": usage.prompt_tokens + usage.completion_tokens,
            "llm_calls": usage.llm_calls, "cached_calls": usage.cached_calls,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=1_000)
    parser.add_argument("--no-cold", action="store_true", help="skip the fresh-process run")
    parser.add_argument("--offline-only", action="store_true", help="skip the LLM even when configured")
    parser.add_argument("--shared", type=Path, default=None, help="shared data folder (default ../shared)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    shared = args.shared or default_shared_dir()
    if not (shared / "evaldata").is_dir() or not (shared / "seeds").is_dir():
        print(f"error: {shared} lacks evaldata/ or seeds/ (set --shared or COPYDESK_SHARED)", file=sys.stderr)
        return 2
    store_path, build_seconds = build_store(shared / "evaldata", args.passages)
    draft = compose_draft(shared / "seeds", args.words)
    CACHE.mkdir(parents=True, exist_ok=True)
    draft_file = CACHE / "draft.txt"
    draft_file.write_text(draft, encoding="utf-8")

    from claims.settings import Settings

    settings = Settings.load().apply()  # this script is an edge: it reads COPYDESK_* once
    modes: list[tuple[str, Any]] = [("none", None)]
    if not args.offline_only and settings.llm_backend != "none":
        modes.append((settings.llm_config().backend, settings.llm_client()))
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "store": {"passages": args.passages, "path": str(store_path), "build_seconds": round(build_seconds, 1)},
        "draft": {"words": len(draft.split()), "characters": len(draft)},
        "runs": {},
    }
    for mode, llm in modes:
        run: dict[str, Any] = {}
        if not args.no_cold:
            run["cold"] = cold_run(store_path, draft_file, mode)
        run["warm"] = warm_runs(store_path, draft, llm)
        results["runs"][mode] = run
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(table(results))
    print(f"\nwritten to {args.out}")
    return 0


def table(results: dict[str, Any]) -> str:
    lines = [f"draft {results['draft']['words']} words, store {results['store']['passages']} passages, "
             f"{results['machine']['cpus']} CPUs",
             "| llm | cold s | first s | warm s | claims | claims/s | tokens/draft | peak RSS MB (cold / in-process) |",
             "|---|---|---|---|---|---|---|---|"]
    for mode, run in results["runs"].items():
        cold, warm = run.get("cold", {}), run["warm"]
        lines.append(f"| {mode} | {cold.get('seconds', cold.get('error', '–'))} | {warm['first_seconds']} | "
                     f"{warm['warm_seconds']} | {warm['claims']} | {warm['claims_per_second']} | "
                     f"{warm['tokens_per_draft']} | {cold.get('peak_rss_mb', '–')} / {warm['peak_rss_mb']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
