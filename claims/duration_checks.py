"""Dates of a draft that do not fit a duration it states ("began on March 3, ended ten days later on March 15")."""
from __future__ import annotations

import re
from datetime import date

from claims.models import Claim, Flag
from claims.lexicon import WORD_NUMBERS, parse_number
from claims.value_checks import NUM, format_number

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
_OWN_START = re.compile(r"(?:from|between)\s", re.IGNORECASE)
UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}
DAY_TOLERANCE = {"day": 1, "week": 3, "month": 16, "year": 183}  # counting inclusively, or loosely


def _duration_value(word: str) -> float | None:
    word = word.lower()
    if word in ("a", "an"):
        return 1.0
    return parse_number(word)


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


def duration_flags(text: str, claims: list[Claim]) -> list[Flag]:
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
        shown = f"{format_number(elapsed)} {unit}{'' if elapsed == 1 else 's'}"
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
    starts = [c for c in sentence if _START_CUE.search(text, max(c.sentence_start, c.start - 45), c.start)
              or _OWN_START.match(c.text)]  # "for 10 weeks, from 5 May to 27 June": "from" is the date's own
    ends = [c for c in sentence if _END_CUE.search(text, max(c.sentence_start, c.start - 45), c.start)
            and c not in starts]
    if len(starts) == 1 and len(ends) == 1 and len(list(_DURATION.finditer(text, sentence[0].sentence_start,
                                                                          sentence[0].sentence_end))) == 1:
        return starts[0], ends[0]
    return None
