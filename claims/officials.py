"""Officials checked against the dated roster, and one official named two ways in a draft.

`official_checks` compares each official mention, once per draft, with who held the office on the as-of
date (or on a date stated in the same sentence): a near-miss of a holder's name is `misnamed_official`, a
real holder out of office is `outdated_official`, a match is supported with the roster line quoted
(`official_verdict` and `official_flag` read the same check). An honorific with a misspelt surname
("Mr Stammer" after "Prime Minister Keir Starmer") is misnamed when the roster knows the titled person meant. `names_two_ways_flags` finds one
official (or person) named two ways ("Helen Marchetti" / "Ms Marchant") as an internal inconsistency.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from claims.lexicon import fold
from claims.models import Citation, Claim, DateValue, Flag, Label, OfficialMention, Verdict
from claims.mentions import HONORIFICS, find_full_names, find_honorific_names
from claims.verification.citations import cite
from claims.roster import (Holder, Roster, countries_in, country_of, name_keys, name_tokens, near_miss_score,
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
    return cite(holder.source or "roster", holder.line, 0, len(holder.line), offset=holder.line_start)


def _flag(claim: Claim, check: OfficialCheck) -> Flag:
    kind = "misnamed_official" if check.status == "misnamed" else "outdated_official"
    cited = [h for h in (check.current[:1] + ([check.term] if check.term else [])) if h.line]
    return Flag(kind=kind, message=_message(check), suggestion=_suggestion(check), spans=[(claim.start, claim.end)],
                claim_ids=[claim.id], citations=[citation_for(h) for h in dict.fromkeys(cited)])


def official_checks(claims: list[Claim], roster: Roster, as_of: date) -> dict[str, OfficialCheck]:
    """The roster's answer for every official claim of a draft it can tell about, by claim id: computed once,
    read by both the claim's verdict (`official_verdict`) and its flag (`official_flag`)."""
    out: dict[str, OfficialCheck] = {}
    for claim in claims:
        check = check_official(claim, roster, as_of, claims)
        if check is not None:
            out[claim.id] = check
    return out


def official_flag(claim: Claim, check: OfficialCheck) -> Flag | None:
    """misnamed_official / outdated_official for a mention the roster does not confirm; None when it does."""
    return None if check.status == "ok" else _flag(claim, check)


def official_flags(claims: list[Claim], roster: Roster, as_of: date,
                   checks: dict[str, OfficialCheck] | None = None) -> dict[str, list[Flag]]:
    """Flags for official claims that name the wrong person or a past (or future) officeholder."""
    checks = official_checks(claims, roster, as_of) if checks is None else checks
    out: dict[str, list[Flag]] = {}
    for claim in claims:
        flag = official_flag(claim, checks[claim.id]) if claim.id in checks else None
        if flag is not None:
            out[claim.id] = [flag]
    return out


def official_verdict(claim: Claim, check: OfficialCheck) -> Verdict:
    """Supported (citing the holder's roster line) when the roster confirms the mention, else contradicted."""
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


def _honorific_two_ways_in_text(text: str, claims: list[Claim], roster: Roster | None) -> list[Flag]:
    """ "Festival director Imogen Strachan" then "Ms Strahan", where neither is an official claim: the one full
    name of the draft whose surname the honorific's name misspells."""
    covered = [(c.start, c.end) for c in claims if c.kind == "official"]
    full_names = find_full_names(text)
    flags = []
    for h in find_honorific_names(text):
        if any(a < h.end and h.start < b for a, b in covered) or len(name_tokens(h.name)) != 1:
            continue
        if roster is not None and roster.match_name(h.name, near=False):
            continue
        surname = fold(h.name)
        if any(name_tokens(f.name)[-1] == surname for f in full_names):
            continue  # someone in the draft has that very surname
        near = [f for f in full_names if f.start < h.start and _misspells(h.name, f.name)
                and near_miss_score(h.name, name_tokens(f.name)[-1]) > 0]
        if len({fold(f.name) for f in near}) != 1:
            continue
        full = near[0]
        flags.append(Flag(kind="internal_inconsistency",
                          message=f"The draft names one person two ways: {full.name!r} and {text[h.start:h.end]!r}",
                          spans=[(full.start, full.end), (h.start, h.end)]))
    return flags


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


def names_two_ways_flags(text: str, claims: list[Claim], roster: Roster | None = None) -> list[Flag]:
    """One official or person named two ways in a draft; with a roster, two real officeholders are two people."""
    return _same_official_two_ways(claims, roster) + _honorific_two_ways_in_text(text, claims, roster)
