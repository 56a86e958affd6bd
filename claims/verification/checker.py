"""The `Checker` protocol: one way of deciding a claim, and the `Context` every check runs in.

A checker has a `name`, which is the `Verdict.method` of every verdict it gives and its calibration and
tier key ("roster", "comparator:quantity", "judge:offline", ...); a `role` ("roster", "comparator",
"judge"), which is what the pipeline reads a verdict by (a comparator's contradiction is a number or date
mismatch, a judge's contradiction of one value among several is not attributable); `applies_to(claim)`,
a cheap test of the claim alone; and `check(claim, evidence, context)`, which returns a Verdict or None
when it cannot decide, so that the next checker of the registry is asked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol, runtime_checkable

from claims.models import Claim, Verdict
from retrieval.types import Passage

Role = Literal["roster", "comparator", "judge"]


@dataclass
class Context:
    """What a check may use beyond the claim and its evidence.

    `claims` are the other claims of the same draft (empty for a lone statement); `roster` the officials
    roster (None: no roster check); `llm` an LLM client (None: offline); `official_checks` the roster's
    answer per official claim id, computed once per draft by the pipeline (`claims.officials.official_checks`)
    and shared with its flags; `cache` lets checkers of one claim share work (both comparators read one
    comparison).
    """

    as_of: date
    claims: list[Claim] = field(default_factory=list)
    roster: Any = None  # claims.roster.Roster
    llm: Any = None  # claims.llm.LLMClient
    official_checks: dict[str, Any] | None = None  # claim id -> claims.officials.OfficialCheck
    cache: dict[tuple, Any] = field(default_factory=dict)  # keyed by claim, work and evidence (`evidence_key`)
    fallback_notes: dict[str, str] = field(default_factory=dict)  # claim id -> why a checker gave way
    quotes: dict[str, list[Any]] = field(default_factory=dict)  # claim id -> claims.quotes.DraftQuote inside it


@runtime_checkable
class Checker(Protocol):
    name: str
    role: Role

    def applies_to(self, claim: Claim) -> bool:
        ...

    def check(self, claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
        ...


def evidence_key(evidence: list[Passage]) -> tuple[str, ...]:
    """What a cached result was computed from: the same claim is decided again on other evidence
    (the trust rule), and must not be read from the first decision's cache."""
    return tuple(p.id for p in evidence)
