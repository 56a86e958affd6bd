"""Values of a draft checked against each other; each flag carries every span involved and says the arithmetic.

- one count given two near values in two sentences about the same time ("1,460" / "1,640 passengers");
- a change that does not fit its from/to values, in one phrase ("72%, a 1% increase from 70%") or with the
  other value in the sentence before ("was 41% in May. In June it rose 5 points to 48%");
- parts that do not make their stated total ("3,000 troops: 1,200 in the north and 1,500 in the south"),
  and a surplus, deficit, gap or margin that is not the difference of its two figures;
- shares of one whole over 100% (poll answers for / against / undecided, candidates' vote shares);
- one thing restated in a later paragraph with another value ("a quay of 1.6 kilometres" ... "the
  1,200-metre quay"; "a budget of £48 million" ... "the £84 million plan").
Each check stays silent where the text leaves room for doubt (approximate figures, rounding, different
bases, multiple-choice questions, several candidate values): a false flag costs a reviewer's trust.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from claims.models import Claim, DateValue, Flag, Quantity
from claims import lexicon
from claims.lexicon import fold

def _range(q: Quantity) -> tuple[float, float]:
    """The values a stated figure allows, for comparing the draft with itself (claims.lexicon's qualifiers;
    an approximation allows only a slip, lexicon.SLIP_TOLERANCE)."""
    low, high = q.bounds
    bound = lexicon.bound_of(q.qualifier, q.unit)
    if bound == "lower":
        return low, float("inf")
    if bound == "upper":
        return float("-inf"), high
    if bound == "approximate":
        return low - abs(low) * lexicon.SLIP_TOLERANCE, high + abs(high) * lexicon.SLIP_TOLERANCE
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
NUM = lexicon.DIGITS
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


parse_number = lexicon.read_number  # NUM matches: "1,234.5" -> 1234.5
_decimals = lexicon.decimals


def _arithmetic_error(match: re.Match | dict[str, str | None]) -> str | None:
    """Why a stated change does not match its from/to values, or None when it adds up."""
    x, y, n = parse_number(match["x"]), parse_number(match["y"]), parse_number(match["n"])
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
    if points_ok if says_points else relative_ok:  # "up 4 percent from 57%" to 61% is 4 points, about 7 percent
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
    if match is None or abs(parse_number(match["num"]) - q.value) > 1e-9:
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


_STOPWORDS = lexicon.SUBJECT_STOPWORDS


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
    return any(lexicon.is_bounded(q.qualifier, q.unit) for q in quantities)


def _stated_tolerance(claim: Claim) -> float:
    """Half a unit of the last digit written: "€0.5 billion" -> €0.05 billion."""
    number = re.search(NUM, claim.text)
    if number is None or not number.group() or claim.quantity is None:
        return 0.0
    written = parse_number(number.group())
    factor = claim.quantity.value / written if written else 1.0
    return 0.5 * 10 ** -_decimals(number.group()) * abs(factor)


def _like(claim: Claim, value: float) -> str:
    """`value` written the way `claim` is: "€0.3 billion" for 3e8 like "€0.5 billion"."""
    number = re.search(NUM, claim.text)
    if number is None or claim.quantity is None or not claim.quantity.value:
        return format_number(value)
    written = parse_number(number.group())
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
    if lexicon.bound_of(q.qualifier, q.unit) == "approximate":
        return 2.0
    number = re.search(NUM, text)
    return 0.5 * 10 ** -_decimals(number.group()) if number else 0.5


def _least(q: Quantity) -> float:
    """The smallest value a share allows: its bound when it is "more than", none when "less than"."""
    bound = lexicon.bound_of(q.qualifier, q.unit)
    return _range(q)[0] if bound == "lower" else 0.0 if bound == "upper" else q.value


def _share_flags(text: str, claims: list[Claim]) -> list[Flag]:
    flags = []
    for group in _share_groups(text, claims):
        if not _share_group_ok(text, group, claims):
            continue
        low = sum(_least(s.claim.quantity) for s in group)
        tolerance = sum(_share_tolerance(s.claim.quantity, s.claim.text) for s in group)
        if low <= 100 + tolerance + 1e-9:
            continue
        terms = " + ".join(s.claim.text for s in group)
        what = "vote shares" if group[0].kind == "vote" else "answers to one question"
        flags.append(Flag(kind="internal_inconsistency",
                          message=f"{terms} = {format_number(low)}%, more than 100% ({what})",
                          spans=[(s.claim.start, s.claim.end) for s in group],
                          claim_ids=[s.claim.id for s in group]))
    return flags


# --- one thing restated later with another value, across paragraphs ----------------------------
# "its new container quay will stretch 1.6 kilometres" ... "the 1,200-metre quay"; "its budget of £48
# million" ... "The £84 million plan". The later value must refer back ("the", "this", "its" before it),
# and either name a thing found next to an earlier value of the same measure and dimension, none of
# which it equals, or be that earlier value with two adjacent digits swapped.
TO_BASE = {"km": ("length", 1000.0), "m": ("length", 1.0), "cm": ("length", 0.01), "mm": ("length", 0.001),
           "mi": ("length", 1609.344), "ft": ("length", 0.3048), "yd": ("length", 0.9144),
           "kg": ("mass", 1.0), "t": ("mass", 1000.0), "ha": ("area", 1.0), "km2": ("area", 100.0)}
_DEFINITE = re.compile(r"\b(?:the|this|that|its|their)\s+$", re.IGNORECASE)
_NOUN_AFTER = re.compile(r"[\s-]*(?P<noun>[a-z][a-z-]{2,})")
RESTATED_TOLERANCE = 0.05  # converted values within 5% are one value written two ways ("1.6 km", "1,600 m")


def _dimension(q: Quantity) -> tuple | None:
    """What a quantity measures, in comparable form: (dimension, factor to base units) or the unit itself."""
    if q.change is not None or q.unit in ("percent", "percentage_point", "rank", "times"):
        return None
    if q.unit in TO_BASE:
        return TO_BASE[q.unit]
    if q.unit is None and q.currency is None:
        return None  # bare counts are the one-count-two-ways check's
    return ((q.unit, q.currency, q.per), 1.0)


def _digits(claim: Claim) -> str:
    return "".join(ch for ch in claim.text.split("-")[0] if ch.isdigit())


def _swapped(a: str, b: str) -> bool:
    """Two digit strings that differ by one swap of adjacent, different digits ("48" / "84")."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _restated_flags(text: str, claims: list[Claim]) -> list[Flag]:
    from claims.cross_draft import near_words

    quantities = [c for c in claims if c.kind == "quantity" and c.quantity is not None
                  and _dimension(c.quantity) is not None]
    by_sentence: dict[int, list[Claim]] = {}
    for c in claims:
        by_sentence.setdefault(c.sentence_start, []).append(c)
    flags = []
    for later in quantities:
        if not _DEFINITE.search(text, max(0, later.start - 8), later.start) or _approximate(later.quantity):
            continue
        dim_l, factor_l = _dimension(later.quantity)
        base_l = later.quantity.value * factor_l
        noun = _NOUN_AFTER.match(text, later.end)
        thing = lexicon.stem_long(noun["noun"]) if noun else None
        earlier = [c for c in quantities if c.end <= later.sentence_start and _dimension(c.quantity)[0] == dim_l
                   and not _approximate(c.quantity)]
        if not earlier:
            continue

        def same(c: Claim) -> bool:
            base = c.quantity.value * _dimension(c.quantity)[1]
            return abs(base - base_l) <= RESTATED_TOLERANCE * max(abs(base), abs(base_l))

        named = [c for c in earlier if thing and thing in near_words(text, c, by_sentence[c.sentence_start])]
        swapped = [c for c in earlier if c.quantity.unit == later.quantity.unit and c.quantity.scale == later.quantity.scale
                   and _swapped(_digits(c), _digits(later))]
        if named and not any(same(c) for c in named):
            other = named[-1]
            why = f"the {noun['noun']}"
        elif swapped and not any(same(c) for c in earlier if c.quantity.unit == later.quantity.unit):
            other = swapped[-1]
            why = "two digits swapped"
        else:
            continue
        flags.append(Flag(kind="internal_inconsistency",
                          message=f"The draft gives {other.text!r} and later {later.text!r} for what reads as one "
                                  f"thing ({why})",
                          spans=[(other.start, other.end), (later.start, later.end)], claim_ids=[other.id, later.id]))
    return flags


def format_number(value: float) -> str:
    """1234.5 -> "1,234.5"; 107.0 -> "107"."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def value_flags(text: str, claims: list[Claim]) -> list[Flag]:
    """Every check of this module: values given two ways, changes, shares, totals and differences."""
    done: set[tuple[int, int]] = set()  # spans the one-phrase arithmetic already checked
    return (_quantity_conflicts(text, claims) + _arithmetic_flags(text, done) + _change_flags(text, claims, done)
            + _share_flags(text, claims) + _parts_flags(text, claims) + _difference_flags(text, claims)
            + _restated_flags(text, claims))
