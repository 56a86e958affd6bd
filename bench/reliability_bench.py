"""Linear time on hostile drafts: seconds per 10,000 characters for prose, one long line, 20,000 numbers
and a 2,000,000-character draft, each against prose.

    .venv/bin/python bench/reliability_bench.py                # offline check() with no store, as a draft is first read
    .venv/bin/python bench/reliability_bench.py --store DIR    # also retrieve from a store for every claim

Prose is the seed articles (../shared/seeds) repeated; "one long line" is the same prose with every
sentence break and newline replaced by a space and a comma; "20,000 numbers" is 20,000 random figures
separated by spaces; the 2,000,000-character draft is prose repeated to the size limit. Each draft goes
through `claims.pipeline.check` once (extraction, verification, consistency checks). Prints a table and
writes bench/results/reliability.json (gitignored). Target (issue #17): every row within 2x of prose.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims.drafts import MAX_DRAFT_CHARS  # noqa: E402
from claims.pipeline import check  # noqa: E402
from evals.formats import default_shared_dir  # noqa: E402

RESULTS = REPO / "bench" / "results" / "reliability.json"
AS_OF = date(2026, 1, 20)


def prose(n_chars: int) -> str:
    seeds = sorted((default_shared_dir() / "seeds").glob("*.txt"))
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in seeds) if seeds else \
        "The council approved a budget of 48 million pounds on 10 March 2026, officials said. "
    return (text * (n_chars // len(text) + 1))[:n_chars]


def drafts(size: int) -> dict[str, str]:
    rng = random.Random(17)
    numbers = " ".join(str(rng.choice([rng.randint(0, 10**6), round(rng.uniform(0, 100), 1)])) for _ in range(20_000))
    base = prose(size)
    return {
        "prose": base,
        "one long line": re.sub(r"[.!?]\s+|\n+", ", ", base),
        "20,000 numbers": numbers,
        "2,000,000 characters": prose(MAX_DRAFT_CHARS),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="characters of the prose and long-line drafts")
    parser.add_argument("--store", default=None, help="a store folder to retrieve from (default: none)")
    args = parser.parse_args(argv)
    store = None
    if args.store:
        from retrieval.store import open_store

        store = open_store(args.store)
    rows = []
    for name, text in drafts(args.size).items():
        started = time.perf_counter()
        report = check(text, store=store, as_of=AS_OF)
        seconds = time.perf_counter() - started
        decided = sum(r.verdict.label.value != "not_enough_evidence" for r in report.claims)
        rows.append({"draft": name, "chars": len(text), "seconds": round(seconds, 2),
                     "s_per_10k": round(seconds / len(text) * 10_000, 3), "claims": len(report.claims),
                     "decided": decided})
        print(f"  {name}: {len(text):,} chars in {seconds:.1f} s", flush=True)
    base = rows[0]["s_per_10k"] or 1e-9
    print(f"\n| draft | characters | seconds | s per 10,000 chars | x prose | claims | decided |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        row["x_prose"] = round(row["s_per_10k"] / base, 2)
        print(f"| {row['draft']} | {row['chars']:,} | {row['seconds']} | {row['s_per_10k']} | {row['x_prose']} | "
              f"{row['claims']} | {row['decided']} |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {rss:.0f} MB; store: {args.store or 'none'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": rows, "store": args.store, "peak_rss_mb": round(rss)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
