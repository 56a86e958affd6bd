"""Sentence splitting and sentence-aware chunking with exact character offsets.

`split_sentences` is shared with claims/ (sentence spans of a draft), so it is careful about
abbreviations ("U.S.", "Dr.", "No. 5"), initials ("J. R. Smith"), decimals ("1.5") and quotes.
"""
from __future__ import annotations

import re

from retrieval.tokens import get_encoding
from retrieval.types import Document, Passage, content_hash

DEFAULT_MAX_TOKENS = 120
DEFAULT_MAX_SENTENCES = 3
# A "sentence" longer than this (a line without full stops, a table flattened into one line, 20,000 numbers) is
# cut into pieces at a clause mark (; : , dash) or else a space, between MIN_CUT_CHARS and MAX_SENTENCE_CHARS:
# every later stage (claim statements, their queries and embeddings, comparators) then costs a bounded amount
# per piece, so a draft's check time grows linearly with its length.
MAX_SENTENCE_CHARS = 400
MIN_CUT_CHARS = 160
_CLAUSE_MARKS = re.compile(r"[;:,\u2013\u2014](?=\s)|\s[-\u2013\u2014]\s")

# Words that end with a period but rarely end a sentence (compared lower-case, without the dot).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres supt insp
    no nos vol vols art sec ch pp p fig figs eq ed eds est approx dept univ assn corp inc ltd co bros
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    vs etc al cf ca op ibid viz e.g i.e a.m p.m u.s u.k u.n e.u u.s.a""".split()
)
# After an abbreviation such as "U.S." these words signal that a new sentence started anyway.
SENTENCE_STARTERS = frozenset(
    """the a an it its he she they we i this that these those there but and so yet however
    in on at for if when while after before meanwhile also still his her their our""".split()
)

_BOUNDARY = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s)""")
# Hard breaks: a blank line, the newline before a Markdown heading or list item, the newline after a heading.
_BLANK_OR_BLOCK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*(?:#{1,6}|[-*•]|\d+[.)])[ \t])")
_HEADING_END = re.compile(r"(?m)^[ \t]*#{1,6}[ \t][^\n]*(\n)")
_WORD_BEFORE = re.compile(r"""(?:^|[\s("'“‘\[])([\w.'’-]*)$""")
_NEXT_WORD = re.compile(r"""\s+["'“‘(\[]*([\w$€£¥%-]*)""")


def _is_boundary(text: str, dot_start: int, boundary_end: int) -> bool:
    """Whether the punctuation at text[dot_start:boundary_end] ends a sentence."""
    next_match = _NEXT_WORD.match(text, boundary_end)
    next_word = next_match.group(1) if next_match else ""
    if next_word and next_word[0].islower():
        return False  # "approx. three", "e.g. the"
    if text[dot_start] != ".":
        return True  # ! ? … always end a sentence before a capital or a digit
    if text[dot_start:boundary_end].startswith("..."):
        return bool(next_word) and next_word[0].isupper()
    word_match = _WORD_BEFORE.search(text, max(0, dot_start - 64), dot_start)
    word = (word_match.group(1) if word_match else "").rstrip(".")
    lower = word.lower()
    if not word:
        return True
    if len(word) == 1 and word.isalpha() and word.isupper():
        return False  # an initial: "J. Smith"
    is_dotted_acronym = "." in word and all(len(part) <= 2 for part in word.split("."))  # U.S., e.g
    if lower in ABBREVIATIONS or is_dotted_acronym:
        if lower in {"etc", "al"} or is_dotted_acronym:
            return next_word.lower() in SENTENCE_STARTERS  # "... in the U.S. The next ..."
        if lower == "no" and not next_word[:1].isdigit():
            return True  # "The answer was no."
        return False
    return True


def _strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _cut_long(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append text[start:end] to `spans`, cut into pieces of at most MAX_SENTENCE_CHARS (see there)."""
    while end - start > MAX_SENTENCE_CHARS:
        low, high = start + MIN_CUT_CHARS, start + MAX_SENTENCE_CHARS
        cut = None
        for match in _CLAUSE_MARKS.finditer(text, low, high):
            cut = match.end()  # the last clause mark in the window
        if cut is None:
            space = max(text.rfind(" ", low, high), text.rfind("\n", low, high), text.rfind("\t", low, high))
            cut = space + 1 if space > low else high
        span = _strip_span(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    span = _strip_span(text, start, end)
    if span:
        spans.append(span)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of `text`, without surrounding whitespace; text[s:e] is the sentence.

    Blank lines always end a sentence (paragraphs, headings, list blocks). Sentences longer than
    MAX_SENTENCE_CHARS are cut at clause marks or spaces into pieces no longer than that.
    """
    spans: list[tuple[int, int]] = []
    for start, end in _sentence_spans(text):
        if end - start <= MAX_SENTENCE_CHARS:
            spans.append((start, end))
        else:
            _cut_long(text, start, end, spans)
    return spans


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    paragraph_start = 0
    breaks = {(m.start(), m.end()) for m in _BLANK_OR_BLOCK.finditer(text)}
    breaks |= {m.span(1) for m in _HEADING_END.finditer(text)}
    paragraph_ends = sorted(breaks) + [(len(text), len(text))]
    for paragraph_end, next_start in paragraph_ends:
        if paragraph_end < paragraph_start:
            continue  # overlapping breaks
        sentence_start = paragraph_start
        for match in _BOUNDARY.finditer(text, paragraph_start, paragraph_end):
            if _is_boundary(text, match.start(), match.end()):
                span = _strip_span(text, sentence_start, match.end())
                if span:
                    spans.append(span)
                sentence_start = match.end()
        span = _strip_span(text, sentence_start, paragraph_end)
        if span:
            spans.append(span)
        paragraph_start = next_start
    return spans


def _split_long_span(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence into pieces of at most `max_tokens`, at token boundaries."""
    encoding = get_encoding()
    tokens = encoding.encode(text[start:end], disallowed_special=())
    pieces: list[tuple[int, int]] = []
    offset = start
    for i in range(0, len(tokens), max_tokens):
        piece = encoding.decode(tokens[i:i + max_tokens])
        piece_end = min(end, offset + len(piece)) if i + max_tokens < len(tokens) else end
        span = _strip_span(text, offset, piece_end)
        if span:
            pieces.append(span)
        offset = piece_end
    return pieces


def _starts_new_block(text: str, previous: tuple[int, int, int], unit: tuple[int, int, int]) -> bool:
    """Passages do not run across a blank line or out of a Markdown heading."""
    gap = text[previous[1]:unit[0]]
    return _BLANK_OR_BLOCK.search(gap) is not None or ("\n" in gap and text[previous[0]] == "#")


def passage_id(source: str, doc_hash: str, start: int) -> str:
    return f"{content_hash(source)}:{doc_hash}:{start}"


def chunk_document(
    doc: Document, max_tokens: int = DEFAULT_MAX_TOKENS, max_sentences: int = DEFAULT_MAX_SENTENCES
) -> list[Passage]:
    """Cut a document into passages of 1..max_sentences whole sentences and at most ~max_tokens tokens.

    Each passage keeps exact offsets: doc.text[p.start:p.end] == p.text.
    """
    if max_tokens < 1 or max_sentences < 1:
        raise ValueError("max_tokens and max_sentences must be at least 1")
    encoding = get_encoding()
    text = doc.text
    units: list[tuple[int, int, int]] = []  # (start, end, tokens)
    for start, end in split_sentences(text):
        n = len(encoding.encode(text[start:end], disallowed_special=()))
        if n <= max_tokens:
            units.append((start, end, n))
        else:
            units.extend((s, e, max_tokens) for s, e in _split_long_span(text, start, end, max_tokens))

    doc_hash = doc.hash
    passages: list[Passage] = []
    group: list[tuple[int, int, int]] = []

    def flush() -> None:
        if group:
            start, end = group[0][0], group[-1][1]
            passages.append(Passage(
                id=passage_id(doc.source, doc_hash, start), source=doc.source, text=text[start:end],
                start=start, end=end, title=doc.title, date=doc.date, url=doc.url, doc_hash=doc_hash,
                trust=doc.trust,
            ))
            group.clear()

    for unit in units:
        if group and (len(group) >= max_sentences or sum(u[2] for u in group) + unit[2] > max_tokens
                      or _starts_new_block(text, group[-1], unit)):
            flush()
        group.append(unit)
    flush()
    return passages
