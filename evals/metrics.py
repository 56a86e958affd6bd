"""Scores for eval runs, each reported with its support (n) so nobody reads a 100% off three items.

Claim items: accuracy, macro-F1, balanced accuracy, per-class precision/recall/F1, confusion matrix,
calibration (ECE). Document items: extraction precision/recall/F1 per kind by span overlap, verdict
accuracy, flag precision/recall per kind. Both: citation validity and precision, tokens and cost.

Everything works on plain prediction records (the lines of predictions.jsonl), so metrics can be
recomputed from a saved run: `compute_metrics(records)`.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

LABELS = ("supported", "contradicted", "not_enough_evidence")
KINDS = ("quantity", "date", "official", "statement", "other")


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    """Precision, recall and F1 with their supports; undefined ratios are None, not 0."""
    precision, recall = _ratio(tp, n_pred), _ratio(tp, n_gold)
    f1 = None
    if precision is not None and recall is not None:
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "n_pred": n_pred, "n_gold": n_gold}


def classification_metrics(gold: Sequence[str], pred: Sequence[str],
                           labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Accuracy, macro-F1 and balanced accuracy over the labels present in gold, plus per-class scores.

    Macro-F1 and balanced accuracy average over the gold classes only (a binary set is not punished
    for a class it never asks about; predictions of that class still cost precision and accuracy).
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predictions")
    labels = list(labels) + sorted({*gold, *pred} - set(labels))
    confusion = [[sum(1 for g, p in zip(gold, pred) if g == gl and p == pl) for pl in labels] for gl in labels]
    per_class = {}
    for i, label in enumerate(labels):
        tp = confusion[i][i]
        per_class[label] = {**prf(tp, sum(row[i] for row in confusion), sum(confusion[i])),
                            "support": sum(confusion[i])}
    present = [label for label in labels if per_class[label]["support"]]
    f1s = [per_class[label]["f1"] or 0.0 for label in present]
    recalls = [per_class[label]["recall"] or 0.0 for label in present]
    return {
        "n": len(gold),
        "accuracy": _ratio(sum(1 for g, p in zip(gold, pred) if g == p), len(gold)),
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else None,
        "balanced_accuracy": round(sum(recalls) / len(recalls), 4) if recalls else None,
        "classes_averaged": present,
        "per_class": per_class,
        "confusion": {"labels": labels, "matrix": confusion, "rows": "gold", "columns": "predicted"},
        "predicted_counts": dict(Counter(pred)),
    }


def calibration(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> dict[str, Any]:
    """Expected calibration error over equal-width confidence bins, and the bins for a reliability plot."""
    rows = []
    total = len(confidences)
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not idx:
            continue
        acc = sum(1 for i in idx if correct[i]) / len(idx)
        conf = sum(confidences[i] for i in idx) / len(idx)
        ece += len(idx) / total * abs(acc - conf)
        rows.append({"low": lo, "high": hi, "n": len(idx), "accuracy": round(acc, 4), "confidence": round(conf, 4)})
    return {"ece": round(ece, 4) if total else None, "n": total, "bins": rows}


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def match_spans(predicted: Sequence[dict], gold: Sequence[dict], *, same_kind: bool = True) -> list[tuple[int, int]]:
    """One-to-one matching of predicted to gold spans that overlap (and share the kind when asked).

    Where the gold carries a kind, a statement prediction matches only statement gold and a value prediction
    (quantity, date, official, other) only value gold: a sentence-wide statement claim overlaps more of
    "Transport Minister Elin Marsh" than the official claim "Elin Marsh" does, and would otherwise take its
    match (and score the sentence's verdict as the official's). Then largest overlap first; on equal overlap
    a prediction of the gold's kind first, then by position; each gold and each prediction is matched at
    most once. Items are dicts with "start", "end" and (for kind matching)
    "kind". Returns (pred index, gold index).
    """
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            if same_kind and p.get("kind") != g.get("kind"):
                continue
            if g.get("kind") and (p.get("kind") == "statement") != (g.get("kind") == "statement"):
                continue  # a statement is scored against statement gold only, a value against value gold
            overlap = min(p["end"], g["end"]) - max(p["start"], g["start"])
            if overlap > 0:
                candidates.append((-overlap, bool(g.get("kind")) and p.get("kind") != g.get("kind"), i, j))
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, _, i, j in sorted(candidates):
        if i not in used_pred and j not in used_gold:
            used_pred.add(i)
            used_gold.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def grades_statement(gold: dict) -> bool:
    """A gold entry that grades a statement claim: kind "statement" with a verdict to check. (The seeds' quoted
    phrases carry kind "statement" only to place a misquote flag; they list no statement claims.)"""
    return gold.get("kind") == "statement" and bool(gold.get("verdict"))


def scored_claims(claims: Sequence[dict], grades_statements: bool) -> list[dict]:
    """The predicted claims a document's scores read. A set whose gold grades no statement claims (seeds,
    planted, planted2: their gold lists values and officials only) never annotated the draft's qualitative
    clauses, so its drafts' "statement" predictions are neither extraction false positives nor matches for
    its value gold (a sentence-wide statement would "find" a value the value extractor missed); they are
    left out, as the per-kind counts leave out sets whose gold carries no kinds."""
    if grades_statements:
        return list(claims)
    return [c for c in claims if c.get("kind") != "statement"]


def citation_validity(citations: Iterable[dict], sources: dict[str, str]) -> tuple[int, int]:
    """(valid, n): a citation is valid when its quote sits verbatim at its offsets in the cited source."""
    valid = n = 0
    for c in citations:
        n += 1
        text = sources.get(c.get("source", ""))
        if text is not None and text[c["start"]:c["end"]] == c.get("quote") and c.get("quote"):
            valid += 1
    return valid, n


def citation_precision(citations: Iterable[dict], gold_sources: set[str]) -> tuple[int, int]:
    """(hits, n): citations whose source is among the known relevant (gold) evidence."""
    cited = [c.get("source") for c in citations]
    return sum(1 for s in cited if s in gold_sources), len(cited)


def document_scores(records: Sequence[dict]) -> dict[str, Any]:
    """Extraction, verdict and flag scores summed over document records (see runner for their shape)."""
    tp_kind: Counter = Counter()
    pred_kind: Counter = Counter()
    gold_kind: Counter = Counter()
    tp_any = pred_any = gold_any = 0
    verdict_right = verdict_n = verdict_missed = 0
    verdict_gold: list[str] = []
    verdict_pred: list[str] = []
    flag_tp_pred: Counter = Counter()
    flag_tp_gold: Counter = Counter()
    flag_pred: Counter = Counter()
    flag_gold: Counter = Counter()
    categories: dict[str, Counter] = {}
    not_claims = {"n": 0, "extracted": 0, "flagged": 0}
    decided: dict[str, Counter] = {}  # supported/contradicted verdicts on gold claims, by tier
    grades_statements = any(grades_statement(g) for rec in records for g in rec["expected"])
    for rec in records:
        # statement claims count only in sets that grade statements (see `scored_claims`)
        predicted = scored_claims(rec["claims"], grades_statements)
        expected = [g for g in rec["expected"] if g.get("checkworthy", True)]
        _count_not_claims(rec, not_claims)
        pred_any += len(predicted)
        gold_any += len(expected)
        tp_any += len(match_spans(predicted, expected, same_kind=False))
        for kind in KINDS:
            gold_k = [g for g in expected if g.get("kind") == kind]
            pred_k = [p for p in predicted if p.get("kind") == kind]
            # per-kind extraction counts only sets whose gold carries kinds, or it would read as all misses
            if not any(g.get("kind") for g in expected):
                continue
            pred_kind[kind] += len(pred_k)
            gold_kind[kind] += len(gold_k)
            tp_kind[kind] += len(match_spans(pred_k, gold_k, same_kind=False))
        matched = dict((j, i) for i, j in match_spans(predicted, expected, same_kind=False))
        for j, g in enumerate(expected):
            category = categories.setdefault(g.get("category") or "-", Counter()) if g.get("category") else None
            if category is not None:
                category["n_gold"] += 1
                category["found"] += j in matched
            if not g.get("verdict"):
                continue
            if j not in matched:
                verdict_missed += 1
                continue
            verdict_n += 1
            verdict_gold.append(g["verdict"])
            verdict_pred.append(predicted[matched[j]]["verdict"])
            verdict_right += predicted[matched[j]]["verdict"] == g["verdict"]
            if predicted[matched[j]]["verdict"] != "not_enough_evidence":
                tier = decided.setdefault(predicted[matched[j]].get("tier") or "suggestion", Counter())
                tier["n"] += 1
                tier["right"] += predicted[matched[j]]["verdict"] == g["verdict"]
            if category is not None:
                category["verdict_n"] += 1
                category["verdict_right"] += predicted[matched[j]]["verdict"] == g["verdict"]
        _count_flags(rec, flag_pred, flag_gold, flag_tp_pred, flag_tp_gold)
    flags = {}
    for kind in sorted({*flag_pred, *flag_gold}):
        flags[kind] = {"precision": _ratio(flag_tp_pred[kind], flag_pred[kind]),
                       "recall": _ratio(flag_tp_gold[kind], flag_gold[kind]),
                       "n_pred": flag_pred[kind], "n_gold": flag_gold[kind]}
    all_pred, all_gold = sum(flag_pred.values()), sum(flag_gold.values())
    flags["all"] = {"precision": _ratio(sum(flag_tp_pred.values()), all_pred),
                    "recall": _ratio(sum(flag_tp_gold.values()), all_gold), "n_pred": all_pred, "n_gold": all_gold}
    return {
        "n_documents": len(records),
        "extraction": {"all": prf(tp_any, pred_any, gold_any),
                       **{k: prf(tp_kind[k], pred_kind[k], gold_kind[k]) for k in KINDS if pred_kind[k] or gold_kind[k]}},
        "verdict": {"accuracy": _ratio(verdict_right, verdict_n), "n": verdict_n,
                    "missed": verdict_missed,
                    # of the found gold claims predicted not_enough_evidence, the share whose gold is that too
                    "nee_precision": _ratio(sum(1 for g, p in zip(verdict_gold, verdict_pred)
                                                if p == g == "not_enough_evidence"),
                                            verdict_pred.count("not_enough_evidence")),
                    "nee_predicted": verdict_pred.count("not_enough_evidence"),
                    # of the supported/contradicted verdicts on found gold claims, the share that is right, by tier
                    "decided": {t: {"n": c["n"], "right": c["right"], "precision": _ratio(c["right"], c["n"])}
                                for t, c in sorted(decided.items())},
                    "confusion": classification_metrics(verdict_gold, verdict_pred)["confusion"] if verdict_n else None},
        "flags": flags,
        **({"categories": {k: {"n_gold": c["n_gold"], "found": c["found"], "recall": _ratio(c["found"], c["n_gold"]),
                               "verdict_n": c["verdict_n"], "verdict_right": c["verdict_right"],
                               "verdict_accuracy": _ratio(c["verdict_right"], c["verdict_n"])}
                           for k, c in sorted(categories.items())}} if categories else {}),
        **({"not_claims": not_claims} if not_claims["n"] else {}),
    }


def _count_not_claims(rec: dict, counts: dict[str, int]) -> None:
    """Spans the set marks as not claims (`checkworthy: false`): how many were reported as claims, or flagged.

    A predicted claim marked `checkworthy: false` in the record is not counted as reported."""
    spans = [(g["start"], g["end"]) for g in rec["expected"] if not g.get("checkworthy", True)]
    flagged = [tuple(s) for f in rec.get("flags", []) for s in f.get("spans", [])]
    flagged += [(c["start"], c["end"]) for c in rec["claims"] if c.get("flags")]
    for span in spans:
        counts["n"] += 1
        counts["extracted"] += any(overlaps((c["start"], c["end"]), span) for c in rec["claims"]
                                   if c.get("checkworthy", True))
        counts["flagged"] += any(overlaps(s, span) for s in flagged)


def _count_flags(rec: dict, flag_pred: Counter, flag_gold: Counter, tp_pred: Counter, tp_gold: Counter) -> None:
    """Flag precision counts predicted flags overlapping a gold flag of its kind; recall, gold flags found."""
    predicted: list[tuple[str, list[tuple[int, int]]]] = []
    for claim in rec["claims"]:
        for kind in claim.get("flags", []):
            predicted.append((kind, [(claim["start"], claim["end"])]))
    for flag in rec.get("flags", []):
        predicted.append((flag["kind"], [tuple(s) for s in flag.get("spans", [])]))
    gold = [(kind, (g["start"], g["end"])) for g in rec["expected"] for kind in g.get("flags", [])]
    for kind, spans in predicted:
        flag_pred[kind] += 1
        tp_pred[kind] += any(k == kind and any(overlaps(s, span) for s in spans) for k, span in gold)
    for kind, span in gold:
        flag_gold[kind] += 1
        tp_gold[kind] += any(k == kind and any(overlaps(s, span) for s in spans) for k, spans in predicted)


def usage_summary(records: Sequence[dict]) -> dict[str, Any]:
    tokens = [r.get("usage", {}).get("prompt_tokens", 0) + r.get("usage", {}).get("completion_tokens", 0)
              for r in records]
    cost = sum(r.get("usage", {}).get("estimated_cost_usd", 0.0) for r in records)
    calls = sum(r.get("usage", {}).get("llm_calls", 0) for r in records)
    n = len(records)
    return {"llm_calls": calls, "tokens": sum(tokens), "tokens_per_item": _ratio(sum(tokens), n),
            "estimated_cost_usd": round(cost, 6), "cost_per_item_usd": round(cost / n, 6) if n else None, "n": n}


def compute_metrics(records: Sequence[dict]) -> dict[str, Any]:
    """All metrics of a run from its prediction records (claim and document records may mix)."""
    claims = [r for r in records if r["type"] == "claim"]
    documents = [r for r in records if r["type"] == "document"]
    out: dict[str, Any] = {"n_items": len(records), "n_claim_items": len(claims), "n_document_items": len(documents)}
    if claims:
        scores = classification_metrics([r["label"] for r in claims], [r["verdict"] for r in claims])
        scores["calibration"] = calibration([r["confidence"] for r in claims],
                                            [r["label"] == r["verdict"] for r in claims])
        scores["ece"] = scores["calibration"]["ece"]
        out["claims"] = scores
    if documents:
        out["documents"] = document_scores(documents)
        grades = any(grades_statement(g) for r in documents for g in r["expected"])
        confidences = [(c["confidence"], c["verdict"] == g["verdict"]) for r in documents
                       for c, g in _matched_with_verdict(r, grades)]
        out["documents"]["calibration"] = calibration([c for c, _ in confidences], [ok for _, ok in confidences])
    valid = sum(r.get("citations_valid", 0) for r in records)
    n_cit = sum(r.get("citations_n", 0) for r in records)
    gold_known = [r for r in records if r.get("citations_gold") is not None]
    out["citations"] = {
        "validity": _ratio(valid, n_cit), "n": n_cit,
        "precision": _ratio(sum(r["citations_gold"] for r in gold_known),
                            sum(r["citations_n"] for r in gold_known)),
        "n_with_gold_evidence": sum(r["citations_n"] for r in gold_known),
        "roster_unchecked": sum(r.get("citations_roster", 0) for r in records),
    }
    out["usage"] = usage_summary(records)
    out["seconds"] = round(sum(r.get("seconds", 0.0) for r in records), 3)
    return out


def _matched_with_verdict(record: dict, grades_statements: bool = True) -> list[tuple[dict, dict]]:
    predicted = scored_claims(record["claims"], grades_statements)
    expected = [g for g in record["expected"] if g.get("checkworthy", True)]
    return [(predicted[i], expected[j]) for i, j in match_spans(predicted, expected, same_kind=False)
            if expected[j].get("verdict")]


def headline(metrics: dict[str, Any]) -> dict[str, Any]:
    """The few numbers a scoreboard row shows."""
    claims = metrics.get("claims", {})
    docs = metrics.get("documents", {})
    flags = docs.get("flags", {}).get("all", {})
    return {
        "n": metrics.get("n_items"),
        "accuracy": claims.get("accuracy", docs.get("verdict", {}).get("accuracy")),
        "macro_f1": claims.get("macro_f1"),
        "balanced_accuracy": claims.get("balanced_accuracy"),
        "extraction_f1": docs.get("extraction", {}).get("all", {}).get("f1"),
        "flag_precision": flags.get("precision"),
        "flag_recall": flags.get("recall"),
        "seconds": metrics.get("seconds"),
        "tokens": metrics.get("usage", {}).get("tokens"),
    }
