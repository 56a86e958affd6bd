"""Types of the retrieval floor: documents and the passages cut from them.

`retrieval/` knows nothing of claims; `claims/` builds on these types.
"""
from __future__ import annotations

import hashlib
from datetime import date as Date

from typing import Literal

from pydantic import BaseModel, ConfigDict

# How far a source is trusted: a document's front matter or JSONL field `trust`, "normal" when absent.
# An official record is "high", a forum post or a blog "low" (see README, "Source trust").
Trust = Literal["high", "normal", "low"]
TRUST_RANK: dict[str, int] = {"low": 0, "normal": 1, "high": 2}


def content_hash(text: str) -> str:
    """Stable identity of a text: the sha256 of its UTF-8 bytes (first 16 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Document(BaseModel):
    """One source document as loaded from the user's corpus."""

    model_config = ConfigDict(frozen=True)

    source: str  # stable name of the document: a path relative to the ingest root, or a JSONL id
    text: str
    title: str | None = None
    date: Date | None = None  # publication date, from metadata or the text
    url: str | None = None
    origin: str | None = None  # the file it was loaded from (absolute path): a replacement from another is warned
    trust: Trust = "normal"

    @property
    def hash(self) -> str:
        return content_hash(self.text)


class Passage(BaseModel):
    """A chunk of a document, with its character offsets into the document's text."""

    model_config = ConfigDict(frozen=True)

    id: str  # "<source hash>:<content hash>:<start>"
    source: str
    text: str
    start: int  # offsets into Document.text: document.text[start:end] == text
    end: int
    title: str | None = None
    date: Date | None = None
    url: str | None = None
    doc_hash: str | None = None
    trust: Trust = "normal"
    score: float | None = None  # set by search: higher is better
