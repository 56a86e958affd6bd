"""Qualitative statements as claims: `find_statements(text, claims) -> list[Claim]` (kind "statement").

A fact-checker writes down more than values: "The vote was unanimous", "An amendment to freeze property taxes
passed", "Strand conceded on election night". Every check-worthy sentence of the draft gives one statement
claim per clause:
- a sentence is skipped when `claims.checkworthy.not_checkworthy` says why (furniture, captions, questions,
  opinions, predictions) or when it does not end like a sentence (a headline, a menu line);
- a compound sentence is split at "; ", ", and ", ", but ", " and promised that", ", telling MPs that" and the
  like (the joining words are left out of both clauses);
- a leading or trailing attribution is dropped ("Ms Farrant said (that) ...", "Speaking later on regional
  radio, Ms Marsh said ...", "..., council leader Imogen Farrant told reporters afterwards", "..., according
  to the rail regulator"): the claim is what was said, the speaker is not the fact checked;
- a clause that states a belief ("Opposition councillors think not") is an opinion, not a statement;
- a clause with fewer than MIN_WORDS words, or one that is nothing but values the draft's other claims
  already hold ("on 24 May", "from 5 May to 27 June"), is left out (see MIN_OWN_WORDS).

Each claim's span is exact (text[start:end] == claim.text); its `statement` is the clause as a sentence
(capitalised, with a full stop). Every regular expression is anchored or bounded, so time is linear in the
length of the draft.
"""
from __future__ import annotations

import re
from bisect import bisect_left

from claims.checkworthy import not_checkworthy
from claims.models import Claim

MIN_WORDS = 3  # a clause shorter than this is a fragment ("a record"), not a statement
MIN_OWN_WORDS = 1  # content words a clause must hold outside the spans of the draft's value claims

MAX_LINE_CHARS = 1000  # a longer line is read sentence by sentence for check-worthiness (linear time)

_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s*$")
_SPLIT = re.compile(
    r";\s+|,\s+(?:and|but|whereas|yet)\s+"
    r"|,?\s+and\s+(?:promised|pledged|vowed|said|added|warned|insisted|announced)\s+(?:that\s+)?"
    r"|,\s+(?:telling|saying|adding|warning|insisting)\b[^,;\"“]{0,40}?\s+that\s+")
_SAY = (r"(?:said|says|told\s+(?:reporters|journalists|MPs|parliament|the\s+\w+)|added|announced|argued|claimed|"
        r"insisted|warned|stated|noted|confirmed|explained|wrote|reported|(?:was|were)\s+told(?:\s+[^,;\"“]{1,40}?)?"
        r"(?=\s+that\s))")
_LEADING = re.compile(
    r"(?:According\s+to\s+[^,;\"“]{1,60},\s+"
    r"|(?:[A-Z][a-z]+ing\b[^,;\"“]{0,60},\s+)?[^,;\"“]{1,80}?(?:,\s+[^,;\"“]{1,50},)?\s+" + _SAY + r"\s+(?:that\s+)?)")
_TRAILING = re.compile(
    r",\s+(?:according\s+to\s+[^,;\"“]{1,60}|[^,;\"“]{1,80}?\s+" + _SAY + r"(?:\s+\w+){0,2})\s*[.!?]?\s*")
_OPINION_VERB = re.compile(r"\b(?:think|thinks|believe|believes|hope|hopes|feel|feels|doubt|doubts)\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_STOP = frozenset("""a an the and or but of to in on at by for from with as is are was were be been has have had
    it its this that these those than then there their his her he she they we our up down over about""".split())
_TRIM = " \t\n,;:.-–—"


# "Japan, China, and South Korea have gathered": the ", and" of a list of names joins no clauses
_LIST_OF_NAMES = re.compile(r"(?:[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*,\s+)+[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*$")


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, cursor = [], start
    for m in _SPLIT.finditer(text, start, end):
        if m.group().lstrip(",; \t").startswith("and") and text[m.end():m.end() + 1].isupper() \
                and _LIST_OF_NAMES.search(text, max(cursor, m.start() - 120), m.start()):
            continue
        out.append((cursor, m.start()))
        cursor = m.end()
    out.append((cursor, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _without_attribution(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause without a leading "X said (that)" and a trailing ", X said" / ", according to X"."""
    lead = _LEADING.match(text, start, end)
    if lead and end - lead.end() >= 10:
        start = lead.end()
    comma = text.rfind(",", start, end)
    if comma >= 0:
        tail = _TRAILING.fullmatch(text, comma, end)
        if tail:
            end = comma
    return start, end


def _own_words(text: str, start: int, end: int, value_spans: list[tuple[int, int]], value_starts: list[int]) -> int:
    """Content words of text[start:end] outside the spans of the draft's value claims."""
    inside = []
    for a, b in value_spans[max(0, bisect_left(value_starts, start) - 1):]:
        if a >= end:
            break
        if b > start:
            inside.append((a, b))
    return sum(1 for m in _WORD.finditer(text, start, end)
               if m.group().lower() not in _STOP and not any(a <= m.start() < b for a, b in inside))


def _sentence(clause: str) -> str:
    clause = " ".join(clause.split())
    return clause[:1].upper() + clause[1:] + ("" if clause.endswith((".", "!", "?")) else ".")


def _not_checkworthy(text: str, start: int, end: int) -> str | None:
    """`not_checkworthy`, in time bounded by the sentence: it reads the sentence's whole line (furniture,
    captions, contents), so on a long line (not furniture, a caption or a contents entry anyway) only the
    sentence is passed."""
    line_start = text.rfind("\n", max(0, start - MAX_LINE_CHARS), start) + 1
    line_end = text.find("\n", end, end + MAX_LINE_CHARS)
    if line_start == 0 and start > MAX_LINE_CHARS or line_end < 0 and len(text) - end > MAX_LINE_CHARS:
        return not_checkworthy(text[start:end], 0, end - start)
    return not_checkworthy(text, start, end)


def find_statements(text: str, claims: list[Claim]) -> list[Claim]:
    """One "statement" claim per check-worthy clause of the draft (see the module's docstring); ids continue
    after the given claims' (c<n+1>, ...)."""
    from claims.extract import sentence_spans

    value_spans = sorted((c.start, c.end) for c in claims if c.kind != "statement")
    value_starts = [a for a, _ in value_spans]
    out: list[Claim] = []
    for s_start, s_end in sentence_spans(text):
        if not _SENTENCE_END.search(text, max(s_start, s_end - 8), s_end) or _not_checkworthy(text, s_start, s_end):
            continue
        for c_start, c_end in _clauses(text, s_start, s_end):
            start, end = _without_attribution(text, *_trim(text, c_start, c_end))
            start, end = _trim(text, start, end)
            clause = text[start:end]
            if len(_WORD.findall(clause)) < MIN_WORDS or _OPINION_VERB.search(clause):
                continue
            if _own_words(text, start, end, value_spans, value_starts) < MIN_OWN_WORDS:
                continue
            out.append(Claim(id=f"c{len(claims) + len(out) + 1}", text=clause, start=start, end=end,
                             kind="statement", statement=_sentence(clause), sentence_start=s_start,
                             sentence_end=s_end, extractor="rules"))
    return out
