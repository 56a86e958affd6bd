"""The offline rule-based claim extractor: quantities, dates and official mentions as `Claim`s.

`RuleExtractor().extract(text, as_of)` runs the three grammars (claims.quantities, claims.dates,
claims.mentions), merges overlapping matches, and gives every claim its sentence, a subject when one
is cheap to find, and a self-contained `statement`: the clause around the value, with bare surnames and
pronouns replaced by the titled full name, and the resolution of relative dates appended
("[as of 2025-11-25: last year = 2024]").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from claims.dates import DateMatch, find_dates
from claims.errors import DraftError
from claims.lexicon import NOUN_PHRASE_STOPWORDS
from claims.mentions import MentionMatch, find_official_mentions
from claims.models import Claim, DateValue, OfficialMention, Quantity
from claims.quantities import CHANGE_WORDS, QuantityMatch, find_quantities
from retrieval.chunking import split_sentences

MAX_STATEMENT_CHARS = 280
MAX_PIECE_CHARS = 4000
_LINE = re.compile(r"[^\n]+")
_CLAUSE_BREAK = re.compile(r"\s[–—]\s|;\s|\s-\s")
_METADATA_LINE = re.compile(r"(?i)^\W*(?:published|updated|posted|original article|date)?\W*$")
_PRONOUN = re.compile(r"\b(?:[Ss]he|[Hh]e)\b")
_OF_BEFORE = re.compile(r"(?P<np>(?:[A-Za-z][\w-]*\s){1,3})of\s+$")
_SENTENCE_SUBJECT = re.compile(
    r"(?:The|This|That|These|Those|Its|Their|Our|[A-Z][a-z]+['’]s)\s+(?P<np>[\w-]+(?:\s[\w-]+){0,2}?)"
    r"(?=,|\s(?:which|that|is|are|was|were|has|have|had|will|would|can|could)\b)"
)
_VERB_BEFORE = re.compile(
    r"(?P<np>[A-Za-z][\w-]*(?:\s[a-z][\w-]*){0,2})\s(?:rose|fell|grew|dropped|climbed|increased|decreased|"
    r"declined|jumped|reached|hit|totalled|totaled|stood\sat|was|were|is|are)\s(?:to\s|at\s|by\s)?"
    r"(?:(?:about|around|nearly|almost|over|some|roughly|only|just)\s)?$"
)
_NP_STOP = NOUN_PHRASE_STOPWORDS


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    kind: str
    quantity: Quantity | None = None
    date: DateValue | None = None
    official: OfficialMention | None = None


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a long line into pieces of at most MAX_PIECE_CHARS at sentence-like boundaries ('. ')."""
    pieces = []
    while end - start > MAX_PIECE_CHARS:
        cut = text.rfind(". ", start, start + MAX_PIECE_CHARS)
        cut = cut + 2 if cut > start else start + MAX_PIECE_CHARS
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of `text`: the shared splitter's spans, with every line break a hard break (headlines,
    list items). The splitter runs line by line, on pieces of bounded length, so that time stays linear
    in the length of the text.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        for start, end in _pieces(text, line.start(), line.end()):
            spans.extend((start + s, start + e) for s, e in split_sentences(text[start:end]))
    return spans


def _overlapping(ends: list[int], starts: list[int], start: int, end: int) -> range:
    """Indices of the sorted, non-overlapping spans (given by their starts and ends) that overlap [start, end)."""
    first = bisect_right(ends, start)
    last = first
    while last < len(starts) and starts[last] < end:
        last += 1
    return range(first, last)


def _is_metadata_date(text: str, match: DateMatch) -> bool:
    """A date alone on its line ("2025-03-30" under a headline) is publication metadata, not a claim."""
    line_start = text.rfind("\n", 0, match.start) + 1
    line_end = text.find("\n", match.end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[line_start:match.start] + text[match.end:line_end]
    return bool(_METADATA_LINE.match(rest))


def _merge(text: str, quantities: list[QuantityMatch], dates: list[DateMatch],
           mentions: list[MentionMatch]) -> list[_Found]:
    """One list of non-overlapping matches: mentions first, then dates and quantities.

    A date overlapping a quantity yields to it when the quantity carries a unit or currency ("2000 km"),
    else the date wins ("November 21-23" over "21-23"). Each grammar's matches are sorted and do not
    overlap, so every test is a binary search.
    """
    found = [_Found(m.start, m.end, "official", official=m.mention) for m in mentions]
    m_starts, m_ends = [m.start for m in mentions], [m.end for m in mentions]
    quantities = [q for q in quantities if not _overlapping(m_ends, m_starts, q.start, q.end)]
    q_starts, q_ends = [q.start for q in quantities], [q.end for q in quantities]
    dropped: set[int] = set()
    for d in dates:
        if _is_metadata_date(text, d) or _overlapping(m_ends, m_starts, d.start, d.end):
            continue
        rivals = _overlapping(q_ends, q_starts, d.start, d.end)
        if any(quantities[i].quantity.unit or quantities[i].quantity.currency for i in rivals):
            continue
        dropped.update(rivals)
        found.append(_Found(d.start, d.end, "date", date=d.value))
    found.extend(_Found(q.start, q.end, "quantity", quantity=q.quantity)
                 for i, q in enumerate(quantities) if i not in dropped)
    found.sort(key=lambda f: (f.start, f.end))
    return found


def _display_name(mention: OfficialMention, titled: dict[str, OfficialMention]) -> str:
    """The titled full name a bare or short mention refers to ("Japanese Prime Minister Sanae Takaichi")."""
    full = mention.full_name or mention.name or ""
    anchor = titled.get(full)
    title = mention.title or (anchor.title if anchor else None)
    return f"{title} {full}" if title else full


def _format_period(value: DateValue) -> str:
    if value.granularity == "year" or (value.start.month, value.start.day, value.end.month, value.end.day) == (1, 1, 12, 31):
        years = f"{value.start.year}" if value.start.year == value.end.year else f"{value.start.year}..{value.end.year}"
        return years
    if value.granularity == "month":
        return value.start.strftime("%Y-%m")
    if value.start == value.end:
        return value.start.isoformat()
    return f"{value.start.isoformat()}..{value.end.isoformat()}"


class RuleExtractor:
    """Rule-based extraction of quantity, date and official claims; offline and linear-time.

    `roster` (a claims.roster.Roster; default: the shipped roster) says which officeholders are found by
    bare name."""

    def __init__(self, roster=None) -> None:
        self.roster = roster

    def extract(self, text: str, as_of: date) -> list[Claim]:
        """Claims of `text` in text order (ids c1, c2, ...); relative dates resolve against `as_of`."""
        if not isinstance(text, str):
            raise DraftError(f"the draft must be text (str), not {type(text).__name__}")
        if not isinstance(as_of, date):
            raise DraftError(f"as_of must be a date, not {type(as_of).__name__}")
        if not text.strip():
            return []
        found = _merge(text, find_quantities(text), find_dates(text, as_of), find_official_mentions(text, self.roster))
        if not found:
            return []
        sentences = sentence_spans(text) or [(0, len(text))]
        officials = [f for f in found if f.kind == "official"]
        titled = {}
        for f in officials:
            m = f.official
            if m is not None and m.title and m.name:
                titled.setdefault(m.full_name or m.name, m)
        placed: list[tuple[_Found, tuple[int, int]]] = []
        sentence_index = 0
        for f in found:
            while sentence_index < len(sentences) - 1 and sentences[sentence_index][1] <= f.start:
                sentence_index += 1
            s_start, s_end = sentences[sentence_index]
            if not s_start <= f.start < s_end:
                s_start, s_end = min(s_start, f.start), max(s_end, f.end)
            placed.append((f, (s_start, s_end)))
        by_sentence: dict[tuple[int, int], list[_Found]] = {}
        for f, sentence in placed:
            by_sentence.setdefault(sentence, []).append(f)
        claims: list[Claim] = []
        last_official_before: OfficialMention | None = None  # the last official of an earlier sentence
        current_sentence: tuple[int, int] | None = None
        previous_sentence_official: OfficialMention | None = None
        for f, sentence in placed:
            if sentence != current_sentence:
                last_official_before = previous_sentence_official
                current_sentence = sentence
            neighbours = by_sentence[sentence]
            statement = self._statement(text, f, sentence, neighbours, last_official_before, titled, as_of)
            claims.append(Claim(
                id=f"c{len(claims) + 1}", text=text[f.start:f.end], start=f.start, end=f.end, kind=f.kind,
                statement=statement, sentence_start=sentence[0], sentence_end=sentence[1], quantity=f.quantity,
                date=f.date, official=f.official, subject=self._subject(text, f, sentence, neighbours),
                extractor="rules",
            ))
            if f.kind == "official":
                previous_sentence_official = f.official
        from claims.checkworthy import filter_claims  # furniture, questions, opinions, predictions

        return filter_claims(text, claims)

    @staticmethod
    def _clause(text: str, f: _Found, sentence: tuple[int, int]) -> tuple[int, int]:
        """The sentence, cut to the clause holding the claim when the sentence is long."""
        start, end = sentence
        if end - start <= MAX_STATEMENT_CHARS:
            return start, end
        for m in _CLAUSE_BREAK.finditer(text, start, end):
            if m.end() <= f.start:
                start = m.end()
            elif m.start() >= f.end:
                end = m.start()
                break
        return start, end

    def _statement(self, text: str, f: _Found, sentence: tuple[int, int], found: list[_Found],
                   earlier_official: OfficialMention | None, titled: dict[str, OfficialMention],
                   as_of: date) -> str:
        """`found`: the matches of the claim's sentence; `earlier_official`: the last one of earlier sentences."""
        start, end = self._clause(text, f, sentence)
        inside = [g for g in found if start <= g.start and g.end <= end]
        replacements: list[tuple[int, int, str]] = []
        for g in inside:
            m = g.official
            if g.kind == "official" and m is not None and m.full_name and not (m.title and m.full_name == m.name):
                in_compound = text[g.start - 1:g.start] == "-" or text[g.end:g.end + 1] == "-"
                display = m.full_name if in_compound else _display_name(m, titled)  # "the Lee-Takaichi meeting"
                if display != text[g.start:g.end]:
                    replacements.append((g.start, g.end, display))
        if not any(g.kind == "official" for g in inside):
            earlier = [g.official for g in found if g.kind == "official" and g.end <= start and g.official is not None]
            referent = earlier[-1] if earlier else earlier_official
            pronoun = _PRONOUN.search(text, start, end)
            if referent is not None and pronoun:
                replacements.append((pronoun.start(), pronoun.end(), _display_name(referent, titled)))
        pieces, cursor = [], start
        for r_start, r_end, new in sorted(replacements):
            if r_start < cursor:
                continue
            pieces.extend([text[cursor:r_start], new])
            cursor = r_end
        pieces.append(text[cursor:end])
        statement = " ".join("".join(pieces).split())
        dates = [g for g in inside if g.kind == "date" and g.date is not None]
        if dates and all(g.date.relative for g in dates):
            resolved = "; ".join(f"{' '.join(text[g.start:g.end].split())} = {_format_period(g.date)}" for g in dates)
            statement += f" [as of {as_of.isoformat()}: {resolved}]"
        return statement

    @staticmethod
    def _subject(text: str, f: _Found, sentence: tuple[int, int], found: list[_Found]) -> str | None:
        if f.kind == "official" and f.official is not None:
            return f.official.full_name or f.official.name
        if f.kind == "quantity" and f.quantity is not None and f.quantity.noun:
            return f.quantity.noun
        if f.kind == "quantity":
            m = _OF_BEFORE.search(text, max(sentence[0], f.start - 60), f.start) or _VERB_BEFORE.search(
                text, max(sentence[0], f.start - 60), f.start)
            if m:
                words = m.group("np").split()
                while words and words[0].lower() in _NP_STOP:
                    words.pop(0)
                cut = max((i for i, w in enumerate(words) if w.lower() in _NP_STOP), default=-1)
                words = words[cut + 1:]
                if words and words[-1].lower() not in CHANGE_WORDS:  # "an increase of 8.3%" names no subject
                    return " ".join(words)
        if f.kind == "quantity" and f.quantity is not None and f.quantity.change is not None:
            earlier = [g for g in found if g.kind == "quantity" and sentence[0] <= g.start < f.start]
            if earlier:
                return RuleExtractor._subject(text, earlier[-1], sentence, found)
        if f.kind == "quantity":
            m = _SENTENCE_SUBJECT.match(text, sentence[0], f.start)
            if m:
                return m.group("np")
        actors = [g for g in found if g.kind == "official" and sentence[0] <= g.start < sentence[1]]
        if actors and actors[0].official is not None:
            return actors[0].official.full_name or actors[0].official.name
        return None
