"""The verification seam: one decide() for drafts and statements, checkers by name and role, the roster
checked once per official claim, extraction seeing every roster the check sees, tiers, one Citation builder."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

import claims.judge as judge
import claims.officials as officials
import claims.verification.registry as registry
from claims.judge import OfflineJudge, StatementValues, pair_features
from claims.models import Citation, Label, Verdict
from claims.pipeline import check, check_claim
from claims.verification.citations import cite, cite_passage
from claims.verification.tiers import tier_of
from retrieval.types import Passage

AS_OF = date(2026, 1, 20)


def test_the_roster_checks_each_official_claim_once(monkeypatch):
    calls: Counter[str] = Counter()
    original = officials.check_official

    def counting(claim, roster, as_of, claims=()):
        calls[claim.id] += 1
        return original(claim, roster, as_of, claims)

    monkeypatch.setattr(officials, "check_official", counting)
    report = check("Japanese Prime Minister Sanae Takaichi met U.S. Treasury Secretary Janet Yellen in Tokyo.",
                   as_of=AS_OF)
    official = [r for r in report.claims if r.claim.kind == "official"]
    assert len(official) == 2 and all(calls[r.claim.id] == 1 for r in official)
    by_name = {r.claim.official.name: r for r in official}
    assert by_name["Sanae Takaichi"].verdict.label is Label.supported
    yellen = by_name["Janet Yellen"]
    assert yellen.verdict.label is Label.contradicted and yellen.verdict.method == "roster"
    assert [f.kind for f in yellen.flags] == ["outdated_official"]


def test_an_official_only_in_a_roster_file_is_extracted_and_verified(tmp_path):
    path = tmp_path / "council.csv"
    path.write_text("office,holder,start,end,aliases\nMayor of Testville,Olga Brandt,2024-05-01,,\n",
                    encoding="utf-8")
    draft = "Brandt opened the new bridge over the river on Tuesday."
    assert not [r for r in check(draft, as_of=AS_OF).claims if r.claim.kind == "official"]
    [result] = [r for r in check(draft, as_of=AS_OF, rosters=[path]).claims if r.claim.kind == "official"]
    assert result.claim.text == "Brandt" and result.claim.official.full_name == "Olga Brandt"
    assert result.verdict.label is Label.supported and result.verdict.method == "roster"
    assert result.verdict.citations[0].quote == "Mayor of Testville,Olga Brandt,2024-05-01,,"


def test_an_official_only_in_roster_rows_is_extracted_too():
    rows = [{"office": "Mayor of Testville", "holder": "Olga Brandt", "start": "2024-05-01"}]
    report = check("Brandt opened the new bridge on Tuesday.", as_of=AS_OF, roster_rows=rows)
    assert [r.verdict.method for r in report.claims if r.claim.kind == "official"] == ["roster"]


class Everything:
    """A checker that contradicts every claim, citing the claim's own first evidence sentence."""

    name, role = "test:everything", "comparator"

    def applies_to(self, claim):
        return claim.kind in ("quantity", "other")

    def check(self, claim, evidence, context):
        citation = Citation(source="test", quote="x", start=0, end=1)
        return Verdict(label=Label.contradicted, confidence=0.99, method=self.name, citations=[citation])


def test_drafts_and_statements_are_decided_by_the_same_registry(monkeypatch):
    monkeypatch.setattr(registry, "CHECKERS", (Everything(),) + registry.CHECKERS)
    report = check("The ferry carried 412,000 passengers in 2025.", as_of=AS_OF)
    [quantity] = [r for r in report.claims if r.claim.kind == "quantity"]
    assert quantity.verdict.method == "test:everything"
    # a checker's role, not its name's spelling, makes a contradiction a number mismatch
    assert [f.kind for f in quantity.flags] == ["number_mismatch"]
    statement = check_claim("The ferry carried 412,000 passengers in 2025.",
                            evidence=["The ferry carried 412,000 passengers in 2025."], as_of=AS_OF)
    assert statement.verdict.method == "test:everything"


def test_the_offline_judge_reads_a_statement_once_however_many_sentences(monkeypatch):
    reads = Counter()
    original = judge.statement_claims

    def counting(statement, as_of):
        reads[statement] += 1
        return original(statement, as_of)

    monkeypatch.setattr(judge, "statement_claims", counting)
    statement = "The ferry carried 412,000 passengers in 2025."
    text = ("The ferry service carried 412,000 passengers in 2025. A second vessel joined in April. "
            "Fares rose by 3% in 2024.")
    OfflineJudge().judge(statement, [Passage(id="p", source="s", text=text, start=0, end=len(text))], AS_OF)
    assert reads[statement] == 1


def test_pair_features_with_values_read_once_are_the_same():
    statement = "Fares rose by more than 3% in 2024, to 4.10 euros."
    values = StatementValues.read(statement, AS_OF)
    for evidence in ("Fares rose by 3.5% in 2024 to 4.10 euros.", "In 2023 fares fell 2%.", "No numbers here."):
        assert pair_features(statement, evidence, AS_OF, 0.3, values) == pair_features(statement, evidence, AS_OF, 0.3)


@pytest.mark.parametrize("method, label, confidence, tier", [
    ("roster", Label.supported, 0.95, "finding"),
    ("roster", Label.contradicted, 0.9, "finding"),
    ("roster", Label.supported, 0.7, "suggestion"),  # learned from the corpus, not a roster row
    ("comparator:quantity", Label.supported, 0.94, "finding"),
    ("comparator:quantity", Label.contradicted, 0.8444, "suggestion"),
    ("comparator:date", Label.supported, 0.832, "suggestion"),
    ("judge:offline", Label.supported, 0.99, "suggestion"),
    ("judge:llm", Label.contradicted, 0.99, "suggestion"),
    ("roster", Label.not_enough_evidence, 0.99, "suggestion"),
])
def test_tiers(method, label, confidence, tier):
    assert tier_of(Verdict(label=label, confidence=confidence, method=method)) == tier


def test_every_report_verdict_has_its_tier():
    report = check("Japanese Prime Minister Sanae Takaichi met U.S. Treasury Secretary Janet Yellen in Tokyo.",
                   as_of=AS_OF)
    assert {r.verdict.tier for r in report.claims if r.claim.kind != "statement"} == {"finding"}
    # the sentence as a statement claim: never a finding (claims.verification.tiers.SUGGESTION_ONLY_KINDS)
    assert {r.verdict.tier for r in report.claims if r.claim.kind == "statement"} == {"suggestion"}


def test_the_citation_builder_quotes_verbatim_with_document_offsets():
    document = "Harbour report. The ferry service carried 412,000 passengers in 2025."
    p = Passage(id="p1", source="harbour.txt", text=document[16:], start=16, end=len(document), title="Harbour")
    c = cite_passage(p, 4, 17)
    assert document[c.start:c.end] == c.quote == "ferry service" and c.passage_id == "p1" and c.title == "Harbour"
    line = cite("roster:x.csv", "office,holder", 7, 13, offset=40)
    assert (line.quote, line.start, line.end, line.passage_id) == ("holder", 47, 53, None)
