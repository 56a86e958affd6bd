"""Several drafts checked together: where they give the same thing two different values or dates.

`cross_draft_flags(drafts)` is a pure function over the drafts' claims (each draft: its text and the
claims extracted from it) and returns `CrossDraftFlag`s: a `Flag` of kind `cross_draft_inconsistency`
(its `spans` and `claim_ids` list both places, `claim_ids` written "D:ID" with D the draft's 0-based
index) and the `places` themselves (draft index, claim id, span, text).

"The same thing" is read narrowly, because a false flag between two articles costs a reviewer more than a
missed one: two claims of the same kind and the same measure (quantities: unit, currency, "per", both
changes or both levels; dates: neither open-ended), whose values do not overlap (a quantity's
qualifier widens it: "about", "more than"), and whose nearest words name the same thing: they share a
lower-case content word among the four words on each side of the value in its clause (the seeds: "a
full-scale mining trial planned for 2027" and "after March 2028, the mining of domestic rare earth
resources" share "mining"), or the quantities count the same noun. Capitalised words (the article's
places and people), generic nouns ("officials", "figures") and words found near more than a tenth of all
the values (and more than two: "rare earth" in articles about rare earths) do not count, and a start
("work starts in May 2026") is not the same thing as an end ("will open in September 2028"). Quantities must also be about the same time:
the dates of their sentences, when both have any, overlap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from claims.lexicon import NAMELESS_WORDS, stem_long
from claims.models import Claim, DateValue, Flag

NEAR_WORDS = 4
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_CLAUSE_STOP = re.compile(r"[;:!?()\n]|[.,]\s|\s[–—-]\s")
# function words, reporting verbs and words that name no particular thing ("the year", "million")
STOPWORDS = NAMELESS_WORDS
# the start of a thing and its end are two events of one thing ("work starts in May 2026" / "opens in 2028")
START_WORDS = frozenset({"start", "begin", "began", "begun", "launch", "commenc", "break"})
END_WORDS = frozenset({"open", "reopen", "finish", "complet", "end", "clos", "conclud", "deliver"})
MAX_SHARE = 0.10  # a word near more than this share of the values (and more than two) names the topic, not the thing


@dataclass(frozen=True)
class DraftPlace:
    draft: int
    claim_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CrossDraftFlag:
    flag: Flag
    places: list[DraftPlace] = field(default_factory=list)


def near_words(text: str, claim: Claim, claims_in_sentence: list[Claim]) -> set[str]:
    """Content words (stemmed) among the NEAR_WORDS words on each side of the claim, within its clause;
    the spans of other values in the sentence are skipped."""
    lo, hi = claim.sentence_start, claim.sentence_end
    if hi <= lo:
        lo, hi = max(0, claim.start - 200), min(len(text), claim.end + 200)
    before_text = text[lo:claim.start]
    cut = [m.end() for m in _CLAUSE_STOP.finditer(before_text)]
    before_text = before_text[cut[-1]:] if cut else before_text
    after_text = text[claim.end:hi]
    skip = len(after_text) - len(after_text.lstrip(" ,;:"))  # "after March 2028, the mining of ..."
    after_start = claim.end + skip
    after_text = after_text[skip:]
    stop = _CLAUSE_STOP.search(after_text)
    after_text = after_text[:stop.start()] if stop else after_text
    others = [(c.start, c.end) for c in claims_in_sentence if c.id != claim.id]

    def words(segment: str, offset: int) -> list[str]:
        out = []
        for m in _WORD.finditer(segment):
            at = offset + m.start()
            if any(s <= at < e for s, e in others):
                continue
            out.append(m.group())
        return out

    before = words(before_text, claim.start - len(before_text))[-NEAR_WORDS:]
    after = words(after_text, after_start)[:NEAR_WORDS]
    # proper nouns (capitalised words) name the article's topic ("China", "Japan"), not the thing counted
    return {stem_long(w) for w in before + after if w.islower() and w not in STOPWORDS and len(w) > 2}


def _noun_key(claim: Claim) -> str | None:
    q = claim.quantity
    if q is None or not q.noun:
        return None
    words = [stem_long(w) for w in _WORD.findall(q.noun) if w.lower() not in STOPWORDS]
    return " ".join(words) or None


def _measure(claim: Claim) -> tuple | None:
    if claim.kind == "quantity" and claim.quantity is not None:
        q = claim.quantity
        return ("quantity", q.unit, q.currency, q.per, q.change is not None)
    if claim.kind == "date" and claim.date is not None and claim.date.granularity != "open":
        return ("date",)
    return None


def _quantity_range(claim: Claim) -> tuple[float, float]:
    from claims.value_checks import _range

    return _range(claim.quantity)


def _disagree(a: Claim, b: Claim) -> bool:
    if a.kind == "date":
        return a.date.end < b.date.start or b.date.end < a.date.start
    (low_a, high_a), (low_b, high_b) = _quantity_range(a), _quantity_range(b)
    return high_a < low_b or high_b < low_a


def _sentence_dates(claim: Claim, claims: list[Claim]) -> list[DateValue]:
    return [c.date for c in claims if c.kind == "date" and c.date is not None and c.id != claim.id
            and c.sentence_start == claim.sentence_start]


def _same_time(a: list[DateValue], b: list[DateValue]) -> bool:
    if not a or not b:
        return True
    return any(x.start <= y.end and y.start <= x.end for x in a for y in b)


def _events(words: set[str]) -> set[str]:
    return {"start" for w in words if w in START_WORDS} | {"end" for w in words if w in END_WORDS}


def _describe(claim: Claim) -> str:
    return " ".join(claim.text.split())


def cross_draft_flags(drafts: list[tuple[str, list[Claim]]]) -> list[CrossDraftFlag]:
    """Flags where two drafts give one thing two values; `drafts` is [(text, claims), ...] in order."""
    entries = []  # (draft index, claim, measure, near words, noun key, sentence dates)
    for index, (text, claims) in enumerate(drafts):
        claims = [c for c in claims if c.kind != "statement"]  # values are compared; a clause is not a value
        by_sentence: dict[int, list[Claim]] = {}
        for c in claims:
            by_sentence.setdefault(c.sentence_start, []).append(c)
        for c in claims:
            measure = _measure(c)
            if measure is None:
                continue
            entries.append((index, c, measure, near_words(text, c, by_sentence[c.sentence_start]), _noun_key(c),
                            _sentence_dates(c, claims) if c.kind == "quantity" else []))
    frequency: dict[str, int] = {}
    for entry in entries:
        for word in entry[3]:
            frequency[word] = frequency.get(word, 0) + 1
    common = {w for w, n in frequency.items() if n > max(2, MAX_SHARE * len(entries))}
    flags: list[CrossDraftFlag] = []
    for i, (da, a, ma, wa, na, ta) in enumerate(entries):
        for db, b, mb, wb, nb, tb in entries[i + 1:]:
            if da == db or ma != mb or not _disagree(a, b):
                continue
            shared = sorted((wa & wb) - common)
            same_noun = a.kind == "quantity" and na is not None and na == nb
            if not shared and not same_noun:
                continue
            if a.kind == "quantity" and not _same_time(ta, tb):
                continue
            if _events(wa) and _events(wb) and not _events(wa) & _events(wb):
                continue  # one speaks of the start, the other of the end
            what = f"'{shared[0]}'" if shared else f"the {a.quantity.noun}"
            message = (f"Draft {da + 1} gives {_describe(a)!r} and draft {db + 1} gives {_describe(b)!r} "
                       f"for what looks like the same thing ({what})")
            places = [DraftPlace(da, a.id, a.start, a.end, a.text), DraftPlace(db, b.id, b.start, b.end, b.text)]
            flag = Flag(kind="cross_draft_inconsistency", message=message,
                        spans=[(a.start, a.end), (b.start, b.end)], claim_ids=[f"{da}:{a.id}", f"{db}:{b.id}"])
            flags.append(CrossDraftFlag(flag=flag, places=places))
    return flags
