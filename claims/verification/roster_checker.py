"""The officials roster as a checker: an official claim is supported when the dated roster confirms who
held the title then, contradicted when it names someone else (misnamed or out of office).

The roster's answer per official claim is computed once per draft (`claims.officials.official_checks`) and
shared through the context with the claim's flags; a lone claim is checked here.
"""
from __future__ import annotations

from claims.models import Claim, Verdict
from claims.officials import check_official, official_verdict
from claims.verification.checker import Context, Role
from retrieval.types import Passage


class RosterChecker:
    name = "roster"
    role: Role = "roster"

    def applies_to(self, claim: Claim) -> bool:
        return claim.kind == "official" and claim.official is not None

    def check(self, claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
        if context.roster is None:
            return None
        if context.official_checks is not None:
            found = context.official_checks.get(claim.id)
        else:
            found = check_official(claim, context.roster, context.as_of, context.claims)
        return official_verdict(claim, found) if found is not None else None
