"""Quotes: a quoted phrase attributed to someone in the draft, checked against the corpus's wording of the same quote.

`find_quotes(text, claims)` returns the draft's attributed quotes: a phrase in quotation marks ("..." or
“...”) in a sentence with a speech verb ("said", "told", "called", "declared", "described as",
"characterizing") whose speaker is the person named last before it in that sentence (an official claim,
else an untitled full name), else the first named after it, or, when the sentence says "he" or "she",
the last person named before the sentence.

`quote_flags(text, claims, passages, search=None)` looks, in the given passages (and in what
`search(query)` returns for the speaker and the phrase), for a quote by the same speaker (their surname
in the corpus sentence before the quote, or in the sentence before that one when the quote's says "he"/"she") that shares a word with the draft's phrase (by the first five
letters: "threat" / "survival-threatening", "situation"), and raises `misquote` when the wording differs
and the draft's phrase is nowhere verbatim in those passages. The flag quotes the corpus wording as its
suggestion and cites it verbatim with its source and document offsets.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from claims.lexicon import FUNCTION_WORDS, sentence_around
from claims.models import Citation, Claim, Flag
from retrieval.types import Passage

_QUOTED = re.compile(r"[\"“](?P<q>[^\"“”\n]{3,200})[\"”]")
_SPEECH = re.compile(r"\b(?:said|says|say|told|tells|called|calls|declared|declares|described|describes|"
                     r"characteri[sz]ed|characteri[sz]ing|warned|added|insisted|stated|remarked|telling|"
                     r"saying|describing|calling|branded|labelled|labeled|termed)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:she|he)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")
_STOP = FUNCTION_WORDS
PREFIX = 5
SPEAKER_WINDOW = 250  # characters before a corpus quote in which its speaker's surname must appear


@dataclass(frozen=True)
class DraftQuote:
    start: int  # the phrase with its quotation marks
    end: int
    phrase: str  # inside the marks
    speaker: str  # full name as known
    surname: str


def _keys(phrase: str) -> set[str]:
    return {w.lower()[:PREFIX] for w in _WORD.findall(phrase) if w.lower() not in _STOP and len(w) > 2}


def _normal(phrase: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(phrase))


def _speaker(claim: Claim) -> tuple[str, str] | None:
    m = claim.official
    if m is None:
        return None
    name = m.full_name or m.name
    if not name:
        return None
    surname = name.replace("’", "'").split("'")[0].split()[-1]
    return name, surname


def _names(text: str, claims: list[Claim]) -> list[tuple[int, int, str, str]]:
    """People the draft names: officials (with their full names when known), else untitled full names
    ("Norland's foreign minister, Anja Kovacs, said"); (start, end, name, surname), in text order."""
    from claims.mentions import find_full_names

    found = []
    for c in claims:
        if c.kind == "official" and _speaker(c):
            found.append((c.start, c.end, *_speaker(c)))
    for n in find_full_names(text):
        if not any(s < n.end and n.start < e for s, e, _, _ in found):
            found.append((n.start, n.end, n.name, n.name.split()[-1]))
    return sorted(found)


def find_quotes(text: str, claims: list[Claim]) -> list[DraftQuote]:
    names = _names(text, claims)
    quotes = []
    for m in _QUOTED.finditer(text):
        s_start, s_end = sentence_around(text, m.start(), m.end(), window=1000)
        if not _SPEECH.search(text, s_start, s_end):
            continue
        before = [n for n in names if s_start <= n[0] and n[1] <= m.start()]
        after = [n for n in names if m.end() <= n[0] < s_end]
        if before:
            speaker = before[-1]
        elif after:
            speaker = after[0]
        elif _PRONOUN.search(text, s_start, m.start()) and [n for n in names if n[1] <= s_start]:
            speaker = [n for n in names if n[1] <= s_start][-1]
        else:
            continue
        quotes.append(DraftQuote(m.start(), m.end(), m["q"].strip(), speaker[2], speaker[3]))
    return quotes


def _corpus_quotes(passage: Passage, surname: str) -> Iterable[tuple[str, int, int]]:
    """(phrase, document start, document end) of quotes in the passage whose speaker may be `surname`."""
    text = passage.text
    for m in _QUOTED.finditer(text):
        start = max(0, m.start() - SPEAKER_WINDOW)
        sentence_start = max(text.rfind(". ", start, m.start()) + 2, text.rfind("\n", start, m.start()) + 1, start)
        window = text[sentence_start:m.start()]
        if surname.lower() not in window.lower():
            previous = text[max(start, text.rfind(". ", start, max(start, sentence_start - 2)) + 2):sentence_start]
            if not (_PRONOUN.search(window) and surname.lower() in previous.lower()):
                continue
        inner_start = m.start("q")
        phrase = m["q"]
        yield phrase, passage.start + inner_start, passage.start + inner_start + len(phrase)


@dataclass(frozen=True)
class QuoteMatch:
    """What the corpus says of one draft quote: `verbatim` (the same speaker's quote holds the draft's words)
    or `misquote` (the same speaker's quote shares a word but is worded otherwise); the corpus quote's
    document span (inside its quotation marks) and the passage it is in."""

    outcome: str  # "verbatim" | "misquote"
    phrase: str
    start: int
    end: int
    passage: Passage


def match_quote(quote: DraftQuote, passages: Iterable[Passage]) -> QuoteMatch | None:
    """The corpus's reading of a draft quote in these passages: a quote by the same speaker with the draft's
    words (verbatim), else the one by the same speaker sharing most words with it (a misquote), else None."""
    said = _normal(quote.phrase)
    if not said:
        return None
    keys = _keys(quote.phrase)
    best = None
    for p in passages:
        for phrase, start, end in _corpus_quotes(p, quote.surname):
            if f" {said} " in f" {_normal(phrase)} ":
                return QuoteMatch("verbatim", phrase, start, end, p)
            shared = keys & _keys(phrase)
            if shared and (best is None or len(shared) > best[0]):
                best = (len(shared), phrase, start, end, p)
    if best is None:
        return None
    _, phrase, start, end, p = best
    return QuoteMatch("misquote", phrase, start, end, p)


def quotes_in(claim: Claim, quotes: list[DraftQuote]) -> list[DraftQuote]:
    """The draft's attributed quotes inside a claim's span."""
    return [q for q in quotes if claim.start <= q.start and q.end <= claim.end]


def quote_flags(text: str, claims: list[Claim], passages: Iterable[Passage],
                search: Callable[[str], list[Passage]] | None = None) -> list[Flag]:
    """`misquote` flags for the draft's attributed quotes that the corpus words differently."""
    pool = {p.id: p for p in passages}
    flags = []
    for quote in find_quotes(text, claims):
        candidates = dict(pool)
        if search is not None:
            for p in search(f"{quote.speaker} {quote.phrase}"):
                candidates.setdefault(p.id, p)
        said = _normal(quote.phrase)
        if any(said and said in _normal(p.text) for p in candidates.values()):
            continue  # the corpus has the draft's wording
        keys = _keys(quote.phrase)
        best = None
        for p in candidates.values():
            for phrase, start, end in _corpus_quotes(p, quote.surname):
                shared = keys & _keys(phrase)
                if shared and _normal(phrase) != said and (best is None or len(shared) > best[0]):
                    best = (len(shared), phrase, start, end, p)
        if best is None:
            continue
        _, phrase, start, end, p = best
        citation = Citation(source=p.source, quote=phrase, start=start, end=end, title=p.title, date=p.date,
                            url=p.url, passage_id=p.id)
        flags.append(Flag(kind="misquote",
                          message=f"{quote.speaker} is quoted as \u201c{quote.phrase}\u201d; the corpus has "
                                  f"\u201c{phrase}\u201d ({p.source})",
                          suggestion=phrase, spans=[(quote.start, quote.end)], citations=[citation]))
    return flags
