"""The whole capability behind one call: `check(draft, store=..., as_of=...) -> Report`.

extract (rules, optionally merged with an LLM; officials of every roster the check uses) -> retrieve
passages per claim -> `claims.verification.decide.decide` (roster, comparators, then a judge) -> flags
(officials, mismatches, internal consistency).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from claims.drafts import draft_sha, validate_draft
from claims.models import Claim, ClaimResult, Flag, Label, Report, Usage, Verdict
from claims.verification.registry import role_of
from claims.verification.trust import CONFLICT_NOTE
from retrieval.types import Passage

Progress = Callable[[int, int, str], None]  # (done, total, what)

MISMATCH_FLAG = {"quantity": "number_mismatch", "date": "date_mismatch"}


def _roster(rosters: Sequence[str | Path], roster_rows: list[dict] | None):
    from claims.roster import Roster

    roster = Roster.load(extra_paths=tuple(rosters))
    if roster_rows:
        roster = roster.with_rows(roster_rows)
    return roster


def _retrieved_json(passages: Iterable[Passage], limit: int = 5) -> list[dict[str, Any]]:
    return [{"source": p.source, "text": p.text, "score": round(p.score or 0.0, 4), "start": p.start, "end": p.end}
            for p in list(passages)[:limit]]


def _keywords(claim: Claim) -> list[str]:
    """Values, names and nouns that keyword search should weigh, beyond the statement's words."""
    words = [claim.text]
    if claim.official is not None:
        words += [x for x in (claim.official.name, claim.official.full_name, claim.official.title) if x]
    if claim.quantity is not None and claim.quantity.noun:
        words.append(claim.quantity.noun)
    if claim.subject:
        words.append(claim.subject)
    return words


def _mismatch_flag(claim: Claim, verdict: Verdict) -> Flag | None:
    """A comparator's contradiction of a quantity or date claim is a number or date mismatch."""
    kind = MISMATCH_FLAG.get(claim.kind)
    if kind is None or verdict.label is not Label.contradicted or role_of(verdict.method) != "comparator":
        return None
    return Flag(kind=kind, message=verdict.rationale or f"{claim.text!r} disagrees with the corpus",
                spans=[(claim.start, claim.end)], claim_ids=[claim.id], citations=verdict.citations)


def _conflict_flag(claim: Claim, verdict: Verdict) -> Flag | None:
    """Evidence that disagrees (a trusted source against a less trusted one, or two sentences the judge
    read both ways) is a `conflicting_evidence` flag that quotes both sides."""
    if not (verdict.note or "").startswith(CONFLICT_NOTE) or len(verdict.citations) < 2:
        return None
    return Flag(kind="conflicting_evidence", message=verdict.rationale or f"the evidence on {claim.text!r} disagrees",
                spans=[(claim.start, claim.end)], claim_ids=[claim.id], citations=verdict.citations)


def extract(draft: str, as_of: date, *, llm=None, notes: list[str] | None = None, roster=None) -> list[Claim]:
    """Rule-based claims, merged with an LLM's when one is configured (falling back with a note).

    `roster` (a claims.roster.Roster, default: the shipped one) is the roster whose officeholders are found
    by bare name: pass the one the check uses, so that every official it can verify is extracted. The
    check-worthy clauses follow as "statement" claims (`claims.statements.find_statements`)."""
    from claims.extract import RuleExtractor
    from claims.statements import find_statements

    claims = RuleExtractor(roster).extract(draft, as_of)
    if llm is not None:
        from claims.llm import LLMError
        from claims.llm_extract import LLMExtractor, merge_claims

        try:
            claims = merge_claims(claims, LLMExtractor(llm).extract(draft, as_of))
        except LLMError as exc:
            if notes is not None:
                notes.append(f"LLM extraction unavailable ({exc}); used the rule-based extractor only")
    return claims + find_statements(draft, claims)  # the qualitative clauses, after the values (claims.statements)


def check(draft: str, *, store=None, as_of: date | None = None, rosters: Sequence[str | Path] = (),
          roster_rows: list[dict] | None = None, llm=None, evidence: list[Passage] | None = None,
          k: int = 5, progress: Progress | None = None, sources_until_as_of: bool = False) -> Report:
    """Check a draft: every claim gets a verdict with citations, and every inconsistency a flag.

    `store` is a retrieval Store (or None: claims are checked against the roster and `evidence` only);
    `evidence` is a fixed list of passages used for every claim (eval items with given evidence);
    `sources_until_as_of` excludes corpus documents dated after `as_of` (what was knowable then).
    """
    from claims.consistency import internal_flags
    from claims.officials import official_checks, official_flags
    from claims.verification.checker import Context
    from claims.verification.decide import decide

    started = time.perf_counter()
    draft = validate_draft(draft)
    as_of = as_of or date.today()
    notes: list[str] = []
    roster = _roster(rosters, roster_rows)
    claims = extract(draft, as_of, llm=llm, notes=notes, roster=roster)
    searcher = None
    if store is not None:
        from retrieval.search import Searcher

        searcher = Searcher(store)
    elif evidence is None:
        notes.append("no corpus given: only the officials roster can decide claims")

    retrieved: dict[str, list[Passage]] = {}
    for i, claim in enumerate(claims):
        if progress:
            progress(i, len(claims), "retrieving")
        passages = list(evidence or [])
        if searcher is not None:
            passages += searcher.search(claim.statement, k=k, as_of=as_of if sources_until_as_of else None,
                                         keywords=_keywords(claim))
        retrieved[claim.id] = passages
    values = [c for c in claims if c.kind != "statement"]  # the draft-level checks read values, not clauses
    learn_from_corpus(roster, values, retrieved)
    checks = official_checks(values, roster, as_of)  # once per draft: the roster's verdicts and flags read it
    claim_flags = official_flags(values, roster, as_of, checks)
    from claims.quotes import find_quotes, quotes_in

    quotes = find_quotes(draft, values)
    context = Context(as_of=as_of, claims=claims, roster=roster, llm=llm, official_checks=checks,
                      quotes={c.id: quotes_in(c, quotes) for c in claims if c.kind == "statement"})

    results: list[ClaimResult] = []
    for i, claim in enumerate(claims):
        if progress:
            progress(i, len(claims), "verifying")
        passages = retrieved[claim.id]
        verdict = decide(claim, passages, context)
        conflict = _conflict_flag(claim, verdict)
        note = (verdict.note or "").removeprefix(CONFLICT_NOTE).lstrip("; ")
        if note and note not in notes:
            notes.append(note)
        flags = list(claim_flags.get(claim.id, []))
        for flag in (_mismatch_flag(claim, verdict), conflict):
            if flag is not None:
                flags.append(flag)
        results.append(ClaimResult(claim=claim, verdict=verdict, flags=flags, retrieved=_retrieved_json(passages)))
    if progress:
        progress(len(claims), len(claims), "done")
    usage = llm.usage if llm is not None and hasattr(llm, "usage") else Usage()
    from claims.quotes import quote_flags  # misquotes: the draft's attributed quotes against the corpus's wording

    draft_flags = internal_flags(draft, values, roster) + quote_flags(
        draft, values, [p for ps in retrieved.values() for p in ps],
        (lambda q: searcher.search(q, k=k)) if searcher is not None else None)
    return Report(as_of=as_of, claims=results, flags=draft_flags, notes=notes, usage=usage,
                  seconds=time.perf_counter() - started, draft_sha=draft_sha(draft))


def learn_from_corpus(roster, claims: list[Claim], retrieved: dict[str, list[Passage]]) -> None:
    """Officeholders named with their title in the retrieved passages count as roster evidence."""
    from claims.mentions import find_official_mentions

    seen: set[str] = set()
    for claim in claims:
        if claim.kind != "official":
            continue
        for p in retrieved.get(claim.id, []):
            if p.id in seen:
                continue
            seen.add(p.id)
            for m in find_official_mentions(p.text, roster):
                if m.mention.title and m.mention.name:
                    roster.learn(m.mention, p.text, p.date, p.source, offset=p.start)


def evidence_passages(evidence: list[str]) -> list[Passage]:
    """Given evidence strings become passages whose offsets point into themselves."""
    return [Passage(id=f"evidence-{i}", source=f"evidence[{i}]", text=text, start=0, end=len(text))
            for i, text in enumerate(evidence)]


def statement_claim(statement: str) -> Claim:
    """A claim sentence given whole (an eval set's claim item) as a Claim of kind "other"."""
    return Claim(id="c1", text=statement, start=0, end=len(statement), kind="other", statement=statement,
                 sentence_start=0, sentence_end=len(statement), extractor="given")


def check_claim(statement: str, *, evidence: list[str] | None = None, store=None, as_of: date | None = None,
                llm=None, k: int = 5) -> ClaimResult:
    """Verify one claim sentence (an eval set's claim item) against given evidence or the store, with the
    same `decide()` as `check` (the comparators read every value of the statement, then the judges)."""
    from claims.verification.checker import Context
    from claims.verification.decide import decide

    statement = validate_draft(statement, "claim")
    as_of = as_of or date.today()
    passages = evidence_passages(evidence) if evidence else []
    if store is not None and not evidence:
        from retrieval.search import Searcher

        passages = Searcher(store).search(statement, k=k, as_of=as_of)
    claim = statement_claim(statement)
    verdict = decide(claim, passages, Context(as_of=as_of, llm=llm))
    return ClaimResult(claim=claim, verdict=verdict, retrieved=_retrieved_json(passages) if not evidence else [])
