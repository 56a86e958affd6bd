"""Verify a claim against evidence: comparators first, then a judge (LLM when given, else offline).

Invariant: a supported or contradicted verdict always cites at least one evidence sentence; a path that
would produce one without a citation is downgraded to not_enough_evidence.
"""
from __future__ import annotations

from datetime import date

from claims.compare import compare, dates_in, quantities_in
from claims.judge import OfflineJudge
from claims.models import Claim, Label, Verdict
from retrieval.types import Passage


class VerifyInputError(ValueError):
    """The statement or claim given to verify is unusable."""


def verify(claim: Claim, passages: list[Passage], as_of: date, *, llm=None) -> Verdict:
    """Verdict for one extracted claim: comparators for its value, then a judge on its statement."""
    verdict = compare(claim, passages, as_of) if claim.quantity is not None or claim.date is not None else None
    if verdict is None:
        verdict = judge(claim.statement, passages, as_of, llm=llm)
    return ensure_cited(verdict)


def verify_statement(statement: str, passages: list[Passage], as_of: date, *, llm=None) -> Verdict:
    """Verdict for a claim sentence (an eval item): its numbers and dates go to the comparators first."""
    if not statement or not statement.strip():
        raise VerifyInputError("the claim statement is empty")
    verdicts = [compare(c, passages, as_of) for c in statement_claims(statement, as_of)]
    decided = [v for v in verdicts if v is not None]
    if decided and len(decided) == len(verdicts) or any(v.label is Label.contradicted for v in decided):
        contradicted = [v for v in decided if v.label is Label.contradicted]
        return ensure_cited(contradicted[0] if contradicted else decided[0])
    return ensure_cited(judge(statement, passages, as_of, llm=llm))


def statement_claims(statement: str, as_of: date) -> list[Claim]:
    """One claim per quantity and date in the statement, read with the shared grammars."""
    claims = []
    for i, hit in enumerate(quantities_in(statement)):
        claims.append(Claim(id=f"q{i}", text=statement[hit.start:hit.end], start=hit.start, end=hit.end,
                            kind="quantity", statement=statement, sentence_end=len(statement),
                            quantity=hit.quantity, extractor="given"))
    for i, hit in enumerate(dates_in(statement, as_of)):
        claims.append(Claim(id=f"d{i}", text=statement[hit.start:hit.end], start=hit.start, end=hit.end,
                            kind="date", statement=statement, sentence_end=len(statement),
                            date=hit.value, extractor="given"))
    return claims


def judge(statement: str, passages: list[Passage], as_of: date, *, llm=None) -> Verdict:
    """The LLM judge when a client is given (falling back on any failure), else the offline judge."""
    if llm is not None:
        try:
            from claims.llm_judge import LLMJudge

            return LLMJudge(llm).judge(statement, passages, as_of)
        except Exception as exc:  # LLMUnavailable or anything else: the offline judge still answers
            verdict = OfflineJudge().judge(statement, passages, as_of)
            reason = type(exc).__name__ + (f": {exc}" if str(exc) else "")
            return verdict.model_copy(update={"note": f"LLM judge failed ({reason[:200]}): fell back to the offline judge"})
    return OfflineJudge().judge(statement, passages, as_of)


def ensure_cited(verdict: Verdict) -> Verdict:
    """Downgrade a supported/contradicted verdict that cites nothing to not_enough_evidence."""
    if verdict.label is Label.not_enough_evidence or verdict.citations:
        return verdict
    return verdict.model_copy(update={
        "label": Label.not_enough_evidence,
        "rationale": f"{verdict.rationale} (downgraded: {verdict.label.value} without a citation)".strip(),
    })
