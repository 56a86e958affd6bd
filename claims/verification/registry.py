"""The checkers, in the order `decide()` asks them; the first that gives a verdict decides the claim.

Order: the roster (officials), the comparators (a claim's own figure or date), then the judges (the
claim's statement read against the evidence sentences). A new checker is one module in this package
and one line here (see ARCHITECTURE.md, "Adding a checker").
"""
from __future__ import annotations

from claims.verification.checker import Checker
from claims.verification.comparators import DateComparator, QuantityComparator, RelationComparator
from claims.verification.judges import LLMJudgeChecker, OfflineJudgeChecker
from claims.verification.nli import NLIJudgeChecker
from claims.verification.quote_checker import QuoteChecker
from claims.verification.roster_checker import RosterChecker
from claims.verification.wording_checker import WordingChecker

CHECKERS: tuple[Checker, ...] = (
    RosterChecker(),
    WordingChecker(),  # a statement contradicted by the corpus's wording (rejected, second round, 7-2); never supports
    RelationComparator(),  # a multiple or change against the pair of figures a sentence gives
    QuantityComparator(),
    DateComparator(),
    QuoteChecker(),  # a statement's attributed quote against the same speaker's words in the corpus
    NLIJudgeChecker(defer_to_llm=True),  # with an LLM configured: only the claims the NLI model is sure of
    LLMJudgeChecker(),  # only with an LLM configured; gives way when the model fails
    NLIJudgeChecker(),  # the default offline judge (the NLI cross-encoder)
    OfflineJudgeChecker(),  # the feature-based MLP judge, only where the NLI model cannot run
)


def checker_named(name: str) -> Checker | None:
    """The registered checker whose verdicts carry `name` as their method."""
    return next((c for c in CHECKERS if c.name == name), None)


def role_of(method: str) -> str | None:
    """The role ("roster", "comparator", "judge") of the checker that gives verdicts with this method."""
    checker = checker_named(method)
    return checker.role if checker is not None else None
