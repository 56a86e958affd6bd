"""Eval set loading: both item shapes, the documented extensions, clear errors, deterministic sampling."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from claims.models import Label
from evals.formats import (ClaimItem, DocumentItem, EvalSetError, document_text, expected_span, load_set,
                           sample_items)


def _write(path: Path, rows: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_loads_claim_and_document_items_with_fever_labels(tmp_path):
    path = _write(tmp_path / "set.jsonl", [
        {"id": 1, "claim": "The tower is 300 m tall.", "evidence": ["It is 330 m tall."], "label": "REFUTES"},
        {"id": "2", "claim": "x", "label": "NOT ENOUGH INFO", "as_of": "2026-01-01"},
        "",
        {"id": "d", "text": "Sales rose 5% in 2025. Sales rose 5% again.", "as_of": "2026-01-01",
         "corpus": [{"source": "a.txt", "text": "Sales rose 4%.", "date": "2025-12-01"}],
         "expected": [{"quote": "5%", "occurrence": 1, "kind": "quantity", "verdict": "contradicted",
                       "flags": ["number_mismatch"], "value": {"value": 5, "unit": "percent"}, "note": "n"}]},
    ])
    items = load_set(path)
    assert [type(i) for i in items] == [ClaimItem, ClaimItem, DocumentItem]
    assert items[0].id == "1" and items[0].label is Label.contradicted
    assert items[1].label is Label.not_enough_evidence and items[1].evidence is None
    doc = items[2]
    assert expected_span(doc.text, doc.expected[0], doc.id) == (34, 36)  # the second "5%"


@pytest.mark.parametrize("line, fragment", [
    ("{not json", "not valid JSON"),
    ('{"id": "a", "claim": "x", "label": "maybe"}', "unknown label"),
    ('{"id": "a", "label": "supported"}', "needs 'claim'"),
    ('{"id": "a", "text": "x", "expected": [{"quote": "x", "flags": ["typo"]}]}', "expected.0.flags.0"),
    ('[1, 2]', "expected a JSON object"),
])
def test_malformed_lines_name_file_and_line(tmp_path, line, fragment):
    path = _write(tmp_path / "bad.jsonl", ['{"id": "ok", "claim": "x", "label": "supported"}', line])
    with pytest.raises(EvalSetError) as err:
        load_set(path)
    message = str(err.value)
    assert f"{path}:2" in message and fragment in message
    assert "\n" not in message


def test_duplicate_ids_and_missing_file(tmp_path):
    row = {"id": "a", "claim": "x", "label": "supported"}
    with pytest.raises(EvalSetError, match="duplicate id"):
        load_set(_write(tmp_path / "dup.jsonl", [row, row]))
    with pytest.raises(EvalSetError, match="no such eval set"):
        load_set(tmp_path / "absent.jsonl")


def test_text_file_is_read_from_the_shared_dir(tmp_path, monkeypatch):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("Draft body.", encoding="utf-8")
    item = DocumentItem(id="d", text_file="seeds/a.txt")
    assert document_text(item, tmp_path) == "Draft body."
    monkeypatch.setenv("COPYDESK_SHARED", str(tmp_path))
    assert document_text(item) == "Draft body."
    with pytest.raises(EvalSetError, match="not found"):
        document_text(DocumentItem(id="d", text_file="seeds/none.txt"), tmp_path)


def test_quote_not_in_text_is_an_error():
    item = DocumentItem.model_validate({"id": "d", "text": "abc", "expected": [{"quote": "abc", "occurrence": 1}]})
    with pytest.raises(EvalSetError, match="not found"):
        expected_span(item.text, item.expected[0], item.id)


def _claims(n_per_label: dict[str, int]) -> list[ClaimItem]:
    items = []
    for label, n in n_per_label.items():
        items += [ClaimItem(id=f"{label}-{i}", claim="c", evidence=["e"], label=label) for i in range(n)]
    return items


def test_sampling_is_deterministic_stratified_and_ordered():
    items = _claims({"supported": 60, "contradicted": 30, "not_enough_evidence": 10})
    a = sample_items(items, 20, seed=3)
    assert [i.id for i in a] == [i.id for i in sample_items(items, 20, seed=3)]
    assert [i.id for i in a] != [i.id for i in sample_items(items, 20, seed=4)]
    assert Counter(i.label.value for i in a) == {"supported": 12, "contradicted": 6, "not_enough_evidence": 2}
    positions = [items.index(i) for i in a]
    assert positions == sorted(positions)
    assert sample_items(items, None) == items and len(sample_items(items, 1000)) == 100
