"""Claims found by an LLM, every one re-checked against the draft, and merged with the rule-based claims.

The model proposes {quote, kind, statement, value, name, title} per claim (prompts/extract.md). Nothing
it says is trusted as is:
- the quote must occur verbatim in the draft (else the claim is dropped); the claim's span is where it occurs;
- numbers in the model's value must all appear in the quote (else dropped): an LLM never invents a number;
- the normalised quantity or date is read from the quoted span by the project's own grammars
  (claims.quantities, claims.dates), never from the model; a quantity or date the grammars cannot read
  in the quote is kept as kind "other";
- an official's name and title are kept only when they appear in the quote;
- the statement is kept only when each of its numbers appears in the claim's sentence; otherwise the
  sentence itself is the statement.
Long drafts are sent in chunks of whole paragraphs.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from claims.dates import find_dates
from claims.lexicon import parse_number
from claims.models import Claim, DateValue, OfficialMention, Quantity
from claims.quantities import find_quantities
from retrieval.chunking import split_sentences

CHUNK_CHARS = 1200  # paragraphs are grouped up to this size per request (a 1.5B model's comfortable input)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class LLMClaim(BaseModel):
    quote: str
    kind: Literal["quantity", "date", "official", "other"]
    statement: str = ""
    value: str | None = None
    name: str | None = None
    title: str | None = None


class ExtractionOutput(BaseModel):
    claims: list[LLMClaim] = Field(default_factory=list)


def paragraph_chunks(text: str, max_chars: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) spans of consecutive whole paragraphs, each span up to `max_chars` when it can be."""
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"\S(?:.*?\S)?(?=\n\s*\n|\s*\Z)", text, re.DOTALL)]
    chunks: list[tuple[int, int]] = []
    for start, end in paragraphs:
        if chunks and end - chunks[-1][0] <= max_chars:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return chunks


def numbers_in(text: str) -> list[str]:
    """The numbers written in `text`, digits only ("1,200.5" -> "1200.5")."""
    return [n.replace(",", "") for n in _NUMBER.findall(text)]


def numbers_covered(claimed: str, source: str) -> bool:
    """Whether every number in `claimed` is also written in `source`."""
    available = set(numbers_in(source))
    return all(n in available for n in numbers_in(claimed))


def _sentence_span(text: str, start: int, end: int, sentences: list[tuple[int, int]]) -> tuple[int, int]:
    for s_start, s_end in sentences:
        if s_start <= start < s_end:
            return s_start, max(s_end, end)
    return start, end


def _overlapping(matches: list, start: int, end: int):
    return next((m for m in matches if m.start < end and start < m.end), None)


class LLMExtractor:
    """`LLMExtractor(client).extract(text, as_of) -> list[Claim]` (extractor "llm", ids c1.. in text order)."""

    def __init__(self, client, *, prompt_name: str = "extract", chunk_chars: int = CHUNK_CHARS) -> None:
        self.client = client
        self.prompt_name = prompt_name
        self.chunk_chars = chunk_chars

    def extract(self, text: str, as_of: date) -> list[Claim]:
        sentences = split_sentences(text)
        claims: list[Claim] = []
        for chunk_start, chunk_end in paragraph_chunks(text, self.chunk_chars):
            output = self.client.structured(self.prompt_name, {"text": text[chunk_start:chunk_end],
                                                               "as_of": as_of.isoformat()}, ExtractionOutput)
            for proposal in output.claims:
                claim = self._checked(proposal, text, chunk_start, chunk_end, sentences, as_of)
                if claim is not None and not any((c.start, c.end) == (claim.start, claim.end) for c in claims):
                    claims.append(claim)
        return renumber(claims)

    def _checked(self, proposal: LLMClaim, text: str, chunk_start: int, chunk_end: int,
                 sentences: list[tuple[int, int]], as_of: date) -> Claim | None:
        """The proposal as a Claim if it survives the checks against the draft, else None."""
        quote = proposal.quote.strip()
        found = text.find(quote, chunk_start, chunk_end) if quote else -1
        if found == -1:
            return None
        start, end = found, found + len(quote)
        if proposal.value and not numbers_covered(proposal.value, quote):
            return None
        sentence_start, sentence_end = _sentence_span(text, start, end, sentences)
        sentence = text[sentence_start:sentence_end]
        statement = " ".join(proposal.statement.split())
        if not statement or not numbers_covered(statement, sentence):
            statement = sentence
        kind = proposal.kind
        quantity: Quantity | None = None
        when: DateValue | None = None
        official: OfficialMention | None = None
        if kind == "quantity":
            match = _overlapping(find_quantities(sentence), start - sentence_start, end - sentence_start)
            if match is not None:
                quantity = match.quantity
            else:
                number = parse_number(quote)
                quantity = Quantity(value=number) if number is not None else None
        elif kind == "date":
            match = _overlapping(find_dates(sentence, as_of), start - sentence_start, end - sentence_start)
            when = match.value if match is not None else None
        elif kind == "official":
            name = proposal.name if proposal.name and proposal.name in quote else None
            title = proposal.title if proposal.title and proposal.title in quote else None
            official = OfficialMention(name=name, title=title) if name or title else None
        if (kind == "quantity" and quantity is None) or (kind == "date" and when is None) or \
                (kind == "official" and official is None):
            kind = "other"
        return Claim(id="c0", text=quote, start=start, end=end, kind=kind, statement=statement,
                     sentence_start=sentence_start, sentence_end=sentence_end, quantity=quantity, date=when,
                     official=official, subject=None, extractor="llm")


def renumber(claims: list[Claim]) -> list[Claim]:
    """Claims sorted by position, with ids c1, c2, ... in text order."""
    ordered = sorted(claims, key=lambda c: (c.start, c.end))
    return [c.model_copy(update={"id": f"c{i}"}) for i, c in enumerate(ordered, start=1)]


def _overlaps(a: Claim, b: Claim) -> bool:
    return a.start < b.end and b.start < a.end


def merge_claims(rule_claims: list[Claim], llm_claims: list[Claim]) -> list[Claim]:
    """Rule claims (their values win) plus the LLM claims that overlap none of them.

    A rule claim that some LLM claim overlaps is marked extractor "rules+llm". Ids are renumbered c1.. in text order.
    """
    merged = [c.model_copy(update={"extractor": "rules+llm"}) if any(_overlaps(c, x) for x in llm_claims) else c
              for c in rule_claims]
    merged += [x for x in llm_claims if not any(_overlaps(c, x) for c in rule_claims)]
    return renumber(merged)
