"""Date grammar: dates and periods in prose, resolved against an as-of date.

`find_dates(text, as_of)` finds ISO dates, "March 31st", "November 21-23", "7 November 2025",
"Sept 2010", "in early February", "since 2018", "in 2010", "the 1990s", "last year", "this month", "on Tuesday",
seasons ("in the spring of 2024"), quarters ("Q3 2024", "the second quarter") and bare years, with the preposition that frames them ("since",
"in", "on", "from", "until", "before", "after").

Resolution rule for a partial date (month or day without a year): take the as-of year. A clause
in the future tense ("will", "plans", "scheduled", ...) whose date would already be over by as_of
moves to the next occurrence; any other sentence whose date would still lie in the future moves to
the previous year (news reports past events). Such dates are marked `relative=True`.
Hand-written regexes, linear time; no dateparser.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from claims.lexicon import ORDINALS
from claims.models import DateValue
from claims.spans import longest_non_overlapping

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _number
        MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
QUARTERS = {word: n for word, n in ORDINALS.items() if n <= 4}  # "the first quarter"
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
PART_OF_MONTH = {"early": (1, 10), "mid": (11, 20), "late": (21, 31), "the beginning of": (1, 10),
                 "the middle of": (11, 20), "the end of": (21, 31)}
PART_OF_YEAR = {"early": (1, 4), "mid": (5, 8), "late": (9, 12), "the beginning of": (1, 3),
                "the middle of": (5, 8), "the end of": (10, 12)}
RELATIONS = {"since": "since", "until": "until", "till": "until", "through": "until", "by": "before",
             "before": "before", "after": "after", "in": "on", "on": "on", "from": "on", "during": "on",
             "of": "on", "as of": "on"}

# Month names: the long names and "Sept"/"Nov." case-insensitively ("from october"); the words that are
# also common English words ("May", "March", "Mar") only capitalised.
_MONTH = (
    r"(?P<month>(?i:january|february|april|june|july|august|september|october|november|december"
    r"|jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?|March\b|May\b|Mar\b\.?)"
)
# The framing words are looked for just before a match (a regex prefix tried at every position is slow).
_PREFIX = re.compile(
    r"(?:\b(?P<prep>(?i:since|until|till|through|by|before|after|in|on|from|during|as of|of))\s+)?"
    r"(?:\b(?P<part>(?i:early|mid|late|the beginning of|the middle of|the end of))[\s-]+)?$"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
_DAY2 = r"(?:\s?(?:-|–|to|and)\s?(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?\b)?"
_YEAR = r"(?P<year>(?:1[6-9]|20|21)\d\d)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(rf"(?<![\d/-])(?P<y>\d{{4}})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d])")),
    ("month_day", re.compile(rf"(?<![\w]){_MONTH}\s+{_DAY}{_DAY2}(?:\s?,?\s+{_YEAR}(?!\d))?")),
    ("day_month", re.compile(rf"(?<![\w.,]){_DAY}{_DAY2}\s+(?:of\s+)?{_MONTH}(?:\s?,?\s+{_YEAR}(?!\d))?")),
    ("month_year", re.compile(rf"(?<![\w]){_MONTH}(?:\s+of)?,?\s+{_YEAR}(?![\d,]\d)")),
    ("month", re.compile(rf"(?<![\w]){_MONTH}(?!\s+[0-3]?\d\b)")),
    ("season", re.compile(
        rf"(?:(?P<rel>(?i:this|last|next|the))\s+)?(?P<season>(?i:spring|summer|autumn|winter)|(?<=the\s)fall)"
        rf"(?:\s+(?:of\s+)?{_YEAR}(?!\d))?")),
    ("decade", re.compile(rf"(?:(?i:the)\s+)?(?<![\w$'’]){_YEAR}s\b")),
    ("relative", re.compile(
        r"(?P<what>(?i:(?:last|this|next|past)\s+(?:year|month|week)|yesterday|today|tomorrow"
        r"|(?:earlier|later)\s+this\s+(?:year|month)|a\s+year\s+ago))\b")),
    ("quarter", re.compile(
        r"(?<![\w])(?:Q(?P<qn>[1-4])\s?(?P<year>(?:1[6-9]|20|21)\d\d)(?!\d)|(?:(?i:the)\s+)?"
        r"(?P<qw>(?i:first|second|third|fourth))\s+(?i:quarter)(?:\s+(?:of\s+)?(?P<qyear>(?:1[6-9]|20|21)\d\d)(?!\d))?)")),
    ("year_range", re.compile(rf"(?<![\w$€£¥.,/#-])(?P<y1>(?:1[6-9]|20|21)\d\d)\s?(?:-|–|to)\s?(?P<y2>(?:1[6-9]|20|21)\d\d)(?![\w%])")),
    ("weekday", re.compile(
        r"(?<![\w])(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
        r"(?:\s+(?:morning|afternoon|evening|night))?\b(?!,?\s+(?:the\s+)?[0-3]?\d\b)(?!,?\s+" + _MONTH + r")")),
    ("year", re.compile(rf"(?<![\w$€£¥.,/#@+])(?<!\d[-–]){_YEAR}(?![\w%/]|\.\d|,\d|-\d|\s?(?i:percent|per cent))")),
]
_TAKES_PART = frozenset({"month", "month_year", "decade", "year"})
_FUTURE = re.compile(
    r"\b(?:will|shall|plans? to|planned|planning|scheduled|is set to|are set to|expected|upcoming|intends?|"
    r"going to|hopes to|to be held|next)\b", re.I)
_SENTENCE_END = re.compile(r"[!?\n]|\.(?!\d)")  # "3.9%" does not end a sentence
# "said on 12 February that charges will rise": a date a past reporting verb governs is past, whatever the
# tense of the clause it introduces
_PAST_VERB_BEFORE = re.compile(
    r"\b(?:said|announced|told\s+\w+|reported|confirmed|revealed|stated|decided|approved|agreed|voted|"
    r"published|wrote|added|warned|declared|pledged|promised)\s+(?:(?:on|in|at|early|late|last)\s+){0,2}$", re.I)
_UNIT_AFTER = re.compile(r"\s?(?:km|kilometers|kilometres|m|meters|metres|miles|people|troops|yen|won|dollars|tons|tonnes)\b", re.I)


class DateError(ValueError):
    """A date expression could not be resolved."""


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    value: DateValue


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(0, start - 300)
    cut = max((m.end() for m in _SENTENCE_END.finditer(text, left, start)), default=left)
    after = _SENTENCE_END.search(text, end, min(len(text), end + 300))
    return cut, after.start() if after else min(len(text), end + 300)


_CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:that|when|because|although|while|whereas|but)\b", re.I)


def _clause_around(text: str, start: int, end: int) -> str:
    """The clause that holds a date, whose tense is the date's: "charges will rise from April, after the
    board approved the tariff on 12 February" puts April in the future and 12 February in the past. A
    clause of one or two words besides the date ("On 12 March, the council will vote") is the sentence."""
    if end > start and text[end - 1] == ".":
        end -= 1  # a match may take the full stop after it ("on 12 February."): the sentence ends there
    lo, hi = _sentence_bounds(text, start, end)
    left, right = text[lo:start], text[end:hi]
    cut = max((b.end() for b in _CLAUSE_BREAK.finditer(left)), default=0)
    stop = _CLAUSE_BREAK.search(right)
    clause = left[cut:] + " " + (right[:stop.start()] if stop else right)
    sentence = text[lo:hi]
    return clause if len(clause.split()) > 2 else sentence


def _infer_year(period: tuple[date, date], as_of: date, future: bool) -> tuple[date, date]:
    """Move a period placed in the as-of year to the sensible occurrence (see the module rule)."""
    start, end = period
    if future and end < as_of:
        shift = 1
    elif not future and start > as_of:
        shift = -1
    else:
        return period

    def move(d: date) -> date:
        year = d.year + shift
        return date(year, d.month, min(d.day, calendar.monthrange(year, d.month)[1]))

    return move(start), move(end)


def _relative(what: str, as_of: date) -> tuple[date, date, str]:
    w = " ".join(what.lower().split())
    if w in ("today",):
        return as_of, as_of, "day"
    if w == "yesterday":
        d = as_of - timedelta(days=1)
        return d, d, "day"
    if w == "tomorrow":
        d = as_of + timedelta(days=1)
        return d, d, "day"
    if w == "a year ago":
        y = as_of.year - 1
        return date(y, 1, 1), date(y, 12, 31), "year"
    unit = w.split()[-1]
    offset = {"last": -1, "past": -1, "this": 0, "next": 1, "earlier": 0, "later": 0}[w.split()[0]]
    if unit == "year":
        y = as_of.year + offset
        return date(y, 1, 1), date(y, 12, 31), "year"
    if unit == "month":
        month_index = as_of.year * 12 + as_of.month - 1 + offset
        y, m = divmod(month_index, 12)
        return date(y, m + 1, 1), _month_end(y, m + 1), "month"
    monday = as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=offset)
    return monday, monday + timedelta(days=6), "range"


def _resolve(kind: str, m: re.Match[str], g: dict[str, str | None], text: str,
             as_of: date) -> tuple[date, date, str, bool] | None:
    """(start, end, granularity, relative) of a match, or None when it is not a valid date."""
    future = (bool(_FUTURE.search(_clause_around(text, m.start(), m.end())))
              and not _PAST_VERB_BEFORE.search(text, max(0, m.start() - 60), m.start()))
    if kind == "iso":
        d = date(int(g["y"]), int(g["m"]), int(g["d"]))
        return d, d, "day", False
    if kind in ("month_day", "day_month"):
        month = MONTHS[g["month"].rstrip(".").lower()]
        day, day2 = int(g["day"]), int(g["day2"]) if g.get("day2") else None
        year = int(g["year"]) if g.get("year") else as_of.year
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last or (day2 is not None and not day < day2 <= last):
            return None
        period = (date(year, month, day), date(year, month, day2 or day))
        if g.get("year"):
            return period[0], period[1], "range" if day2 else "day", False
        start, end = _infer_year(period, as_of, future)
        return start, end, "range" if day2 else "day", True
    if kind in ("month_year", "month"):
        month = MONTHS[g["month"].rstrip(".").lower()]
        year = int(g["year"]) if g.get("year") else as_of.year
        first, last = 1, calendar.monthrange(year, month)[1]
        if g.get("part"):
            lo, hi = PART_OF_MONTH[" ".join(g["part"].lower().split())]
            first, last = lo, min(hi, last)
        period = (date(year, month, first), date(year, month, last))
        granularity = "range" if g.get("part") else "month"
        if g.get("year"):
            return period[0], period[1], granularity, False
        start, end = _infer_year(period, as_of, future)
        return start, end, granularity, True
    if kind == "season":
        lo, hi = SEASONS[g["season"].lower()]
        rel = (g.get("rel") or "").lower()
        year = int(g["year"]) if g.get("year") else as_of.year + {"last": -1, "next": 1}.get(rel, 0)
        end_year = year + 1 if lo > hi else year
        period = (date(year, lo, 1), _month_end(end_year, hi))
        if g.get("year") or rel in ("last", "next", "this"):
            return period[0], period[1], "season", not g.get("year")
        start, end = _infer_year(period, as_of, future)
        return start, end, "season", True
    if kind == "decade":
        year = int(g["year"])
        if year % 10:
            return None
        lo, hi = year, year + 9
        if g.get("part"):
            third = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}.get(g["part"].lower().split()[-1], (0, 9))
            lo, hi = year + third[0], year + third[1]
        return date(lo, 1, 1), date(hi, 12, 31), "range", False
    if kind == "relative":
        start, end, granularity = _relative(g["what"], as_of)
        return start, end, granularity, True
    if kind == "quarter":
        number = int(g["qn"]) if g.get("qn") else QUARTERS[g["qw"].lower()]
        written_year = g.get("year") or g.get("qyear")
        year = int(written_year) if written_year else as_of.year
        period = (date(year, 3 * number - 2, 1), _month_end(year, 3 * number))
        if written_year:
            return period[0], period[1], "range", False
        start, end = _infer_year(period, as_of, future)
        return start, end, "range", True
    if kind == "year_range":
        y1, y2 = int(g["y1"]), int(g["y2"])
        if y2 <= y1:
            return None
        return date(y1, 1, 1), date(y2, 12, 31), "range", False
    if kind == "weekday":  # "on Tuesday": the last such day up to as_of, or the next one in a future clause
        weekday = WEEKDAYS.index(g["wd"].lower())
        if future:
            d = as_of + timedelta(days=(weekday - as_of.weekday()) % 7)
        else:
            d = as_of - timedelta(days=(as_of.weekday() - weekday) % 7)
        return d, d, "day", True
    if kind == "year":
        if _UNIT_AFTER.match(text, m.end()):
            return None  # "2000 km": a quantity
        year = int(g["year"])
        lo, hi = 1, 12
        if g.get("part"):
            lo, hi = PART_OF_YEAR[" ".join(g["part"].lower().split())]
        return date(year, lo, 1), _month_end(year, hi), "range" if g.get("part") else "year", False
    raise DateError(f"unknown date pattern kind {kind!r}")


def _value(kind: str, m: re.Match[str], prefix: re.Match[str] | None, text: str,
           as_of: date) -> DateValue | None:
    g: dict[str, str | None] = dict(m.groupdict())
    g["prep"] = prefix.group("prep") if prefix else None
    g["part"] = prefix.group("part") if prefix and kind in _TAKES_PART else None
    resolved = _resolve(kind, m, g, text, as_of)
    if resolved is None:
        return None
    start, end, granularity, relative = resolved
    prep = (g["prep"] or "").lower()
    relation = RELATIONS.get(" ".join(prep.split()), "on")
    if relation == "since":
        end = max(as_of, start)
        granularity = "open"
    return DateValue(start=start, end=end, granularity=granularity, relation=relation, relative=relative)


def find_dates(text: str, as_of: date) -> list[DateMatch]:
    """Every date or period in `text`, resolved against `as_of`, in text order, without overlaps."""
    if not text:
        return []
    found: list[DateMatch] = []
    for order, (kind, pattern) in enumerate(_PATTERNS):
        for m in pattern.finditer(text):
            prefix = None
            if kind != "relative":
                prefix = _PREFIX.search(text, max(0, m.start() - 24), m.start())
                if prefix is not None and not (prefix.group("prep") or prefix.group("part")):
                    prefix = None
                if prefix is not None and prefix.group("part") and kind not in _TAKES_PART:
                    prefix = None  # "early" before a full date frames nothing here
            try:
                value = _value(kind, m, prefix, text, as_of)
            except ValueError:
                continue  # impossible dates such as 2025-02-30
            if value is not None:
                start = prefix.start() if prefix is not None else m.start()
                end = m.end() - 1 if text[m.end() - 1] == "." else m.end()
                found.append(DateMatch(start, end, value))
    return _year_from_range_end(text, longest_non_overlapping(found))


_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|to|until|till|through|and)\s*", re.IGNORECASE)
_DAY_AND_MONTH = tuple(pattern for kind, pattern in _PATTERNS if kind in ("month_day", "day_month"))


def _year_from_range_end(text: str, matches: list[DateMatch]) -> list[DateMatch]:
    """ "from June 15 to August 18, 2009": the first date takes the year written once, at the range's end."""
    out = list(matches)
    for i, (first, second) in enumerate(zip(matches, matches[1:])):
        a, b = first.value, second.value
        if not a.relative or b.relative or a.granularity not in ("day", "range") or b.granularity not in ("day", "range"):
            continue
        if not _RANGE_JOIN.fullmatch(text, first.end, second.start) or re.search(r"\d{4}", text[first.start:first.end]):
            continue
        if not any((m := p.search(text, first.start, first.end)) and m.end() >= first.end for p in _DAY_AND_MONTH):
            continue  # "yesterday to March 3, 2020" is not a range written with one year
        year = b.start.year if (a.start.month, a.start.day) <= (b.start.month, b.start.day) else b.start.year - 1
        try:
            value = a.model_copy(update={"start": a.start.replace(year=year), "end": a.end.replace(year=year),
                                         "relative": False})
        except ValueError:
            continue  # 29 February in a year without one
        out[i] = DateMatch(first.start, first.end, value)
    return out
