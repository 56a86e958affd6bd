"""The judges as checkers: they read the claim's statement against the evidence sentences.

`LLMJudgeChecker` answers only when the context has an LLM client; when the model fails (down, slow, broken
JSON) it gives way, recording why, and the next judge answers. `OfflineJudgeChecker` always answers (at
worst not_enough_evidence), so it is the registry's last checker.
"""
from __future__ import annotations

from claims.judge import OfflineJudge, VerifierUnavailable
from claims.llm_judge import METHOD as LLM_METHOD, LLMJudge
from claims.models import Claim, Label, Verdict
from claims.verification.checker import Context, Role
from retrieval.types import Passage


class LLMJudgeChecker:
    name = LLM_METHOD  # "judge:llm"
    role: Role = "judge"

    def applies_to(self, claim: Claim) -> bool:
        return True

    def check(self, claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
        if context.llm is None:
            return None
        try:
            return LLMJudge(context.llm).judge(claim.statement, evidence, context.as_of)
        except Exception as exc:  # LLMUnavailable or anything else: a later judge still answers
            reason = type(exc).__name__ + (f": {exc}" if str(exc) else "")
            context.fallback_notes[claim.id] = f"LLM judge failed ({reason[:200]})"
            return None


class OfflineJudgeChecker:
    name = OfflineJudge.method  # "judge:offline"
    role: Role = "judge"

    def applies_to(self, claim: Claim) -> bool:
        return True

    def check(self, claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
        try:
            return OfflineJudge().judge(claim.statement, evidence, context.as_of)
        except VerifierUnavailable as exc:
            return Verdict(label=Label.not_enough_evidence, confidence=0.0, method=self.name,
                           rationale="the offline judge could not run", note=str(exc))
