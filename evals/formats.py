"""Eval set items (claim items and document items), loading JSONL sets, and deterministic sampling.

A set is JSONL; each line is either
- a claim item: {"id", "claim", "evidence": [str, ...] (optional), "label", "as_of" (optional),
  "gold_evidence": [indices into evidence] (optional extension: which evidence strings are relevant)}
- a document item: {"id", "text" | "text_file", "as_of", "corpus": [{"source", "text", "date", "trust"?}] | "folder",
  "roster": [rows], "expected": [{"quote", "verdict"?, "flags"?, "kind"?, "value"?, "occurrence"?, "note"?,
  "category"?, "checkworthy"?}]}

Expected entries may be statements (`kind: "statement"`: a qualitative clause or a quote, with its verdict
and flags) and may say `checkworthy: false` (page furniture, a question, an opinion, a prediction: a span
that must not be reported as a claim nor flagged); `category` groups entries for scoring (see
evals/sets/README.md). Corpus documents may carry `trust`: "high", "normal" (default) or "low".

`text_file` is relative to the shared dir (default ../shared beside the repo; COPYDESK_SHARED or
`shared_dir=` override it); a string `corpus` is a folder relative to the repository root.
"""
from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import date as Date
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from claims.errors import CopydeskError
from claims.models import ClaimKind, FlagKind, Label
from retrieval.types import Trust

REPO_ROOT = Path(__file__).resolve().parents[1]


class EvalSetError(CopydeskError, ValueError):
    """A set file is missing or malformed; the message names the file and line."""


class _Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def _parse_label(value: Any) -> Label | None:
    if value is None or isinstance(value, Label):
        return value
    return Label.parse(str(value))


class ClaimItem(_Item):
    id: str
    claim: str
    evidence: list[str] | None = None
    label: Label
    as_of: Date | None = None
    gold_evidence: list[int] | None = None

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, value: Any) -> Label | None:
        return _parse_label(value)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> str:
        return str(value)


ExpectedKind = Literal["quantity", "date", "official", "other", "statement"]


class ExpectedClaim(_Item):
    quote: str
    verdict: Label | None = None
    flags: list[FlagKind] = Field(default_factory=list)
    kind: ExpectedKind | None = None
    value: dict[str, Any] | None = None
    occurrence: int = 0
    note: str | None = None
    category: str | None = None  # planted3: value, qualitative, context, words, quote, source, internal, decoy, not_a_claim
    checkworthy: bool = True  # False: not a claim (page furniture, question, opinion, prediction)

    @field_validator("verdict", mode="before")
    @classmethod
    def _verdict(cls, value: Any) -> Label | None:
        return _parse_label(value)


class CorpusDoc(_Item):
    source: str
    text: str
    date: Date | None = None
    title: str | None = None
    trust: Trust = "normal"  # the document's source trust (retrieval.types.Trust), stored with its passages


class DocumentItem(_Item):
    id: str
    text: str | None = None
    text_file: str | None = None
    as_of: Date | None = None
    corpus: list[CorpusDoc] | str = Field(default_factory=list)
    roster: list[dict[str, Any]] = Field(default_factory=list)
    expected: list[ExpectedClaim] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> str:
        return str(value)

    @model_validator(mode="after")
    def _has_text(self) -> "DocumentItem":
        if self.text is None and self.text_file is None:
            raise ValueError("a document item needs 'text' or 'text_file'")
        return self


Item = Union[ClaimItem, DocumentItem]


def default_shared_dir() -> Path:
    """The shared data folder: the settings' `shared` ($COPYDESK_SHARED, else ../shared beside the repository)."""
    from claims.settings import Settings

    return Settings.load().shared


def document_text(item: DocumentItem, shared_dir: Path | None = None) -> str:
    """The draft text of a document item, reading `text_file` from the shared dir when needed."""
    if item.text is not None:
        return item.text
    path = (shared_dir or default_shared_dir()) / str(item.text_file)
    if not path.is_file():
        raise EvalSetError(f"item {item.id}: text_file {path} not found (set --shared DIR or COPYDESK_SHARED)")
    return path.read_text(encoding="utf-8")


def corpus_documents(item: DocumentItem):
    """The item's corpus as retrieval Documents (inline docs, or a folder relative to the repo root)."""
    from retrieval.types import Document

    if isinstance(item.corpus, str):
        folder = REPO_ROOT / item.corpus
        if not folder.exists():
            raise EvalSetError(f"item {item.id}: corpus folder {folder} not found")
        from retrieval.loaders import load_paths

        return list(load_paths([folder]))
    return [Document(source=d.source, text=d.text, title=d.title, date=d.date, trust=d.trust) for d in item.corpus]


def expected_span(text: str, entry: ExpectedClaim, item_id: str = "?") -> tuple[int, int]:
    """Offsets of the entry's quote in the text (its `occurrence`-th match, 0-based)."""
    start = -1
    for _ in range(entry.occurrence + 1):
        start = text.find(entry.quote, start + 1)
        if start < 0:
            raise EvalSetError(
                f"item {item_id}: quote {entry.quote!r} (occurrence {entry.occurrence}) not found in its text")
    return start, start + len(entry.quote)


def parse_item(data: Any) -> Item:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if "claim" in data:
        return ClaimItem.model_validate(data)
    if "text" in data or "text_file" in data:
        return DocumentItem.model_validate(data)
    raise ValueError("an item needs 'claim' (claim item) or 'text'/'text_file' (document item)")


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        return f"{where}: {err['msg']}" if where else err["msg"]
    return str(exc).splitlines()[0]


def load_set(path: str | Path) -> list[Item]:
    """Read a JSONL set; blank lines and `#` comments are skipped; ids must be unique."""
    path = Path(path)
    if not path.is_file():
        raise EvalSetError(f"{path}: no such eval set")
    items: list[Item] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                item = parse_item(json.loads(line))
            except json.JSONDecodeError as exc:
                raise EvalSetError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            except (ValidationError, ValueError) as exc:
                raise EvalSetError(f"{path}:{number}: bad item ({_short(exc)})") from None
            if item.id in seen:
                raise EvalSetError(f"{path}:{number}: duplicate id {item.id!r}")
            seen.add(item.id)
            items.append(item)
    if not items:
        raise EvalSetError(f"{path}: no items")
    return items


def sample_items(items: list[Item], limit: int | None = None, seed: int = 0) -> list[Item]:
    """A deterministic sample of at most `limit` items, in the set's order.

    Claim items are sampled stratified by label (each label keeps its share, largest remainders
    first); document items are sampled uniformly. The same (items, limit, seed) gives the same sample.
    """
    if limit is None or limit >= len(items):
        return list(items)
    if limit < 0:
        raise EvalSetError(f"limit must be >= 0, got {limit}")
    rng = random.Random(seed)
    strata: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        key = item.label.value if isinstance(item, ClaimItem) else "document"
        strata[key].append(index)
    keys = sorted(strata)
    exact = {k: limit * len(strata[k]) / len(items) for k in keys}
    quota = {k: int(exact[k]) for k in keys}
    for k in sorted(keys, key=lambda k: (-(exact[k] - quota[k]), k))[: limit - sum(quota.values())]:
        quota[k] += 1
    chosen: list[int] = []
    for k in keys:
        chosen += rng.sample(strata[k], quota[k])
    return [items[i] for i in sorted(chosen)]
