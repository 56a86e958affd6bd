"""LLM extraction: every span and number re-checked against the draft; merging with rule claims."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from claims.llm_extract import LLMExtractor, merge_claims, numbers_covered, paragraph_chunks
from claims.models import Claim

AS_OF = date(2026, 11, 24)
DRAFT = ("The council approved a budget of about 40 billion yen on March 3, 2026, Finance Director Mara Holt said.\n\n"
         "Turnout reached 64% in the autumn vote.")


class FakeClient:
    """Answers each chunk from a list of proposals, recording the chunks it was sent."""

    def __init__(self, *answers: list[dict]) -> None:
        self.answers = list(answers)
        self.chunks: list[str] = []

    def structured(self, prompt_name: str, variables: dict, schema: type[BaseModel]) -> BaseModel:
        assert prompt_name == "extract"
        self.chunks.append(variables["text"])
        return schema.model_validate({"claims": self.answers.pop(0) if self.answers else []})


def proposal(quote, kind, value=None, statement="", name=None, title=None) -> dict:
    return {"quote": quote, "kind": kind, "value": value, "statement": statement, "name": name, "title": title}


def extract(*answers) -> list[Claim]:
    return LLMExtractor(FakeClient(*answers), chunk_chars=100).extract(DRAFT, AS_OF)


def test_valid_proposals_become_claims_with_exact_spans_and_rule_values():
    claims = extract([proposal("about 40 billion yen", "quantity", "40 billion", "The budget is about 40 billion yen."),
                      proposal("March 3, 2026", "date", "March 3, 2026"),
                      proposal("Finance Director Mara Holt", "official", None, "", "Mara Holt", "Finance Director")],
                     [proposal("64%", "quantity", "64")])
    assert [c.id for c in claims] == ["c1", "c2", "c3", "c4"]
    for claim in claims:
        assert DRAFT[claim.start:claim.end] == claim.text and claim.extractor == "llm"
    budget, day, official, turnout = claims
    assert budget.quantity.value == 4.0e10 and budget.quantity.currency == "JPY"
    assert budget.statement == "The budget is about 40 billion yen."
    assert day.date.start == date(2026, 3, 3)
    assert official.official.name == "Mara Holt" and official.official.title == "Finance Director"
    assert turnout.quantity.value == 64 and turnout.quantity.unit == "percent"
    assert DRAFT[turnout.sentence_start:turnout.sentence_end] == "Turnout reached 64% in the autumn vote."


def test_quote_not_in_the_draft_is_dropped():
    assert extract([proposal("about 45 billion yen", "quantity", "45 billion")]) == []
    assert extract([proposal("About 40 Billion Yen", "quantity", "40 billion")]) == []


def test_value_with_a_number_not_in_the_quote_is_dropped():
    assert extract([proposal("about 40 billion yen", "quantity", "400 billion")]) == []


def test_statement_with_an_invented_number_falls_back_to_the_sentence():
    [claim] = extract([], [proposal("64%", "quantity", "64", "Turnout reached 74% in the vote.")])
    assert claim.statement == "Turnout reached 64% in the autumn vote."


def test_unreadable_value_or_unverified_name_becomes_kind_other():
    claims = extract([proposal("The council approved", "date", None),
                      proposal("Finance Director Mara Holt", "official", None, "", "Mara Holton", "Mayor")])
    assert [c.kind for c in claims] == ["other", "other"]
    assert all(c.date is None and c.official is None for c in claims)


def test_long_drafts_are_sent_in_paragraph_chunks_with_offsets_kept():
    client = FakeClient([], [proposal("64%", "quantity", "64")])
    [claim] = LLMExtractor(client, chunk_chars=100).extract(DRAFT, AS_OF)
    assert client.chunks == DRAFT.split("\n\n")
    assert DRAFT[claim.start:claim.end] == "64%"
    assert paragraph_chunks(DRAFT, max_chars=10_000) == [(0, len(DRAFT))]


def test_a_quote_is_searched_only_in_its_own_chunk():
    assert extract([proposal("64%", "quantity", "64")], []) == []


def test_numbers_covered():
    assert numbers_covered("1,200 people", "about 1200 people")
    assert not numbers_covered("1,300", "about 1,200 people")
    assert numbers_covered("no numbers here", "")


def make(cid: str, start: int, end: int, extractor: str = "rules") -> Claim:
    return Claim(id=cid, text=DRAFT[start:end], start=start, end=end, kind="other", statement="s",
                 extractor=extractor)


def test_merge_rules_win_llm_adds_missed_claims_ids_in_text_order():
    rules = [make("c1", 30, 50), make("c2", 120, 123)]
    llm = [make("c1", 24, 50, "llm"), make("c2", 54, 67, "llm"), make("c3", 200, 205, "llm")]
    merged = merge_claims(rules, llm)
    assert [(c.id, c.start, c.extractor) for c in merged] == [
        ("c1", 30, "rules+llm"), ("c2", 54, "llm"), ("c3", 120, "rules"), ("c4", 200, "llm")]


def test_merge_with_no_llm_claims_keeps_rules():
    rules = [make("c7", 54, 67), make("c3", 30, 50)]
    assert [(c.id, c.start, c.extractor) for c in merge_claims(rules, [])] == [("c1", 30, "rules"), ("c2", 54, "rules")]
