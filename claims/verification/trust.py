"""Source trust: a verdict must stand on the most trusted evidence that speaks to the claim.

Documents carry a trust level (`retrieval.types.Trust`: "high", "normal", "low"; "normal" when the corpus
says nothing). After the strategy has decided on all the evidence, the rule `trusted_first` looks at the
sources the verdict cites:
1. a verdict that cites a source that is not low-trust (or no corpus passage: the roster) stands. Only
   "low" is doubted: on the planted drafts, re-deciding "normal" verdicts on the "high" documents let a
   less relevant sentence decide (an official result for 2026 "contradicting" a 2022 figure);
2. a verdict that rests on low-trust sources only is decided again on the other evidence alone:
   - it agrees: the verdict is the trusted one (it cites the trusted source);
   - it disagrees (supported against contradicted): the more trusted source wins; the verdict cites both
     and carries the note `conflicting_evidence`, which the pipeline raises as a flag with both citations;
   - it settles nothing: the less trusted reading stands;
   the same holds for a judge's "the evidence disagrees" (not_enough_evidence with `conflicting_evidence`):
   when its two sentences differ in trust, the more trusted side decides, and the conflict stays flagged;
3. a verdict whose citations all come from low-trust sources is never a finding (`only_low_trust`): the
   app shows it as "needs a human".

So a forum post never supports what the board's own decision contradicts, and what only a forum post
says is left to a person.
"""
from __future__ import annotations

from collections.abc import Callable

from claims.models import Label, Verdict
from retrieval.types import TRUST_RANK, Passage

CONFLICT_NOTE = "conflicting_evidence"

Redecide = Callable[[list[Passage]], Verdict]


def cited_passages(verdict: Verdict, evidence: list[Passage]) -> list[Passage]:
    """The evidence passages the verdict quotes (by passage id, else by source and offsets)."""
    by_id = {p.id: p for p in evidence}
    cited: list[Passage] = []
    for citation in verdict.citations:
        passage = by_id.get(citation.passage_id or "")
        if passage is None:
            passage = next((p for p in evidence if p.source == citation.source
                            and p.start <= citation.start and citation.end <= p.end), None)
        if passage is not None:
            cited.append(passage)
    return cited


def _rank(passage: Passage) -> int:
    return TRUST_RANK.get(passage.trust, TRUST_RANK["normal"])


def trusted_first(verdict: Verdict, evidence: list[Passage], redecide: Redecide) -> Verdict:
    """The verdict after rule 2 above; `redecide(passages)` is the strategy run on other evidence."""
    conflict = verdict.label is Label.not_enough_evidence and verdict.note == CONFLICT_NOTE
    if (verdict.label is Label.not_enough_evidence and not conflict) or not evidence:
        return verdict
    cited = cited_passages(verdict, evidence)
    if not cited or len(cited) < len(verdict.citations):
        return verdict  # cites something outside the corpus (the roster): trust does not apply
    cited_rank = min(_rank(p) for p in cited)
    if cited_rank > TRUST_RANK["low"]:
        return verdict  # "normal" is no reason to doubt: re-deciding on the trusted rest lets weaker evidence decide
    trusted = [p for p in evidence if _rank(p) > cited_rank]
    if not trusted:
        return verdict
    second = redecide(trusted)
    if second.label is Label.not_enough_evidence or not second.citations:
        return verdict
    if second.label is verdict.label:
        return second
    sources = ", ".join(sorted({p.source for p in cited if _rank(p) == cited_rank}))
    others = [c for c in verdict.citations if c not in second.citations]
    return second.model_copy(update={
        "citations": [*second.citations, *others],
        "note": CONFLICT_NOTE,
        "rationale": f"{second.rationale}; a less trusted source ({sources}) says otherwise: "
                     f"{verdict.label.value} by {verdict.method}",
    })


def only_low_trust(verdict: Verdict, evidence: list[Passage]) -> bool:
    """True when every passage the verdict cites is from a low-trust source (never a finding)."""
    cited = cited_passages(verdict, evidence)
    return bool(cited) and len(cited) == len(verdict.citations) and all(p.trust == "low" for p in cited)
