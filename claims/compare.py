"""Comparators: decide quantity and date claims against evidence passages without an LLM.

`compare(claim, passages, as_of)` returns a Verdict citing the evidence sentence that decided it,
or None when the evidence does not settle the claim. Numbers and dates in evidence are read with the
project's own grammars (claims.quantities / claims.dates), the ones the extractor uses.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Callable, Iterable

from claims import lexicon
from claims.dates import DateMatch, find_dates
from claims.models import Citation, Claim, DateValue, Label, Quantity, Verdict
from claims.quantities import QuantityMatch, find_quantities
from claims.verification.citations import cite_passage
from retrieval.types import Passage

# Qualifiers, tolerances and scales: claims.lexicon (LOWER_BOUND, UPPER_BOUND, APPROXIMATE, EXACT, reading()).
APPROXIMATE = lexicon.APPROXIMATE
APPROX_TOLERANCE = lexicon.APPROX_TOLERANCE

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d[\d,.]*")
STOPWORDS = lexicon.STOPWORDS
stem = lexicon.stem


_OPPOSITES = [
    ("more", "less"), ("most", "least"), ("higher", "lower"), ("highest", "lowest"), ("larger", "smaller"),
    ("largest", "smallest"), ("before", "after"), ("first", "last"), ("increase", "decrease"),
    ("increased", "decreased"), ("rise", "fall"), ("rose", "fell"), ("win", "lose"), ("won", "lost"),
    ("alive", "dead"), ("born", "died"), ("male", "female"), ("above", "below"), ("over", "under"),
    ("older", "younger"), ("earliest", "latest"), ("positive", "negative"), ("success", "failure"),
    ("major", "minor"), ("early", "late"), ("best", "worst"), ("gain", "loss"), ("north", "south"),
    ("east", "west"),
    # kinds of work that exclude each other: "a 2004 film" is not "a 2004 novel"
    ("film", "novel"), ("film", "book"), ("film", "album"), ("novel", "album"), ("song", "film"),
]
ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in _OPPOSITES:
    ANTONYMS[_a] = ANTONYMS.get(_a, frozenset()) | {_b}
    ANTONYMS[_b] = ANTONYMS.get(_b, frozenset()) | {_a}


def antonym_conflict(claim_words: set[str], evidence_words: set[str]) -> bool:
    """A claim word whose opposite, but not itself, is in the evidence ("died" vs "born")."""
    return any(ANTONYMS.get(w, frozenset()) & evidence_words and w not in evidence_words for w in claim_words)


def raw_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


# --- the shared grammars ------------------------------------------------------------------------

def quantities_in(text: str) -> list[QuantityMatch]:
    """Quantities in `text`, read with the extractor's grammar."""
    return list(find_quantities(text))


def dates_in(text: str, as_of: date) -> list[DateMatch]:
    """Dates in `text`, resolved against `as_of` with the extractor's grammar."""
    return list(find_dates(text, as_of))


sentence_spans = lexicon.sentence_spans




# --- evidence sentences and citations ------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceSentence:
    """One sentence of a passage, with its offsets into the passage."""

    passage: Passage
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.passage.text[self.start:self.end]

    def citation(self) -> Citation:
        return cite_passage(self.passage, self.start, self.end)


def evidence_sentences(passages: Iterable[Passage]) -> list[EvidenceSentence]:
    return [EvidenceSentence(p, s, e) for p in passages for s, e in sentence_spans(p.text)]


# --- relevance: is the evidence about the same thing? --------------------------------------------

def content_words(text: str) -> set[str]:
    """Lower-cased content words (no stopwords, no numbers), lightly stemmed."""
    out = set()
    for w in _WORD.findall(text):
        w = w.lower().strip("'-")
        if not w or w[0].isdigit() or w in STOPWORDS or len(w) < 2:
            continue
        root = stem(w)
        out.add(lexicon.CHANGE_FOLD.get(root, root))
    return out


def overlap(claim_words: set[str], evidence_words: set[str]) -> float:
    """Share of the claim's content words found in the evidence."""
    return len(claim_words & evidence_words) / len(claim_words) if claim_words else 0.0


def context_words(text: str, start: int, end: int, width: int = 40,
                  neighbours: Iterable[tuple[int, int]] = ()) -> set[str]:
    """Content words close to a span: what a number in a sentence is about.

    The window stops at neighbouring values: in "approval stood at 72%, while 56% of respondents
    opposed it", the words about 56% are "while ... respondents opposed", not "approval".
    """
    left, right = max(0, start - width), min(len(text), end + width)
    while 0 < left < start and text[left - 1].isalnum() and text[left].isalnum():
        left -= 1  # a window holds whole words ("Harriet", never "riet")
    while end < right < len(text) and text[right - 1].isalnum() and text[right].isalnum():
        right += 1
    for n_start, n_end in neighbours:
        if n_end <= start:
            left = max(left, n_end)
        elif n_start >= end:
            right = min(right, n_start)
    return content_words(text[left:start] + " " + text[end:right])


# --- quantities ----------------------------------------------------------------------------------

def _family(q: Quantity) -> tuple[str, str]:
    if q.currency:
        return ("currency", q.currency)
    return ("unit", (q.unit or "").lower())


def _precision(q: Quantity, written: str | None) -> float:
    """Half a unit of the last digit as written ("1.6 billion" -> 0.05e9); 0.5 x scale by default."""
    scale = 1.0
    if q.scale:
        scale = lexicon.SCALES.get(q.scale.lower(), 1.0)
    decimals = 0
    if written:
        m = re.search(r"\d[\d,]*(?:\.(\d+))?", written)
        if m and m.group(1):
            decimals = len(m.group(1))
    return 0.5 * scale * 10 ** -decimals


def interval(q: Quantity, written: str | None = None) -> tuple[float, float]:
    """The values a quantity as stated allows: qualifiers and written precision widen it; an exactness
    marker ("exactly 19%") and a rank ("5th") allow no rounding."""
    low, high = q.bounds
    qual = lexicon.reading(q.qualifier, q.unit)
    bound = qual.bound if qual else None
    if bound == "lower":
        return (high, math.inf)
    if bound == "upper":
        return (-math.inf, low)
    if bound == "exact" or q.unit == "rank":
        return (low, high)
    eps = _precision(q, written)
    if bound == "approximate":
        tol = max(eps, APPROX_TOLERANCE * max(abs(low), abs(high)))
        if qual.lean == "below":
            return (low - 2 * tol, high + eps)
        if qual.lean == "above":
            return (low - eps, high + 2 * tol)
        return (low - tol, high + tol)
    return (low - eps, high + eps)


def _exact(q: Quantity) -> Quantity:
    return q.model_copy(update={"qualifier": None})


def _strict(q: Quantity) -> bool:
    qual = lexicon.reading(q.qualifier, q.unit)
    return bool(qual and qual.strict)


def _stated(q: Quantity) -> tuple[float, float] | None:
    """The values an evidence figure states, when it states them plainly (no bound, no approximation)."""
    if lexicon.is_bounded(q.qualifier, q.unit):
        return None
    return q.bounds


def _relation(claim_iv: tuple[float, float], ev_iv: tuple[float, float], strict: bool,
              stated: tuple[float, float] | None = None) -> Label | None:
    """Supported if the evidence interval lies inside the claim's, contradicted if they are disjoint.

    A claimed bound is also supported by a plainly `stated` evidence figure that clears it by more than
    the approximate tolerance, however the figure was rounded ("more than 3.75 million" by "four million")."""
    c_lo, c_hi = claim_iv
    e_lo, e_hi = ev_iv
    if claim_iv == ev_iv:  # the same figure with the same qualifier ("over five years" and "over five years")
        return Label.supported
    if strict:  # "more than 1.5" is not met by exactly 1.5
        inside = (c_lo < e_lo or c_lo == -math.inf) and (e_hi < c_hi or c_hi == math.inf)
        disjoint = e_hi <= c_lo or e_lo >= c_hi
    else:
        inside = c_lo <= e_lo and e_hi <= c_hi
        disjoint = e_hi < c_lo or e_lo > c_hi
    if inside:
        return Label.supported
    if disjoint:
        return Label.contradicted
    if stated is not None and (c_lo == -math.inf) != (c_hi == math.inf):
        s_lo, s_hi = stated
        if c_hi == math.inf and s_lo - c_lo > APPROX_TOLERANCE * abs(c_lo):
            return Label.supported
        if c_lo == -math.inf and c_hi - s_hi > APPROX_TOLERANCE * abs(c_hi):
            return Label.supported
    return None


def comparable(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities measure in the same currency or unit, so that their values compare."""
    return _family(a) == _family(b)


def quantity_relation(claimed: Quantity, claimed_text: str | None, found: Quantity, found_text: str | None
                      ) -> Label | None:
    """Whether a found value (as written) supports or contradicts a claimed one (as written); None if neither.

    Both are widened by their qualifiers and written precision; the claim's strict bounds ("more than")
    exclude the bound itself. The caller checks `comparable` first.
    """
    return _relation(interval(claimed, claimed_text), interval(found, found_text), _strict(claimed), _stated(found))


def fmt(q: Quantity, written: str | None = None) -> str:
    if written:
        return written.strip()
    unit = {"percent": "%", "percentage_point": " points"}.get(q.unit or "", f" {q.unit}" if q.unit else "")
    return f"{q.currency + ' ' if q.currency else ''}{q.value:g}{unit}"


@dataclass(frozen=True)
class _Candidate:
    sentence: EvidenceSentence
    relevance: float
    label: Label | None
    rationale: str
    context: float = 1.0  # share of the claim's words around its value that the evidence sentence holds
    same_measure: bool = False  # both figures name the same counted thing ("329 events" vs "339 events")


def _noun_head(noun: str | None) -> str | None:
    if not noun:
        return None
    words = [w for w in _WORD.findall(noun) if not w[0].isdigit()]
    return stem(words[-1].lower()) if words else None


def _quantity_candidates(claim: Claim, sentences: list[EvidenceSentence]) -> list[_Candidate]:
    q = claim.quantity
    assert q is not None
    claim_words = content_words(claim.statement) or content_words(claim.text)
    local = _claim_local_words(claim)
    measure = local | content_words(q.noun or "")  # what the figure is about: its context and counted noun
    head = _noun_head(q.noun)
    claim_iv = interval(q, claim.text)
    out = []
    for s in sentences:
        words = content_words(s.text)
        all_stems = {stem(w.lower()) for w in _WORD.findall(s.text)}  # counted nouns may be stopwords ("years")
        sentence_overlap = overlap(claim_words, words)
        context = overlap(measure, words) if measure else sentence_overlap
        hits = quantities_in(s.text)
        points_hit = _percent_point_confusion(claim, s, hits)
        if points_hit is not None:
            out.append(points_hit)
            continue
        found: list[_Candidate] = []
        ambiguous = False
        for hit in hits:
            ev = hit.quantity
            if _family(ev) != _family(q):
                continue
            near = context_words(s.text, hit.start, hit.end, neighbours=[(h.start, h.end) for h in hits])
            local_overlap = overlap(local, near) if local else 0.0
            ev_head = _noun_head(ev.noun)
            if head and ev_head and head != ev_head:
                continue  # counts of different things: "9 escalators" is not "57 elevators"
            noun_match = bool(head and (head in words or head in all_stems))
            if _family(q) == ("unit", "") and not noun_match and local_overlap < 0.34:
                continue  # a bare number must be about the same counted thing
            written = s.text[hit.start:hit.end]
            label = _relation(claim_iv, interval(ev, written), _strict(q), _stated(ev))
            if label is None and lexicon.bound_of(ev.qualifier, ev.unit) == "approximate":
                # "about 28,500" in the source supports a draft's "28,500": the source hedges, not the draft
                label = Label.supported if _relation(claim_iv, interval(_exact(ev), written), _strict(q)) \
                    is Label.supported else None
            if len(hits) > 1 and local and local_overlap == 0 and not noun_match:
                ambiguous |= label is Label.supported and not near
                continue  # one of several figures in the sentence, not the claim's
            if antonym_conflict(raw_words(claim.statement), raw_words(s.text)):
                label = None
            relevance = sentence_overlap + local_overlap + (0.3 if noun_match else 0.0)
            said = f"draft says {fmt(q, claim.text)}, source says {fmt(ev, written)}"
            found.append(_Candidate(s, relevance, label, said, context, same_measure=bool(head and head == ev_head)))
        out += _unsettle(found, ambiguous)
    return out


def _unsettle(candidates: list[_Candidate], ambiguous: bool) -> list[_Candidate]:
    """No contradiction from a sentence that also holds the claimed value with nothing saying what it is
    ("died in 1956" against "(14 April 1891 - 6 December 1956)")."""
    if not ambiguous:
        return candidates
    return [replace(c, label=None) if c.label is Label.contradicted else c for c in candidates]


def _claim_local_words(claim: Claim) -> set[str]:
    """Content words near the claimed value in its statement."""
    idx = claim.statement.find(claim.text) if claim.text else -1
    if idx < 0:
        return set()
    return context_words(claim.statement, idx, idx + len(claim.text))


def _percent_point_confusion(claim: Claim, s: EvidenceSentence, hits: list[QuantityMatch]) -> _Candidate | None:
    """A claimed "1% increase" against a move from 71% to 72%: that is 1 point, a 1.4% relative rise.

    The claim is contradicted when the evidence's change in points equals the claimed percent figure
    but the relative change does not; supported when the relative change matches the claim.
    """
    q = claim.quantity
    if q is None or q.unit != "percent" or q.change is None:
        return None
    percents = [h.quantity for h in hits if h.quantity.unit == "percent" and h.quantity.change is None]
    points = [h.quantity for h in hits if h.quantity.unit == "percentage_point"]
    claim_iv = interval(q, claim.text)
    if len(percents) >= 2:
        before, after = percents[0].value, percents[1].value
        if before == 0:
            return None
        relative = abs(after - before) / before * 100
        point_change = abs(after - before)
        said = (f"draft says a {fmt(q, claim.text)} {q.change}; source goes from {before:g}% to {after:g}%, "
                f"a {point_change:g}-point change ({relative:.1f}% relative)")
        if abs(relative - q.value) <= max(0.05 * q.value, 0.05):
            return _Candidate(s, 1.0, Label.supported, said)
        if claim_iv[0] <= point_change <= claim_iv[1]:
            return _Candidate(s, 1.0, Label.contradicted, said + ": points are not percent")
        return None
    for p in points:
        if claim_iv[0] <= p.value <= claim_iv[1]:
            return _Candidate(s, 1.0, Label.contradicted,
                              f"draft says a {fmt(q, claim.text)} {q.change}; source says {p.value:g} percentage "
                              f"point(s), which is not a percent change")
    return None


# --- dates ---------------------------------------------------------------------------------------

def date_relation(claim_value: DateValue, ev: DateValue) -> Label | None:
    """Whether a found date supports or contradicts a claimed one; None if neither."""
    if (_year_inferred(claim_value) or _year_inferred(ev)) and claim_value.start.year != ev.start.year:
        # a year inferred from the as-of date: only the day of the year can be compared
        if claim_value.granularity in ("day", "range") and ev.granularity in ("day", "range"):
            return _same_days_of_year(claim_value, ev)  # "born on March 3" against "March 3, 1970"
        return None
    c_lo, c_hi, e_lo, e_hi = claim_value.start, claim_value.end, ev.start, ev.end
    if claim_value.relation in ("before", "until"):
        c_lo = date.min
        c_hi = claim_value.start if claim_value.relation == "before" else claim_value.end
    elif claim_value.relation == "after":
        c_lo, c_hi = claim_value.end, date.max
    elif claim_value.relation == "since":  # "since 2018": compare where the periods start
        if ev.relation != "since":
            return None
        if claim_value.start == ev.start:
            return Label.supported
        return Label.contradicted if claim_value.start.year != ev.start.year else None
    if claim_value.relation in ("before", "after") and ev.relation == "on":
        if claim_value.relation == "before":
            return Label.supported if e_hi < c_hi else (Label.contradicted if e_lo >= c_hi else None)
        return Label.supported if e_lo > c_lo else (Label.contradicted if e_hi <= c_lo else None)
    if ev.relation != claim_value.relation and ev.relation != "on":
        return None
    if c_lo <= e_lo and e_hi <= c_hi:
        return Label.supported
    if e_hi < c_lo or e_lo > c_hi:
        return Label.contradicted
    return None


def _year_inferred(value: DateValue) -> bool:
    """"March 3" with no year: the grammar took the year from the as-of date ("last year" names its year)."""
    return value.relative and value.granularity in ("day", "month", "range")


def _same_days_of_year(claim_value: DateValue, ev: DateValue) -> Label | None:
    if claim_value.relation != "on" or ev.relation != "on":
        return None
    claimed = (claim_value.start.month, claim_value.start.day, claim_value.end.month, claim_value.end.day)
    found = (ev.start.month, ev.start.day, ev.end.month, ev.end.day)
    return Label.supported if claimed == found else Label.contradicted


def _describe(value: DateValue) -> str:
    span = value.start.isoformat() if value.start == value.end else f"{value.start} to {value.end}"
    return span if value.relation == "on" else f"{value.relation} {span}"


def _date_candidates(claim: Claim, sentences: list[EvidenceSentence], as_of: date) -> list[_Candidate]:
    dv = claim.date
    assert dv is not None
    claim_words = content_words(claim.statement) or content_words(claim.text)
    local = _claim_local_words(claim)
    out = []
    conflict_words = raw_words(claim.statement)
    for s in sentences:
        words = content_words(s.text)
        sentence_overlap = overlap(claim_words, words)
        context = overlap(local, words) if local else sentence_overlap
        hits = dates_in(s.text, s.passage.date or as_of)
        conflict = antonym_conflict(conflict_words, raw_words(s.text))
        found: list[_Candidate] = []
        ambiguous = False
        for hit in hits:
            ev = hit.value
            near = context_words(s.text, hit.start, hit.end, neighbours=[(h.start, h.end) for h in hits])
            local_overlap = overlap(local, near) if local else 0.0
            if dv.granularity == "year" and ev.granularity != "year" and ev.start.year == dv.start.year:
                label = Label.supported if dv.relation == "on" else date_relation(dv, ev)
            else:
                label = date_relation(dv, ev)
            if len(hits) > 1 and local and local_overlap == 0:
                ambiguous |= label is Label.supported and not near
                continue  # one of several dates in the sentence, not the claim's
            if conflict:
                label = None
            relevance = sentence_overlap + local_overlap
            said = f"draft says {_describe(dv)}, source says {_describe(ev)}"
            found.append(_Candidate(s, relevance, label, said, context))
        out += _unsettle(found, ambiguous)
    return out


# --- the decision --------------------------------------------------------------------------------

SUPPORT_MIN_RELEVANCE = 0.35  # an agreeing figure must come from a sentence on the same subject
# A disagreeing figure must be clearly about the same measure: a different figure about a neighbouring fact
# of the same page leaves the claim open (the judge decides). Its sentence must reach this relevance
# (claim words in the sentence + claim words around the value near the evidence figure + counted noun) ...
CONTRADICT_MIN_RELEVANCE = 0.8
# ... and hold this share of the claim's words around its value and its counted noun. Both chosen on
# training pairs only (scripts/tune_comparators.py); before: 0.6 and no context check.
CONTRADICT_MIN_CONTEXT = 0.5
# Figures that name the same counted thing ("329 events" against "339 events") need only the old floor.
SAME_MEASURE_MIN_RELEVANCE = 0.6


def about_the_same_thing(candidate: _Candidate) -> bool:
    """Whether a disagreeing evidence figure is about the claim's own measure, so that it contradicts."""
    if candidate.same_measure:  # the same counted noun on both sides
        return candidate.relevance >= SAME_MEASURE_MIN_RELEVANCE
    return candidate.relevance >= CONTRADICT_MIN_RELEVANCE and candidate.context >= CONTRADICT_MIN_CONTEXT


def _decide(candidates: list[_Candidate], method: str, confidence: Callable[[str], float]) -> Verdict | None:
    if not candidates:
        return None
    agreeing = [c for c in candidates if c.label is Label.supported and c.relevance >= SUPPORT_MIN_RELEVANCE]
    best = max(candidates, key=lambda c: c.relevance)
    if agreeing:
        top = max(agreeing, key=lambda c: c.relevance)
        if not (best.label is Label.contradicted and best.relevance > top.relevance + 0.5):
            return Verdict(label=Label.supported, confidence=confidence(method + ":supported"),
                           citations=[top.sentence.citation()], method=method, rationale=top.rationale)
    if best.label is Label.contradicted and about_the_same_thing(best):
        return Verdict(label=Label.contradicted, confidence=confidence(method + ":contradicted"),
                       citations=[best.sentence.citation()], method=method, rationale=best.rationale)
    return None


def _comparator_confidence(key: str) -> float:
    from claims.calibration import calibrate

    return calibrate(key, 1.0)


def compare(claim: Claim, passages: list[Passage], as_of: date) -> Verdict | None:
    """Decide a quantity or date claim from the evidence, or None when the evidence does not settle it."""
    sentences = evidence_sentences(passages)
    if claim.quantity is not None:
        verdict = _decide(_quantity_candidates(claim, sentences), "comparator:quantity", _comparator_confidence)
        if verdict is not None:
            return verdict
    if claim.date is not None:
        return _decide(_date_candidates(claim, sentences, as_of), "comparator:date", _comparator_confidence)
    return None


def statement_claims(statement: str, as_of: date) -> list[Claim]:
    """One claim per quantity and date in the statement, read with the shared grammars."""
    claims = []
    for i, hit in enumerate(quantities_in(statement)):
        claims.append(Claim(id=f"q{i}", text=statement[hit.start:hit.end], start=hit.start, end=hit.end,
                            kind="quantity", statement=statement, sentence_end=len(statement),
                            quantity=hit.quantity, extractor="given"))
    for i, hit in enumerate(dates_in(statement, as_of)):
        claims.append(Claim(id=f"d{i}", text=statement[hit.start:hit.end], start=hit.start, end=hit.end,
                            kind="date", statement=statement, sentence_end=len(statement),
                            date=hit.value, extractor="given"))
    return claims
