"""Calibrate the trained NLI cross-encoder on its dev split and write the decision settings into its card.

    .venv/bin/python scripts/calibrate_nli.py --run /tmp/nli-run [--card retrieval/data/nli-minilm-v1.json]

Reads `probs_dev.npz` / `probs_test.npz` written by scripts/train_nli.py (no torch needed here) and sets:
- `temperature`: the one that minimises the dev pairs' negative log-likelihood;
- `biases`: per-class log-probability biases (supported fixed at 0) maximising the mean of the dev split's
  VitaminC-real macro-F1 and its pooled macro-F1 (every source);
- `finding_threshold`: for supported and contradicted, the lowest calibrated confidence at which the dev
  pairs so decided are >= 0.90 precise (at least 30 of them); 2.0 (never a finding) where none is;
- `conflict_threshold`: probability at which a supporting and a contradicting sentence make a conflict.
The test split is then scored once with these settings (figures printed and stored in the card).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from train_nli import macro_f1  # noqa: E402  (torch is imported only inside train_nli's training functions)
GRID = np.round(np.arange(-2.0, 2.01, 0.1), 2)
PRECISION = 0.90
MIN_DECISIONS = 30


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(probs: np.ndarray, y: np.ndarray) -> float:
    logits = np.log(np.clip(probs, 1e-9, 1.0))
    best = min(np.arange(0.5, 3.01, 0.05), key=lambda t: -np.log(softmax(logits / t)[np.arange(len(y)), y] + 1e-12).mean())
    return round(float(best), 2)


def decide(probs: np.ndarray, biases: np.ndarray) -> np.ndarray:
    return np.argmax(np.log(np.clip(probs, 1e-9, 1.0)) + biases, axis=1)


def fit_biases(probs: np.ndarray, y: np.ndarray, real: np.ndarray) -> list[float]:
    best, best_score = [0.0, 0.0, 0.0], -1.0
    for b_con in GRID:
        for b_nei in GRID:
            pred = decide(probs, np.array([0.0, b_con, b_nei]))
            score = (macro_f1(y[real], pred[real]) + macro_f1(y, pred)) / 2
            if score > best_score + 1e-6:
                best, best_score = [0.0, float(b_con), float(b_nei)], score
    return best


def finding_thresholds(probs: np.ndarray, y: np.ndarray, biases: np.ndarray) -> dict[str, float]:
    pred = decide(probs, biases)
    out = {}
    for c, name in ((0, "supported"), (1, "contradicted")):
        conf = probs[:, c]
        chosen = 2.0
        for t in np.round(np.arange(0.40, 0.996, 0.01), 2):
            mask = (pred == c) & (conf >= t)
            if mask.sum() >= MIN_DECISIONS and (y[mask] == c).mean() >= PRECISION:
                chosen = float(t)
                break
        out[name] = chosen
    return out


def scores(probs: np.ndarray, y: np.ndarray, source: np.ndarray, numeric: np.ndarray, biases: np.ndarray,
           thresholds: dict[str, float]) -> dict:
    pred = decide(probs, biases)
    real = source == "vitaminc_real"
    out = {"pooled": round(macro_f1(y, pred), 4), "vitaminc_real": round(macro_f1(y[real], pred[real]), 4),
           "vitaminc_real_numeric": round(macro_f1(y[real & numeric], pred[real & numeric]), 4),
           "vitaminc_real_n": int(real.sum()), "vitaminc_real_numeric_n": int((real & numeric).sum())}
    for s in sorted(set(source.tolist())):
        m = source == s
        out[f"source:{s}"] = {"n": int(m.sum()), "macro_f1": round(macro_f1(y[m], pred[m]), 4),
                              "accuracy": round(float((y[m] == pred[m]).mean()), 4)}
    for c, name in ((0, "supported"), (1, "contradicted")):
        mask = (pred == c) & (probs[:, c] >= thresholds[name])
        out[f"findings:{name}"] = {"n": int(mask.sum()),
                                   "precision": round(float((y[mask] == c).mean()), 4) if mask.any() else None}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=Path("/tmp/nli-run"))
    parser.add_argument("--card", type=Path, default=REPO / "retrieval" / "data" / "nli-minilm-v1.json")
    args = parser.parse_args()
    dev, test = np.load(args.run / "probs_dev.npz"), np.load(args.run / "probs_test.npz")
    temperature = fit_temperature(dev["probs"], dev["y"])
    scaled = {name: softmax(np.log(np.clip(d["probs"], 1e-9, 1.0)) / temperature) for name, d in (("dev", dev), ("test", test))}
    biases = fit_biases(scaled["dev"], dev["y"], dev["source"] == "vitaminc_real")
    thresholds = finding_thresholds(scaled["dev"], dev["y"], np.array(biases))
    card = json.loads(args.card.read_text(encoding="utf-8"))
    card.update({"temperature": temperature, "biases": biases, "finding_threshold": thresholds,
                 "conflict_threshold": 0.8, "finding_precision_target": PRECISION})
    card["dev_scores"] = scores(scaled["dev"], dev["y"], dev["source"], dev["numeric"], np.array(biases), thresholds)
    card["test_scores"] = scores(scaled["test"], test["y"], test["source"], test["numeric"], np.array(biases), thresholds)
    args.card.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: card[k] for k in ("temperature", "biases", "finding_threshold", "dev_scores", "test_scores")},
                     indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
