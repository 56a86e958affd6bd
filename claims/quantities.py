"""Quantity grammar: numbers with their qualifier, currency, scale, unit or counted noun.

`find_quantities(text)` returns every number stated as a fact ("about 40 billion yen", "28,500 U.S.
troops", "a 1% increase", "up 1 point", "5,500-6,000 m", "five times", "second-largest consumer"),
normalised into `claims.models.Quantity`. Years, dates, list labels, page furniture ("3 min read"),
numbers inside names ("G20", "F-35") and IDs in URLs are left out. All patterns are linear-time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from claims.lexicon import (DIGITS, ORDINALS, QUALIFIER_PHRASES, RANK_QUALIFIERS, SCALE_NAMES, SCALES,
                            WORD_NUMBERS, parse_number, stem)
from claims.models import Quantity
from claims.spans import longest_non_overlapping

CURRENCY_SYMBOLS = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "₹": "INR",
                    "RMB": "CNY", "CN¥": "CNY"}
CURRENCY_WORDS = {
    "yen": "JPY", "won": "KRW", "dollars": "USD", "dollar": "USD", "us dollars": "USD", "u.s. dollars": "USD",
    "euros": "EUR", "euro": "EUR", "pounds": "GBP", "yuan": "CNY", "rmb": "CNY", "renminbi": "CNY",
    "rupees": "INR", "rupee": "INR", "roubles": "RUB", "rubles": "RUB",
}
UNITS = {
    "km": "km", "kilometers": "km", "kilometres": "km", "kilometer": "km", "kilometre": "km",
    "m": "m", "meters": "m", "metres": "m", "meter": "m", "metre": "m",
    "cm": "cm", "mm": "mm", "mi": "mi", "miles": "mi", "mile": "mi", "ft": "ft", "feet": "ft", "foot": "ft",
    "kg": "kg", "kilograms": "kg", "tonnes": "t", "tons": "t", "tonne": "t", "ton": "t",
    "yards": "yd", "yard": "yd", "inches": "in", "inch": "in", "hectares": "ha", "ha": "ha",
    "square kilometers": "km2", "square kilometres": "km2", "km2": "km2",
    "°c": "degC", "° c": "degC", "degrees celsius": "degC", "°f": "degF", "° f": "degF",
    "degrees fahrenheit": "degF", "degrees": "deg", "°": "deg", "ppm": "ppm", "ppb": "ppb",
    "gigatonnes": "Gt", "gt": "Gt", "megatonnes": "Mt", "kw": "kW", "kwh": "kWh", "twh": "TWh", "gwh": "GWh",
    "percent": "percent", "per cent": "percent", "%": "percent",
    "basis points": "basis_point", "basis point": "basis_point", "bps": "basis_point", "bp": "basis_point",
    "percentage points": "percentage_point", "percentage point": "percentage_point", "pp": "percentage_point",
    "times": "times", "fold": "times", "years": "year", "months": "month", "weeks": "week", "days": "day",
    "hours": "hour", "minutes": "minute", "year": "year", "month": "month", "week": "week", "day": "day",
    "hour": "hour", "gw": "GW", "mw": "MW", "barrels": "barrels",
}
QUALIFIERS = QUALIFIER_PHRASES  # the qualifiers the grammar attaches, with their meaning in claims.lexicon
CHANGE_WORDS = {
    "increase": "increase", "rise": "increase", "gain": "increase", "jump": "increase", "growth": "increase",
    "hike": "increase", "surge": "increase", "decrease": "decrease", "drop": "decrease", "fall": "decrease",
    "decline": "decrease", "cut": "decrease", "reduction": "decrease", "up": "increase", "down": "decrease",
}
PERIODS = {"year": "year", "annum": "year", "month": "month", "week": "week", "day": "day", "quarter": "quarter"}
# Nouns counted by a number that are about the article itself, not the world.
SELF_NOUNS = frozenset(
    "points point things reasons ways steps questions lessons takeaways tips facts items sections parts chapters "
    "paragraphs pages slides min mins minute read".split()
)
# Words that cannot be the counted noun.
NOT_NOUNS = frozenset(
    """a an the of and or but to in on at by for from with as is are was were be been has have had will would
    can could may might should than that this these those it its which who whom whose what when where while
    since until after before during per each every via into onto over under about around nearly almost more
    less up down out off not no so if then also only just yet still percent times ago later earlier last next
    s""".split()
)

_NUM_DIGITS = DIGITS + r"|\.\d+"
_WORD_NUM_ALT = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS if " " not in w), key=len, reverse=True))
_QUAL_ALT = "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True))
_SCALE_ALT = "|".join(w for w in SCALES if w != "k")  # "5k" is read as a unit-less 5 with a letter
_CURRENCY_WORD_ALT = "|".join(re.escape(w) for w in sorted(CURRENCY_WORDS, key=len, reverse=True))
_UNIT_ALT = "|".join(re.escape(u) for u in sorted((u for u in UNITS if u != "%"), key=len, reverse=True))
_CHANGE_ALT = "increase|rise|gain|jump|growth|hike|surge|decrease|drop|fall|decline|cut|reduction"

_NUMBER_CORE = (
    rf"(?:(?P<cur>US\$|CN¥|RMB|[$€£¥₩₹])\s?)?"
    rf"(?P<neg>[-−](?=\d))?(?P<num>{_NUM_DIGITS})"
    rf"(?:\s?(?:-|–|—|to)\s?(?P<cur2>[$€£¥₩₹])?(?P<num2>{_NUM_DIGITS}))?"
)
_QUANTITY = re.compile(
    rf"(?<![\w.,/#@+\-–'’:])"
    rf"(?:(?P<between>between)\s+(?=[$€£¥₩₹]?\d[\d,.]*\s+and\s))?"
    rf"{_NUMBER_CORE}"
    rf"(?:(?(between)\s+and\s+(?P<num3>{_NUM_DIGITS})|))"
    rf"(?:(?P<sfx>st|nd|rd|th)\b)?"
    rf"(?:\s?(?P<scale>(?i:{_SCALE_ALT}))\b)?"
    rf"(?:\s?(?P<pct>%|(?i:per\s?cent(?:age\s+points?)?\b|percentage\s+points?\b)))?"
    rf"(?:[\s-]?(?P<unit>(?i:{_UNIT_ALT}))(?![A-Za-z0-9]))?"
    rf"(?:\s(?P<curw>(?i:{_CURRENCY_WORD_ALT}))\b)?"
)
_WORD_QUANTITY = re.compile(
    rf"\b(?P<a>a\s)?(?P<word>(?i:{_WORD_NUM_ALT}))(?:-(?P<word2>(?i:one|two|three|four|five|six|seven|eight|nine)))?\b"
    rf"(?:\s(?P<scale>(?i:hundred|thousand|million|billion|trillion))\b)?"
)
_QUALIFIER_BEFORE = re.compile(rf"(?i:\b(?P<q>{_QUAL_ALT})\s+(?:(?:a|an)\s+)?)$")
_CHANGE_PREFIX = re.compile(r"(?i:\b(?P<c>up|down)\s+(?:by\s+)?)$")
_ARTICLE_BEFORE = re.compile(r"(?i:\b(?:a|an)\s)$")
_CHANGE_AFTER = re.compile(rf"\s(?P<c>(?i:{_CHANGE_ALT}))\b")
_PER_AFTER = re.compile(r"\s?(?:(?:a|an|per|each|every)\s+(?P<p>year|annum|month|week|day|quarter)\b|/(?P<p2>year|yr|month|day)\b|\s?(?P<p3>annually|yearly|monthly|daily)\b)", re.I)
_PER_BEFORE = re.compile(r"(?i:\b(?P<p>yearly|annual|monthly|daily|weekly)\s+(?:\w+\s+){0,2}(?:of|at)\s+)$")
_OF_NOUN = re.compile(r"\s+of\s+(?P<noun>(?:[a-z][a-z\-]*\s){0,2}?[a-z][a-z\-]+s)\b")
_NOUN_AFTER = re.compile(
    r"\s(?P<proper>(?:(?:U\.S\.|U\.K\.|E\.U\.|[A-Z][A-Za-z\-]+)\s){0,2})(?P<words>[a-z][a-z\-]*(?:\s[a-z][a-z\-]*){0,2})"
)
IRREGULAR_PLURALS = frozenset("people children men women police personnel staff cattle fish sheep".split())
_RANK = re.compile(
    rf"\b(?P<ord>(?i:{'|'.join(ORDINALS)})|\d+(?:st|nd|rd|th))[-\s](?P<sup>(?:largest|biggest|highest|lowest|"
    rf"smallest|most|least|fastest|richest|poorest|busiest|longest|oldest)\b(?:\s[a-z]+)?)"
)
_RANK_QUALIFIER_BEFORE = re.compile(  # "above the 5th largest": a place, compared (claims.lexicon.RANK_QUALIFIERS)
    rf"(?i:\b(?P<q>{'|'.join(re.escape(q) for q in sorted(RANK_QUALIFIERS, key=len, reverse=True))})\s+(?:the\s+)?)$")
_DURATION = re.compile(
    rf"(?<![\w-])(?P<n>(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several)|\d+(?:\.\d+)?)\s"
    r"(?P<unit>(?i:day|week|month|year|decade|hour)s?)(?=\s(?i:after|before|later|earlier|ago)\b)"
)
_POINT_UNIT = re.compile(r"\s(?P<pt>points?|pts?)\b", re.I)
_MONTH_BEFORE = re.compile(
    r"(?i:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*)$"
)
_MONTH_AFTER = re.compile(
    r"\s*(?:of\s+)?(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
_LIST_LABEL_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:[-*•►]\s*)?$")
_FURNITURE_AFTER = re.compile(r"\s*(?:-\s*)?(?:min(?:ute)?s?\s+read|comments?|shares?|views?|likes?)\b", re.I)
_CAPITALISED_BEFORE = re.compile(r"(?<![\w&/.])(?P<word>[A-Z][A-Za-z&/]*[A-Za-z])\s(?:of\s)?$")  # "Article 9"
SENTENCE_WORDS = frozenset("""But And About Only Some The In On At By For From With Of Over Under Nearly Almost Around
    Roughly More Less Just Another All Of Since After Before During Until Then Now Today Yesterday Last This
    That These Those Its Their Our His Her Some Just Exactly Only""".split())
_AGE_OR_PHONE = re.compile(r"(?:[A-Z][a-z]+,\s$)|(?:\d[ .]$)")
_NUMBER_AFTER = re.compile(r"[ .]\d")
_CAPITALISED_AFTER = re.compile(r"[ \t][A-Z][a-z]")
_VERB_CHANGE_BEFORE = re.compile(
    r"(?i:\b(?:(?P<up>rose|grew|climbed|jumped|gained|increased|surged|soared|rallied|rises?|grows?|climbs?|"
    r"increases?)|(?P<down>fell|dropped|declined|decreased|slid|slipped|plunged|lost|shrank|sank|tumbled|falls?|"
    r"drops?|declines?|decreases?|shrinks?))\s+(?:by\s+)?)$")
_MOTION_VERB_BEFORE = re.compile(
    r"(?i:\b(?:edges?|edged|moved?|moves|went|goes|rose|rises|climbed|climbs|jumped|jumps|crept|creeps|ticked|"
    r"ticks|inched|inches|shot|soared|soars)\s)$")
_CHANGE_OF_BEFORE = re.compile(rf"(?i:\b(?P<c>{_CHANGE_ALT})\s+of\s+)$")
_YEAR_LIKE = re.compile(r"(?:1[5-9]|20|21)\d\d$")
_CONTEXT = 200
_DETERMINER_BEFORE = re.compile(r"(?i:\b(?:the|its|our|their|his|her|these|those|other|both|all|my|your)\s)$")


# Units whose figure a change verb before it makes a change ("fell 4.5%", "rose by 12,000", "down 120 points");
# None: counts and money. Lengths, durations and multiples keep their level reading ("grew 3 metres" is rare).
CHANGING_UNITS = ("percent", "percentage_point", "basis_point", "point", None)
_FRACTIONS = {"half": 50.0, "third": 100 / 3, "thirds": 100 / 3, "quarter": 25.0, "quarters": 25.0,
              "fifth": 20.0, "fifths": 20.0, "tenth": 10.0, "tenths": 10.0}
_NUMERATORS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}
# "a quarter of", "three-quarters", "two thirds of", "half of": a share, read as a percentage
_FRACTION = re.compile(
    r"\b(?:(?P<n>(?i:a|one|two|three|four))[\s-](?P<f>(?i:half|thirds?|quarters?|fifths?|tenths?))|"
    r"(?P<half>(?i:half))(?=\s+of\b))\b")
# "one in five", "2 in 3", "three out of four": a share, read as a percentage
_ONE_IN = re.compile(
    r"\b(?P<n>(?i:one|two|three|four|five|six|seven|eight|nine)|\d{1,2})\s+(?i:in|out\s+of)\s+"
    r"(?P<d>(?i:two|three|four|five|six|seven|eight|nine|ten|twenty|hundred)|\d{1,3})\b")
# "doubled", "roughly tripled", "double the year before", "triple its": a multiple of an earlier figure
_MULTIPLE_VERB = re.compile(r"\b(?P<v>(?i:doubled|tripled|trebled|quadrupled|halved))\b")
_MULTIPLE_WORD = re.compile(r"\b(?P<v>(?i:double|triple|treble))(?=\s+(?:the|its|their|that|what)\b)")
_MULTIPLES = {"doubled": 2.0, "double": 2.0, "tripled": 3.0, "trebled": 3.0, "triple": 3.0, "treble": 3.0,
              "quadrupled": 4.0, "halved": 0.5}
# "ranks third", "ranked second among": a place, like "third-largest"
_RANK_VERB = re.compile(rf"\b(?i:rank(?:s|ed)?|placed|came|finished)\s+(?P<ord>(?i:{'|'.join(ORDINALS)}))\b")
# "from 2,400 to 610", "by 12,000 to 2.98 million": two figures, not a range
_RANGE_IS_CHANGE_BEFORE = re.compile(
    r"(?i:\b(?:by|(?:rose|grew|climbed|jumped|increased|fell|dropped|declined|decreased|shrank|went|moved|"
    r"cut|reduced|raised)\s+(?:\w+\s+){0,2}?from|\w+\s+from)\s+)$")


def family(q: Quantity) -> tuple[str, str]:
    """What a figure is measured in: its currency, else its unit ("" for a bare count); only figures of one
    family compare."""
    return ("currency", q.currency) if q.currency else ("unit", (q.unit or "").lower())


def noun_head(noun: str | None) -> str | None:
    """The stemmed last word of a counted noun ("U.S. troops" -> "troop"), the thing a count is of."""
    if not noun:
        return None
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", noun)]
    return stem(words[-1].lower()) if words else None


class QuantityError(ValueError):
    """A number could not be parsed."""


@dataclass(frozen=True)
class QuantityMatch:
    start: int
    end: int
    quantity: Quantity


def _num(s: str) -> float:
    value = parse_number(s)
    if value is None:
        raise QuantityError(f"not a number: {s!r}")
    return value


def _percent_context(text: str, start: int) -> bool:
    window = text[max(0, start - _CONTEXT):start]
    return "%" in window or "percent" in window.lower()


def _noun_after(text: str, end: int) -> tuple[str | None, int]:
    """The counted noun right after a number ("U.S. troops", "people"), with the end of the span.

    Up to three lower-case words are read; the noun ends at the first plural-looking word, else it is
    the first word. Function words stop the noun.
    """
    m = _NOUN_AFTER.match(text, end)
    if not m:
        return None, end
    words: list[str] = []
    for word in m.group("words").split():
        if word in NOT_NOUNS:
            break
        words.append(word)
    if not words:
        return None, end
    plural_at = next((i for i, w in enumerate(words) if w in IRREGULAR_PLURALS or (w.endswith("s") and not w.endswith(("ss", "us")))), None)
    if plural_at is None and words[0].endswith("ed"):
        return None, end  # "20 met", "12 signed": a verb, not a counted noun
    words = words[:plural_at + 1] if plural_at is not None else words[:1]
    noun = (m.group("proper") + " ".join(words)).strip()
    if noun.split()[0].lower() in SELF_NOUNS:
        return None, end
    return noun, m.start("proper") + len(noun)


def _changed(text: str, start: int) -> bool:
    """Whether a change verb or "up"/"down" comes right before `start` ("fell 120", "down 120")."""
    q_start = _qualifier(text, start)[1]
    window = max(0, q_start - 16)
    return bool(_VERB_CHANGE_BEFORE.search(text, window, q_start) or _CHANGE_PREFIX.search(text, window, q_start))


_NEXT_LIST_ENTRY = re.compile(r",\s(?:[A-Z][\w'’]*\s){1,3}\d")
_LIST_ENTRY = re.compile(r"(?P<name>(?:[A-Z][\w'’]*\s){1,3})\d+(?=,|\.|;|\s+and\b|$)")
_PREVIOUS_LIST_ENTRY = re.compile(r"\d,\s(?:[A-Z][\w'’]*\s){1,3}$")


def _in_name_list(text: str, start: int, end: int) -> bool:
    """Whether a number after a name is one entry of a list of names with figures ("Social Party 24, Liberal
    Union 15, ..."): a result, not part of the name as in "Article 9"."""
    if not (_NEXT_LIST_ENTRY.match(text, end) or _PREVIOUS_LIST_ENTRY.search(text, max(0, start - 40), start)):
        return False
    window = text[max(0, start - 200):end + 200]
    names = {m.group("name").split()[0] for m in _LIST_ENTRY.finditer(window)}
    return len(names) >= 3  # three different names with figures; "Article 9, Article 10" is one name twice


def _self_noun_follows(text: str, end: int) -> bool:
    """Whether the number counts the article's own parts ("seven points to note", "3 min read")."""
    m = _NOUN_AFTER.match(text, end)
    return bool(m) and not m.group("proper") and m.group("words").split()[0] in SELF_NOUNS


def _qualifier(text: str, start: int) -> tuple[str | None, int]:
    m = _QUALIFIER_BEFORE.search(text, max(0, start - 30), start)
    if not m:
        return None, start
    return m.group("q").lower(), m.start()


def _per(text: str, start: int, end: int) -> tuple[str | None, int]:
    m = _PER_AFTER.match(text, end)
    if m:
        word = (m.group("p") or m.group("p2") or m.group("p3")).lower()
        word = {"yr": "year", "annually": "year", "yearly": "year", "monthly": "month", "daily": "day"}.get(word, word)
        return PERIODS.get(word, word), m.end()
    m = _PER_BEFORE.search(text, max(0, start - 60), start)
    if m:
        word = m.group("p").lower()
        return {"yearly": "year", "annual": "year", "monthly": "month", "daily": "day", "weekly": "week"}[word], end
    return None, end


def _is_excluded_number(text: str, m: re.Match[str]) -> bool:
    """Dates, list labels, furniture, names and IDs that the number grammar must not report."""
    start, num_end = m.start(), m.end("num")
    if m.group("sfx"):
        return True  # ordinals: "12th", "March 31st"
    if _MONTH_BEFORE.search(text, max(0, start - 12), start) or _MONTH_AFTER.match(text, m.end()):
        return True  # "November 21-23", "7 November"
    if text[num_end:num_end + 1] == "." and _LIST_LABEL_BEFORE.search(text, max(0, start - 8), start):
        return True  # "1. Introduction"
    if _FURNITURE_AFTER.match(text, m.end()):
        return True
    last_digit_end = m.end("num3") if m.group("num3") else m.end("num2") if m.group("num2") else num_end
    next_char = text[last_digit_end:last_digit_end + 1]
    attached = [m.start(g) for g in ("sfx", "scale", "pct", "unit") if m.group(g)]
    if next_char.isalpha() and last_digit_end not in attached:
        return True  # "5G", "3D": part of a name
    if text[num_end:num_end + 1] in ("-", "–") and text[num_end + 1:num_end + 2].isdigit() and m.group("num2") is None:
        return True  # phone numbers and IDs: "555-1234-99"
    if text[num_end:num_end + 1] == ":" and text[num_end + 1:num_end + 2].isdigit():
        return True  # clock times: "12:00"
    if text[start - 1:start] == "(" and text[m.end():m.end() + 1] == ")" and m.end() - start <= 3:
        return True  # equation and list references: "(1)"
    return False


def _build(text: str, m: re.Match[str]) -> QuantityMatch | None:
    if _is_excluded_number(text, m):
        return None
    start, end = m.start(), m.end()
    raw, raw2 = m.group("num"), m.group("num2") or m.group("num3")
    symbol = (m.group("cur") or m.group("cur2") or "").strip()
    currency = CURRENCY_SYMBOLS.get(symbol) if symbol else None
    scale_word = m.group("scale")
    scale = SCALES[scale_word.lower()] if scale_word else 1.0
    scale_name = SCALE_NAMES.get(scale_word.lower(), scale_word.lower()) if scale_word else None
    unit: str | None = None
    if m.group("pct"):
        unit = "percentage_point" if "point" in m.group("pct").lower() else "percent"
    if m.group("unit"):
        unit_word = m.group("unit").lower()
        if unit_word == "m" and (currency or scale_word):
            scale, scale_name = 1e6, "million"  # "$5m"
        elif unit is None:
            unit = UNITS[unit_word]
    if m.group("curw"):
        word = m.group("curw").lower()
        if word == "won" and not (scale_word or currency or parse_number(raw) >= 1000):
            end = m.end("curw") - len(m.group("curw")) - 1  # "he won": a verb, not the currency
        else:
            currency = CURRENCY_WORDS[word]
    end = max(end, m.end("unit") if m.group("unit") else 0, m.end("pct") if m.group("pct") else 0)
    end = max(end, m.end("scale") if m.group("scale") else 0)
    if m.group("curw") and currency and currency == CURRENCY_WORDS.get(m.group("curw").lower()):
        end = max(end, m.end("curw"))
    while end > start and text[end - 1].isspace():
        end -= 1
    value = _num(raw) * scale * (-1 if m.group("neg") else 1)
    low = high = None
    if raw2 is not None:
        low, high = value, _num(raw2) * scale
        if high < low:
            return None
        value = (low + high) / 2
    bare = not (currency or unit or scale_word)
    if bare and raw2 is None and "," not in raw and "." not in raw and _YEAR_LIKE.match(raw):
        return None  # a year: the date grammar reports it
    if bare and raw2 is not None and _YEAR_LIKE.match(raw) and _YEAR_LIKE.match(raw2):
        return None  # "2019-2021"
    return _finish(text, start, end, value, low, high, unit, currency, scale_name, bare)


def _finish(text: str, start: int, end: int, value: float, low: float | None, high: float | None,
            unit: str | None, currency: str | None, scale_name: str | None, bare: bool) -> QuantityMatch | None:
    """Read what surrounds a number (noun, qualifier, change, period) and check it is a claim at all."""
    change = None
    noun = None
    if unit is None:
        pt = _POINT_UNIT.match(text, end)
        if pt and _percent_context(text, start):
            unit, end = "percentage_point", pt.end()
    if bare and unit is None and not _QUALIFIER_BEFORE.search(text, max(0, start - 30), start):
        name_before = _CAPITALISED_BEFORE.search(text, max(0, start - 30), start)
        if name_before and name_before.group("word") not in SENTENCE_WORDS and not _in_name_list(text, start, end):
            return None  # "Article 9", "Group of 20", "Boeing 737"
        if _AGE_OR_PHONE.search(text, max(0, start - 40), start) or _NUMBER_AFTER.match(text, end):
            return None  # "Okafor, 52, said", "+1 202 555 0143"
        if _CAPITALISED_AFTER.match(text, end) and not _noun_after(text, end)[0]:
            return None  # "the film 8 Seconds": part of a title
    if unit is None and currency is None:
        pt = _POINT_UNIT.match(text, end)
        if pt and _changed(text, start):
            unit, end = "point", pt.end()  # "fell 120 points": index points, a change
    if unit is None and currency is None:
        if _self_noun_follows(text, end):
            return None
        noun, end = _noun_after(text, end)
    elif unit == "percent":
        of_noun = _OF_NOUN.match(text, end)
        if of_noun and not any(w in NOT_NOUNS for w in of_noun.group("noun").split()):
            noun, end = of_noun.group("noun"), of_noun.end()
    qualifier, q_start = _qualifier(text, start)
    if qualifier == "up to" and _MOTION_VERB_BEFORE.search(text, max(0, q_start - 10), q_start):
        qualifier, q_start, change = None, start, "increase"  # "edged up to 72%": a change, not a ceiling
    change_prefix = _CHANGE_PREFIX.search(text, max(0, q_start - 12), q_start)
    if change_prefix and unit in ("percent", "percentage_point", "point", None):
        change = CHANGE_WORDS[change_prefix.group("c").lower()]
        q_start = change_prefix.start()
    verb = _VERB_CHANGE_BEFORE.search(text, max(0, q_start - 16), q_start)
    if verb and change is None and unit in CHANGING_UNITS:
        change = "increase" if verb.group("up") else "decrease"  # "shares fell 4.5%", "rose by 12,000"
    change_of = _CHANGE_OF_BEFORE.search(text, max(0, q_start - 16), q_start)
    if change_of and change is None and unit in CHANGING_UNITS:
        change = CHANGE_WORDS[change_of.group("c").lower()]  # "an increase of 8.3%", "an increase of 21,000"
    change_after = _CHANGE_AFTER.match(text, end)
    if change_after and change is None and unit in ("percent", "percentage_point", "times"):
        change = CHANGE_WORDS[change_after.group("c").lower()]
        end = change_after.end()
        article = _ARTICLE_BEFORE.search(text, max(0, q_start - 3), q_start)
        if article and qualifier is None:
            q_start = article.start()
    per, end = _per(text, start, end)
    quantity = Quantity(value=value, low=low, high=high, unit=unit, currency=currency, scale=scale_name,
                        qualifier=qualifier, noun=noun, change=change, per=per)
    return QuantityMatch(q_start, end, quantity)


def _word_matches(text: str) -> list[QuantityMatch]:
    out = []
    for m in _WORD_QUANTITY.finditer(text):
        word = m.group("word").lower()
        if word in ("one", "zero", "half", "double", "triple"):
            continue  # "one of", "one China policy": too ambiguous to count as a fact
        if _DETERMINER_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue  # "the three countries", "its two neighbours": a reference, not a count
        base = WORD_NUMBERS[word]
        if m.group("word2"):
            base += WORD_NUMBERS[m.group("word2").lower()]
        scale_word = m.group("scale")
        value = base * (SCALES.get(scale_word.lower(), 100.0) if scale_word else 1.0)
        start, end = m.start("word"), m.end()
        if m.group("a") and word in ("dozen", "hundred", "thousand", "million", "billion"):
            start = m.start()
        if word in ("twice",):
            out.append(QuantityMatch(start, end, Quantity(value=2, unit="times")))
            continue
        unit_m = re.match(r"\s(?P<u>times|fold|percent|per cent)\b", text[end:end + 12], re.I)
        if unit_m:
            unit = UNITS[unit_m.group("u").lower()]
            match = _finish(text, start, end + unit_m.end(), value, None, None, unit, None,
                            scale_word.lower() if scale_word else None, False)
        else:
            if _noun_after(text, end)[0] is None or _self_noun_follows(text, end):
                continue  # a bare written number ("the two of them") states nothing checkable
            match = _finish(text, start, end, value, None, None, None, None,
                            scale_word.lower() if scale_word else None, False)
        if match is not None:
            out.append(match)
    return out


def _rank_matches(text: str) -> list[QuantityMatch]:
    out = []
    for m in _RANK_VERB.finditer(text):  # "ranks third among the country's ports"
        out.append(QuantityMatch(m.start(), m.end(), Quantity(value=float(ORDINALS[m.group("ord").lower()]),
                                                              unit="rank")))
    for m in _RANK.finditer(text):
        raw = m.group("ord").lower()
        rank = ORDINALS.get(raw) or int(re.sub(r"\D", "", raw))
        noun = m.group("sup")
        before = _RANK_QUALIFIER_BEFORE.search(text, max(0, m.start() - 20), m.start())
        qualifier, start = (before.group("q").lower(), before.start()) if before else (None, m.start())
        out.append(QuantityMatch(start, m.end(), Quantity(value=float(rank), unit="rank", noun=noun,
                                                          qualifier=qualifier)))
    return out


def _two_figures(text: str, m: re.Match[str]) -> bool:
    """Whether "X to Y" is a move from one figure to another, not a range: Y below X ("from 2,400 to 610"),
    or "by X to Y" / "rose from X to Y"."""
    if m.group("num2") is None or m.group("between") or not re.match(r"\s?to\s", text[m.end("num"):]):
        return False
    low, high = parse_number(m.group("num")), parse_number(m.group("num2"))
    if low is not None and high is not None and high < low:
        return True
    return bool(_RANGE_IS_CHANGE_BEFORE.search(text, max(0, m.start() - 40), m.start()))


def _split_range(text: str, m: re.Match[str]) -> list[QuantityMatch | None]:
    first = _QUANTITY.match(text, m.start(), m.end("num"))
    second_start = m.start("cur2") if m.group("cur2") else m.start("num2")
    second = _QUANTITY.match(text, second_start)
    return [_build(text, first) if first else None, _build(text, second) if second else None]


def _share_matches(text: str) -> list[QuantityMatch]:
    """Shares in words, as percentages: "a quarter of", "about three-quarters", "one in five operations"."""
    out = []
    for m in _FRACTION.finditer(text):
        if m.group("half"):
            value = 50.0
        else:
            value = _NUMERATORS[m.group("n").lower()] * _FRACTIONS[m.group("f").lower()]
            if m.group("n").lower() in ("a", "an", "one") and m.group("f").lower().endswith("s"):
                continue  # "a thirds": not a share
        if text[max(0, m.start() - 12):m.start()].lower().rstrip().endswith(("first", "second", "third", "fourth",
                                                                             "last", "next", "this", "each")):
            continue  # "the first quarter of 2025": a period
        hyphenated = not m.group("half") and text[m.end("n")] == "-"
        if not (hyphenated or re.match(r"\s+of\b", text[m.end():]) or _changed(text, m.start())):
            continue  # "two quarters in a row": periods, not a share
        match = _finish(text, m.start(), m.end(), round(value, 2), None, None, "percent", None, None, False)
        if match is not None:
            out.append(match)
    for m in _ONE_IN.finditer(text):
        n, d = parse_number(m.group("n")), parse_number(m.group("d"))
        if not n or not d or n >= d:
            continue
        noun, end = _noun_after(text, m.end())
        qualifier, start = _qualifier(text, m.start())
        out.append(QuantityMatch(start, end, Quantity(value=round(100 * n / d, 2), unit="percent", noun=noun,
                                                      qualifier=qualifier)))
    return out


def _multiple_matches(text: str) -> list[QuantityMatch]:
    """Multiples of an earlier figure: "doubled", "roughly tripled", "double the year before"."""
    out = []
    for pattern in (_MULTIPLE_VERB, _MULTIPLE_WORD):
        for m in pattern.finditer(text):
            word = m.group("v").lower()
            value = _MULTIPLES[word]
            qualifier, start = _qualifier(text, m.start())
            change = ("decrease" if value < 1 else "increase") if pattern is _MULTIPLE_VERB else None
            out.append(QuantityMatch(start, m.end(), Quantity(value=value, unit="times", qualifier=qualifier,
                                                              change=change)))
    return out


def _duration_matches(text: str) -> list[QuantityMatch]:
    """Spans of time between events: "barely a week after", "three years later"."""
    out = []
    for m in _DURATION.finditer(text):
        word = m.group("n").lower()
        if word == "several":
            continue
        value = 1.0 if word in ("a", "an") else _num(word)
        unit = m.group("unit").lower().rstrip("s")
        qualifier, start = _qualifier(text, m.start())
        out.append(QuantityMatch(start, m.end(), Quantity(value=value, unit=unit, qualifier=qualifier)))
    return out


def find_quantities(text: str) -> list[QuantityMatch]:
    """Every quantity stated in `text`, in text order, without overlaps (the longest match wins)."""
    if not text:
        return []
    found: list[QuantityMatch] = []
    for m in _QUANTITY.finditer(text):
        parts = _split_range(text, m) if _two_figures(text, m) else [_build(text, m)]
        found.extend(match for match in parts if match is not None)
    found.extend(_share_matches(text))  # before the written counts: "one in five operations" is a share
    found.extend(_multiple_matches(text))
    found.extend(_duration_matches(text))  # before the written counts: "Eight days later" is a duration
    found.extend(_word_matches(text))
    found.extend(_rank_matches(text))
    return longest_non_overlapping(found)
