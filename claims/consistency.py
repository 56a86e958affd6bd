"""Consistency flags: officials checked against the dated roster, and a draft checked against itself.

`official_flags` / `official_verdict` compare each official mention with who held the office on the
as-of date (or on a date stated in the same sentence): a near-miss of a holder's name is
`misnamed_official`, a real holder out of office is `outdated_official`, a match is supported with the
roster line quoted. An honorific with a misspelt surname ("Mr Stammer" after "Prime Minister Keir
Starmer") is misnamed when the roster knows the titled person meant.

`internal_flags` checks a draft against itself; each flag carries the spans of every value involved and
says the arithmetic in its message:
- one official (or person) named two ways ("Helen Marchetti" / "Ms Marchant");
- one count given two near values in two sentences about the same time ("1,460" / "1,640 passengers");
- a change that does not fit its from/to values, in one phrase ("72%, a 1% increase from 70%") or with the
  other value in the sentence before ("was 41% in May. In June it rose 5 points to 48%");
- shares of one whole over 100% (poll answers for / against / undecided, candidates' vote shares);
- parts that do not make their stated total ("3,000 troops: 1,200 in the north and 1,500 in the south"),
  and a surplus, deficit, gap or margin that is not the difference of its two figures;
- dates that do not fit a stated duration ("began on March 3, ended ten days later on March 15").
Each check stays silent where the text leaves room for doubt (approximate figures, rounding, different
bases, multiple-choice questions, several candidate values): a false flag costs a reviewer's trust.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from claims.models import Citation, Claim, DateValue, Flag, Label, OfficialMention, Quantity, Verdict
from claims.mentions import HONORIFICS, find_full_names, find_honorific_names
from claims.quantities import WORD_NUMBERS
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


TIME_NOUNS = frozenset("seconds minutes hours days weeks months years decades nights".split())
MAX_SLIP_RATIO = 1.5  # one count written two ways differs by a slip ("9,200" / "9,400"), not by a factor
_OTHER_SCOPE = re.compile(r"\b(?:compared|than|previous(?:ly)?|last|earlier|before|ago|once|used to|at the time|"
                          r"then|since|so far|until|only|in total|overall|all competitions|each|per|every)\b",
                          re.IGNORECASE)


def _one_count_two_ways(text: str, a: Claim, b: Claim) -> bool:
    """Whether two values of one noun look like one count written twice rather than two different counts
    (another time, scope or source: "118 goals in Serie A" / "318 goals" in all)."""
    qa, qb = a.quantity, b.quantity
    if _noun_key(qa.noun).split()[-1:] and _noun_key(qa.noun).split()[-1] in TIME_NOUNS:
        return False  # durations of different trips, waits, terms
    low, high = sorted((abs(qa.value), abs(qb.value)))
    if low == 0 or high / low > MAX_SLIP_RATIO:
        return False
    return not any(_OTHER_SCOPE.search(text, c.sentence_start, c.sentence_end) for c in (a, b))


def _quantity_conflicts(text: str, claims: list[Claim]) -> list[Flag]:
    """One noun counted with two values in two sentences of the same time ("9,200 runners" ... "9,400 runners")."""
    dates_by_sentence: dict[tuple[int, int], list[DateValue]] = {}
    for c in claims:
        if c.kind == "date" and c.date is not None:
            dates_by_sentence.setdefault((c.sentence_start, c.sentence_end), []).append(c.date)
    by_measure: dict[tuple, list[Claim]] = {}
    for c in claims:
        q = c.quantity
        if c.kind == "quantity" and q and q.noun and q.change is None:
            by_measure.setdefault((_noun_key(q.noun), q.unit, q.currency, q.per), []).append(c)
    flags = []
    for quantities in by_measure.values():
        for i, a in enumerate(quantities):
            for b in quantities[i + 1:]:
                qa, qb = a.quantity, b.quantity
                sentence_a, sentence_b = (a.sentence_start, a.sentence_end), (b.sentence_start, b.sentence_end)
                if sentence_a == sentence_b:
                    continue
                if a.subject and b.subject and fold(a.subject) != fold(b.subject):
                    continue
                if not _same_time(dates_by_sentence.get(sentence_a, []), dates_by_sentence.get(sentence_b, [])):
                    continue
                (low_a, high_a), (low_b, high_b) = _range(qa), _range(qb)
                if low_a <= high_b and low_b <= high_a or not _one_count_two_ways(text, a, b):
                    continue
                flags.append(Flag(kind="internal_inconsistency",
                                  message=f"The draft gives {qa.noun} as {a.text!r} and later as {b.text!r}",
                                  spans=[(a.start, a.end), (b.start, b.end)], claim_ids=[a.id, b.id]))
    return sorted(flags, key=lambda f: f.spans)


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


def _arithmetic_error(match: re.Match | dict[str, str | None]) -> str | None:
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
        return f"From {shown} is a change of {fmt(abs(diff))}{what}, not the stated {match['n']}{what}"
    detail = f"{fmt(abs(diff))} points ({relative:.1f}%)" if percents else f"{relative:.1f}%"
    return f"From {shown} is a change of {detail}, not the stated {match['n']}%"


def _not_a_change(match: re.Match) -> bool:
    """A year or a mix of a percentage and a plain number is not a from/to pair ("In 2025, a 3% rise from 40%")."""
    if bool(match["xp"]) != bool(match["yp"]) and match["xp"] is None:
        return True
    return any(not match[p] and re.fullmatch(r"(?:19|20)\d\d", match[v]) for v, p in (("x", "xp"), ("y", "yp")))


def _arithmetic_flags(text: str, done: set[tuple[int, int]] | None = None) -> list[Flag]:
    """Changes written with both their values in one phrase; `done` collects the change figures' spans."""
    flags, seen = [], set()
    done = set() if done is None else done
    for pattern in _ARITHMETIC:
        for match in pattern.finditer(text):
            spans = tuple(sorted(match.span(g) for g in ("x", "n", "y")))
            if spans in seen or _not_a_change(match):
                continue
            seen.add(spans)
            done.add(match.span("n"))
            problem = _arithmetic_error(match)
            if problem:
                flags.append(Flag(kind="internal_inconsistency", message=problem, spans=list(spans)))
    return flags


# --- changes whose other value stands elsewhere --------------------------------------------------
# "Approval was 41% in May. In June it rose 5 points to 48%." / "9,200 runners finished. That was up 20%
# on last year's 8,000." The change names one value; the other is the one value of its kind just before
# (earlier in the sentence, or in the sentence before). Several candidates: nothing is checked.

_CHANGE_PHRASE = re.compile(
    rf"\b{_DIR}\s+(?:by\s+)?(?:an?\s+)?(?P<n>{NUM}){CHANGE}(?![\d,.])"
    rf"|\b(?:an?\s+)?(?P<n2>{NUM})(?P<unit2>\s*(?:%|percentage[ -]points?\b|percent(?:age)?\b|per cent\b|points?\b))"
    rf"[\s-]+(?P<dir2>increase|rise|gain|jump|decrease|drop|fall|decline)\b", re.IGNORECASE)
_THEN_FROM = re.compile(rf"\s+(?:from|on|over|compared with|against)\s+(?:(?:last|the previous|the)\s+"
                        rf"[a-z]+(?:['’]s)?\s+)?(?:an?\s+)?(?P<y>{NUM})(?P<yp>{PCT})?",
                        re.IGNORECASE)
_THEN_TO = re.compile(rf",?\s+to\s+(?:an?\s+)?(?P<x>{NUM})(?P<xp>{PCT})?", re.IGNORECASE)
_REFERS_BACK = re.compile(r"\s*(?:that|this|it|the (?:figure|total|number|count|rate|tally))\b", re.IGNORECASE)
_NUMBER_ONLY = re.compile(rf"^(?:an?\s+|about\s+)?(?P<num>{NUM})(?P<pct>{PCT})?(?:\s+[a-z][\w-]*)*$", re.IGNORECASE)


def _plain_number(claim: Claim) -> tuple[str, str] | None:
    """The number and percent sign of a claim written as a plain figure ("41%", "8,000 finishers")."""
    q = claim.quantity
    if claim.kind != "quantity" or q is None or q.change or q.scale or q.currency:
        return None
    if q.unit not in (None, "percent"):
        return None
    match = _NUMBER_ONLY.match(claim.text)
    if match is None or abs(_number(match["num"]) - q.value) > 1e-9:
        return None
    return match["num"], match["pct"] or ""


def _value_before(text: str, claims: list[Claim], at: int, percent: bool, sentence: tuple[int, int],
                  across: bool) -> Claim | None:
    """The one plain value of the wanted kind before `at` in the sentence, else (when `across`) in the
    sentence just before; None when there is none or more than one."""
    def pick(start: int, end: int) -> list[Claim]:
        return [c for c in claims if start <= c.start and c.end <= end and (p := _plain_number(c)) is not None
                and bool(p[1]) == percent]

    here = pick(sentence[0], at)
    if here:
        return here[0] if len(here) == 1 else None
    if not across:
        return None
    before = [c for c in claims if c.sentence_end <= sentence[0]]
    if not before:
        return None
    previous = max((c.sentence_start, c.sentence_end) for c in before)
    if text[previous[1]:sentence[0]].strip():
        return None  # a sentence without values lies between
    there = pick(*previous)
    return there[0] if len(there) == 1 else None


def _change_flags(text: str, claims: list[Claim], done: set[tuple[int, int]]) -> list[Flag]:
    flags = []
    for m in _CHANGE_PHRASE.finditer(text):
        n_group = "n" if m["n"] else "n2"
        n_span = m.span(n_group)
        if n_span in done:
            continue
        sentence = next(((c.sentence_start, c.sentence_end) for c in claims
                         if c.sentence_start <= m.start() < c.sentence_end), None)
        if sentence is None:
            continue
        after_from, after_to = _THEN_FROM.match(text, m.end()), _THEN_TO.match(text, m.end())
        if (after_from is None) == (after_to is None):
            continue  # both values written beside the change (the patterns above), or neither
        given = after_to or after_from
        given_key = "x" if after_to else "y"
        percent = bool(given[given_key + "p"])
        other = _value_before(text, claims, m.start(), percent, sentence,
                              across=_refers_back(text, sentence[0], m.start(), claims))
        if other is None:
            continue
        number, sign = _plain_number(other)
        values = {given_key: given[given_key], given_key + "p": given[given_key + "p"],
                  ("y" if after_to else "x"): number, ("yp" if after_to else "xp"): sign or None,
                  "n": m[n_group], "unit": m["unit"] if m["n"] else m["unit2"], "dir": m["dir"] or m["dir2"]}
        problem = _arithmetic_error(values)
        if problem:
            given_span = (given.start(given_key), given.end(given_key + "p") if given[given_key + "p"]
                          else given.end(given_key))
            spans = sorted({(other.start, other.end), n_span, given_span})
            flags.append(Flag(kind="internal_inconsistency", message=problem, spans=spans,
                              claim_ids=[other.id]))
    return flags


_STOPWORDS = frozenset("""the a an in on at by of for to and was were is are it its this that than last year
    month week january february march april may june july august september october november december""".split())


def _refers_back(text: str, start: int, change_at: int, claims: list[Claim]) -> bool:
    """Whether the sentence's change is about the sentence before: "That was up ...", "In June it rose ...",
    or a subject the sentence before names ("Approval was 41%. Approval rose ...")."""
    subject = text[start:change_at]
    if _REFERS_BACK.match(subject) or re.search(r"\b(?:it|that|this|they)\s*$", subject, re.IGNORECASE):
        return True
    before = [c for c in claims if c.sentence_end <= start]
    if not before:
        return False
    previous = text[max(c.sentence_start for c in before):start].lower()
    words = [w for w in re.findall(r"[a-z][a-z'-]+", subject.lower()) if w not in _STOPWORDS and len(w) > 2]
    return bool(words) and all(re.search(rf"\b{re.escape(w)}", previous) for w in words)


# --- dates a stated time apart ---------------------------------------------------------------
# "began on March 3, ended ten days later on March 15"; "in 2019, five years after the 2015 accord";
# "docked on 10 August after a 41-day voyage that began on 1 June". A duration is checked only against
# two dates of its own sentence that it links: "N days later" (the dates around it), "N years after
# <date>" (that date and the one before), or a span whose dates carry a start and an end word.

_DURATION = re.compile(rf"\b(?P<n>{NUM}|an?|{'|'.join(sorted(WORD_NUMBERS, key=len, reverse=True))})"
                       r"[\s-]+(?P<unit>day|week|month|year)s?\b", re.IGNORECASE)
_LATER = re.compile(r"\s+(?:later|afterwards|on)\b", re.IGNORECASE)
_AFTER_BEFORE = re.compile(r"\s+(?P<rel>after|before|since)\b", re.IGNORECASE)
_START_VERBS = r"began|begun|begins|started|starts|opened|set (?:off|out|sail)|left|departed|launched|commenced|kicked off"
_END_VERBS = (r"ended|ends|finished|closed|concluded|docked|returned|arrived|came back|wrapped up|landed|reached|"
              r"touched down|came home|completed")
_WORDS_BETWEEN = r"(?:\s+(?!(?:and|but|after|before|when|while)\b)[\w'’-]+){0,3}"  # "landed in Antigua on 20 March"
_START_CUE = re.compile(rf"(?:\b(?:{_START_VERBS}){_WORDS_BETWEEN}|\bfrom)\s+$", re.IGNORECASE)
_END_CUE = re.compile(rf"(?:\b(?:{_END_VERBS}){_WORDS_BETWEEN}|\b(?:until|till|through|to))\s+$", re.IGNORECASE)
UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}
DAY_TOLERANCE = {"day": 1, "week": 3, "month": 16, "year": 183}  # counting inclusively, or loosely


def _duration_value(word: str) -> float | None:
    word = word.lower()
    if word in ("a", "an"):
        return 1.0
    return WORD_NUMBERS.get(word) if word in WORD_NUMBERS else _number(word)


def _elapsed(earlier: Claim, later: Claim, unit: str) -> float | None:
    """Time from one date claim to another in `unit`: whole years (or months) when either is only a year
    (or month); else days. A year the draft left out is taken as the one that puts the dates in order."""
    a, b = earlier.date, later.date
    if unit in ("year", "month") and (a.relative or b.relative):
        return None  # "on July 3, ten years after 2002": the year of July 3 was only guessed
    coarse = {a.granularity, b.granularity}
    if "year" in coarse and unit == "year":
        return float(b.start.year - a.start.year)
    if coarse & {"year", "month"} and unit == "month":
        return float((b.start.year - a.start.year) * 12 + b.start.month - a.start.month)
    if coarse & {"year", "month", "season", "open", "range"}:
        return None
    days = (b.start - a.start).days
    if (a.relative or b.relative) and days < 0:
        days += 366 if _leap_between(a.start, b.start) else 365
    return days / UNIT_DAYS[unit]


def _leap_between(a: date, b: date) -> bool:
    year = b.year + 1 if b < a else b.year
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _duration_flags(text: str, claims: list[Claim]) -> list[Flag]:
    dates = sorted((c for c in claims if c.kind == "date" and c.date is not None), key=lambda c: c.start)
    flags = []
    for m in _DURATION.finditer(text):
        sentence = [c for c in dates if c.sentence_start <= m.start() < c.sentence_end]
        n = _duration_value(m["n"])
        if n is None or len(sentence) < 2 or any(c.start <= m.start() < c.end for c in sentence):
            continue
        pair = _linked_dates(text, m, sentence)
        if pair is None:
            continue
        earlier, later = pair
        unit = m["unit"].lower()
        elapsed = _elapsed(earlier, later, unit)
        if elapsed is None:
            continue
        tolerance = 0.0 if {earlier.date.granularity, later.date.granularity} & {"year", "month"} \
            else DAY_TOLERANCE[unit] / UNIT_DAYS[unit]
        if abs(elapsed - n) <= tolerance + 1e-9:
            continue
        shown = f"{_fmt(elapsed)} {unit}{'' if elapsed == 1 else 's'}"
        flags.append(Flag(kind="internal_inconsistency",
                          message=f"From {earlier.text!r} to {later.text!r} is {shown}, not the stated "
                                  f"{m.group().strip()!r}",
                          spans=sorted([(earlier.start, earlier.end), m.span(), (later.start, later.end)]),
                          claim_ids=[earlier.id, later.id]))
    return flags


def _linked_dates(text: str, m: re.Match, sentence: list[Claim]) -> tuple[Claim, Claim] | None:
    """The (earlier, later) dates a duration links, or None when it links none for sure."""
    before = [c for c in sentence if c.end <= m.start()]
    after = [c for c in sentence if c.start >= m.end()]
    if _LATER.match(text, m.end()) and before and after:
        return before[-1], after[0]
    relation = _AFTER_BEFORE.match(text, m.end())
    if relation and before and after and after[0].start - relation.end() <= 25:
        if relation["rel"].lower() == "before":
            return before[-1], after[0]
        return after[0], before[-1]
    starts = [c for c in sentence if _START_CUE.search(text, max(c.sentence_start, c.start - 45), c.start)]
    ends = [c for c in sentence if _END_CUE.search(text, max(c.sentence_start, c.start - 45), c.start)
            and c not in starts]
    if len(starts) == 1 and len(ends) == 1 and len(list(_DURATION.finditer(text, sentence[0].sentence_start,
                                                                          sentence[0].sentence_end))) == 1:
        return starts[0], ends[0]
    return None


# --- totals and their parts, differences ---------------------------------------------------------
# "3,000 troops: 1,200 in the north and 1,500 in the south" (a colon or "split between" promises all the
# parts: they must add up; "including" promises some: they must not exceed the total), and a surplus,
# deficit, gap or margin that must be the difference of the two figures it follows.

_ALL_PARTS = re.compile(r"\s*(?::|[,—–-]?\s*(?:split|divided|shared)\s+(?:between|among|into)|"
                        r",?\s*(?:made up of|comprising|consisting of|broken down into)|\s+of\s+which|"
                        r",?\s+of\s+whom)\s", re.IGNORECASE)
_WORDS_TO_PARTS = re.compile(r"(?:\s+(?!(?:and|or|but|than|while|whereas)\b)[A-Za-z][\w'’&-]*){1,6}(?=\s*:)")
_SOME_PARTS = re.compile(r",?\s*(?:including|among them|such as)\s", re.IGNORECASE)
_REST = re.compile(r"\b(?:the rest|others?|remainder|remaining|the balance|among others|and more|etc)\b",
                   re.IGNORECASE)
_PART_SEPARATOR = re.compile(r"^[^;:.!?]*$")
_DIFFERENCE = re.compile(r"\b(?P<what>surplus|deficit|gap|margin|difference|shortfall|lead)\s+of\s+$", re.IGNORECASE)
_PAIRS = (("export", "import"), ("revenue|income|receipts|takings", "spending|expenditure|costs|outgoings"))


def _same_measure(a: Quantity, b: Quantity) -> bool:
    return a.unit == b.unit and a.currency == b.currency and a.per == b.per


def _approximate(*quantities: Quantity) -> bool:
    return any((q.qualifier or "").lower() in _APPROXIMATE | _ABOVE | _BELOW for q in quantities)


def _stated_tolerance(claim: Claim) -> float:
    """Half a unit of the last digit written: "€0.5 billion" -> €0.05 billion."""
    number = re.search(NUM, claim.text)
    if number is None or not number.group() or claim.quantity is None:
        return 0.0
    written = _number(number.group())
    factor = claim.quantity.value / written if written else 1.0
    return 0.5 * 10 ** -_decimals(number.group()) * abs(factor)


def _like(claim: Claim, value: float) -> str:
    """`value` written the way `claim` is: "€0.3 billion" for 3e8 like "€0.5 billion"."""
    number = re.search(NUM, claim.text)
    if number is None or claim.quantity is None or not claim.quantity.value:
        return _fmt(value)
    written = _number(number.group())
    factor = claim.quantity.value / written if written else 1.0
    shown = f"{value / factor:,.{_decimals(number.group())}f}"
    return claim.text[:number.start()] + shown + claim.text[number.end():]


MAX_PARTS_GAP = 0.5  # parts off their total by more than half of it count something else


def _in_brackets(text: str, claim: Claim) -> bool:
    before = text[claim.sentence_start:claim.start]
    return before.rfind("(") > before.rfind(")")


def _parts_flags(text: str, claims: list[Claim]) -> list[Flag]:
    quantities = sorted((c for c in claims if c.kind == "quantity" and c.quantity is not None
                         and c.quantity.change is None), key=lambda c: c.start)
    flags = []
    for i, total in enumerate(quantities):
        lead = _WORDS_TO_PARTS.match(text, total.end)  # "£84 million on roads next year: ..."
        at = lead.end() if lead else total.end
        exhaustive = _ALL_PARTS.match(text, at)
        some = None if exhaustive else _SOME_PARTS.match(text, at)
        if not (exhaustive or some):
            continue
        cue_end = (exhaustive or some).end()
        parts = [c for c in quantities[i + 1:] if c.sentence_start == total.sentence_start]
        parts = [c for c in parts if _PART_SEPARATOR.match(text[cue_end:c.start])]
        if len(parts) < 2 or not all(_same_measure(total.quantity, p.quantity) and p.quantity.unit != "percent"
                                     for p in parts):
            continue
        if any(_in_brackets(text, p) for p in parts):
            continue  # "12 clubs: Bayern (28 titles), Dortmund (5)": counts of something else
        tail = text[cue_end:parts[-1].sentence_end]
        summed = sum(p.quantity.value for p in parts)
        if not total.quantity.value or abs(summed - total.quantity.value) > MAX_PARTS_GAP * total.quantity.value:
            continue  # far off: the parts count something else
        slack = _stated_tolerance(total) + sum(_stated_tolerance(p) for p in parts)
        if _approximate(total.quantity, *(p.quantity for p in parts)):
            slack += 0.02 * total.quantity.value
        over = summed > total.quantity.value + slack
        short = exhaustive and not _REST.search(tail) and summed < total.quantity.value - slack
        if not (over or short):
            continue
        terms = " + ".join(p.text for p in parts)
        relation = "more than" if over else "less than"
        flags.append(Flag(kind="internal_inconsistency",
                          message=f"{terms} = {_like(total, summed)}, {relation} the stated total {total.text}",
                          spans=[(total.start, total.end)] + [(p.start, p.end) for p in parts],
                          claim_ids=[total.id] + [p.id for p in parts]))
    return flags


def _context_before(text: str, claim: Claim) -> str:
    return text[max(0, claim.start - 50):claim.start].lower()


def _difference_flags(text: str, claims: list[Claim]) -> list[Flag]:
    quantities = sorted((c for c in claims if c.kind == "quantity" and c.quantity is not None
                         and c.quantity.change is None), key=lambda c: c.start)
    flags = []
    for stated in quantities:
        cue = _DIFFERENCE.search(text, max(0, stated.start - 30), stated.start)
        if cue is None:
            continue
        before = [c for c in quantities if c.end <= cue.start() and _operand_of(c.quantity, stated.quantity)]
        operands = _operands(text, cue["what"].lower(), before, stated)
        if operands is None:
            continue
        first, second = operands
        result = first.quantity.value - second.quantity.value
        if cue["what"].lower() in ("gap", "margin", "difference", "lead"):
            result = abs(result)
        slack = _stated_tolerance(stated) + _stated_tolerance(first) + _stated_tolerance(second)
        if _approximate(stated.quantity, first.quantity, second.quantity):
            slack += 0.02 * max(abs(first.quantity.value), abs(second.quantity.value))
        if abs(result - stated.quantity.value) <= slack:
            continue
        shown = _like(stated, result)
        flags.append(Flag(kind="internal_inconsistency",
                          message=f"{first.text} − {second.text} = {shown}, not the stated {cue['what'].lower()} "
                                  f"of {stated.text}",
                          spans=[(first.start, first.end), (second.start, second.end), (stated.start, stated.end)],
                          claim_ids=[first.id, second.id, stated.id]))
    return flags


def _operand_of(operand: Quantity, stated: Quantity) -> bool:
    """Whether a difference stated as `stated` may be taken between values like `operand`:
    money of one currency, counts, or percentages for a gap in points."""
    if operand.unit == "percent":
        return stated.unit in ("percent", "percentage_point")
    return _same_measure(operand, stated)


def _operands(text: str, what: str, before: list[Claim], stated: Claim) -> tuple[Claim, Claim] | None:
    """(minuend, subtrahend) of a difference: exports and imports, revenue and spending, or the two values just
    before a gap or margin in its sentence."""
    recent = [c for c in before if c.sentence_start >= _previous_sentence_start(before, stated)]
    for plus, minus in _PAIRS:
        gains = [c for c in recent if re.search(rf"\b(?:{plus})", _context_before(text, c) + (c.subject or ""))]
        losses = [c for c in recent if re.search(rf"\b(?:{minus})", _context_before(text, c) + (c.subject or ""))
                  and c not in gains]
        if len(gains) == 1 and len(losses) == 1:
            return (losses[0], gains[0]) if what in ("deficit", "shortfall") else (gains[0], losses[0])
    if what in ("gap", "margin", "difference", "lead"):
        same = [c for c in recent if c.sentence_start == stated.sentence_start]
        if len(same) == 2:
            return same[0], same[1]
    return None


def _previous_sentence_start(before: list[Claim], stated: Claim) -> int:
    earlier = [c.sentence_start for c in before if c.sentence_start < stated.sentence_start]
    return max(earlier) if earlier else stated.sentence_start


# --- shares of one whole ---------------------------------------------------------------------
# Poll answers ("54% backed it, 38% opposed and 15% were undecided") and vote shares ("Lindqvist took 39%,
# and Oduya 11%") split one whole: they cannot add up to more than 100%. Only parallel answers to one
# question count (at least two of for / against / undecided), or shares taken by candidates; shares of
# different bases ("of men", "of women") and multiple-choice questions are left alone.

_STANCES = {
    "for": r"backed|backs?|supported|supports?|favou?red|favou?rs?|approved|approves?|agreed|agrees?|"
           r"in favou?r|(?:said|say|voted|vote|answered) yes|welcomed|satisfied",
    "against": r"opposed|opposes?|disapproved|disapproves?|disagreed|disagrees?|rejected|rejects?|against|"
               r"(?:said|say|voted|vote|answered) no|dissatisfied",
    "undecided": r"undecided|unsure|not sure|(?:did|do)(?: not|n't) know|no opinion|neither|abstained|"
                 r"(?:would|did) not say|declined to (?:say|answer)",
}
_STANCE = {kind: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for kind, words in _STANCES.items()}
_VOTE_VERB = re.compile(r"\b(?:took|taking|takes|won|winning|wins|got|getting|gets|received|receiving|secured|"
                        r"securing|polled|polling|garnered|gained|gaining|captured|capturing)\s+(?:just\s+|only\s+)?$",
                        re.IGNORECASE)
_OF_THE_VOTE = re.compile(r"\s+of\s+(?:the\s+)?(?:popular\s+|first[- ]preference\s+|valid\s+)?(?:vote|votes|ballots)\b",
                          re.IGNORECASE)
_LIST_NAME = re.compile(r"(?:,|\band\b|\bwhile\b)\s*(?:[A-Z][\w'’-]+\s+){1,3}$")
_BASE = re.compile(r"\s+of\s+(?P<base>(?:[\w'’-]+\s+){0,3}?[\w'’-]+)(?=\s+(?:were|was|are|is|said|had|have|"
                   r"backed|supported|opposed|favou?red|approved|agreed|disagreed|rejected|voted|answered)\b)",
                   re.IGNORECASE)
_MULTIPLE_CHOICE = re.compile(r"more than one|multiple (?:answers|choices|responses|options)|could (?:choose|pick|"
                              r"select|name|give) (?:several|more|up to|any)|select all|not mutually exclusive|"
                              r"several answers", re.IGNORECASE)
_SUBGROUP = re.compile(r"\b(?i:among)\b|\b(?i:in)\s+[A-Z][a-z]+")  # "among men", "in York"
_CLAUSE_END = re.compile(r"[,;:.!?]|\s(?:and|but|while|whereas)\s")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class _Share:
    claim: Claim
    kind: str  # "for", "against", "undecided" (a poll answer) or "vote" (a candidate's share)
    base: str  # "of men" -> "men"; "" when none is written


def _clause_after(text: str, end: int) -> str:
    stop = _CLAUSE_END.search(text, end)
    return text[end:stop.start() if stop else len(text)]


def _share(text: str, claim: Claim, previous: _Share | None) -> _Share | None:
    """A percentage as a share of one whole, or None ("turnout was 41%", "up 5 points")."""
    q = claim.quantity
    if q is None or q.unit != "percent" or q.change is not None:
        return None
    before = text[max(claim.sentence_start, claim.start - 60):claim.start]
    after = text[claim.end:claim.end + 80]
    base = _BASE.match(after)
    clause = _clause_after(text, claim.end)
    stances = [kind for kind, pattern in _STANCE.items() if pattern.search(clause)]
    if len(stances) == 1 and not re.match(r"\s*(?:to|from|in|on|since|by)\b", after):
        return _Share(claim, stances[0], fold(q.noun if q.noun else base["base"] if base else ""))
    continues_list = previous is not None and previous.kind == "vote" and bool(_LIST_NAME.search(before))
    if _VOTE_VERB.search(before) or _OF_THE_VOTE.match(after) or continues_list:
        return _Share(claim, "vote", "")
    return None


def _share_groups(text: str, claims: list[Claim]) -> list[list[_Share]]:
    """Poll answers of one sentence; vote shares of one paragraph."""
    groups: list[list[_Share]] = []
    previous: _Share | None = None
    for claim in sorted((c for c in claims if c.kind == "quantity"), key=lambda c: c.start):
        share = _share(text, claim, previous if previous and previous.claim.sentence_start == claim.sentence_start
                       else None)
        if share is None:
            continue
        last = groups[-1][-1] if groups else None
        same_group = last is not None and (
            (share.kind != "vote" and last.kind != "vote"
             and last.claim.sentence_start == claim.sentence_start)
            or (share.kind == "vote" and last.kind == "vote"
                and not _PARAGRAPH_BREAK.search(text, last.claim.end, claim.start)
                and _same_time_as_group(groups[-1], claim, claims)))
        if same_group:
            groups[-1].append(share)
        else:
            groups.append([share])
        previous = share
    return groups


def _same_time_as_group(group: list[_Share], claim: Claim, claims: list[Claim]) -> bool:
    """A share dated differently from the group's ("31% at the election in 2020") starts another whole."""
    dates = _dates_in_sentence(claim, claims)
    group_dates = [d for s in group for d in _dates_in_sentence(s.claim, claims)]
    return not dates or not group_dates or claim.sentence_start == group[-1].claim.sentence_start \
        or _same_time(dates, group_dates)


def _share_group_ok(text: str, group: list[_Share], claims: list[Claim]) -> bool:
    """Whether a group is one whole split into parts (else it is not checked)."""
    if len(group) < 2:
        return False
    if group[0].kind != "vote" and len({s.kind for s in group}) < 2:
        return False  # "60% were satisfied with buses and 55% with trains": two questions
    if len({s.base for s in group if s.base}) > 1:
        return False  # shares of different bases
    if any(_SUBGROUP.search(text, a.claim.end, b.claim.start) for a, b in zip(group, group[1:])):
        return False  # "Among Democrats, 80% backed it; among Republicans, 70% opposed it": two groups
    first, last = group[0].claim, group[-1].claim
    paragraph_start = max((m.end() for m in _PARAGRAPH_BREAK.finditer(text, 0, first.start)), default=0)
    paragraph = _PARAGRAPH_BREAK.search(text, last.end)
    if _MULTIPLE_CHOICE.search(text, paragraph_start, paragraph.start() if paragraph else len(text)):
        return False
    sentences = {(s.claim.sentence_start, s.claim.sentence_end) for s in group}
    days = {(c.date.start, c.date.end) for c in claims if c.kind == "date" and c.date is not None
            and (c.sentence_start, c.sentence_end) in sentences}
    return len(days) <= 1  # shares at two different times are not one whole


def _share_tolerance(q: Quantity, text: str) -> float:
    qualifier = (q.qualifier or "").lower()
    if qualifier in _APPROXIMATE:
        return 2.0
    number = re.search(NUM, text)
    return 0.5 * 10 ** -_decimals(number.group()) if number else 0.5


def _share_flags(text: str, claims: list[Claim]) -> list[Flag]:
    flags = []
    for group in _share_groups(text, claims):
        if not _share_group_ok(text, group, claims):
            continue
        low = sum(_range(s.claim.quantity)[0] if (s.claim.quantity.qualifier or "").lower() in _ABOVE
                  else 0.0 if (s.claim.quantity.qualifier or "").lower() in _BELOW else s.claim.quantity.value
                  for s in group)
        tolerance = sum(_share_tolerance(s.claim.quantity, s.claim.text) for s in group)
        if low <= 100 + tolerance + 1e-9:
            continue
        terms = " + ".join(s.claim.text for s in group)
        what = "vote shares" if group[0].kind == "vote" else "answers to one question"
        flags.append(Flag(kind="internal_inconsistency",
                          message=f"{terms} = {_fmt(low)}%, more than 100% ({what})",
                          spans=[(s.claim.start, s.claim.end) for s in group],
                          claim_ids=[s.claim.id for s in group]))
    return flags


def _fmt(value: float) -> str:
    """1234.5 -> "1,234.5"; 107.0 -> "107"."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def internal_flags(text: str, claims: list[Claim], roster: Roster | None = None) -> list[Flag]:
    """Contradictions inside one draft: an official named two ways, a quantity given two values, bad arithmetic.

    With a `roster`, two similar names that are both real officeholders are not taken for one person.
    """
    done: set[tuple[int, int]] = set()
    return (_same_official_two_ways(claims, roster) + _honorific_two_ways_in_text(text, claims, roster)
            + _quantity_conflicts(text, claims) + _arithmetic_flags(text, done)
            + _change_flags(text, claims, done) + _share_flags(text, claims) + _duration_flags(text, claims)
            + _parts_flags(text, claims) + _difference_flags(text, claims))
