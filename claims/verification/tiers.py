"""Tiers: a verdict is a "finding" (shown as settled) or a "suggestion" (shown as "needs a human", with the
machine's lean).

Policy, data-driven: `MIN_CONFIDENCE[method]` is the lowest calibrated confidence at which that method's
verdicts were at least 0.90 precise on a development split; a supported or contradicted verdict at or above
it is a finding. A method missing from the table never gives findings. not_enough_evidence is never a
finding: it settles nothing, so it is always a suggestion (the reader sees "not settled, needs a human").

Where the numbers come from:
- comparators: a comparator verdict's confidence is the measured precision of that method and outcome on
  the verifier's development split (claims/data/verifier.json "reliability": quantity supported 0.94,
  quantity contradicted 0.844, date supported 0.832, date contradicted 0.861). At 0.90 only a supported
  quantity comparison is a finding today; the others become findings when a re-measured reliability reaches
  0.90.
- roster: verdicts from roster rows carry 0.95 (supported) and 0.90 (contradicted), learned corpus rows
  0.70; on the planted and seed sets (development sets for the officials checks) the roster's flags were
  1.0 precise. Row-backed verdicts are findings, corpus-learned ones suggestions.
- judge:nli (the NLI cross-encoder): per label, from its card (retrieval/data/nli-minilm-v1.json
  "finding_threshold", chosen by scripts/calibrate_nli.py on the dev split of its training data: the lowest
  calibrated probability at which its supported / contradicted pair readings were >= 0.90 precise).
- statements (claim kind "statement"): never findings, by kind (see SUGGESTION_ONLY_KINDS below).
- judges (judge:offline, the shipped MLP; judge:llm): absent. Neither reached 0.90 precision at any
  confidence that leaves more than a handful of verdicts (the offline judge's "contradicted" was right 18 of
  50 times on VitaminC-numeric), so their verdicts are suggestions. A judge whose dev split shows such a
  threshold adds its line here (the NLI judge: "judge:nli").
"""
from __future__ import annotations

from claims.models import Label, Tier, Verdict

FINDING_PRECISION = 0.90  # the precision on the dev split that makes a verdict a finding

MIN_CONFIDENCE: dict[str, float] = {
    "roster": 0.90,
    "comparator:quantity": FINDING_PRECISION,
    "comparator:date": FINDING_PRECISION,
}


# Statement claims (kind "statement", claims.statements: a draft's qualitative clause) give suggestions only,
# whatever their method. Measured on planted3 (the only set that grades statements; `copydesk eval
# evals/sets/planted3.jsonl`, 2026-12-03, NLI judge offline): of the 18 supported/contradicted verdicts on its
# 21 gold statements, 8 were right (0.44; 10 of 21 verdicts right in all); the NLI cross-encoder, trained on numeric claims, reads "Strand
# conceded on election night" against "Pavel Strand conceded on election night and congratulated her" as a
# contradiction (p=0.66). The bar for a statement finding is 0.95 precision; it becomes a finding when a
# re-measured method reaches it.
SUGGESTION_ONLY_KINDS = frozenset({"statement"})


def tier_of(verdict: Verdict, kind: str | None = None) -> Tier:
    """"finding" when the verdict settles the claim with a confidence its method earned; else "suggestion".
    `kind`: the claim's kind; a statement's verdict is always a suggestion (SUGGESTION_ONLY_KINDS)."""
    if verdict.label is Label.not_enough_evidence or kind in SUGGESTION_ONLY_KINDS:
        return "suggestion"
    floor = MIN_CONFIDENCE.get(verdict.method)
    if verdict.method == "judge:nli":
        from claims.verification.nli import nli_judge

        judge = nli_judge()
        floor = judge.finding_threshold.get(verdict.label) if judge is not None else None
    return "finding" if floor is not None and verdict.confidence >= floor else "suggestion"
