"""Measure offline verification on VitaminC real dev pairs whose claim contains a number.

300 pairs (100 per label, fixed seed), each checked against its own evidence sentence (FEVER tokens undone) with
claims.verify.verify_statement (comparators, then the offline judge). Prints macro-F1, accuracy,
the confusion matrix, how often each method decided and the gold labels of each decision.

    .venv/bin/python scripts/measure_verifier.py [--per-label 100] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims.calibration import expected_calibration_error  # noqa: E402
from claims.models import Label  # noqa: E402
from claims.verify import verify_statement  # noqa: E402
from retrieval.types import Passage  # noqa: E402
from scripts.train_verifier import detokenize  # noqa: E402

AS_OF = date(2026, 11, 24)


def sample_vitaminc_numeric(path: Path, per_label: int, seed: int) -> list[dict]:
    """`per_label` pairs of each label whose claim contains a digit, drawn deterministically."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if re.search(r"\d", r["claim"])]
    rng = random.Random(seed)
    out = []
    for label in ("SUPPORTS", "REFUTES", "NOT ENOUGH INFO"):
        pool = sorted((r for r in rows if r["label"] == label), key=lambda r: r["unique_id"])
        out += rng.sample(pool, per_label)
    return out


def measure(rows: list[dict]) -> dict:
    from sklearn.metrics import confusion_matrix, f1_score

    labels = [Label.supported, Label.contradicted, Label.not_enough_evidence]
    gold, pred, conf, methods = [], [], [], Counter()
    gold_by_method: dict[str, Counter] = {}
    started = time.perf_counter()
    for r in rows:
        evidence = detokenize(r["evidence"])
        passage = Passage(id=r["unique_id"], source=r["unique_id"], text=evidence, start=0, end=len(evidence))
        verdict = verify_statement(detokenize(r["claim"]), [passage], AS_OF)
        gold.append(Label.parse(r["label"]))
        pred.append(verdict.label)
        conf.append(verdict.confidence)
        methods[f"{verdict.method}:{verdict.label.value}"] += 1
        gold_by_method.setdefault(f"{verdict.method}:{verdict.label.value}", Counter())[Label.parse(r["label"]).value] += 1
    seconds = time.perf_counter() - started
    g = [labels.index(x) for x in gold]
    p = [labels.index(x) for x in pred]
    return {
        "n": len(rows), "macro_f1": round(float(f1_score(g, p, average="macro", labels=[0, 1, 2])), 4),
        "accuracy": round(sum(a == b for a, b in zip(g, p)) / len(g), 4),
        "ece": round(expected_calibration_error(conf, [a == b for a, b in zip(g, p)]), 4),
        "confusion (rows gold S/C/N, cols predicted)": confusion_matrix(g, p, labels=[0, 1, 2]).tolist(),
        "methods": dict(sorted(methods.items())),
        "gold labels by decision": {k: dict(sorted(v.items())) for k, v in sorted(gold_by_method.items())},
        "seconds": round(seconds, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaldata", type=Path, default=REPO.parent / "shared" / "evaldata")
    parser.add_argument("--per-label", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    path = args.evaldata / "vitaminc" / "vitaminc_real_dev.jsonl"
    if not path.is_file():
        print(f"error: {path} not found", file=sys.stderr)
        return 2
    print(json.dumps(measure(sample_vitaminc_numeric(path, args.per_label, args.seed)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
