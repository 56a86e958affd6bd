"""Rendering a report for the terminal: JSON (the contract), Markdown, or a plain table."""
from __future__ import annotations

import json
import textwrap

from claims.models import Report

VERDICT_MARK = {"supported": "SUPPORTED", "contradicted": "CONTRADICTED", "not_enough_evidence": "NOT ENOUGH EVIDENCE"}


def render_report(report: Report, fmt: str, draft: str | None = None) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False)
    if fmt == "markdown":
        from app.exports import report_markdown

        return report_markdown(report, draft or "")
    if fmt == "table":
        return render_table(report)
    raise ValueError(f"unknown format {fmt!r}")


def render_table(report: Report) -> str:
    """One block per claim: verdict, confidence, the claim, its flags and its first citation."""
    lines = [f"copydesk report (as of {report.as_of}): {len(report.claims)} claims"]
    counts: dict[str, int] = {}
    for r in report.claims:
        counts[r.verdict.label.value] = counts.get(r.verdict.label.value, 0) + 1
    lines.append("  " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    for r in report.claims:
        c, v = r.claim, r.verdict
        lines.append("")
        lines.append(f"{c.id:>4} [{c.start}-{c.end}] {c.kind:<8} {VERDICT_MARK[v.label.value]} ({v.confidence:.2f})  {c.text}")
        if v.rationale:
            lines.append(textwrap.indent(textwrap.fill(v.rationale, 96), "       "))
        for f in r.flags:
            hint = f" -> did you mean {f.suggestion}?" if f.suggestion else ""
            lines.append(f"       FLAG {f.kind}: {f.message}{hint}")
        for cit in v.citations[:2]:
            lines.append(f"       cites {cit.source} [{cit.start}-{cit.end}]: \"{cit.quote}\"")
    if report.flags:
        lines.append("")
        lines.append("Draft-level flags:")
        for f in report.flags:
            spans = ", ".join(f"{a}-{b}" for a, b in f.spans)
            lines.append(f"  FLAG {f.kind} [{spans}]: {f.message}")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)
