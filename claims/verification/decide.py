"""`decide(claim, evidence, context) -> Verdict`: the one place a claim gets its verdict.

Both the product path (`claims.pipeline.check`, every claim of a draft) and the eval path
(`claims.pipeline.check_claim`, one statement) call it, so eval scores describe what users get.

Aggregation strategy, `first_decisive` (the only one; `STRATEGIES` names it so that another can be added
and compared, as RefChecker compares strict, soft and majority aggregation):
- within a checker, every evidence passage is split into sentences and each sentence is scored on its
  own; the checker answers from its most decisive sentence and cites that sentence (a comparator: the most
  relevant agreeing sentence, unless a disagreeing one about the same measure is far more relevant; a
  judge: the sentence with the strongest biased log-probability of supported or contradicted), or gives
  no verdict when no sentence settles the claim;
- across checkers, the registry is asked in order (roster, comparators, judges) and the first verdict
  decides; the last judge always answers.

After the strategy, three rules hold for every verdict:
- a judge's contradiction of one value in a sentence that holds several values (a draft's other quantity
  or date claims in the same sentence) becomes not_enough_evidence: only a comparator, which compares the
  claim's own value, can say which value is wrong;
- a judge's supported or contradicted on a qualitative statement (kind "statement") becomes
  not_enough_evidence that keeps the quoted sentence and says which way the judge leaned (`statement_lean`);
- a supported or contradicted verdict without a citation becomes not_enough_evidence;
- source trust (`claims.verification.trust.trusted_first`): a verdict that rests on low-trust evidence
  only is decided again on the other evidence, which wins a disagreement (the verdict then cites both,
  with the note `conflicting_evidence`);
- its tier is set by `claims.verification.tiers.tier_of` (a statement claim's verdict is always a suggestion);
  what only low-trust sources say is a suggestion.
"""
from __future__ import annotations

from collections.abc import Callable

from claims.models import Claim, Label, Verdict
from claims.verification import registry
from claims.verification.checker import Checker, Context
from claims.verification.tiers import tier_of
from claims.verification.trust import CONFLICT_NOTE, only_low_trust, trusted_first
from retrieval.types import Passage

Strategy = Callable[[Claim, list[Passage], Context, tuple[Checker, ...]], tuple[Verdict, Checker]]


class CheckerContractError(RuntimeError):
    """A checker broke the protocol (a verdict under another method's name, or no checker answered)."""


def first_decisive(claim: Claim, evidence: list[Passage], context: Context, checkers: tuple[Checker, ...]
                   ) -> tuple[Verdict, Checker]:
    """The first verdict of the checkers that apply, in registry order."""
    for checker in checkers:
        if not checker.applies_to(claim):
            continue
        verdict = checker.check(claim, evidence, context)
        if verdict is None:
            continue
        if verdict.method != checker.name:
            raise CheckerContractError(f"checker {checker.name!r} gave a verdict with method {verdict.method!r}")
        return verdict, checker
    raise CheckerContractError(f"no checker decided claim {claim.id!r}: the registry must end with a judge")


STRATEGIES: dict[str, Strategy] = {"first_decisive": first_decisive}


def decide(claim: Claim, evidence: list[Passage], context: Context, *, checkers: tuple[Checker, ...] | None = None,
           strategy: str = "first_decisive") -> Verdict:
    """The claim's verdict from its evidence: the strategy over the registry, then the rules above."""
    checkers = registry.CHECKERS if checkers is None else checkers
    verdict, checker = STRATEGIES[strategy](claim, evidence, context, checkers)
    if verdict.label is not Label.not_enough_evidence or verdict.note == CONFLICT_NOTE:
        def redecide(passages: list[Passage]) -> Verdict:
            again, by = STRATEGIES[strategy](claim, passages, context, checkers)
            return ensure_cited(attributable(claim, again, context.claims) if by.role == "judge" else again)

        trusted = trusted_first(verdict, evidence, redecide)
        if trusted is not verdict:
            checker = registry.checker_named(trusted.method) or checker
            verdict = trusted
    fallback = context.fallback_notes.get(claim.id)
    if fallback is not None:
        target = {"judge:offline": "the offline judge", "judge:nli": "the offline judge (NLI)"}.get(checker.name, checker.name)
        note = f"{fallback}: fell back to {target}"
        verdict = verdict.model_copy(update={"note": f"{CONFLICT_NOTE}; {note}" if verdict.note == CONFLICT_NOTE else note})
    if checker.role == "judge":
        verdict = attributable(claim, verdict, context.claims)
        verdict = statement_lean(claim, verdict)
    verdict = ensure_cited(verdict)
    tier = "suggestion" if only_low_trust(verdict, evidence) else tier_of(verdict, claim.kind)
    return verdict.model_copy(update={"tier": tier})


def attributable(claim: Claim, verdict: Verdict, claims: list[Claim]) -> Verdict:
    """A judge that contradicts a sentence holding several values cannot say which one is wrong."""
    if verdict.label is not Label.contradicted or claim.kind not in ("quantity", "date"):
        return verdict
    siblings = [c for c in claims if c.id != claim.id and c.kind in ("quantity", "date")
                and c.sentence_start == claim.sentence_start]
    if not siblings:
        return verdict
    return verdict.model_copy(update={
        "label": Label.not_enough_evidence, "citations": [], "confidence": 0.5,
        "rationale": f"{verdict.rationale}; but the sentence holds {len(siblings) + 1} values and no comparator "
                     f"showed that {claim.text!r} is the wrong one"})


def statement_lean(claim: Claim, verdict: Verdict) -> Verdict:
    """A judge's supported/contradicted on a qualitative statement is shown as a lean, not a verdict.

    Measured on planted3 (the one set that grades statements), the NLI judge's decided verdicts on gold
    statements were right 8 times in 18, often on the right sentence with the wrong polarity ("Strand
    conceded on election night" read as contradicted by the sentence saying so). So the statement stays
    not_enough_evidence, keeps the sentence the judge read as its closest evidence, and says which way it
    leaned; only a comparator (a value the statement holds) or the roster decides a statement."""
    if claim.kind != "statement" or verdict.label is Label.not_enough_evidence:
        return verdict
    return verdict.model_copy(update={
        "label": Label.not_enough_evidence, "confidence": 0.5,
        "rationale": f"needs a human: the judge leans {verdict.label.value} (p={verdict.confidence:.2f}) on the "
                     f"quoted sentence, but its readings of qualitative statements are not reliable yet; {verdict.rationale}"})


def ensure_cited(verdict: Verdict) -> Verdict:
    """Downgrade a supported/contradicted verdict that cites nothing to not_enough_evidence."""
    if verdict.label is Label.not_enough_evidence or verdict.citations:
        return verdict
    return verdict.model_copy(update={
        "label": Label.not_enough_evidence,
        "rationale": f"{verdict.rationale} (downgraded: {verdict.label.value} without a citation)".strip(),
    })
