"""The shared models and the report contract `copydesk.report/1`."""
from __future__ import annotations

import json
from datetime import date

import pytest

from claims.models import (Citation, Claim, ClaimResult, DateValue, Flag, Label, OfficialMention, Quantity, Report,
                           Usage, Verdict)


def sample_report() -> Report:
    claim = Claim(id="c1", text="about 40 billion yen", start=10, end=30, kind="quantity",
                  statement="The programme cost about 40 billion yen since 2018.",
                  quantity=Quantity(value=4e10, unit=None, currency="JPY", scale="billion", qualifier="about"))
    official = Claim(id="c2", text="Sanae Takeda", start=40, end=52, kind="official", statement="Sanae Takeda leads.",
                     official=OfficialMention(name="Sanae Takeda"))
    when = Claim(id="c3", text="since 2018", start=31, end=41, kind="date", statement="since 2018",
                 date=DateValue(start=date(2018, 1, 1), end=date(2026, 1, 20), granularity="open", relation="since"))
    cite = Citation(source="a.md", quote="about 40 billion yen since 2018", start=5, end=36, title="A")
    flag = Flag(kind="misnamed_official", message="no such PM", suggestion="Sanae Takaichi", spans=[(40, 52)])
    return Report(as_of=date(2026, 1, 20), claims=[
        ClaimResult(claim=claim, verdict=Verdict(label=Label.contradicted, confidence=0.9, citations=[cite],
                                                 method="comparator:quantity")),
        ClaimResult(claim=official, verdict=Verdict(label=Label.contradicted, confidence=0.8), flags=[flag]),
        ClaimResult(claim=when, verdict=Verdict(label=Label.not_enough_evidence, confidence=0.5)),
    ], flags=[Flag(kind="internal_inconsistency", message="two values", spans=[(1, 2), (3, 4)])])


def test_report_json_has_the_contract_keys():
    data = sample_report().to_json()
    assert data["schema"] == "copydesk.report/1" and data["as_of"] == "2026-01-20"
    c = data["claims"][0]
    assert {"id", "text", "start", "end", "kind", "verdict", "confidence", "citations", "flags"} <= set(c)
    assert c["citations"][0] == {"source": "a.md", "quote": "about 40 billion yen since 2018", "start": 5, "end": 36,
                                 "title": "A"}
    assert data["claims"][1]["flags"][0]["suggestion"] == "Sanae Takaichi"
    assert data["flags"][0]["spans"] == [[1, 2], [3, 4]]


def full_report() -> Report:
    """Every field the report keeps set to a value other than its default (subject, tier, note, sentence, ...)."""
    base = sample_report()
    claim = base.claims[0].claim.model_copy(update={"subject": "the programme", "sentence_start": 3,
                                                    "sentence_end": 60, "extractor": "rules+llm"})
    verdict = base.claims[0].verdict.model_copy(update={"tier": "finding", "rationale": "40 billion against 52 billion",
                                                        "note": "LLM unavailable: fell back to the offline judge"})
    cite = Citation(source="b.md", quote="Ms Takaichi", start=1, end=12, title="B", date=date(2025, 10, 21),
                    url="https://example.org/b", passage_id="p7")
    flag = Flag(kind="cross_draft_inconsistency", message="two names", suggestion="Sanae Takaichi",
                spans=[(40, 52)], claim_ids=["c2"], citations=[cite])
    first = ClaimResult(claim=claim, verdict=verdict, flags=[flag],
                        retrieved=[{"source": "a.md", "text": "about 40 billion yen", "score": 0.5}])
    return base.model_copy(update={"claims": [first, *base.claims[1:]], "notes": ["offline judge"],
                                   "usage": Usage(prompt_tokens=12, completion_tokens=3, llm_calls=1, cached_calls=1,
                                                  estimated_cost_usd=0.0002),
                                   "seconds": 1.25, "draft_sha": "abc123"})


@pytest.mark.parametrize("make", [sample_report, full_report])
def test_report_round_trips_through_json(make):
    report = make()
    again = Report.from_json(json.loads(json.dumps(report.to_json())))  # through text, as a file would
    assert again == report


def test_round_trip_keeps_subject_and_tier_and_would_catch_a_dropped_field():
    report = full_report()
    again = Report.from_json(report.to_json())
    assert again.claims[0].claim.subject == "the programme" and again.claims[0].verdict.tier == "finding"
    data = report.to_json()
    del data["claims"][0]["subject"]
    assert Report.from_json(data) != report  # the comparison sees a field the JSON lost


def test_report_from_json_rejects_other_schemas():
    with pytest.raises(ValueError):
        Report.from_json({"schema": "other/1", "as_of": "2026-01-01"})


@pytest.mark.parametrize("raw,label", [("SUPPORTS", Label.supported), ("REFUTES", Label.contradicted),
                                       ("NOT ENOUGH INFO", Label.not_enough_evidence), ("1", Label.supported),
                                       ("false", Label.contradicted), ("not_enough_evidence", Label.not_enough_evidence)])
def test_label_parse_accepts_fever_spellings(raw, label):
    assert Label.parse(raw) is label


def test_label_parse_rejects_unknown():
    with pytest.raises(ValueError):
        Label.parse("maybe")


def test_models_are_frozen():
    with pytest.raises(Exception):
        sample_report().claims[0].claim.start = 3
