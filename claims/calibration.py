"""Calibrated confidence: a verdict's confidence is the measured chance that it is right.

Parameters live in claims/data/verifier.json under "calibration" (written by scripts/train_verifier.py,
fitted on a development split of the training data):
- "platt": {"a", "b"}: P(correct) = sigmoid(a * margin + b) for the offline judge, where the margin is
  the classifier's top-class probability minus the runner-up's;
- "reliability": {"comparator:quantity:supported": 0.93, ...}: precision of each comparator decision.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from claims.errors import CopydeskError

VERIFIER_PATH = Path(__file__).resolve().parent / "data" / "verifier.json"
DEFAULT_RELIABILITY = 0.8  # used for a comparator decision the dev split never produced
# Comparator decision keys: the checker's method (its registry name) and the outcome.
COMPARATOR_KEYS = frozenset(f"{method}:{outcome}" for method in ("comparator:quantity", "comparator:date",
                                                                                 "comparator:relation")
                            for outcome in ("supported", "contradicted"))


class CalibrationError(CopydeskError, ValueError):
    """The stored calibration parameters are missing or malformed."""


_verifier_override: Path | None = None  # another weights file (an experiment's): the settings' `verifier`


def set_verifier_path(path: Path | None) -> None:
    """Read the verifier weights (and their calibration) from `path` from now on; None: the shipped ones.
    Process-wide, like the loaded weights; the edges call it through `claims.settings.Settings.apply()`."""
    global _verifier_override
    chosen = Path(path) if path else None
    if chosen != _verifier_override:
        _verifier_override = chosen
        load_calibration.cache_clear()
        from claims import judge

        judge.load_verifier.cache_clear()


def verifier_path() -> Path:
    """The verifier weights in use: the one set by `set_verifier_path`, else the shipped claims/data/verifier.json."""
    return _verifier_override or VERIFIER_PATH


@lru_cache(maxsize=1)
def load_calibration() -> dict[str, Any]:
    path = verifier_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as exc:
        raise CalibrationError(f"{path} is not valid JSON: {exc}") from exc
    return data.get("calibration", {})


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def calibrate(method: str, raw_score: float) -> float:
    """The probability that a verdict from `method` with `raw_score` is right.

    `method` is "judge:offline" (raw_score: the classifier's margin), "judge:llm" (its raw score), or a
    comparator decision key such as "comparator:quantity:supported" (raw_score ignored: comparators have
    one measured reliability).
    """
    params = load_calibration()
    if method in COMPARATOR_KEYS:
        return float(params.get("reliability", {}).get(method, DEFAULT_RELIABILITY))
    if method == "judge:offline":
        platt = params.get("platt")
        if not platt:
            return min(max(raw_score, 0.0), 1.0)
        return sigmoid(platt["a"] * raw_score + platt["b"])
    if method == "judge:llm":  # not fitted yet: the judge's fixed raw mapping (claims/llm_judge.py)
        return float(raw_score)
    raise CalibrationError(f"no calibration for method {method!r}")


def fit_platt(margins: Sequence[float], correct: Sequence[bool]) -> dict[str, float]:
    """Fit P(correct | margin) = sigmoid(a * margin + b) by logistic regression."""
    from sklearn.linear_model import LogisticRegression

    if len(set(correct)) < 2:
        raise CalibrationError("Platt scaling needs both right and wrong predictions")
    model = LogisticRegression(C=100.0)
    model.fit([[m] for m in margins], [int(c) for c in correct])
    return {"a": float(model.coef_[0][0]), "b": float(model.intercept_[0])}


def reliability(decisions: Sequence[tuple[str, bool]], prior: float = 1.0) -> dict[str, float]:
    """Per-method precision of comparator decisions, (method key, was right) pairs, lightly smoothed."""
    counts: dict[str, list[int]] = {}
    for key, right in decisions:
        c = counts.setdefault(key, [0, 0])
        c[0] += int(right)
        c[1] += 1
    return {k: round((r + prior * DEFAULT_RELIABILITY) / (n + prior), 4) for k, (r, n) in sorted(counts.items())}


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width confidence bins, weighted by bin size."""
    total = len(confidences)
    if total == 0:
        return 0.0
    error = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if idx:
            acc = sum(correct[i] for i in idx) / len(idx)
            conf = sum(confidences[i] for i in idx) / len(idx)
            error += len(idx) / total * abs(acc - conf)
    return error
