"""A checked report, with the reviewer's decisions applied, as JSON, Markdown, CSV or ClaimReview.

Pure functions: each takes the report, the draft and the decisions keyed by claim id, and returns text
or data. An override replaces the machine's verdict; notes and "for the editor" marks are carried along.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.review_store import Decision
from claims.models import ClaimResult, Label, Report

Decisions = Mapping[str, Decision]

# ClaimReview ratings on a 1..3 scale; alternateName is the human-readable rating.
RATINGS: dict[Label, tuple[int, str]] = {
    Label.contradicted: (1, "False"),
    Label.not_enough_evidence: (2, "Unproven"),
    Label.supported: (3, "True"),
}
VERDICT_WORDS = {Label.supported: "Supported", Label.contradicted: "Contradicted",
                 Label.not_enough_evidence: "Not enough evidence"}
CSV_COLUMNS = ["id", "claim", "kind", "start", "end", "sentence", "machine_verdict", "confidence", "verdict",
               "review", "note", "for_editor", "flags", "suggestions", "sources", "quotes"]


def _decision(decisions: Decisions | None, claim_id: str) -> Decision:
    return (decisions or {}).get(claim_id) or Decision()


def final_verdict(result: ClaimResult, decisions: Decisions | None = None) -> Label:
    """The verdict that stands once the reviewer's override (if any) is applied."""
    return _decision(decisions, result.claim.id).verdict(result.verdict.label)


def _sentence(draft: str, result: ClaimResult) -> str:
    c = result.claim
    text = draft[c.sentence_start:c.sentence_end] if c.sentence_end > c.sentence_start else c.statement
    return re.sub(r"\s+", " ", text).strip()


def report_json(report: Report, decisions: Decisions | None = None) -> dict[str, Any]:
    """The `copydesk.report/1` JSON with each claim's verdict as reviewed and a `review` block."""
    data = report.to_json()
    for claim, result in zip(data["claims"], report.claims):
        decision = _decision(decisions, result.claim.id)
        if decision.status == "pending" and not decision.note and not decision.for_editor:
            continue
        claim["machine_verdict"] = claim["verdict"]
        claim["verdict"] = final_verdict(result, decisions).value
        claim["review"] = {"status": decision.status, "note": decision.note, "for_editor": decision.for_editor,
                           **({"reviewer": decision.reviewer} if decision.reviewer else {}),
                           **({"updated_at": decision.updated_at} if decision.updated_at else {})}
    return data


def report_json_text(report: Report, decisions: Decisions | None = None) -> str:
    return json.dumps(report_json(report, decisions), ensure_ascii=False, indent=2)


def escape_markdown(text: str) -> str:
    """Text made inert in Markdown: no links, emphasis, headings, HTML or tables."""
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$&])", r"\\\1", text)


def report_markdown(report: Report, draft: str, decisions: Decisions | None = None, *, title: str = "") -> str:
    """A Markdown report for editors: summary, then one section per claim, then draft-level flags."""
    counts = {label: 0 for label in Label}
    for result in report.claims:
        counts[final_verdict(result, decisions)] += 1
    lines = [f"# Fact-check report{': ' + escape_markdown(title) if title else ''}", "",
             f"As of {report.as_of.isoformat()}: {len(report.claims)} claims; "
             + ", ".join(f"{n} {VERDICT_WORDS[label].lower()}" for label, n in counts.items()) + ".", ""]
    for number, result in enumerate(report.claims, 1):
        c, v = result.claim, result.verdict
        decision = _decision(decisions, c.id)
        verdict = final_verdict(result, decisions)
        lines.append(f"## {number}. {escape_markdown(c.text)} ({c.kind})")
        lines.append("")
        lines.append(f"> {escape_markdown(_sentence(draft, result))}")
        lines.append("")
        reviewed = ""
        if decision.status == "overridden":
            reviewed = f" (reviewer override; machine said {VERDICT_WORDS[v.label].lower()} at {v.confidence:.0%})"
        elif decision.status == "accepted":
            reviewed = " (accepted by the reviewer)"
        confidence = "" if decision.status == "overridden" else f", confidence {v.confidence:.0%}"
        lines.append(f"- **Verdict:** {VERDICT_WORDS[verdict]}{confidence}{reviewed}")
        if decision.for_editor:
            lines.append("- **For the editor**")
        if decision.note:
            lines.append(f"- **Note:** {escape_markdown(decision.note)}")
        for flag in result.flags:
            suggestion = f" (did you mean {escape_markdown(flag.suggestion)}?)" if flag.suggestion else ""
            lines.append(f"- **Flag {flag.kind}:** {escape_markdown(flag.message)}{suggestion}")
        for cite in v.citations:
            when = f", {cite.date.isoformat()}" if cite.date else ""
            lines.append(f"- Source: {escape_markdown(cite.title or cite.source)}{when}: "
                         f"\u201c{escape_markdown(cite.quote)}\u201d")
        lines.append("")
    if report.flags:
        lines += ["## Draft-level flags", ""]
        for flag in report.flags:
            spans = "; ".join(f"\u201c{escape_markdown(draft[a:b])}\u201d" for a, b in flag.spans)
            lines.append(f"- **{flag.kind}:** {escape_markdown(flag.message)}{' (' + spans + ')' if spans else ''}")
        lines.append("")
    return "\n".join(lines)


def report_csv(report: Report, draft: str, decisions: Decisions | None = None) -> str:
    """One row per claim, with the reviewer's decision; cells starting with = + - @ are defused for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in report.claims:
        c, v = result.claim, result.verdict
        decision = _decision(decisions, c.id)
        row = {
            "id": c.id, "claim": c.text, "kind": c.kind, "start": c.start, "end": c.end,
            "sentence": _sentence(draft, result), "machine_verdict": v.label.value,
            "confidence": f"{v.confidence:.3f}", "verdict": final_verdict(result, decisions).value,
            "review": decision.status, "note": decision.note, "for_editor": "yes" if decision.for_editor else "",
            "flags": "; ".join(f.kind for f in result.flags),
            "suggestions": "; ".join(f.suggestion for f in result.flags if f.suggestion),
            "sources": "; ".join(x.source for x in v.citations), "quotes": " | ".join(x.quote for x in v.citations),
        }
        writer.writerow({k: _defuse(str(value)) for k, value in row.items()})
    return buffer.getvalue()


def _defuse(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") and not _is_number(cell) else cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def claim_review(report: Report, draft: str, decisions: Decisions | None = None, *,
                 publisher: str = "copydesk", url: str | None = None, draft_published: date | None = None,
                 review_date: date | None = None, reviewed_only: bool = False) -> list[dict[str, Any]]:
    """schema.org ClaimReview JSON-LD, one object per claim, with overrides applied and notes included.

    `reviewed_only` keeps only claims a reviewer accepted or overrode (what a newsroom would publish).
    """
    published = (review_date or date.today()).isoformat()
    out = []
    for result in report.claims:
        decision = _decision(decisions, result.claim.id)
        if reviewed_only and decision.status == "pending":
            continue
        verdict = final_verdict(result, decisions)
        value, name = RATINGS[verdict]
        appearance: dict[str, Any] = {"@type": "CreativeWork", "text": _sentence(draft, result)}
        if url:
            appearance["url"] = url
        item: dict[str, Any] = {"@type": "Claim", "appearance": appearance,
                                "datePublished": (draft_published or report.as_of).isoformat()}
        review: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "claimReviewed": result.claim.statement or result.claim.text,
            "reviewRating": {"@type": "Rating", "alternateName": name, "ratingValue": value,
                             "bestRating": 3, "worstRating": 1},
            "itemReviewed": item,
            "author": {"@type": "Organization", "name": publisher},
            "datePublished": published,
        }
        if url:
            review["url"] = f"{url}#{result.claim.id}"
        body = [decision.note] if decision.note else []
        body += [f"{c.title or c.source}: \u201c{c.quote}\u201d" for c in result.verdict.citations]
        if body:
            review["reviewBody"] = " ".join(body)
        out.append(review)
    return out


def claim_review_text(report: Report, draft: str, decisions: Decisions | None = None, **kwargs: Any) -> str:
    return json.dumps(claim_review(report, draft, decisions, **kwargs), ensure_ascii=False, indent=2)
