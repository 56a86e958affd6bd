"""Qualitative statement claims (claims.statements) end to end: extraction, verification, eval scoring, UI."""
from __future__ import annotations

from datetime import date

import pytest

from claims.pipeline import check, extract
from claims.statements import find_statements
from evals.metrics import document_scores, match_spans
from retrieval.types import Passage

AS_OF = date(2026, 3, 12)

DRAFT = """Council approves spending plan

Marlow Borough Council approved its budget of £48 million on 10 March. The vote was unanimous, council leader Ann Bell told reporters afterwards.

An amendment to freeze property taxes passed during the same meeting, and councillors agreed to keep the Eastgate pool open for another year.

Speaking later on local radio, Ms Bell said the plan was "painful but necessary" and promised that bus links would replace every closed line.

The library will close for repairs; the museum stays open. The depot handled 1,200 lorries, according to the port authority.

Will the savings last? Opposition councillors think not. I think the plan is wrong. The fair is the best event of its kind in the region.
"""


def statements(text: str = DRAFT) -> list[str]:
    return [c.text for c in extract(text, AS_OF) if c.kind == "statement"]


def test_statement_spans_quote_the_draft_exactly():
    claims = [c for c in extract(DRAFT, AS_OF) if c.kind == "statement"]
    assert len(claims) >= 8
    for c in claims:
        assert DRAFT[c.start:c.end] == c.text
        assert c.sentence_start <= c.start < c.end <= c.sentence_end
        assert c.statement[0].isupper() and c.statement.endswith(".")
        assert " ".join(c.text.split()).lower().rstrip(".") in c.statement.lower()
    ids = [c.id for c in extract(DRAFT, AS_OF)]
    assert len(ids) == len(set(ids))  # statement ids continue after the values'


def test_leading_and_trailing_attributions_are_dropped():
    found = statements()
    assert "The vote was unanimous" in found  # ", council leader Ann Bell told reporters afterwards"
    assert 'the plan was "painful but necessary"' in found  # "Speaking later on local radio, Ms Bell said"
    assert "The depot handled 1,200 lorries" in found  # ", according to the port authority"
    assert not any("told reporters" in s or "said" in s or "according to" in s for s in found)
    assert statements("Ms Bell said that the authority would hire 35 care workers.\n") == [
        "the authority would hire 35 care workers"]


def test_compound_sentences_are_split_into_clauses():
    found = statements()
    assert "An amendment to freeze property taxes passed during the same meeting" in found
    assert "councillors agreed to keep the Eastgate pool open for another year" in found  # ", and "
    assert "bus links would replace every closed line" in found  # " and promised that"
    assert "The library will close for repairs" in found and "the museum stays open" in found  # "; "


def test_questions_opinions_headlines_and_furniture_are_not_statements():
    found = statements()
    for text in ("Will the savings last?", "Opposition councillors think not", "I think the plan is wrong",
                 "The fair is the best event of its kind in the region", "Council approves spending plan"):
        assert not any(text.rstrip("?.") in s for s in found), text
    assert statements("Menu\nLogo\n3 min read\nImage: Crowds on the quay on Saturday.\n") == []


def test_a_clause_of_nothing_but_claimed_values_is_left_out():
    text = "The bridge will close for repairs, and from 5 May to 27 June.\n"
    claims = extract(text, AS_OF)
    assert any(c.kind == "date" and "5 May" in c.text for c in claims)
    assert [c.text for c in claims if c.kind == "statement"] == ["The bridge will close for repairs"]
    # the rule reads the value claims: without them the same clause would be a statement
    assert "from 5 May to 27 June" in [c.text for c in find_statements(text, [])]


def test_a_judge_s_reading_of_a_statement_is_a_lean_that_keeps_its_sentence():
    from claims.verification.nli import nli_judge

    if nli_judge() is None:
        pytest.skip("the NLI cross-encoder is not available here")
    draft = "Border talks\n\nThe talks were held in Harwick.\n"
    corpus = "Ministry notes. The talks were held in Dorrington."
    evidence = [Passage(id="p1", source="ministry.md", text=corpus, start=0, end=len(corpus))]
    report = check(draft, evidence=evidence, as_of=AS_OF)
    [result] = [r for r in report.claims if r.claim.kind == "statement"]
    assert result.claim.text == "The talks were held in Harwick"
    # the judge reads the sentence as a contradiction, but a statement is decided only by a comparator or the
    # roster (claims.verification.decide.statement_lean): open, with the sentence and the lean shown
    assert result.verdict.label.value == "not_enough_evidence"
    assert "leans contradicted" in result.verdict.rationale
    citation = result.verdict.citations[0]
    assert citation.quote == "The talks were held in Dorrington." == corpus[citation.start:citation.end]
    assert result.verdict.tier == "suggestion"


def test_a_statement_is_compared_by_its_values():
    draft = "Kelby unit\n\nThe Kelby unit carried out 9,800 operations in its first year.\n"
    corpus = "Annual report. The Kelby unit carried out 5,000 operations in its first year."
    evidence = [Passage(id="p1", source="board.md", text=corpus, start=0, end=len(corpus))]
    report = check(draft, evidence=evidence, as_of=AS_OF)
    [result] = [r for r in report.claims if r.claim.kind == "statement"]
    assert result.verdict.label.value == "contradicted" and result.verdict.method == "comparator:quantity"
    assert result.verdict.tier == "suggestion"
    assert not any(f.kind == "number_mismatch" for f in result.flags)  # the value claim carries the flag


def test_a_statement_never_steals_a_values_match():
    gold = [{"start": 10, "end": 39, "kind": "official"}]  # "Transport Minister Elin Marsh"
    official = {"start": 29, "end": 39, "kind": "official"}  # "Elin Marsh": overlaps 10 characters
    sentence = {"start": 0, "end": 80, "kind": "statement"}  # overlaps all 29
    assert match_spans([sentence, official], gold, same_kind=False) == [(1, 0)]
    assert match_spans([sentence], gold, same_kind=False) == []
    # and a statement's gold is matched by the statement, not by a value inside it
    statement_gold = [{"start": 0, "end": 40, "kind": "statement"}]
    assert match_spans([official, sentence], statement_gold, same_kind=False) == [(1, 0)]
    # on equal overlap a prediction of the gold's kind wins, whatever its position
    date_gold = [{"start": 5, "end": 15, "kind": "date"}]
    preds = [{"start": 5, "end": 15, "kind": "quantity"}, {"start": 5, "end": 15, "kind": "date"}]
    assert match_spans(preds, date_gold, same_kind=False) == [(1, 0)]


def _record(expected: list[dict], claims: list[dict]) -> dict:
    return {"type": "document", "expected": expected, "claims": claims, "flags": []}


def test_statement_predictions_count_only_in_sets_that_grade_statements():
    value = {"start": 0, "end": 5, "kind": "quantity", "verdict": "supported", "tier": "finding", "flags": []}
    stmt = {"start": 0, "end": 40, "kind": "statement", "verdict": "supported", "tier": "suggestion", "flags": []}
    extra = {"start": 50, "end": 90, "kind": "statement", "verdict": "supported", "tier": "suggestion", "flags": []}
    gold_value = {"quote": "x", "start": 0, "end": 5, "kind": "quantity", "verdict": "supported"}
    no_statements = document_scores([_record([gold_value], [value, stmt, extra])])["extraction"]
    assert no_statements["all"]["n_pred"] == 1 and no_statements["all"]["precision"] == 1.0
    assert "statement" not in no_statements
    gold_stmt = {"quote": "y", "start": 0, "end": 40, "kind": "statement", "verdict": "supported"}
    grading = document_scores([_record([gold_value, gold_stmt], [value, stmt, extra])])["extraction"]
    assert grading["all"]["n_pred"] == 3 and grading["statement"]["precision"] == 0.5
    assert grading["statement"]["recall"] == 1.0


def test_the_highlighted_draft_keeps_value_highlights_inside_a_statement():
    from app.ui_render import Marked, highlighted_draft

    draft = "Plan\n\nThe depot handled 1,200 lorries in May.\n"
    report = check(draft, as_of=AS_OF)
    marks = [Marked(n, r, r.verdict.label, tier=r.verdict.tier) for n, r in enumerate(report.claims, 1)]
    html = highlighted_draft(draft, marks)
    kinds = {n: r.claim.kind for n, r in enumerate(report.claims, 1)}
    statement_n = next(n for n, k in kinds.items() if k == "statement")
    value_n = next(n for n, k in kinds.items() if k == "quantity")
    assert f'data-claim="{value_n}"' in html  # the value keeps its highlight
    assert f'data-claim="{statement_n}"' not in html and f'id="claim-{statement_n}"' in html  # the statement: number


def test_a_long_line_is_read_sentence_by_sentence_with_the_same_rules():
    from claims.statements import MAX_LINE_CHARS

    filler = "The depot handled more lorries than ever before this spring. "
    line = filler * (MAX_LINE_CHARS // len(filler) + 2) + "Will the savings last? I think the plan is wrong. "
    found = [c.text for c in find_statements(line + filler * 30, [])]
    assert len(line) > MAX_LINE_CHARS and len(found) == line.count(filler.strip()) + 30
    assert set(found) == {filler.strip().rstrip(".")}


def test_the_and_of_a_list_of_names_does_not_split_a_clause():
    text = "For the first time since 2023, Japan, China, and South Korea have gathered to talk about trade.\n"
    assert [c.text for c in extract(text, AS_OF) if c.kind == "statement"] == [text.strip().rstrip(".")]
    two = "The talks ended in Nara, and Lee flew home to Seoul.\n"
    assert [c.text for c in extract(two, AS_OF) if c.kind == "statement"] == ["The talks ended in Nara", "Lee flew home to Seoul"]
