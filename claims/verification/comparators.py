"""The quantity and date comparators as checkers (`claims.compare` does the comparing).

A claim with its own value (an extracted quantity or date claim) is compared by that value: the quantity
first, then the date. A claim of kind "other" (a statement given whole: an eval item, an LLM's "other" claim) or
"statement" (a draft's clause, `claims.statements`) is compared by every value its statement holds, read
with the extractor's grammars: contradicted when any value is; supported when every value is and the cited
sentence covers the statement ("a 1986 film" is not supported by "a 1986 novel" although the year agrees);
else undecided, and the judges are asked.

Both checkers read one comparison per claim (shared through the context's cache); each answers only when
the comparison was decided by its own kind of value, so a verdict's method is the checker that gave it.
"""
from __future__ import annotations

from claims.compare import compare, content_words, overlap, raw_words, statement_claims
from claims.judge import NEGATIONS
from claims.models import Claim, Label, Verdict
from claims.verification.checker import Context, Role, evidence_key
from retrieval.types import Passage

STATEMENT_COVERAGE = 0.75  # share of a statement's content words its supporting sentence must contain


def comparison(claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
    """The comparators' verdict on a claim (see the module's docstring), computed once per claim and context."""
    key = (claim.id, "comparison", evidence_key(evidence))
    if key not in context.cache:
        if _statement_only(claim):
            context.cache[key] = statement_verdict(claim.statement, evidence, context)
        else:
            context.cache[key] = compare(claim, evidence, context.as_of)
    return context.cache[key]


def statement_verdict(statement: str, evidence: list[Passage], context: Context) -> Verdict | None:
    """Contradicted if any value of the statement is, supported if every value is and the cited sentence
    covers the statement; None otherwise."""
    verdicts = [compare(c, evidence, context.as_of) for c in statement_claims(statement, context.as_of)]
    decided = [v for v in verdicts if v is not None]
    contradicted = [v for v in decided if v.label is Label.contradicted]
    if contradicted:
        return contradicted[0]
    if decided and len(decided) == len(verdicts) and all(covers(statement, v) for v in decided):
        return decided[0]
    return None


def covers(statement: str, verdict: Verdict) -> bool:
    """Whether the cited sentence speaks to the whole statement, not just to its figure (and with the same
    polarity: a negated statement is not covered by an affirmative sentence)."""
    if not verdict.citations:
        return False
    quote = verdict.citations[0].quote
    if overlap(content_words(statement), content_words(quote)) < STATEMENT_COVERAGE:
        return False
    negated = [bool(raw_words(text) & NEGATIONS) for text in (statement, quote)]
    return negated[0] == negated[1]


def _statement_only(claim: Claim) -> bool:
    """A claim that is a statement, not one value: kind "other" (given whole) or "statement" (a draft's clause)."""
    return claim.kind in ("other", "statement") and claim.quantity is None and claim.date is None


SAME_FACT_RELEVANCE = 0.05  # a comparator's contradiction stands unless the NLI model is >= 95% sure that the
# cited sentence does not speak to the claim (1 - P(not enough info) below this). Measured: on the NLI dev split's
# VitaminC pairs no bar changed the comparators' contradiction precision by more than 0.01 (0.635 at none, 0.643
# at 0.5), while on the seed articles a bar of 0.2 or 0.5 set aside true mismatches whose draft statement is a
# long compound sentence the evidence only partly speaks to. Supports are not gated for the same reason.


def about_the_same_fact(claim: Claim, verdict: Verdict) -> bool:
    """Whether the NLI model can accept a comparator's contradiction as about the claim's fact: False only when
    it is sure the cited sentence does not speak to the claim (a figure in a question, a neighbouring fact).
    True for supports and where the model cannot run: the comparators then decide alone, as before."""
    from claims.verification.nli import nli_judge, nli_statement

    judge = nli_judge()
    if judge is None or not verdict.citations or verdict.label is not Label.contradicted:
        return True
    return judge.agrees_same_fact(nli_statement(claim), verdict.citations[0], SAME_FACT_RELEVANCE)


class _Comparator:
    name: str
    role: Role = "comparator"

    def check(self, claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
        verdict = comparison(claim, evidence, context)
        if verdict is None or verdict.method != self.name:
            return None
        key = (claim.id, "same_fact", verdict.label, verdict.citations[0].quote if verdict.citations else "")
        if key not in context.cache:
            context.cache[key] = about_the_same_fact(claim, verdict)
        return verdict if context.cache[key] else None


class QuantityComparator(_Comparator):
    name = "comparator:quantity"

    def applies_to(self, claim: Claim) -> bool:
        return claim.quantity is not None or _statement_only(claim)


class RelationComparator(_Comparator):
    """A claimed multiple or change ("twice as many", "up 3.1 points", "fell by about three-quarters") against
    the pair of figures an evidence sentence gives (claims.relations); also a level in a draft's "from X to Y"
    against the same pair in the evidence."""

    name = "comparator:relation"

    def applies_to(self, claim: Claim) -> bool:
        return claim.quantity is not None or _statement_only(claim)


class DateComparator(_Comparator):
    name = "comparator:date"

    def applies_to(self, claim: Claim) -> bool:
        return claim.date is not None or _statement_only(claim)
