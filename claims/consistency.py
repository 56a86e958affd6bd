"""Consistency flags: officials checked against the dated roster, and a draft checked against itself.

`official_flags` / `official_verdict` compare each official mention with who held the office on the
as-of date (or on a date stated in the same sentence): a near-miss of a holder's name is
`misnamed_official`, a real holder out of office is `outdated_official`, a match is supported with the
roster line quoted. `internal_flags` finds one official named two ways, one quantity given two values,
and changes that do not add up ("72%, a 1% increase from 70%").
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from claims.models import Citation, Claim, DateValue, Flag, Label, OfficialMention, Quantity, Verdict
from claims.mentions import HONORIFICS
from claims.roster import (Holder, Roster, countries_in, country_of, fold, name_keys, name_tokens, near_miss_score,
                           role_of)

HISTORICAL = re.compile(r"\b(?:former|ex|then|late|previous|past|onetime|one-time|erstwhile|outgoing|incoming|"
                        r"future|next|would-be|then-)\b", re.IGNORECASE)
MIN_BARE_NAME_SCORE = 0.85  # a bare name must be this close to a holder's name to count as misnamed


@dataclass
class OfficialCheck:
    """What the roster says about one official mention."""

    status: Literal["ok", "outdated", "misnamed"]
    name: str  # the name as checked (full name when the draft referred back with a surname)
    office: str | None
    day: date  # the day the mention is about
    term: Holder | None  # ok: the matching term; outdated: the person's nearest term; misnamed: the close holder
    current: list[Holder] = field(default_factory=list)  # holders of the office on `day` (or during `period`)
    period: DateValue | None = None  # a stated year or range the mention is about, instead of one day

    def when(self) -> str:
        if self.period is None:
            return f"on {self.day.isoformat()}"
        if self.period.granularity == "year":
            return f"in {self.period.start.year}"
        return f"between {self.period.start.isoformat()} and {self.period.end.isoformat()}"

    def before_term(self) -> bool:
        last = self.period.end if self.period else self.day
        return bool(self.term and self.term.start and last < self.term.start)

    def current_names(self) -> str:
        names = list(dict.fromkeys(h.name for h in self.current))
        return " and ".join(names) if names else ""


# --- officials -------------------------------------------------------------------------------

def _checked_name(m: OfficialMention) -> str | None:
    if m.full_name and len(name_tokens(m.name or "")) <= 1:
        return m.full_name
    return m.name or m.full_name


def _is_historical(claim: Claim, m: OfficialMention) -> bool:
    """ "former Prime Minister Kishida", "then-Treasury Secretary Yellen": a past holder on purpose."""
    if m.title and HISTORICAL.search(m.title):
        return True
    text = claim.statement or claim.text
    anchor = m.title or m.name or ""
    at = text.find(anchor) if anchor else -1
    before = text[max(0, at - 30):at] if at >= 0 else ""
    return bool(HISTORICAL.search(before)) or bool(HISTORICAL.search(claim.text))


_YEAR = re.compile(r"\b(19[4-9]\d|20\d\d)\b(?!\s*%|\.\d|,\d)")


def _sentence_periods(claim: Claim, claims: Iterable[Claim]) -> list[DateValue]:
    """Dates stated in the same sentence: the mention is about that time rather than the as-of date.

    The date claims of that sentence when there are some; else the years written in the statement.
    """
    periods = [c.date for c in claims if c.kind == "date" and c.date is not None and c.id != claim.id
               and c.sentence_start == claim.sentence_start and c.sentence_end == claim.sentence_end
               and claim.sentence_end > claim.sentence_start]
    if periods:
        return periods
    years = sorted({int(y) for y in _YEAR.findall(claim.statement or "")})
    return [DateValue(start=date(y, 1, 1), end=date(y, 12, 31), granularity="year") for y in years]


def _overlaps(term: Holder, period: DateValue) -> bool:
    return (term.start is None or term.start <= period.end) and (term.end is None or period.start <= term.end)


def _nearest(terms: list[Holder], day: date) -> Holder:
    def distance(h: Holder) -> int:
        if h.start and day < h.start:
            return (h.start - day).days
        return (day - h.end).days if h.end else 0
    return min(terms, key=distance)


def _grounded(claim: Claim, m: OfficialMention, name: str, office: str, roster: Roster) -> bool:
    """Enough to flag: a full name, an office given by the extractor, a surname only one roster person has,
    or the office's country cued nearby.

    "President Park" alone may be a company's president; "President Park" in a sentence about Seoul is not.
    """
    if len(name_tokens(name)) >= 2 or m.office:
        return True
    if len({x.holder.name for x in roster.match_name(name, near=False)}) == 1:
        return True
    return country_of(office) in countries_in(f"{m.title or ''} {claim.statement}")


def check_official(claim: Claim, roster: Roster, as_of: date, claims: Iterable[Claim] = ()) -> OfficialCheck | None:
    """The roster's answer for one official claim; None when it cannot tell (unknown title or person)."""
    m = claim.official
    if claim.kind != "official" or m is None:
        return None
    name = _checked_name(m)
    if not name:
        return None
    periods = _sentence_periods(claim, claims)
    period = periods[0] if len(periods) == 1 and periods[0].start != periods[0].end else None
    day = periods[0].start if len(periods) == 1 else as_of

    def holders(office: str) -> list[Holder]:
        if period is None:
            return roster.holders_on(office, day)
        return [h for h in roster.terms_in(office) if _overlaps(h, period)]

    if _is_honorific(m):
        if m.full_name:
            return _check_bare_name(name, roster, as_of, periods)
        return _check_honorific(claim, name, roster, as_of, claims)
    if m.office and m.office in roster.offices():
        offices = [m.office]
    elif m.title:
        offices = roster.resolve_offices(m.title, claim.statement, name)
    else:
        return _check_bare_name(name, roster, as_of, periods)
    if not offices:
        return None

    found: dict[str, list[Holder]] = {}
    for office in offices:
        terms = [x.holder for x in roster.match_name(name, roster.terms_in(office), near=False)]
        if terms:
            found[office] = terms
    # A stated date only rescues a mention: a year in the sentence may date something else ("since 2018").
    for office, terms in found.items():
        on_as_of = [t for t in terms if t.held_on(as_of)]
        if on_as_of:
            return OfficialCheck("ok", name, office, as_of, on_as_of[0], roster.holders_on(office, as_of))
    for office, terms in found.items():
        during = [t for t in terms if any(_overlaps(t, p) for p in periods)]
        if during:
            return OfficialCheck("ok", name, office, day, during[0], holders(office), period)
    if found:
        office, terms = next(iter(found.items()))
        if _is_historical(claim, m):
            return OfficialCheck("ok", name, office, day, _nearest(terms, day), holders(office), period)
        if len({t.name for t in terms}) > 1:  # a surname shared by several past holders: whom does it mean?
            return None
        if not _grounded(claim, m, name, office, roster):
            return None
        return OfficialCheck("outdated", name, office, day, _nearest(terms, day), holders(office), period)

    if roster.is_known(name):  # a real officeholder under another title: not a misspelling
        return None
    best: tuple[float, Holder, str] | None = None
    for office in offices:
        for match in roster.match_name(name, roster.terms_in(office)):
            score = match.score + (0.01 if match.holder.held_on(day) else 0.0)
            if best is None or score > best[0]:
                best = (score, match.holder, office)
    if best is None or not _grounded(claim, m, name, best[2], roster):
        return None
    return OfficialCheck("misnamed", name, best[2], day, best[1], holders(best[2]), period)


def _is_honorific(m: OfficialMention) -> bool:
    return bool(m.title) and m.title.rstrip(".") in HONORIFICS


def _titled_officials(claims: Iterable[Claim]) -> list[tuple[Claim, str]]:
    """Officials the draft names in full with a title (not an honorific): the people a "Mr X" may mean."""
    out = []
    for c in claims:
        m = c.official
        if c.kind == "official" and m is not None and m.title and not _is_honorific(m):
            name = _checked_name(m)
            if name and len(name_tokens(name)) >= 2:
                out.append((c, name))
    return out


def _honorific_referent(claim: Claim, name: str, claims: Iterable[Claim], roster: Roster | None
                        ) -> tuple[Claim, str] | None:
    """The one titled official of the draft whose name `name` ("Stammer" after "Mr") misspells, if any.

    None when the name is an officeholder's own (a real person), or resembles no titled official or several.
    """
    if roster is not None and roster.match_name(name, near=False):
        return None
    near = [(c, full) for c, full in _titled_officials(claims) if c.id != claim.id and _misspells(name, full)]
    return near[0] if len({fold(full) for _, full in near}) == 1 else None


MAX_SURNAME_LENGTH_GAP = 2  # "Stam" is not "Starmer" misspelt: a slip drops or adds a letter or two


def _misspells(surname: str, full: str) -> bool:
    """Whether a lone surname is a slip for a word of `full`: close, and about as long."""
    word = "".join(name_tokens(surname))
    return any(abs(len(word) - len(part)) <= MAX_SURNAME_LENGTH_GAP and near_miss_score(word, part) > 0
               for part in name_tokens(full))


def _check_honorific(claim: Claim, name: str, roster: Roster, as_of: date, claims: Iterable[Claim]
                     ) -> OfficialCheck | None:
    """ "Mr Stammer" after "Prime Minister Keir Starmer": misnamed when the person meant holds the office."""
    claims = list(claims)
    referent = _honorific_referent(claim, name, claims, roster)
    if referent is None:
        return None
    check = check_official(referent[0], roster, as_of, claims)
    if check is None or check.status != "ok":
        return None
    return OfficialCheck("misnamed", name, check.office, check.day, check.term, check.current, check.period)


def _check_bare_name(name: str, roster: Roster, as_of: date, periods: list[DateValue]) -> OfficialCheck | None:
    """A name without a title: a known holder in office then is confirmed; only a close misspelling is flagged."""
    terms = roster.terms_of(name)
    if terms:
        current = [t for t in terms if t.held_on(as_of)] or [t for t in terms if any(_overlaps(t, p) for p in periods)]
        if not current:
            return None  # a past officeholder named without a title claims no office
        return OfficialCheck("ok", name, current[0].office, as_of, current[0], [current[0]])
    if len(name_tokens(name)) < 2:
        return None
    near = [x for x in roster.match_name(name) if x.kind == "near" and x.score >= MIN_BARE_NAME_SCORE]
    if not near:
        return None
    best = max(near, key=lambda x: x.score + (0.01 if x.holder.held_on(as_of) else 0.0))
    return OfficialCheck("misnamed", name, best.holder.office, as_of, best.holder,
                         roster.holders_on(best.holder.office, as_of))


def _message(check: OfficialCheck) -> str:
    when = check.when()
    held = (f"{when} the office was held by {check.current_names()}" if check.current
            else f"the roster names no holder {when}")
    if check.status == "misnamed":
        return f"No {check.office} named {check.name}; {held}"
    term = check.term
    assert term is not None
    if check.before_term():
        return f"{term.name} became {check.office} only on {term.start.isoformat()}; {held}"
    return f"{term.name} was {check.office} {term.term_text()}; {held}"


def _suggestion(check: OfficialCheck) -> str | None:
    if check.status == "misnamed" and check.term is not None:
        return check.term.name
    return check.current[0].name if check.current else None


def citation_for(holder: Holder) -> Citation:
    """The roster line (or corpus sentence) that records a term, quoted verbatim with its offsets."""
    source = holder.source if holder.source else "roster"
    return Citation(source=source, quote=holder.line, start=holder.line_start, end=holder.line_end)


def _flag(claim: Claim, check: OfficialCheck) -> Flag:
    kind = "misnamed_official" if check.status == "misnamed" else "outdated_official"
    cited = [h for h in (check.current[:1] + ([check.term] if check.term else [])) if h.line]
    return Flag(kind=kind, message=_message(check), suggestion=_suggestion(check), spans=[(claim.start, claim.end)],
                claim_ids=[claim.id], citations=[citation_for(h) for h in dict.fromkeys(cited)])


def official_flags(claims: list[Claim], roster: Roster, as_of: date) -> dict[str, list[Flag]]:
    """Flags for official claims that name the wrong person or a past (or future) officeholder."""
    out: dict[str, list[Flag]] = {}
    for claim in claims:
        check = check_official(claim, roster, as_of, claims)
        if check is not None and check.status != "ok":
            out.setdefault(claim.id, []).append(_flag(claim, check))
    return out


def official_verdict(claim: Claim, roster: Roster, as_of: date, claims: Iterable[Claim] = ()) -> Verdict | None:
    """Supported (citing the holder's roster line) or contradicted by the roster; None when it cannot tell."""
    check = check_official(claim, roster, as_of, claims)
    if check is None:
        return None
    if check.status == "ok":
        term = check.term
        assert term is not None
        confidence = 0.7 if term.learned else 0.95
        return Verdict(label=Label.supported, confidence=confidence, citations=[citation_for(term)], method="roster",
                       rationale=f"{term.name} was {check.office} {check.when()} ({term.term_text()})")
    flag = _flag(claim, check)
    return Verdict(label=Label.contradicted, confidence=0.9, citations=flag.citations, method="roster",
                   rationale=flag.message)


# --- the draft against itself ----------------------------------------------------------------

def _same_official_two_ways(claims: list[Claim], roster: Roster | None) -> list[Flag]:
    officials = [(c, _checked_name(c.official)) for c in claims if c.kind == "official" and c.official]
    officials = [(c, n) for c, n in officials if n and len(name_tokens(n)) >= 2]
    flags, seen = [], set()
    for i, (a, name_a) in enumerate(officials):
        for b, name_b in officials[i + 1:]:
            if name_keys(name_a) & name_keys(name_b) or near_miss_score(name_a, name_b) == 0.0:
                continue
            if roster is not None and roster.is_known(name_a) and roster.is_known(name_b):
                continue  # two real officeholders with similar names
            office_a, office_b = a.official.office, b.official.office
            if office_a and office_b and office_a != office_b:
                continue
            role_a, role_b = role_of(a.official.title or ""), role_of(b.official.title or "")
            if role_a and role_b and role_a != role_b:
                continue
            pair = tuple(sorted((fold(name_a), fold(name_b))))
            if pair in seen:
                continue
            seen.add(pair)
            flags.append(_two_ways_flag(a, name_a, b, name_b))
    return flags + _honorific_two_ways(claims, roster)


def _two_ways_flag(a: Claim, name_a: str, b: Claim, name_b: str) -> Flag:
    return Flag(kind="internal_inconsistency",
                message=f"The draft names one official two ways: {name_a!r} and {name_b!r}",
                spans=[(a.start, a.end), (b.start, b.end)], claim_ids=[a.id, b.id])


def _honorific_two_ways(claims: list[Claim], roster: Roster | None) -> list[Flag]:
    """ "Board chair Helen Marchetti" then "Ms Marchant": an honorific with a misspelt surname."""
    flags = []
    for c in claims:
        m = c.official
        if c.kind != "official" or m is None or not _is_honorific(m) or m.full_name or not m.name:
            continue
        if len(name_tokens(m.name)) != 1:
            continue
        referent = _honorific_referent(c, m.name, claims, roster)
        if referent is not None:
            flags.append(_two_ways_flag(referent[0], referent[1], c, c.text))
    return flags


_APPROXIMATE = {"about", "around", "roughly", "approximately", "nearly", "almost", "some", "close to", "an estimated"}
_ABOVE = {"more than", "over", "at least", "above", "upwards of", "in excess of"}
_BELOW = {"less than", "fewer than", "under", "below", "at most", "up to", "no more than"}


def _range(q: Quantity) -> tuple[float, float]:
    low, high = q.bounds
    qualifier = (q.qualifier or "").lower()
    if qualifier in _ABOVE:
        return low, float("inf")
    if qualifier in _BELOW:
        return float("-inf"), high
    if qualifier in _APPROXIMATE:
        return low - abs(low) * 0.01, high + abs(high) * 0.01
    return low, high


def _noun_key(noun: str | None) -> str:
    words = re.findall(r"[a-z0-9]+", fold(noun or ""))
    return " ".join(w for w in words if w not in {"the", "a", "an", "of"})


def _dates_in_sentence(claim: Claim, claims: list[Claim]) -> list[DateValue]:
    return [c.date for c in claims if c.kind == "date" and c.date is not None
            and c.sentence_start == claim.sentence_start and c.sentence_end == claim.sentence_end]


def _same_time(a: list[DateValue], b: list[DateValue]) -> bool:
    if not a and not b:
        return True
    return any(x.start <= y.end and y.start <= x.end for x in a for y in b)


def _quantity_conflicts(claims: list[Claim]) -> list[Flag]:
    quantities = [c for c in claims if c.kind == "quantity" and c.quantity and c.quantity.noun
                  and c.quantity.change is None]
    flags = []
    for i, a in enumerate(quantities):
        for b in quantities[i + 1:]:
            qa, qb = a.quantity, b.quantity
            if (a.sentence_start, a.sentence_end) == (b.sentence_start, b.sentence_end):
                continue
            if (_noun_key(qa.noun) != _noun_key(qb.noun) or qa.unit != qb.unit or qa.currency != qb.currency
                    or qa.per != qb.per):
                continue
            if a.subject and b.subject and fold(a.subject) != fold(b.subject):
                continue
            if not _same_time(_dates_in_sentence(a, claims), _dates_in_sentence(b, claims)):
                continue
            (low_a, high_a), (low_b, high_b) = _range(qa), _range(qb)
            if low_a <= high_b and low_b <= high_a:
                continue
            flags.append(Flag(kind="internal_inconsistency",
                              message=f"The draft gives {qa.noun} as {a.text!r} and later as {b.text!r}",
                              spans=[(a.start, a.end), (b.start, b.end)], claim_ids=[a.id, b.id]))
    return flags


# Arithmetic of stated changes. NUM: 1,234.5 or 12.5; PCT: a percent sign or word.
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
PCT = r"\s*(?:%|percent\b|per cent\b)"
CHANGE = r"(?:\s*(?P<unit>%|percentage[ -]points?\b|percent(?:age)?\b|per cent\b|points?\b|pts?\b))?"
UP = {"increase", "rise", "gain", "jump", "climb", "uptick", "up", "rose", "rising", "risen", "increased",
      "climbed", "gained", "jumped", "grew", "went up", "was up"}
_DIR = (r"(?P<dir>increase|rise|gain|jump|climb|uptick|decrease|drop|fall|decline|dip|"
        r"rose|rising|risen|increased|climbed|gained|jumped|grew|went up|was up|fell|dropped|declined|"
        r"decreased|slipped|slid|went down|was down|up|down)")
_ARITHMETIC = [
    # "72%, a 1% increase from 70%"
    re.compile(rf"(?P<x>{NUM})(?P<xp>{PCT})?[^;!?\n]{{0,40}}?\b(?:an?\s+)?(?P<n>{NUM}){CHANGE}[\s-]+{_DIR}"
               rf"\s+from\s+(?:an?\s+)?(?P<y>{NUM})(?P<yp>{PCT})?", re.IGNORECASE),
    # "72%, up 2 points from 70%"
    re.compile(rf"(?P<x>{NUM})(?P<xp>{PCT})?,?\s+{_DIR}\s+(?:by\s+)?(?P<n>{NUM}){CHANGE}\s+from\s+(?P<y>{NUM})"
               rf"(?P<yp>{PCT})?", re.IGNORECASE),
    # "12,400 people were waiting in September, down 1,200 from 14,100 in March"
    re.compile(rf"(?P<x>{NUM})(?P<xp>{PCT})?(?:[^;!?\n.]|\.\d){{1,60}}?,\s+{_DIR}\s+(?:by\s+)?(?P<n>{NUM}){CHANGE}"
               rf"\s+from\s+(?P<y>{NUM})(?P<yp>{PCT})?", re.IGNORECASE),
    # "rose 3 points from 45% to 49%"
    re.compile(rf"\b{_DIR}\s+(?:by\s+)?(?P<n>{NUM}){CHANGE},?\s+from\s+(?P<y>{NUM})(?P<yp>{PCT})?\s+to\s+"
               rf"(?P<x>{NUM})(?P<xp>{PCT})?", re.IGNORECASE),
    # "from 45% to 49%, an increase of 3 points"
    re.compile(rf"\bfrom\s+(?P<y>{NUM})(?P<yp>{PCT})?\s+to\s+(?P<x>{NUM})(?P<xp>{PCT})?,?\s+(?:an?\s+)?{_DIR}"
               rf"\s+of\s+(?P<n>{NUM}){CHANGE}", re.IGNORECASE),
]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _arithmetic_error(match: re.Match) -> str | None:
    """Why a stated change does not match its from/to values, or None when it adds up."""
    x, y, n = _number(match["x"]), _number(match["y"]), _number(match["n"])
    unit = (match["unit"] or "").lower()  # no unit: an absolute change ("rose by 500")
    diff = x - y
    going_up = match["dir"].lower() in UP
    percents = bool(match["xp"] or match["yp"])
    fmt = lambda v: f"{v:,.{max(_decimals(match['x']), _decimals(match['y']))}f}"  # noqa: E731
    shown = f"{match['y']}{'%' if percents else ''} to {match['x']}{'%' if percents else ''}"
    if diff == 0 or (diff > 0) != going_up:
        moved = "no change" if diff == 0 else ("an increase" if diff > 0 else "a decrease")
        return f"From {shown} is {moved}, but the draft says {match['dir'].lower()!r}"
    tolerance = 0.5 * 10 ** -_decimals(match["n"]) + 1e-9
    points_ok = abs(abs(diff) - n) <= tolerance
    relative = abs(diff) / abs(y) * 100 if y else float("inf")
    relative_ok = abs(relative - n) <= max(tolerance, 0.05)
    says_points = not unit or "point" in unit or unit.startswith("pt")
    if points_ok if says_points else (relative_ok or (percents and points_ok)):
        return None
    if says_points:
        what = " points" if unit else ""
        return f"From {shown} is a change of {fmt(abs(diff))}{what}, not the stated {match['n']}"
    detail = f"{fmt(abs(diff))} points ({relative:.1f}%)" if percents else f"{relative:.1f}%"
    return f"From {shown} is a change of {detail}, not the stated {match['n']}%"


def _not_a_change(match: re.Match) -> bool:
    """A year or a mix of a percentage and a plain number is not a from/to pair ("In 2025, a 3% rise from 40%")."""
    if bool(match["xp"]) != bool(match["yp"]) and match["xp"] is None:
        return True
    return any(not match[p] and re.fullmatch(r"(?:19|20)\d\d", match[v]) for v, p in (("x", "xp"), ("y", "yp")))


def _arithmetic_flags(text: str) -> list[Flag]:
    flags, seen = [], set()
    for pattern in _ARITHMETIC:
        for match in pattern.finditer(text):
            spans = tuple(sorted(match.span(g) for g in ("x", "n", "y")))
            if spans in seen or _not_a_change(match):
                continue
            seen.add(spans)
            problem = _arithmetic_error(match)
            if problem:
                flags.append(Flag(kind="internal_inconsistency", message=problem, spans=list(spans)))
    return flags


def internal_flags(text: str, claims: list[Claim], roster: Roster | None = None) -> list[Flag]:
    """Contradictions inside one draft: an official named two ways, a quantity given two values, bad arithmetic.

    With a `roster`, two similar names that are both real officeholders are not taken for one person.
    """
    return _same_official_two_ways(claims, roster) + _quantity_conflicts(claims) + _arithmetic_flags(text)
