"""Hand-built reports over any draft, so UI and export tests do not depend on the checking pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from claims.models import Citation, Claim, ClaimResult, Flag, Label, Quantity, Report, Verdict


@dataclass
class Spec:
    """One claim to plant: the first occurrence of `text` (after `after`) in the draft."""

    text: str
    label: Label
    kind: str = "quantity"
    confidence: float = 0.8
    quote: str = ""
    source: str = "source.md"
    flags: list[Flag] = field(default_factory=list)
    after: str = ""
    tier: str = "suggestion"  # what today's verifier mostly says; "finding" for a confident method


def sentence_bounds(draft: str, start: int, end: int) -> tuple[int, int]:
    left = max(draft.rfind(". ", 0, start) + 2, draft.rfind("\n", 0, start) + 1, 0)
    right_candidates = [i for i in (draft.find(". ", end), draft.find("\n", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(draft)
    return left, right


def make_report(draft: str, specs: list[Spec], *, as_of: date = date(2025, 11, 24),
                draft_flags: list[Flag] = ()) -> Report:
    results = []
    for number, spec in enumerate(specs, 1):
        offset = draft.index(spec.after) + len(spec.after) if spec.after else 0
        start = draft.index(spec.text, offset)
        end = start + len(spec.text)
        s_start, s_end = sentence_bounds(draft, start, end)
        claim = Claim(id=f"c{number}", text=spec.text, start=start, end=end, kind=spec.kind,
                      statement=draft[s_start:s_end].strip(), sentence_start=s_start, sentence_end=s_end,
                      quantity=Quantity(value=72.0, unit="percent") if spec.kind == "quantity" else None)
        citations = []
        if spec.quote:
            citations.append(Citation(source=spec.source, quote=spec.quote, start=10, end=10 + len(spec.quote),
                                      title=f"Title of {spec.source}", date=date(2025, 11, 24)))
        verdict = Verdict(label=spec.label, confidence=spec.confidence, citations=citations, method="comparator:quantity",
                          tier=spec.tier)
        results.append(ClaimResult(claim=claim, verdict=verdict, flags=list(spec.flags)))
    return Report(as_of=as_of, claims=results, flags=list(draft_flags))


def demo_report(draft: str) -> Report:
    """A stand-in report for the demo draft (used only when the real pipeline cannot run)."""
    misnamed = Flag(kind="misnamed_official", message="No official named Sanae Takeda", suggestion="Sanae Takaichi")
    specs = [Spec(text, label, kind) for text, label, kind in (
        ("about 1,900 km", Label.supported, "quantity"), ("about 60 billion yen", Label.contradicted, "quantity"),
        ("72%", Label.supported, "quantity"), ("28,500", Label.supported, "quantity")) if text in draft]
    if "Sanae Takeda" in draft:
        specs.append(Spec("Sanae Takeda", Label.contradicted, "official", flags=[misnamed]))
    specs.sort(key=lambda s: draft.index(s.text))
    return make_report(draft, specs)
