"""Metrics on tiny examples computed by hand."""
from __future__ import annotations

import pytest

from evals.metrics import (calibration, citation_precision, citation_validity, classification_metrics,
                           compute_metrics, document_scores, match_spans, prf)

S, C, N = "supported", "contradicted", "not_enough_evidence"


def test_classification_by_hand():
    gold = [S, S, S, C, C, N]
    pred = [S, S, C, C, N, N]
    m = classification_metrics(gold, pred)
    assert m["n"] == 6
    assert m["accuracy"] == pytest.approx(4 / 6, abs=1e-4)
    # supported: P 2/2, R 2/3 -> F1 0.8; contradicted: P 1/2, R 1/2 -> 0.5; nee: P 1/2, R 1/1 -> 2/3
    assert m["per_class"][S]["f1"] == pytest.approx(0.8, abs=1e-4)
    assert m["per_class"][C]["f1"] == pytest.approx(0.5, abs=1e-4)
    assert m["per_class"][N]["f1"] == pytest.approx(2 / 3, abs=1e-3)
    assert m["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3, abs=1e-3)
    assert m["balanced_accuracy"] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3, abs=1e-3)
    assert m["confusion"]["labels"] == [S, C, N]
    assert m["confusion"]["matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert m["per_class"][S]["support"] == 3


def test_binary_set_averages_over_gold_classes_only():
    m = classification_metrics([S, C], [S, N])
    assert m["classes_averaged"] == [S, C]
    assert m["macro_f1"] == pytest.approx(0.5)  # S: F1 1, C: F1 0
    assert m["balanced_accuracy"] == pytest.approx(0.5)
    assert m["per_class"][N]["n_pred"] == 1


def test_prf_undefined_is_none():
    assert prf(0, 0, 3) == {"precision": None, "recall": 0.0, "f1": None, "tp": 0, "n_pred": 0, "n_gold": 3}


def test_span_matching_one_to_one_same_kind():
    gold = [{"start": 0, "end": 10, "kind": "quantity"}, {"start": 20, "end": 30, "kind": "date"}]
    pred = [{"start": 2, "end": 5, "kind": "quantity"}, {"start": 4, "end": 12, "kind": "quantity"},
            {"start": 25, "end": 28, "kind": "quantity"}]
    # both quantity predictions overlap the first gold; the larger overlap wins, the other is unmatched
    assert match_spans(pred, gold) == [(1, 0)]
    assert match_spans(pred, gold, same_kind=False) == [(1, 0), (2, 1)]
    assert match_spans([{"start": 10, "end": 12, "kind": "quantity"}], gold) == []  # touching is not overlap


def _doc_record():
    text_gold = [
        {"start": 0, "end": 10, "kind": "quantity", "verdict": C, "flags": ["number_mismatch"]},
        {"start": 20, "end": 30, "kind": "date", "verdict": S, "flags": []},
        {"start": 40, "end": 50, "kind": "official", "verdict": C, "flags": ["outdated_official"]},
    ]
    predicted = [
        {"start": 1, "end": 9, "kind": "quantity", "verdict": C, "confidence": 0.9, "flags": ["number_mismatch"]},
        {"start": 21, "end": 29, "kind": "quantity", "verdict": C, "confidence": 0.6, "flags": ["number_mismatch"]},
        {"start": 60, "end": 65, "kind": "other", "verdict": S, "confidence": 0.5, "flags": []},
    ]
    return {"id": "d1", "type": "document", "claims": predicted, "expected": text_gold,
            "flags": [{"kind": "internal_inconsistency", "spans": [[60, 62]]}]}


def test_document_scores_by_hand():
    d = document_scores([_doc_record()])
    ext = d["extraction"]
    # kind-agnostic: 2 of 3 predictions overlap a gold, 2 of 3 gold found
    assert ext["all"]["tp"] == 2 and ext["all"]["precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert ext["all"]["recall"] == pytest.approx(2 / 3, abs=1e-3)
    # per kind: quantity 1 tp of 2 predicted, 1 gold; date 0 of 1 gold; official 0 of 1
    assert (ext["quantity"]["tp"], ext["quantity"]["n_pred"], ext["quantity"]["n_gold"]) == (1, 2, 1)
    assert ext["date"]["recall"] == 0.0 and ext["date"]["precision"] is None
    # verdicts on matched gold: quantity right, date wrong (pred C, gold S); official missed
    assert d["verdict"] == {**d["verdict"], "accuracy": 0.5, "n": 2, "missed": 1}
    flags = d["flags"]
    assert flags["number_mismatch"]["precision"] == 0.5 and flags["number_mismatch"]["recall"] == 1.0
    assert flags["outdated_official"]["recall"] == 0.0
    assert flags["internal_inconsistency"]["precision"] == 0.0
    assert flags["all"]["n_pred"] == 3 and flags["all"]["n_gold"] == 2


def test_citation_validity_checks_offsets_verbatim():
    sources = {"a": "The bridge is 120 metres long.", "b": "Opened in 1998."}
    citations = [
        {"source": "a", "quote": "120 metres", "start": 14, "end": 24},  # right
        {"source": "a", "quote": "120 metres", "start": 13, "end": 23},  # off by one
        {"source": "c", "quote": "Opened", "start": 0, "end": 6},  # unknown source
        {"source": "b", "quote": "Opened in 1999", "start": 0, "end": 14},  # not verbatim
    ]
    assert citation_validity(citations, sources) == (1, 4)
    assert citation_precision(citations, {"a"}) == (2, 4)


def test_calibration_ece_by_hand():
    cal = calibration([0.9, 0.9, 0.3, 0.3], [True, False, False, False])
    # bin 0.9: acc 0.5, conf 0.9 -> 0.4; bin 0.3: acc 0, conf 0.3 -> 0.3; weighted equally
    assert cal["ece"] == pytest.approx(0.35, abs=1e-4)
    assert [b["n"] for b in cal["bins"]] == [2, 2]


def test_compute_metrics_mixes_claim_and_document_records():
    records = [
        {"id": "1", "type": "claim", "label": S, "verdict": S, "confidence": 0.8, "citations_valid": 1,
         "citations_n": 1, "citations_gold": 1, "usage": {"prompt_tokens": 100, "completion_tokens": 20,
                                                          "llm_calls": 1, "estimated_cost_usd": 0.001}},
        {"id": "2", "type": "claim", "label": C, "verdict": S, "confidence": 0.6, "citations_valid": 0,
         "citations_n": 1},
        _doc_record(),
    ]
    m = compute_metrics(records)
    assert m["claims"]["accuracy"] == 0.5 and m["claims"]["n"] == 2
    assert m["citations"]["validity"] == 0.5 and m["citations"]["n"] == 2
    assert m["citations"]["precision"] == 1.0 and m["citations"]["n_with_gold_evidence"] == 1
    assert m["usage"]["tokens"] == 120 and m["usage"]["tokens_per_item"] == 40.0
    assert m["documents"]["calibration"]["n"] == 2


def test_categories_nee_precision_and_not_claims_by_hand():
    """planted3's scoring: per-category recall/accuracy, NEE precision, not-claims left out of extraction."""
    record = {
        "claims": [
            {"start": 0, "end": 5, "kind": "quantity", "verdict": N, "flags": []},   # context trap: right
            {"start": 10, "end": 15, "kind": "date", "verdict": N, "flags": []},     # gold supported: an NEE miss
            {"start": 40, "end": 44, "kind": "date", "verdict": S, "flags": ["date_mismatch"]},  # inside "Logo" span
        ],
        "flags": [],
        "expected": [
            {"start": 0, "end": 5, "kind": "quantity", "verdict": N, "flags": [], "category": "context"},
            {"start": 10, "end": 15, "kind": "date", "verdict": S, "flags": [], "category": "value"},
            {"start": 20, "end": 30, "kind": "statement", "verdict": C, "flags": [], "category": "qualitative"},
            {"start": 40, "end": 44, "kind": "statement", "verdict": None, "flags": [], "category": "not_a_claim",
             "checkworthy": False},
        ],
    }
    d = document_scores([record])
    assert d["extraction"]["all"]["n_gold"] == 3 and d["extraction"]["all"]["tp"] == 2  # the not-claim is no gold
    assert d["extraction"]["statement"]["recall"] == 0.0
    assert d["verdict"]["nee_precision"] == 0.5 and d["verdict"]["nee_predicted"] == 2
    assert d["categories"]["context"] == {"n_gold": 1, "found": 1, "recall": 1.0, "verdict_n": 1,
                                          "verdict_right": 1, "verdict_accuracy": 1.0}
    assert d["categories"]["qualitative"]["found"] == 0
    assert d["not_claims"] == {"n": 1, "extracted": 1, "flagged": 1}
