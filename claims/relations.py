"""Relations between two figures: the shared reading of "X, up from Y" and of the multiples and changes
a draft states in words.

A sentence often gives two figures of one measure, an earlier and a later one. `figure_pairs(text, hits)`
finds them by these named patterns (a figure and the next one of the same unit or currency, both levels of
the same counted thing):

- `up_from`: "1,200 volunteers, up from 600 in 2024", "92%, down from 95%", "compared with 57%";
- `bracketed_year`: "Turnout 68.2% (2022: 65.1%)";
- `against`: "9,800 operations in its first year, against 5,000 planned" (versus, compared to);
- `from_to`: "from 2,400 to 610", "rose from 65.1% to 68.2%";
- `dated`: "2,400 in March 2024, 610 in March 2025" (each figure followed by its own year; the earlier
  year is the earlier figure).

`derived(claimed, pair)` is what the pair says in the claimed figure's terms: a ratio for a multiple
("twice as many", "doubled", "almost three times"), a difference in points for a change in percentage
points or index points ("a rise of 4 percentage points", "up 3.1 points"), a relative change for a
percent change ("fell by about three-quarters"), a difference for a change in a count or money ("rose by
12,000"); None when the claimed figure is not a relation. `relation_label(claimed, stated, value)` is
the verdict the derived value gives: supported inside the claim's band, contradicted well outside it (a
second, wider band: figures are rounded and "doubled" is said of 1.9 times), else None.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from claims import lexicon
from claims.models import Label, Quantity
from claims.quantities import QuantityMatch, family, noun_head

PairPattern = Literal["up_from", "bracketed_year", "against", "from_to", "dated"]

_UP_FROM = re.compile(r"[,;]?\s*(?:\(|—|–|-)?\s*(?:(?:up|down|rising|falling|increasing|decreasing|an increase|"
                      r"a decrease|a rise|a fall)\s+from|compared\s+(?:with|to))\s+(?:the\s+)?$", re.I)
_BRACKETED_YEAR = re.compile(r"\s*\(\s*(?:in\s+)?(?:19|20)\d\d(?:[-/]\d\d)?\s*:\s*$")
_AGAINST = re.compile(r"^[^;:()]{0,90}?(?:,\s*|\s)(?:against|versus|vs\.?|compared\s+(?:with|to))\s+(?:the\s+|a\s+)?$",
                      re.I)
_FROM_BEFORE = re.compile(r"\bfrom\s+$", re.I)
_TO_BETWEEN = re.compile(r"\s*to\s+$", re.I)
_PERIOD_AFTER = re.compile(r"\s+(?:in|at\s+the\s+end\s+of|for|by)\s+(?P<p>[^,;.()]{2,30}?)(?=[,;.()]|\s+and\b|$)",
                           re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")

# Bands around a claimed multiple (its value times these), by the claim's qualifier: inside the first a
# derived ratio supports, outside the second it contradicts.
_TIMES_SUPPORT = {"exact": 0.07, "approximate": 0.12}
_TIMES_CONTRADICT = {"exact": 0.15, "approximate": 0.25}


@dataclass(frozen=True)
class FigurePair:
    """An earlier and a later figure of one measure in one sentence."""

    earlier: QuantityMatch
    later: QuantityMatch
    pattern: PairPattern


def _level(q: Quantity) -> bool:
    return q.change is None and q.unit not in ("times", "rank", "percentage_point", "basis_point", "point") \
        and q.low is None


def _comparable(a: Quantity, b: Quantity) -> bool:
    if family(a) != family(b) or not (_level(a) and _level(b)):
        return False
    heads = [noun_head(q.noun) for q in (a, b) if q.noun]
    return len(heads) < 2 or heads[0] == heads[1]


def _year_after(text: str, end: int) -> int | None:
    m = _PERIOD_AFTER.match(text, end)
    if not m:
        return None
    years = _YEAR.findall(m.group("p"))
    return int(years[-1]) if years else None


def figure_pairs(text: str, hits: list[QuantityMatch]) -> list[FigurePair]:
    """The (earlier, later) figure pairs `text` states, by the patterns of the module's docstring."""
    out = []
    for i, first in enumerate(hits):
        second = next((h for h in hits[i + 1:] if family(h.quantity) == family(first.quantity)), None)
        if second is None or not _comparable(first.quantity, second.quantity):
            continue  # the next figure of the same kind must be a level of the same thing
        between = text[first.end:second.start]
        if _UP_FROM.search(between[-30:]):
            out.append(FigurePair(second, first, "up_from"))
        elif _BRACKETED_YEAR.fullmatch(between):
            out.append(FigurePair(second, first, "bracketed_year"))
        elif _TO_BETWEEN.fullmatch(between) and _FROM_BEFORE.search(text, max(0, first.start - 6), first.start):
            out.append(FigurePair(first, second, "from_to"))
        elif _AGAINST.match(between):
            out.append(FigurePair(second, first, "against"))
        else:
            y1, y2 = _year_after(text, first.end), _year_after(text, second.end)
            if y1 and y2 and y1 != y2 and len(between) <= 40:
                earlier, later = (first, second) if y1 < y2 else (second, first)
                out.append(FigurePair(earlier, later, "dated"))
    return out


RelationKind = Literal["ratio", "difference", "relative"]


def relation_kind(q: Quantity) -> RelationKind | None:
    """What a claimed figure says about two figures: a ratio ("twice", "doubled"), a difference ("up 3.1
    points", "rose by 12,000"), a relative change ("fell by three-quarters", "a 4% rise"); None: a level."""
    if q.unit == "times":
        return "ratio"
    if q.change is None:
        return None
    if q.unit in ("percentage_point", "point"):
        return "difference"
    if q.unit == "percent":
        return "relative"
    if q.unit is None:
        return "difference"  # a count or money: "rose by 12,000", "cut by $3 million"
    return None


def derived(claimed: Quantity, pair: FigurePair) -> float | None:
    """The pair's relation in the claimed figure's terms (see `relation_kind`), signed by direction; None
    when the pair cannot say it (a difference in points needs percentages, a money change money)."""
    kind = relation_kind(claimed)
    old, new = pair.earlier.quantity.value, pair.later.quantity.value
    if kind is None or old == 0:
        return None
    later = pair.later.quantity
    if kind == "ratio":
        return new / old
    if kind == "relative":
        return (new - old) / old * 100
    if claimed.unit == "percentage_point" and later.unit != "percent":
        return None
    if claimed.unit == "point" and later.unit not in (None, "percent"):
        return None
    if claimed.unit is None and family(claimed) != family(later):
        return None
    return new - old


def claimed_value(claimed: Quantity) -> float:
    """The claimed relation, signed: a decrease is negative, a multiple is the ratio ("halved": 0.5)."""
    if claimed.unit == "times":
        return claimed.value
    return -claimed.value if claimed.change == "decrease" else claimed.value


def _bands(claimed: Quantity, stated: tuple[float, float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """(support band, no-contradiction band) for the claimed relation; `stated`: the values the claimed figure
    allows as written (`claims.compare.interval`), used for changes."""
    value = claimed_value(claimed)
    reading = lexicon.reading(claimed.qualifier, claimed.unit)
    bound = reading.bound if reading else None
    if bound == "lower":
        return (value, math.inf), (value * 0.97, math.inf)
    if bound == "upper":
        return (-math.inf, value), (-math.inf, value * 1.03)
    if claimed.unit == "times":
        style = "approximate" if bound == "approximate" else "exact"
        s, c = _TIMES_SUPPORT[style], _TIMES_CONTRADICT[style]
        lean = reading.lean if reading else None
        if lean == "below":  # "almost three times": up to the figure, not beyond
            return (value * (1 - s), value * 1.02), (value * (1 - c), value * (1 + c / 2))
        return (value * (1 - s), value * (1 + s)), (value * (1 - c), value * (1 + c))
    low, high = stated
    if claimed.change == "decrease":
        low, high = -high, -low
    slack = max(abs(value) * 0.1, (high - low) / 2)
    return (low, high), (low - slack, high + slack)


def relation_label(claimed: Quantity, stated: tuple[float, float], value: float) -> Label | None:
    """Supported when the derived `value` lies in the claim's band, contradicted when it lies well
    outside it (and on the other side of zero counts as outside: "rose" against a fall), else None."""
    (s_lo, s_hi), (c_lo, c_hi) = _bands(claimed, stated)
    if s_lo <= value <= s_hi:
        return Label.supported
    if value < c_lo or value > c_hi:
        return Label.contradicted
    return None


def describe(claimed: Quantity, value: float, pair: FigurePair, text: str) -> str:
    """The rationale: what the pair of figures works out to."""
    old = text[pair.earlier.start:pair.earlier.end].strip()
    new = text[pair.later.start:pair.later.end].strip()
    kind = relation_kind(claimed)
    if kind == "ratio":
        said = f"{value:.2f} times"
    elif kind == "relative":
        said = f"a {abs(value):.1f}% {'rise' if value >= 0 else 'fall'}"
    elif claimed.unit in ("percentage_point", "point"):
        said = f"{value:+.2g} points"
    else:
        said = f"a change of {value:+,.6g}"
    return f"source goes from {old} to {new}: {said}"
