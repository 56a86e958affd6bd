"""The NLI cross-encoder judge as a checker (`claims.nli_judge` reads; this module places it in the seam).

Two registry entries share this class. With an LLM configured, the first entry (`defer_to_llm`) answers only
the claims the model is sure of (findings) and leaves the rest to the LLM judge that follows it; the second
answers everything the LLM did not (or every claim, offline). Where the model cannot run (its graph could
not be built) both give way, recording why, and the feature-based offline judge answers.
"""
from __future__ import annotations

import re

from claims.models import Claim, Verdict
from claims.nli_judge import METHOD, JudgeUnavailable, NLIJudge
from claims.verification.checker import Context, Role, evidence_key
from retrieval.types import Passage

_AS_OF_NOTE = re.compile(r"\s*\[as of [^\]]*\]\s*$")


_CLAUSE_BREAK = re.compile(r"(?:,\s+(?:and|but|while|whereas)\s+|;\s+)")


def nli_statement(claim: Claim) -> str:
    """The statement the model reads: the claim's statement without the pipeline's "[as of ...]" note and,
    for a value or an official in a compound sentence ("X met Y on January 5, and about 28,500 troops remain
    ..."), only the clause that holds it, so that the other clause's facts do not make the evidence for this
    one look insufficient. A statement given whole (an eval item, kind "other") or a draft's clause (kind
    "statement") is read whole."""
    statement = _AS_OF_NOTE.sub("", claim.statement).strip() or claim.text
    if claim.kind in ("other", "statement"):
        return statement
    at = statement.find(claim.text)
    if at < 0:
        return statement
    start, end = 0, len(statement)
    for m in _CLAUSE_BREAK.finditer(statement):
        if m.end() <= at:
            start = m.end()
        elif m.start() >= at + len(claim.text):
            end = m.start()
            break
    clause = statement[start:end].strip(" ,;")
    if len(clause.split()) < 4:
        return statement
    return clause[:1].upper() + clause[1:] + ("" if clause.endswith((".", "!", "?")) else ".")


_JUDGE: list[NLIJudge] = []
_UNAVAILABLE: list[str] = []


def nli_judge() -> NLIJudge | None:
    """The process's NLI judge, or None where the model cannot run (`unavailable()` says why)."""
    if not _JUDGE and not _UNAVAILABLE:
        try:
            _JUDGE.append(NLIJudge())
        except JudgeUnavailable as exc:
            _UNAVAILABLE.append(str(exc))
    return _JUDGE[0] if _JUDGE else None


def unavailable() -> str | None:
    return _UNAVAILABLE[0] if _UNAVAILABLE else None


class NLIJudgeChecker:
    name = METHOD  # "judge:nli"
    role: Role = "judge"

    def __init__(self, defer_to_llm: bool = False) -> None:
        self.defer_to_llm = defer_to_llm

    def applies_to(self, claim: Claim) -> bool:
        return True

    def check(self, claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
        if self.defer_to_llm and context.llm is None:
            return None  # offline: the second entry answers
        judge = nli_judge()
        if judge is None:
            context.fallback_notes.setdefault(claim.id, f"NLI judge unavailable ({(unavailable() or '')[:200]})")
            return None
        key = (claim.id, METHOD, evidence_key(evidence))
        if key not in context.cache:
            context.cache[key] = judge.judge(nli_statement(claim), evidence)
        verdict = context.cache[key]
        if self.defer_to_llm and verdict.tier != "finding":
            return None  # uncertain: the LLM judge reads it next
        return verdict
