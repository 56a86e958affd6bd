"""Typed models shared by every layer above retrieval: claims, verdicts, citations, flags, reports.

All models are frozen pydantic models. The report's JSON shape is the contract `copydesk.report/1`
(see README): `Report.to_json()` writes it and `Report.from_json()` reads it back.
"""
from __future__ import annotations

from datetime import date as Date
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA = "copydesk.report/1"


class Label(str, Enum):
    supported = "supported"
    contradicted = "contradicted"
    not_enough_evidence = "not_enough_evidence"

    @classmethod
    def parse(cls, value: str) -> "Label":
        """Accept the project's labels and FEVER-style / numeric spellings."""
        key = str(value).strip().lower().replace(" ", "_")
        aliases = {
            "supports": cls.supported, "supported": cls.supported, "true": cls.supported, "1": cls.supported,
            "refutes": cls.contradicted, "contradicted": cls.contradicted, "false": cls.contradicted,
            "0": cls.contradicted, "refuted": cls.contradicted,
            "not_enough_info": cls.not_enough_evidence, "not_enough_evidence": cls.not_enough_evidence,
            "nei": cls.not_enough_evidence, "not_enough_evidences": cls.not_enough_evidence,
        }
        if key not in aliases:
            raise ValueError(f"unknown label {value!r}")
        return aliases[key]


ClaimKind = Literal["quantity", "date", "official", "statement", "other"]
FlagKind = Literal[
    "misnamed_official", "outdated_official", "number_mismatch", "date_mismatch", "internal_inconsistency",
    "misquote", "conflicting_evidence", "cross_draft_inconsistency",
]
# A verdict's tier: a "finding" comes from a method whose verdicts at that confidence were >= 0.90 precise
# on the development split (roster, relevant comparators, confident model verdicts); anything else is a
# "suggestion", which readers show as "needs a human" with the machine's lean.
Tier = Literal["finding", "suggestion"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Quantity(_Frozen):
    """A normalised number as the draft states it.

    `value` is in base units after the scale is applied ("about 40 billion yen" -> 4.0e10, JPY).
    Percentages keep their figure (72% -> 72.0, unit "percent"); a change in percentage points has
    unit "percentage_point". Ranges set `low`/`high` (and `value` to their midpoint).
    """

    value: float
    low: float | None = None
    high: float | None = None
    unit: str | None = None  # "percent", "percentage_point", "km", "m", "people", "troops", ... or None
    currency: str | None = None  # ISO 4217: "JPY", "USD", "KRW", ...
    scale: str | None = None  # "thousand", "million", "billion", "trillion" as written
    qualifier: str | None = None  # "about", "nearly", "more than", "at least", ... or None when exact
    noun: str | None = None  # what is counted: "U.S. troops", "people"
    change: Literal["increase", "decrease"] | None = None  # "a 1% increase", "up 1 point"
    per: str | None = None  # "year" for "$5 billion a year"

    @property
    def bounds(self) -> tuple[float, float]:
        return (self.low if self.low is not None else self.value, self.high if self.high is not None else self.value)


class DateValue(_Frozen):
    """A date or period resolved against the as-of date: an inclusive [start, end] range of days."""

    start: Date
    end: Date
    granularity: Literal["day", "month", "season", "year", "range", "open"] = "day"
    relation: Literal["on", "since", "before", "after", "until"] = "on"
    relative: bool = False  # "last year", "in March" (year inferred) were resolved against as_of


class OfficialMention(_Frozen):
    """A named person with (or referring back to) a title."""

    name: str | None = None  # as written: "Sanae Takaichi", "Lee"
    title: str | None = None  # as written: "Prime Minister", "U.S. Treasury Secretary"
    office: str | None = None  # canonical roster office when resolved: "Prime Minister of Japan"
    full_name: str | None = None  # the holder's full name when a bare surname refers back to a titled mention


class Claim(_Frozen):
    """One checkable claim in a draft.

    `start`/`end` is the exact span of the checked value or mention in the draft (draft[start:end] == text);
    `statement` is the minimal self-contained statement around it, used for retrieval and verification;
    `sentence_start`/`sentence_end` is the span of the sentence it comes from.
    """

    id: str
    text: str
    start: int
    end: int
    kind: ClaimKind
    statement: str
    sentence_start: int = 0
    sentence_end: int = 0
    quantity: Quantity | None = None
    date: DateValue | None = None
    official: OfficialMention | None = None
    subject: str | None = None  # what is measured or who acts, when known
    extractor: Literal["rules", "llm", "rules+llm", "given"] = "rules"

    def values(self) -> dict[str, Any]:
        """The normalised values, for reports and UIs."""
        out: dict[str, Any] = {}
        for name in ("quantity", "date", "official"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.model_dump(mode="json", exclude_none=True)
        return out


class Citation(_Frozen):
    """Evidence quoted verbatim: document_text[start:end] == quote."""

    source: str
    quote: str
    start: int
    end: int
    title: str | None = None
    date: Date | None = None
    url: str | None = None
    passage_id: str | None = None


class Flag(_Frozen):
    kind: FlagKind
    message: str
    suggestion: str | None = None
    spans: list[tuple[int, int]] = Field(default_factory=list)  # draft offsets the flag concerns
    claim_ids: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Verdict(_Frozen):
    label: Label
    confidence: float
    citations: list[Citation] = Field(default_factory=list)
    method: str = "none"  # "comparator:quantity", "comparator:date", "roster", "judge:offline", "judge:llm", ...
    rationale: str = ""
    note: str | None = None  # e.g. "LLM unavailable: fell back to the offline judge"
    tier: Tier = "suggestion"


class ClaimResult(_Frozen):
    claim: Claim
    verdict: Verdict
    flags: list[Flag] = Field(default_factory=list)
    retrieved: list[dict[str, Any]] = Field(default_factory=list)  # top passages: source, text, score


class Usage(_Frozen):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    cached_calls: int = 0
    estimated_cost_usd: float = 0.0


class Report(_Frozen):
    as_of: Date
    claims: list[ClaimResult] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)  # draft-level flags (internal inconsistencies)
    notes: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    seconds: float | None = None
    draft_sha: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON shape, `copydesk.report/1`, plus extra keys readers may ignore."""

        def flag_json(f: Flag) -> dict[str, Any]:
            d: dict[str, Any] = {"kind": f.kind, "message": f.message}
            if f.suggestion:
                d["suggestion"] = f.suggestion
            if f.spans:
                d["spans"] = [list(s) for s in f.spans]
            if f.claim_ids:
                d["claim_ids"] = list(f.claim_ids)
            if f.citations:
                d["citations"] = [c.model_dump(mode="json", exclude_none=True) for c in f.citations]
            return d

        claims = []
        for r in self.claims:
            c, v = r.claim, r.verdict
            claims.append({
                "id": c.id, "text": c.text, "start": c.start, "end": c.end, "kind": c.kind,
                "verdict": v.label.value, "confidence": round(v.confidence, 4),
                "citations": [x.model_dump(mode="json", exclude_none=True) for x in v.citations],
                "flags": [flag_json(f) for f in r.flags],
                "tier": v.tier, "statement": c.statement, "values": c.values(), "method": v.method,
                **({"subject": c.subject} if c.subject else {}),
                "rationale": v.rationale, **({"note": v.note} if v.note else {}),
                "sentence": [c.sentence_start, c.sentence_end], "extractor": c.extractor,
                **({"retrieved": r.retrieved} if r.retrieved else {}),
            })
        out: dict[str, Any] = {
            "schema": REPORT_SCHEMA, "as_of": self.as_of.isoformat(), "claims": claims,
            "flags": [flag_json(f) for f in self.flags], "notes": list(self.notes),
            "usage": self.usage.model_dump(mode="json"),
        }
        if self.seconds is not None:
            out["seconds"] = round(self.seconds, 3)
        if self.draft_sha:
            out["draft_sha"] = self.draft_sha
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Report":
        if data.get("schema") != REPORT_SCHEMA:
            raise ValueError(f"not a {REPORT_SCHEMA} report")

        def flag(d: dict[str, Any]) -> Flag:
            return Flag(kind=d["kind"], message=d["message"], suggestion=d.get("suggestion"),
                        spans=[tuple(s) for s in d.get("spans", [])], claim_ids=d.get("claim_ids", []),
                        citations=[Citation(**x) for x in d.get("citations", [])])

        results = []
        for d in data.get("claims", []):
            values = d.get("values", {})
            sentence = d.get("sentence", [0, 0])
            claim = Claim(
                id=d["id"], text=d["text"], start=d["start"], end=d["end"], kind=d["kind"],
                statement=d.get("statement", d["text"]), sentence_start=sentence[0], sentence_end=sentence[1],
                quantity=Quantity(**values["quantity"]) if "quantity" in values else None,
                date=DateValue(**values["date"]) if "date" in values else None,
                official=OfficialMention(**values["official"]) if "official" in values else None,
                subject=d.get("subject"), extractor=d.get("extractor", "rules"),
            )
            verdict = Verdict(label=Label(d["verdict"]), confidence=d["confidence"],
                              citations=[Citation(**x) for x in d.get("citations", [])],
                              method=d.get("method", "none"), rationale=d.get("rationale", ""), note=d.get("note"),
                              tier=d.get("tier", "suggestion"))
            results.append(ClaimResult(claim=claim, verdict=verdict, flags=[flag(f) for f in d.get("flags", [])],
                                       retrieved=d.get("retrieved", [])))
        return cls(as_of=Date.fromisoformat(data["as_of"]), claims=results, flags=[flag(f) for f in data.get("flags", [])],
                   notes=data.get("notes", []), usage=Usage(**data.get("usage", {})), seconds=data.get("seconds"),
                   draft_sha=data.get("draft_sha"))
