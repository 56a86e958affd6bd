"""Speed of the NLI cross-encoder: claim-sentence pairs per second on this machine, and its memory.

    .venv/bin/python bench/nli_bench.py                 # 2,000 pairs from the held-out VitaminC set
    .venv/bin/python bench/nli_bench.py --pairs 500 --threads 1

The pairs are real (claim, evidence sentence) pairs of ~/.cache/copydesk/evalsets/vitaminc-heldout.jsonl
(written by `copydesk suite`); without it, pairs are built from the seed articles' sentences. Each pair is
read once (the model's small cache is bypassed), in the batches the judge uses. Prints pairs/s, tokens per
pair, the peak RSS of this process and the ratio to the issue's 150 pairs/s target.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evals.formats import default_shared_dir  # noqa: E402
from retrieval.cross_encoder import CrossEncoder  # noqa: E402

HELDOUT = Path.home() / ".cache" / "copydesk" / "evalsets" / "vitaminc-heldout.jsonl"
TARGET = 150.0


def real_pairs(n: int) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if HELDOUT.is_file():
        for line in HELDOUT.open(encoding="utf-8"):
            item = json.loads(line)
            for sentence in item.get("evidence") or []:
                pairs.append((item["claim"], sentence))
            if len(pairs) >= n:
                break
    if not pairs:
        seeds = default_shared_dir() / "seeds"
        sentences = [s.strip() for f in sorted(seeds.glob("*.txt")) for s in f.read_text().split(". ") if len(s) > 40]
        pairs = [(sentences[i], sentences[(i * 7 + 3) % len(sentences)]) for i in range(len(sentences))]
    while len(pairs) < n:
        pairs += pairs[: n - len(pairs)]
    return pairs[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=0, help="ONNX threads (0: the runtime's default, 2 here)")
    args = parser.parse_args(argv)
    pairs = real_pairs(args.pairs)
    model = CrossEncoder(threads=args.threads)
    model.predict(pairs[:8])  # load the graph: not part of the figure
    tokens = sum(len(e.ids) for e in model.tokenizer.encode_batch(list(pairs))) / len(pairs)
    model._cache.clear()
    started, cpu = time.perf_counter(), time.process_time()
    model._run(pairs)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = len(pairs) / seconds
    print(f"{len(pairs)} pairs, {tokens:.0f} tokens per pair on average: {rate:.0f} pairs/s "
          f"({len(pairs) / cpu_seconds:.0f} per CPU-second; load average {os.getloadavg()[0]:.1f}); "
          f"{rate / TARGET:.1f}x the 150 pairs/s target; peak RSS {rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
