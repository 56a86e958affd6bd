"""Statement-level entry points for the scripts that train and measure the verifier
(scripts/train_verifier.py, scripts/measure_verifier.py).

Both go through `claims.verification`: `verify_statement` is `check_claim`'s decision on given passages,
`comparator_verdict` the comparators' part of it.
"""
from __future__ import annotations

from datetime import date

from claims.models import Verdict
from claims.verification.checker import Context
from claims.verification.comparators import statement_verdict
from claims.verification.decide import decide
from retrieval.types import Passage


def verify_statement(statement: str, passages: list[Passage], as_of: date, *, llm=None) -> Verdict:
    """The verdict `check_claim` gives a claim sentence against these passages."""
    from claims.pipeline import statement_claim

    return decide(statement_claim(statement), passages, Context(as_of=as_of, llm=llm))


def comparator_verdict(statement: str, passages: list[Passage], as_of: date) -> Verdict | None:
    """The comparators' verdict on a claim sentence; None when they leave it to the judges."""
    return statement_verdict(statement, passages, Context(as_of=as_of))
