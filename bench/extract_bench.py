"""Speed of the rule-based extractor over the seed articles: ms per 1,000 words and claims per second.

    .venv/bin/python bench/extract_bench.py [--repeat N]

Reads ../shared/seeds/*.txt (skips cleanly when absent). The first pass warms the caches (regex
compilation, the roster, the sentence splitter); the figures are the best of N warm passes.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims.extract import RuleExtractor  # noqa: E402

SEEDS = REPO.parent / "shared" / "seeds"
AS_OF = date(2026, 1, 15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm passes; the best is reported")
    args = parser.parse_args()
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not files:
        print(f"skipped: no seed articles at {SEEDS}")
        return 0
    texts = [f.read_text(encoding="utf-8") for f in files]
    words = sum(len(t.split()) for t in texts)
    extractor = RuleExtractor()
    cold_start = time.perf_counter()
    claims = sum(len(extractor.extract(t, AS_OF)) for t in texts)
    cold = time.perf_counter() - cold_start
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        for text in texts:
            extractor.extract(text, AS_OF)
        best = min(best, time.perf_counter() - start)
    print(f"{len(files)} seed articles, {words} words, {claims} claims")
    print(f"cold first pass: {cold * 1000:.1f} ms")
    print(f"warm (best of {args.repeat}): {best * 1000:.1f} ms total, "
          f"{best * 1000 / words * 1000:.1f} ms per 1,000 words, {claims / best:.0f} claims/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
