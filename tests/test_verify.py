"""decide(): the registry in order (roster, comparators, judges); LLM fallback; never a verdict without a
citation; statements go through the same decide() as a draft's claims."""
from __future__ import annotations

from datetime import date

import pytest

import claims.verification.judges as judges
from claims.models import Citation, Claim, Label, Quantity, Verdict
from claims.pipeline import statement_claim
from claims.verification.checker import Context
from claims.verification.decide import CheckerContractError, decide, ensure_cited
from claims.verify import comparator_verdict, verify_statement
from retrieval.types import Passage

AS_OF = date(2026, 11, 24)
TROOPS = "About 28,500 American troops are stationed in South Korea under the alliance."


def passage(text: str) -> Passage:
    return Passage(id="p0", source="alliance.md", text=text, start=0, end=len(text))


def troops_claim(value: float) -> Claim:
    statement = f"Some {value:,.0f} U.S. troops are stationed in South Korea."
    text = f"{value:,.0f} U.S. troops"
    start = statement.index(text)
    return Claim(id="c1", text=text, start=start, end=start + len(text), kind="quantity", statement=statement,
                 sentence_end=len(statement), quantity=Quantity(value=value, noun="U.S. troops"))


def fake_llm_judge(monkeypatch, behaviour) -> None:
    class LLMJudge:
        def __init__(self, client):
            self.client = client

        def judge(self, statement, passages, as_of=None):
            return behaviour(statement, passages)

    monkeypatch.setattr(judges, "LLMJudge", LLMJudge)


def test_quantity_claims_go_to_the_comparator_first():
    supported = decide(troops_claim(28500), [passage(TROOPS)], Context(as_of=AS_OF))
    assert supported.label is Label.supported and supported.method == "comparator:quantity"
    contradicted = decide(troops_claim(45000), [passage(TROOPS)], Context(as_of=AS_OF))
    assert contradicted.label is Label.contradicted and contradicted.citations[0].quote == TROOPS


def test_statement_numbers_are_read_with_the_shared_grammar():
    verdict = verify_statement("Some 45,000 U.S. troops are stationed in South Korea.", [passage(TROOPS)], AS_OF)
    assert verdict.label is Label.contradicted and verdict.citations and verdict.method == "comparator:quantity"


def test_a_neighbouring_figure_goes_to_the_judge_not_the_comparators():
    statement = ("After a long dispute with shipping lines, harbour tolls brought the port authority "
                 "61 million euros in 2024.")
    neighbour = passage("After a long dispute with shipping lines, the port authority borrowed 48 million euros "
                        "in 2024.")
    assert comparator_verdict(statement, [neighbour], AS_OF) is None
    assert verify_statement(statement, [neighbour], AS_OF).method == "judge:nli"
    revised = passage(statement.replace("61", "48"))
    assert comparator_verdict(statement, [revised], AS_OF).label is Label.contradicted


def test_a_supported_verdict_without_citation_is_downgraded():
    bare = Verdict(label=Label.supported, confidence=0.9, method="judge:llm", rationale="looks right")
    assert ensure_cited(bare).label is Label.not_enough_evidence
    cited = bare.model_copy(update={"citations": [Citation(source="s", quote="q", start=0, end=1)]})
    assert ensure_cited(cited) is cited


def test_llm_verdicts_without_citations_never_pass(monkeypatch):
    fake_llm_judge(monkeypatch, lambda s, p: Verdict(label=Label.contradicted, confidence=0.99, method="judge:llm"))
    claim = Claim(id="c1", text="the alliance", start=0, end=12, kind="other",
                  statement="The alliance was signed by both governments.")
    verdict = decide(claim, [passage(TROOPS)], Context(as_of=AS_OF, llm=object()))
    assert verdict.label is Label.not_enough_evidence and "downgraded" in verdict.rationale


def test_a_failing_llm_falls_back_to_the_offline_judge(monkeypatch):
    def unavailable(statement, passages):
        raise ConnectionError("server at 127.0.0.1:9 refused the connection")

    fake_llm_judge(monkeypatch, unavailable)
    claim = Claim(id="c1", text="the alliance", start=0, end=12, kind="other",
                  statement="The alliance was signed by both governments.")
    verdict = decide(claim, [passage(TROOPS)], Context(as_of=AS_OF, llm=object()))
    assert verdict.method == "judge:nli"
    assert verdict.note and "fell back to the offline judge" in verdict.note and "ConnectionError" in verdict.note


def test_verdicts_always_cite_when_they_decide():
    for statement in ("Some 28,500 U.S. troops are based in South Korea.",
                      "Some 45,000 U.S. troops are stationed in South Korea.",
                      "The alliance was signed in 1953 by both governments.",
                      "South Korea hosts American troops under the alliance."):
        verdict = verify_statement(statement, [passage(TROOPS)], AS_OF)
        assert verdict.label is Label.not_enough_evidence or verdict.citations


def test_a_checker_must_give_verdicts_under_its_own_name():
    class Liar:
        name, role = "comparator:quantity", "comparator"

        def applies_to(self, claim):
            return True

        def check(self, claim, evidence, context):
            return Verdict(label=Label.supported, confidence=0.9, method="judge:offline",
                           citations=[Citation(source="s", quote="q", start=0, end=1)])

    with pytest.raises(CheckerContractError, match="method 'judge:offline'"):
        decide(statement_claim("It rained."), [], Context(as_of=AS_OF), checkers=(Liar(),))


def test_vitaminc_numeric_sample_beats_chance(evaldata_dir, repo_dir, monkeypatch):
    monkeypatch.syspath_prepend(str(repo_dir))
    from scripts.measure_verifier import measure, sample_vitaminc_numeric

    path = evaldata_dir / "vitaminc" / "vitaminc_real_dev.jsonl"
    if not path.is_file():
        pytest.skip("VitaminC real dev not found")
    scores = measure(sample_vitaminc_numeric(path, per_label=20, seed=11))
    assert scores["n"] == 60 and scores["macro_f1"] > 0.45
