"""Train the offline judge's small verifier and its calibration; write claims/data/verifier.json.

Training data (read from ../shared/evaldata, never copied into the repository; none of it is scored):
- VitaminC synthetic test (SUPPORTS / REFUTES), plus NOT ENOUGH INFO pairs built by pairing each claim
  with the evidence of another case of the same Wikipedia page (topical but not about the claim);
- Fool Me Twice dev: gold evidence (SUPPORTS / REFUTES), NOT ENOUGH INFO from its retrieved non-gold sentences;
- FEVER-Symmetric dev (SUPPORTS / REFUTES).
Items are split by case/page into train (70%), calibration dev (15%) and held-out test (15%).

    .venv/bin/python scripts/train_verifier.py [--evaldata ../shared/evaldata] [--hidden 16]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims.calibration import VERIFIER_PATH, expected_calibration_error, fit_platt, reliability  # noqa: E402
from claims.judge import CLASSES, EMBEDDER_NAME, FEATURE_NAMES, pair_features  # noqa: E402
from claims.models import Label  # noqa: E402

AS_OF = date(2026, 11, 24)
SEED = 13


_FEVER_TOKENS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
                 "``": '"', "''": '"'}


def detokenize(text: str) -> str:
    """Undo FEVER/Wikipedia tokenisation ("May 11 , 2014 ." -> "May 11, 2014."), as a reader would see it."""
    for token, char in _FEVER_TOKENS.items():
        text = text.replace(token, char)
    text = text.replace("\ufffd", " ")
    text = re.sub(r"\s+([,.;:!?%)\]}'])", r"\1", text)
    text = re.sub(r"([(\[{$])\s+", r"\1", text)
    text = re.sub(r'"\s+(.*?)\s+"', r'"\1"', text)
    return re.sub(r"\s{2,}", " ", text).strip()


def split_of(key: str) -> str:
    """Deterministic split by group key: 70% train, 15% dev (calibration), 15% test (held out)."""
    bucket = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else ("dev" if bucket < 85 else "test")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def vitaminc_synthetic(evaldata: Path, rng: random.Random) -> list[dict]:
    rows = read_jsonl(evaldata / "vitaminc" / "vitaminc_synthetic_test.jsonl")
    out = [{"claim": r["claim"], "evidence": r["evidence"], "label": Label.parse(r["label"]),
            "group": r["page"], "source": "vitaminc_synthetic"} for r in rows]
    by_page: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_page[r["page"]].append(r)
    all_rows = rows
    nei = []
    for r in rows[::3]:  # one NEI per three claims keeps the classes near balance
        others = [o for o in by_page[r["page"]] if o["case_id"] != r["case_id"]]
        other = rng.choice(others) if others else rng.choice(all_rows)
        if other["evidence"] == r["evidence"]:
            continue
        nei.append({"claim": r["claim"], "evidence": other["evidence"], "label": Label.not_enough_evidence,
                    "group": r["page"], "source": "vitaminc_synthetic+nei"})
    return out + nei


def fool_me_twice(evaldata: Path, rng: random.Random) -> list[dict]:
    out = []
    for r in read_jsonl(evaldata / "fm2" / "dev.jsonl"):
        gold = [e["text"] for e in r["gold_evidence"]]
        group = r["wikipedia_page"]
        for text in gold[:1]:
            out.append({"claim": r["text"], "evidence": text, "label": Label.parse(r["label"]), "group": group,
                        "source": "fm2"})
        negatives = [e["text"] for e in r["retrieved_evidence"] if e["text"] not in gold]
        if negatives:
            out.append({"claim": r["text"], "evidence": rng.choice(negatives), "label": Label.not_enough_evidence,
                        "group": group, "source": "fm2+nei"})
    return out


def fever_symmetric(evaldata: Path) -> list[dict]:
    return [{"claim": r["claim"], "evidence": r["evidence"], "label": Label.parse(r["label"]),
             "group": "fs:" + r["id"], "source": "fever_symmetric"}
            for r in read_jsonl(evaldata / "fever-symmetric" / "fever_symmetric_dev.jsonl")]


def pair_similarities(pairs: list[tuple[str, str]]) -> list[float]:
    """Embedding cosine of each pair, embedding every distinct text once."""
    from retrieval.embeddings import get_embedder

    texts = sorted({t for pair in pairs for t in pair})
    vectors = get_embedder(EMBEDDER_NAME).embed(texts)
    index = {t: i for i, t in enumerate(texts)}
    return [float(vectors[index[c]] @ vectors[index[e]]) for c, e in pairs]


NEI = CLASSES.index(Label.not_enough_evidence)


def best_threshold(gold: np.ndarray, pred: np.ndarray, confidence: np.ndarray) -> float:
    """The confidence below which the judge answers not_enough_evidence: the dev split's best macro-F1,
    never below 0.5 (the judge is conservative: it decides only when more likely right than wrong)."""
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.5, 0.81, 0.025):
        decided = np.where((pred != NEI) & (confidence < threshold), NEI, pred)
        f1 = macro_f1(gold.tolist(), decided.tolist())
        if f1 > best_f1 + 1e-4:
            best, best_f1 = round(float(threshold), 3), f1
    return best


def comparator_reliability(items: list[dict]) -> dict[str, float]:
    """Precision of each comparator decision (method:label) on the dev split's pairs."""
    from claims.verify import comparator_verdict
    from retrieval.types import Passage

    decisions = []
    for item in items:
        if not re.search(r"\d", item["claim"]):
            continue
        evidence = detokenize(item["evidence"])
        passage = Passage(id="dev", source="dev", text=evidence, start=0, end=len(evidence))
        verdict = comparator_verdict(detokenize(item["claim"]), [passage], AS_OF)
        if verdict is not None:
            decisions.append((f"{verdict.method}:{verdict.label.value}", verdict.label is item["label"]))
    return reliability(decisions)


def macro_f1(gold: list[int], pred: list[int]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, average="macro", labels=[0, 1, 2]))


def export_layers(model) -> list[list]:
    return [[w.round(5).tolist(), b.round(5).tolist()] for w, b in zip(model.coefs_, model.intercepts_)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaldata", type=Path, default=REPO.parent / "shared" / "evaldata")
    parser.add_argument("--hidden", type=int, default=16, help="hidden units (0: logistic regression)")
    parser.add_argument("--out", type=Path, default=VERIFIER_PATH)
    args = parser.parse_args()
    if not args.evaldata.is_dir():
        print(f"error: eval data not found at {args.evaldata}", file=sys.stderr)
        return 2
    rng = random.Random(SEED)
    started = time.time()
    items = vitaminc_synthetic(args.evaldata, rng) + fool_me_twice(args.evaldata, rng) + fever_symmetric(args.evaldata)
    print(f"{len(items)} pairs: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(i["source"] for i in items).items())))
    pairs = [(detokenize(i["claim"]), detokenize(i["evidence"])) for i in items]
    sims = pair_similarities(pairs)
    print(f"embeddings in {time.time() - started:.0f}s")
    feats = np.array([pair_features(c, e, AS_OF, sim) for (c, e), sim in zip(pairs, sims)])
    labels = np.array([CLASSES.index(i["label"]) for i in items])
    splits = np.array([split_of(i["group"]) for i in items])
    print(f"features in {time.time() - started:.0f}s; split sizes {dict(Counter(splits))}")

    from sklearn.neural_network import MLPClassifier
    from sklearn.linear_model import LogisticRegression

    train, dev, test = (splits == "train"), (splits == "dev"), (splits == "test")
    mean, scale = feats[train].mean(axis=0), feats[train].std(axis=0) + 1e-6
    x = (feats - mean) / scale
    # NOT ENOUGH INFO is the smallest class: show the model half of its training pairs twice
    train_idx = np.where(train)[0]
    nei_idx = train_idx[labels[train_idx] == CLASSES.index(Label.not_enough_evidence)]
    fit_idx = np.concatenate([train_idx, np.random.RandomState(SEED).choice(nei_idx, len(nei_idx) // 2)])
    if args.hidden > 0:
        model = MLPClassifier(hidden_layer_sizes=(args.hidden,), alpha=1e-3, max_iter=400, random_state=SEED,
                              early_stopping=True)
        model.fit(x[fit_idx], labels[fit_idx])
        layers = export_layers(model)
    else:
        model = LogisticRegression(C=1.0, max_iter=2000)
        model.fit(x[fit_idx], labels[fit_idx])
        layers = [[model.coef_.T.round(5).tolist(), model.intercept_.round(5).tolist()]]
    probs = model.predict_proba(x)
    margins = np.sort(probs, axis=1)
    margin = margins[:, -1] - margins[:, -2]
    pred = probs.argmax(axis=1)
    platt = fit_platt(margin[dev].tolist(), (pred[dev] == labels[dev]).tolist())

    from claims.calibration import sigmoid

    confidence = np.array([sigmoid(platt["a"] * m + platt["b"]) for m in margin])
    threshold = best_threshold(labels[dev], pred[dev], confidence[dev])
    decided = np.where((pred != NEI) & (confidence < threshold), NEI, pred)
    reliabilities = comparator_reliability([i for i, s in zip(items, splits) if s == "dev"])
    print(f"decision threshold {threshold}; comparator reliabilities {reliabilities}")
    data = {
        "features": list(FEATURE_NAMES), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
        "layers": layers, "embedder": EMBEDDER_NAME, "classes": [c.value for c in CLASSES],
        "threshold": threshold, "calibration": {"platt": platt, "reliability": reliabilities},
        "trained_on": "vitaminc_synthetic_test (+NEI pairs), fm2 dev (+NEI from retrieved), fever_symmetric dev",
    }
    correct = (pred[test] == labels[test]).tolist()
    scores = {
        "test_size": int(test.sum()),
        "test_macro_f1": round(macro_f1(labels[test].tolist(), pred[test].tolist()), 4),
        "test_accuracy": round(float(np.mean(pred[test] == labels[test])), 4),
        "test_ece": round(expected_calibration_error(confidence[test].tolist(), correct), 4),
        "test_macro_f1_after_threshold": round(macro_f1(labels[test].tolist(), decided[test].tolist()), 4),
    }
    for source in sorted({i["source"].split("+")[0] for i in items}):
        mask = test & np.array([i["source"].split("+")[0] == source for i in items])
        if mask.any():
            scores[f"test_macro_f1:{source}"] = round(macro_f1(labels[mask].tolist(), pred[mask].tolist()), 4)
    data["held_out"] = scores
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
    print(json.dumps(scores, indent=2))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
