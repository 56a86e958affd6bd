"""The number and text lexicon of claims/: every qualifier, tolerance, scale, number word and word list, once.

Numbers are read in one place. The quantity grammar (claims.quantities), the comparators (claims.compare),
the draft's own checks (claims.value_checks, claims.duration_checks, claims.cross_draft) and the offline
judge's features (claims.judge) take their vocabularies and their number rules from here, so a qualifier
means the same thing to the extractor that attaches it, the comparator that widens it into an interval,
the consistency check that leaves it alone and the judge that features it.

- qualifiers with their bound semantics (`Qualifier`: lower / upper / approximate / exact / emphasis,
  strict or closed, leaning below or above), `reading(qualifier, unit)` (ranks read comparatives the other
  way round: "above the 5th largest" is 1st to 4th);
- tolerances (`APPROX_TOLERANCE` for evidence, `SLIP_TOLERANCE` for the draft against itself);
- numbers: `WORD_NUMBERS`, `ORDINALS`, `SCALES`, `SCALE_NAMES`, `DIGITS`, `parse_number` (None when not a
  number) and `read_number` (a ValueError when not a number);
- text: `fold` (case and diacritics) and the stopword lists and the stemmer of claims/. Sentences are split by
  `retrieval.chunking.split_sentences` (retrieval cannot import claims; `split_sentences` is re-exported here)
  and keyword search keeps its index terms in retrieval/keyword.py for the same reason.

This module imports nothing from claims/: it is the ground floor.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from retrieval.chunking import split_sentences

__all__ = ["split_sentences"]  # the one sentence splitter; the names below are public too

# --- qualifiers ---------------------------------------------------------------------------------

Bound = Literal["lower", "upper", "approximate", "exact", "emphasis"]


@dataclass(frozen=True)
class Qualifier:
    """What a word before a number does to the values it allows.

    bound: "lower" (more than, at least), "upper" (less than, up to), "approximate" (about), "exact"
    (exactly: no rounding either), "emphasis" (only, as many as: the value as written);
    strict: the bound itself is excluded ("more than 5" is not met by 5); lean: where an approximation
    sits ("nearly 40" is a little under 40: "below"; "just over": "above")."""

    phrase: str
    bound: Bound
    strict: bool = False
    lean: Literal["", "below", "above"] = ""

    @property
    def relation(self) -> str | None:
        """The comparison the qualifier states, as the judge features it: ">", ">=", "<", "<=", "<~"."""
        if self.bound == "lower":
            return ">" if self.strict else ">="
        if self.bound == "upper":
            return "<" if self.strict else "<="
        if self.bound == "approximate" and self.lean == "below":
            return "<~"
        return None


QUALIFIERS: tuple[Qualifier, ...] = (
    *(Qualifier(p, "lower", strict=True) for p in (
        "more than", "over", "above", "exceeding", "upwards of", "greater than", "higher than", "in excess of",
        "well over")),
    *(Qualifier(p, "lower") for p in ("at least", "no fewer than", "no less than", "a minimum of")),
    *(Qualifier(p, "upper", strict=True) for p in ("less than", "under", "below", "fewer than", "lower than")),
    *(Qualifier(p, "upper") for p in ("at most", "up to", "no more than", "a maximum of")),
    *(Qualifier(p, "approximate") for p in (
        "about", "around", "approximately", "approx.", "roughly", "some", "close to", "circa", "an estimated",
        "estimated")),
    *(Qualifier(p, "approximate", lean="below") for p in ("nearly", "almost", "just under")),
    Qualifier("just over", "approximate", lean="above"),
    *(Qualifier(p, "exact") for p in ("exactly", "precisely")),
    *(Qualifier(p, "emphasis") for p in ("as many as", "as much as", "only", "barely", "just")),
)
QUALIFIER: dict[str, Qualifier] = {q.phrase: q for q in QUALIFIERS}
QUALIFIER_PHRASES: tuple[str, ...] = tuple(QUALIFIER)  # what the quantity grammar attaches before a number

# Before an ordinal, a comparative points the other way: a higher place is a smaller number.
RANK_QUALIFIERS: dict[str, Qualifier] = {
    **{p: Qualifier(p, "upper", strict=True) for p in ("above", "ahead of", "higher than", "better than")},
    **{p: Qualifier(p, "lower", strict=True) for p in ("below", "behind", "lower than", "worse than")},
}

LOWER_BOUND = frozenset(q.phrase for q in QUALIFIERS if q.bound == "lower")
UPPER_BOUND = frozenset(q.phrase for q in QUALIFIERS if q.bound == "upper")
APPROXIMATE = frozenset(q.phrase for q in QUALIFIERS if q.bound == "approximate")
EXACT = frozenset(q.phrase for q in QUALIFIERS if q.bound == "exact")


def reading(qualifier: str | None, unit: str | None = None) -> Qualifier | None:
    """The qualifier's meaning for a value of this unit (a rank reads "above" as "a smaller number")."""
    if not qualifier:
        return None
    phrase = qualifier.lower()
    if unit == "rank" and phrase in RANK_QUALIFIERS:
        return RANK_QUALIFIERS[phrase]
    return QUALIFIER.get(phrase)


def bound_of(qualifier: str | None, unit: str | None = None) -> Bound | None:
    q = reading(qualifier, unit)
    return q.bound if q else None


def is_bounded(qualifier: str | None, unit: str | None = None) -> bool:
    """A lower or upper bound, or an approximation: not the value itself."""
    return bound_of(qualifier, unit) in ("lower", "upper", "approximate")


# --- tolerances ---------------------------------------------------------------------------------

APPROX_TOLERANCE = 0.05  # against evidence: "about 40 billion" accepts 38-42 billion
SLIP_TOLERANCE = 0.01  # the draft against itself: "about 40" and "41" elsewhere are not one count given twice

# --- numbers ------------------------------------------------------------------------------------

WORD_NUMBERS: dict[str, float] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dozen": 12, "a dozen": 12, "half": 0.5, "a hundred": 100, "a thousand": 1000, "a million": 1e6,
    "a billion": 1e9, "twice": 2, "double": 2, "triple": 3,
}
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
UNITS_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}
SCALES: dict[str, float] = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "mn": 1e6, "mln": 1e6, "bn": 1e9, "tn": 1e12, "k": 1e3,
}
SCALE_NAMES = {"mn": "million", "mln": "million", "bn": "billion", "tn": "trillion", "k": "thousand"}
DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"  # "1,234.5", "12.5", "40"
_DIGITS_ONLY = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+")
_TENS_UNITS = re.compile(rf"({'|'.join(TENS)})[- ]({'|'.join(UNITS_WORDS)})")


def parse_number(text: str) -> float | None:
    """Parse "1,900", "1.5192", "40", "five", "a dozen", "twenty-five", "3 million"; None when not a number."""
    s = text.strip().lower().replace("\u2009", "").replace("\xa0", " ")
    if not s:
        return None
    scale = 1.0
    parts = s.rsplit(" ", 1)
    if len(parts) == 2 and parts[1] in SCALES:
        scale, s = SCALES[parts[1]], parts[0]
    s = s.strip()
    if _DIGITS_ONLY.fullmatch(s):
        return float(s.replace(",", "")) * scale
    if s in WORD_NUMBERS:
        return WORD_NUMBERS[s] * scale
    tens_units = _TENS_UNITS.fullmatch(s)
    if tens_units:
        return (WORD_NUMBERS[tens_units.group(1)] + WORD_NUMBERS[tens_units.group(2)]) * scale
    return None


def read_number(text: str) -> float:
    """`parse_number` for text a grammar already matched as a number; a ValueError when it is not one."""
    value = parse_number(text)
    if value is None:
        raise ValueError(f"not a number: {text!r}")
    return value


def decimals(written: str) -> int:
    """Digits after the decimal point as written: "1.25" -> 2."""
    return len(written.split(".")[1]) if "." in written else 0


# --- text ---------------------------------------------------------------------------------------

_FOLD = str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "đ": "d", "’": "'"})


def fold(text: str) -> str:
    """Lower case without diacritics: "Erdoğan" -> "erdogan", "Séjourné" -> "sejourne"."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text` by the one splitter (the whole text when the splitter finds none)."""
    spans = list(split_sentences(text))
    return spans or ([(0, len(text))] if text.strip() else [])


def sentence_around(text: str, start: int, end: int, window: int = 300) -> tuple[int, int]:
    """The span of the sentence(s) holding text[start:end], by the one splitter, looking at most `window`
    characters either side (a longer sentence is cut there)."""
    left, right = max(0, start - window), min(len(text), end + window)
    spans = [(left + a, left + b) for a, b in split_sentences(text[left:right])]
    holding = [(a, b) for a, b in spans if a < max(end, start + 1) and start < b]
    return (holding[0][0], holding[-1][1]) if holding else (start, end)


# --- word lists ---------------------------------------------------------------------------------
# One core of function words; each use adds what it must ignore. (Keyword search keeps its index terms in
# retrieval/keyword.py: retrieval cannot import claims, and its stored index depends on them.)

FUNCTION_WORDS = frozenset("""a an the of to in on at by for and or but is are was were be been it its this that as
    with from not no so very our their his her""".split())
MONTH_NAMES = frozenset(
    "january february march april may june july august september october november december".split())
# Content words of a claim or an evidence sentence (comparators, statement coverage, the judge's features):
# besides function words, qualifiers, units, scales, number words and reporting verbs say nothing of the topic.
STOPWORDS = FUNCTION_WORDS | frozenset("""about according after all almost also any approximately around before
    being between billion bn both can cent could day days did do does down during each eight fewer five four had
    has have he here i into just least less lrb may might million mn month months more most nearly new nine one
    only other out over per percent percentage point points rrb s said say says seven shall she should since six
    some such ten than them then there these they those thousand three trillion two under until up we which who
    whom whose will would year years you your""".split())
# Words near a value that name no particular thing (cross-draft and restated values: "the year", "million").
NAMELESS_WORDS = FUNCTION_WORDS | MONTH_NAMES | frozenset("""about according added after ago almost also announced
    any around autumn before beginning being between billion called can cent could countries country data day
    days did do does down during each earlier early end even every expected fall figure figures first friday
    government had has have here how into just last late later least less mid might million monday month months
    more most must my nearly new next nor noted now number off official officials old only onto out over people
    per percent planned pointed report reported reports said saturday say says second shall should since some
    spring start stated still such summer sunday tells than then there these third those thousand thursday till
    time times today told tomorrow total trillion tuesday under until up wednesday week weeks what when where
    which while who whom whose why will winter would year years yesterday yet your""".split())
# Words of a change's subject that do not say what changed ("In June it rose": nothing; "Approval rose": approval).
SUBJECT_STOPWORDS = MONTH_NAMES | frozenset(
    "a an and are at by for in is it its last month of on than that the this to was week were year".split())
# Words that end a noun phrase read backwards from a value ("the ministry said 40 ...").
NOUN_PHRASE_STOPWORDS = frozenset("""a an and at but by finds for found her his in its of on or our reported reports
    said say says showed shows that the their this to while with""".split())


# --- stemming -----------------------------------------------------------------------------------
# Two light stemmers, kept apart on purpose: the comparators' relevance thresholds were tuned with `stem`,
# and the cross-draft START/END stems ("complet", "clos") and restated-value matching with `stem_long`;
# they differ on about 4% of the words of the seed articles and gold sets ("ended": "end" / "ended").

def stem(word: str) -> str:
    """Content-word stem (lower-cased input): "companies" -> "company", "voters" -> "voter", "rated" -> "rat"."""
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


# Words for the same move, folded to one so that "charges will rise 3.9%" and "charges will increase by 6.2%"
# are read as one measure by the comparators (keys are `stem` outputs).
CHANGE_FOLD: dict[str, str] = {
    **dict.fromkeys(("rise", "ris", "rose", "risen", "increase", "increas", "grow", "grew", "grown", "climb",
                     "jump", "gain", "hike", "surge", "surg"), "increase"),
    **dict.fromkeys(("fall", "fell", "fallen", "drop", "dropp", "decline", "declin", "decrease", "decreas",
                     "shrink", "shrank", "slump", "plunge", "plung"), "decrease"),
}


def stem_long(word: str) -> str:
    """A stem of at least four letters, lower-cased, without a possessive: "Meetings" -> "meet"."""
    word = word.lower().replace("’", "'").split("'")[0]
    for suffix in ("ings", "ing", "ies", "es", "s", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
