"""Measure the value comparators on training pairs, and the relevance threshold a contradiction needs.

A comparator's "contradicted" must come from an evidence figure about the same thing as the claim's:
`claims.compare.CONTRADICT_MIN_CONTEXT` is the share of the claim's words around its figure that the
evidence sentence must hold, and `CONTRADICT_MIN_RELEVANCE` the overlap score (the claim's words in the
sentence, its words around the figure near the evidence's figure, the counted noun) the sentence must reach.
This script chooses both on training data only (none of it is scored):
- VitaminC synthetic test: SUPPORTS / REFUTES pairs (a REFUTES pair is the claim's sentence with another
  figure), and, for each claim, the other case of the same page sharing most of its words short of a near
  copy (`NEAR_COPY_OVERLAP`) as a neighbouring-fact NEI pair (not filtered by what the comparators decide,
  unlike the judge's training pairs: the comparators' false contradictions are what is measured here);
- Fool Me Twice dev: gold evidence (SUPPORTS / REFUTES) and every retrieved non-gold sentence (NEI);
- FEVER-Symmetric dev (SUPPORTS / REFUTES).
Only claims with a digit count. For each pair of thresholds on a grid it prints the pooled precision and
recall of the comparators' contradictions and their F-score with precision weighed twice (F0.5: a
comparator's contradiction is final, an undecided pair still goes to the judge); then precision / recall of
contradicted and supported per source before (no context check), for the chosen pair and for the shipped
one. The chosen pair: of those within NEAR_BEST of the best F0.5, the one with the highest recall.

    .venv/bin/python scripts/tune_comparators.py [--evaldata ../shared/evaldata] [--limit 1500]
"""
from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import claims.compare as compare_module  # noqa: E402
from claims.compare import content_words, overlap  # noqa: E402
from claims.models import Label  # noqa: E402
from train_verifier import NEAR_COPY_OVERLAP, comparator_label, read_jsonl  # noqa: E402

RELEVANCE_GRID = [0.6, 0.8, 0.9, 1.0, 1.1]  # CONTRADICT_MIN_RELEVANCE; 0.6 was the value before the check
CONTEXT_GRID = [0.0, 0.4, 0.5, 0.6]  # CONTRADICT_MIN_CONTEXT; 0.0 is no context check
SEED = 13
# Among thresholds within this F0.5 of the best, the one keeping the most true contradictions is chosen:
# they are the product's number-mismatch findings (a stricter gate lost the demo's "60 billion yen").
NEAR_BEST = 0.01


def has_digit(text: str) -> bool:
    return re.search(r"\d", text) is not None


def vitaminc_pairs(evaldata: Path) -> list[dict]:
    """Numeric VitaminC synthetic pairs plus the closest other case of the same page as NEI."""
    rows = read_jsonl(evaldata / "vitaminc" / "vitaminc_synthetic_test.jsonl")
    by_page: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_page[r["page"]].append(r)
    out = []
    for r in rows:
        if not has_digit(r["claim"]):
            continue
        out.append({"claim": r["claim"], "evidence": r["evidence"], "label": Label.parse(r["label"]),
                    "source": "vitaminc_synthetic"})
        if r["label"] != "SUPPORTS":
            continue  # one NEI pair per claim
        claim_words = content_words(r["claim"])
        others = sorted({o["evidence"] for o in by_page[r["page"]]
                         if o["case_id"] != r["case_id"] and o["evidence"] != r["evidence"]})
        scored = [(overlap(claim_words, content_words(o)), o) for o in others]
        close = [o for score, o in sorted(scored, reverse=True) if score < NEAR_COPY_OVERLAP]
        if close:
            out.append({"claim": r["claim"], "evidence": close[0], "label": Label.not_enough_evidence,
                        "source": "vitaminc_synthetic+nei_close"})
    return out


def fm2_pairs(evaldata: Path) -> list[dict]:
    out = []
    for r in read_jsonl(evaldata / "fm2" / "dev.jsonl"):
        if not has_digit(r["text"]):
            continue
        gold = [e["text"] for e in r["gold_evidence"]]
        if gold:
            out.append({"claim": r["text"], "evidence": gold[0], "label": Label.parse(r["label"]), "source": "fm2"})
        out += [{"claim": r["text"], "evidence": text, "label": Label.not_enough_evidence, "source": "fm2+nei"}
                for text in sorted({e["text"] for e in r["retrieved_evidence"]} - set(gold))]
    return out


def fever_symmetric_pairs(evaldata: Path) -> list[dict]:
    return [{"claim": r["claim"], "evidence": r["evidence"], "label": Label.parse(r["label"]),
             "source": "fever_symmetric"}
            for r in read_jsonl(evaldata / "fever-symmetric" / "fever_symmetric_dev.jsonl") if has_digit(r["claim"])]


def scores(pairs: list[dict], decisions: list[Label | None], label: Label) -> tuple[float, float, int, int]:
    """Precision and recall of the comparators' `label` decisions, the count decided and the gold count."""
    called = [p for p, d in zip(pairs, decisions) if d is label]
    right = sum(p["label"] is label for p in called)
    gold = sum(p["label"] is label for p in pairs)
    return (right / len(called) if called else 0.0, right / gold if gold else 0.0, len(called), gold)


def f_beta(precision: float, recall: float, beta: float = 0.5) -> float:
    if precision + recall == 0:
        return 0.0
    return (1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall)


def report(name: str, pairs: list[dict], decisions: list[Label | None]) -> None:
    """Print precision and recall of both decisions per source and pooled."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_source[p["source"].split("+")[0]].append(i)
    print(f"== {name}")
    for source, idx in sorted(by_source.items()) + [("all", list(range(len(pairs))))]:
        sub, dec = [pairs[i] for i in idx], [decisions[i] for i in idx]
        cp, cr, cn, cg = scores(sub, dec, Label.contradicted)
        sp, sr, sn, sg = scores(sub, dec, Label.supported)
        false_nei = sum(p["label"] is Label.not_enough_evidence for p, d in zip(sub, dec) if d is Label.contradicted)
        print(f"  {source:20s} contradicted P {cp:.3f} R {cr:.3f} ({cn} called / {cg} gold, {false_nei} of them NEI)"
              f" | supported P {sp:.3f} R {sr:.3f} ({sn} / {sg})")


def set_gates(gates: tuple[float, float]) -> None:
    compare_module.CONTRADICT_MIN_RELEVANCE, compare_module.CONTRADICT_MIN_CONTEXT = gates


def decide_all(pairs: list[dict]) -> list[Label | None]:
    return [comparator_label(p["claim"], p["evidence"]) for p in pairs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--evaldata", type=Path, default=REPO.parent / "shared" / "evaldata")
    parser.add_argument("--limit", type=int, default=1500, help="VitaminC synthetic pairs sampled (0: all)")
    args = parser.parse_args()
    started, cpu = time.time(), time.process_time()
    vitaminc = vitaminc_pairs(args.evaldata)
    if args.limit and len(vitaminc) > args.limit:
        vitaminc = random.Random(SEED).sample(vitaminc, args.limit)
    pairs = vitaminc + fm2_pairs(args.evaldata) + fever_symmetric_pairs(args.evaldata)
    print(f"{len(pairs)} numeric training pairs")
    shipped = (compare_module.CONTRADICT_MIN_RELEVANCE, compare_module.CONTRADICT_MIN_CONTEXT)
    before = (RELEVANCE_GRID[0], CONTEXT_GRID[0])
    results = {}
    for gates in itertools.product(RELEVANCE_GRID, CONTEXT_GRID):
        set_gates(gates)
        decisions = decide_all(pairs)
        cp, cr, cn, _ = scores(pairs, decisions, Label.contradicted)
        results[gates] = (f_beta(cp, cr), decisions)
        print(f"relevance >= {gates[0]}, context >= {gates[1]}: contradicted P {cp:.3f} R {cr:.3f} ({cn} called),"
              f" F0.5 {results[gates][0]:.3f}")
    best = max(score for score, _ in results.values())
    near_best = [g for g in results if results[g][0] >= best - NEAR_BEST]
    chosen = max(near_best, key=lambda g: (scores(pairs, results[g][1], Label.contradicted)[1], g))
    set_gates(shipped)
    report(f"before: relevance >= {before[0]}, no context check", pairs, results[before][1])
    report(f"chosen: relevance >= {chosen[0]}, context >= {chosen[1]}", pairs, results[chosen][1])
    if shipped in results:
        report(f"shipped: relevance >= {shipped[0]}, context >= {shipped[1]}", pairs, results[shipped][1])
    print(f"{time.time() - started:.0f} s wall, {time.process_time() - cpu:.0f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
