"""Attributed quotes as a checker: a statement holding a quote the draft attributes to someone
("the minister said the plan was "painful but necessary"") is decided by the corpus's wording of that
speaker's quote (`claims.quotes.match_quote`, on the statement's own evidence):

- the same speaker's quote in the corpus has the draft's words: supported, citing the corpus sentence
  that holds the quote; only when the statement holds no figure or date of its own (those are the
  comparators' to settle: a right quote does not make a wrong figure beside it right);
- the same speaker's quote shares a word but is worded otherwise: contradicted (a misquote), citing it;
- no quote by that speaker in the evidence: no verdict, the next checker is asked.

The pipeline resolves each quote's speaker on the draft once (`Context.quotes`, claim id -> the draft's
quotes in that claim); a lone claim sentence has none, so this checker does not apply to it. Its verdicts
are suggestions (it has no line in `tiers.MIN_CONFIDENCE`, and statements are suggestion-only): measured on
planted3 and the seeds, 4 + 2 quotes, too few to earn findings.
"""
from __future__ import annotations

from claims.lexicon import sentence_around
from claims.models import Claim, Label, Verdict
from claims.quotes import match_quote
from claims.verification.checker import Context, Role
from claims.verification.citations import cite_passage
from retrieval.types import Passage

SUPPORTED_CONFIDENCE = 0.85
CONTRADICTED_CONFIDENCE = 0.80


class QuoteChecker:
    name = "comparator:quote"
    role: Role = "comparator"

    def applies_to(self, claim: Claim) -> bool:
        return claim.kind == "statement" and any(mark in claim.text for mark in "\"\u201c")

    def check(self, claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
        quotes = context.quotes.get(claim.id, [])
        if len(quotes) != 1:
            return None  # none resolved, or several: one verdict cannot speak for two quotes
        quote = quotes[0]
        found = match_quote(quote, evidence)
        if found is None:
            return None
        p = found.passage
        local = found.start - p.start, found.end - p.start
        s_start, s_end = sentence_around(p.text, *local)
        citation = cite_passage(p, s_start, s_end)
        if found.outcome == "verbatim":
            if any(c.kind in ("quantity", "date") and claim.start <= c.start and c.end <= claim.end
                   for c in context.claims):
                return None
            return Verdict(label=Label.supported, confidence=SUPPORTED_CONFIDENCE, citations=[citation],
                           method=self.name,
                           rationale=f"{quote.speaker}'s words \u201c{quote.phrase}\u201d are quoted the same way "
                                     f"in {p.source}")
        return Verdict(label=Label.contradicted, confidence=CONTRADICTED_CONFIDENCE, citations=[citation],
                       method=self.name,
                       rationale=f"misquote: the draft quotes {quote.speaker} as \u201c{quote.phrase}\u201d; "
                                 f"{p.source} has \u201c{found.phrase}\u201d")
