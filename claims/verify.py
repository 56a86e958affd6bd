"""Verify a claim against evidence: comparators first, then a judge (LLM when given, else offline).

Invariant: a supported or contradicted verdict always cites at least one evidence sentence; a path that
would produce one without a citation is downgraded to not_enough_evidence.
"""
from __future__ import annotations

from datetime import date

from claims.errors import CopydeskError
from claims.compare import compare, content_words, overlap, raw_words, statement_claims
from claims.judge import NEGATIONS, OfflineJudge, VerifierUnavailable
from claims.models import Claim, Label, Verdict
from retrieval.types import Passage

STATEMENT_COVERAGE = 0.75  # share of a statement's content words its supporting sentence must contain


class VerifyInputError(CopydeskError, ValueError):
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
    verdict = comparator_verdict(statement, passages, as_of)
    return ensure_cited(verdict if verdict is not None else judge(statement, passages, as_of, llm=llm))


def comparator_verdict(statement: str, passages: list[Passage], as_of: date) -> Verdict | None:
    """The comparators' verdict on a whole statement: contradicted if any value is, supported if every
    value is and the cited sentence covers the statement; None otherwise."""
    verdicts = [compare(c, passages, as_of) for c in statement_claims(statement, as_of)]
    decided = [v for v in verdicts if v is not None]
    contradicted = [v for v in decided if v.label is Label.contradicted]
    if contradicted:
        return contradicted[0]
    if decided and len(decided) == len(verdicts) and all(covers(statement, v) for v in decided):
        return decided[0]
    return None


def covers(statement: str, verdict: Verdict) -> bool:
    """Whether the cited sentence speaks to the whole statement, not just to its figure.

    A comparator settles a value; a statement is supported only if the rest of it is in the sentence too
    ("a 1986 film" is not supported by "a 1986 novel" although the year agrees).
    """
    if not verdict.citations:
        return False
    quote = verdict.citations[0].quote
    if overlap(content_words(statement), content_words(quote)) < STATEMENT_COVERAGE:
        return False
    negated = [bool(raw_words(text) & NEGATIONS) for text in (statement, quote)]
    return negated[0] == negated[1]


def judge(statement: str, passages: list[Passage], as_of: date, *, llm=None) -> Verdict:
    """The LLM judge when a client is given (falling back on any failure), else the offline judge."""
    if llm is not None:
        try:
            from claims.llm_judge import LLMJudge

            return LLMJudge(llm).judge(statement, passages, as_of)
        except Exception as exc:  # LLMUnavailable or anything else: the offline judge still answers
            verdict = offline_judge(statement, passages, as_of)
            reason = type(exc).__name__ + (f": {exc}" if str(exc) else "")
            return verdict.model_copy(update={"note": f"LLM judge failed ({reason[:200]}): fell back to the offline judge"})
    return offline_judge(statement, passages, as_of)


def offline_judge(statement: str, passages: list[Passage], as_of: date) -> Verdict:
    try:
        return OfflineJudge().judge(statement, passages, as_of)
    except VerifierUnavailable as exc:
        return Verdict(label=Label.not_enough_evidence, confidence=0.0, method="judge:offline",
                       rationale="the offline judge could not run", note=str(exc))


def ensure_cited(verdict: Verdict) -> Verdict:
    """Downgrade a supported/contradicted verdict that cites nothing to not_enough_evidence."""
    if verdict.label is Label.not_enough_evidence or verdict.citations:
        return verdict
    return verdict.model_copy(update={
        "label": Label.not_enough_evidence,
        "rationale": f"{verdict.rationale} (downgraded: {verdict.label.value} without a citation)".strip(),
    })
