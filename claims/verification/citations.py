"""The one Citation builder: evidence quoted verbatim, with its source and offsets in the source document.

Every checker cites through `cite` (a span of any text whose position in its source is known) or
`cite_passage` (a span of a retrieved passage), so `source_text[citation.start:citation.end] ==
citation.quote` holds for every verdict and flag.
"""
from __future__ import annotations

from datetime import date

from claims.models import Citation
from retrieval.types import Passage


def cite(source: str, text: str, start: int, end: int, *, offset: int = 0, title: str | None = None,
         date: date | None = None, url: str | None = None, passage_id: str | None = None) -> Citation:
    """`text[start:end]` quoted, where `text` begins at `offset` in the document named `source`."""
    return Citation(source=source, quote=text[start:end], start=offset + start, end=offset + end, title=title,
                    date=date, url=url, passage_id=passage_id)


def cite_passage(passage: Passage, start: int, end: int) -> Citation:
    """`passage.text[start:end]` quoted, with offsets into the passage's source document."""
    return cite(passage.source, passage.text, start, end, offset=passage.start, title=passage.title,
                date=passage.date, url=passage.url, passage_id=passage.id)
