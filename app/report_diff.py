"""What changed between two checks of one document: claims added, removed, and claims whose verdict or
tier changed (old -> new). Pure: two Reports (and their drafts) in, a ReportDiff out; the Check page
only renders it.

Claims are matched as the review store matches decisions: first by their fingerprint (the claim's
words, its sentence and its kind, `app.review_store.claim_keys`), so a re-check with another as-of date
or after an edit elsewhere finds the same claims; then, for what is left, by words and kind in draft
order (the claim's own sentence was edited); last, a claim of the same kind at the same place (the same
draft text just before it) is the same claim with its words edited ("72%" -> "64%"), shown as changed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from app.review_store import claim_keys
from claims.models import ClaimResult, Report


@dataclass(frozen=True)
class ClaimChange:
    """One claim in both checks whose verdict or tier differs."""

    old: ClaimResult
    new: ClaimResult

    @property
    def verdict_changed(self) -> bool:
        return self.old.verdict.label != self.new.verdict.label

    @property
    def tier_changed(self) -> bool:
        return self.old.verdict.tier != self.new.verdict.tier

    @property
    def text_changed(self) -> bool:
        return _words(self.old) != _words(self.new)


@dataclass(frozen=True)
class ReportDiff:
    old_as_of: date
    new_as_of: date
    added: list[ClaimResult] = field(default_factory=list)  # in the new check only, in draft order
    removed: list[ClaimResult] = field(default_factory=list)  # in the old check only, in draft order
    changed: list[ClaimChange] = field(default_factory=list)  # in both, verdict, tier or words differ
    unchanged: int = 0  # in both with the same verdict and tier

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


_PLACE = 40  # characters of draft text before a claim that say where it is


def _words(result: ClaimResult) -> tuple[str, str]:
    return re.sub(r"\s+", " ", result.claim.text).strip().lower(), result.claim.kind


def _in_order(results: list[ClaimResult]) -> list[ClaimResult]:
    return sorted(results, key=lambda r: (r.claim.start, r.claim.end))


def diff_reports(old: Report, new: Report, *, old_draft: str = "", new_draft: str = "") -> ReportDiff:
    """The changes from `old` (an earlier check) to `new`. Give the drafts each was checked on so claims
    are matched by their sentence too; without them, claims are matched by words and kind only."""
    old_keys = claim_keys(old_draft, [r.claim for r in old.claims])
    new_keys = claim_keys(new_draft, [r.claim for r in new.claims])
    by_key = {old_keys[r.claim.id]: r for r in old.claims}
    pairs: list[tuple[ClaimResult, ClaimResult]] = []
    unmatched_new: list[ClaimResult] = []
    for result in _in_order(list(new.claims)):
        match = by_key.pop(new_keys[result.claim.id], None)
        if match is None:
            unmatched_new.append(result)
        else:
            pairs.append((match, result))
    left = _in_order(list(by_key.values()))
    added: list[ClaimResult] = []
    for result in unmatched_new:  # the sentence changed: the same words and kind, the first one left in order
        match = next((r for r in left if _words(r) == _words(result)), None)
        if match is None:
            added.append(result)
        else:
            left.remove(match)
            pairs.append((match, result))
    if old_draft and new_draft:
        for result in list(added):  # the claim's own words edited: same kind, same draft text before it
            before = new_draft[max(0, result.claim.start - _PLACE):result.claim.start]
            match = next((r for r in left if r.claim.kind == result.claim.kind and len(before) >= 8 and
                          old_draft[max(0, r.claim.start - _PLACE):r.claim.start] == before), None)
            if match is not None:
                left.remove(match)
                added.remove(result)
                pairs.append((match, result))
    changed = [ClaimChange(o, n) for o, n in pairs
               if o.verdict.label != n.verdict.label or o.verdict.tier != n.verdict.tier or _words(o) != _words(n)]
    changed.sort(key=lambda c: (c.new.claim.start, c.new.claim.end))
    return ReportDiff(old_as_of=old.as_of, new_as_of=new.as_of, added=added, removed=left, changed=changed,
                      unchanged=len(pairs) - len(changed))
