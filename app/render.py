"""Rendering a report for the terminal: JSON (the contract), Markdown, or a plain table.

The table wraps to the terminal's width, uses colour only on a TTY, shows each claim's line number
and the draft's own sentence, and says "no corpus given" first when there was none. Text from the
draft or the corpus never reaches the terminal with control characters: ANSI escapes and other C0/C1
controls are stripped (`strip_controls`).
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import textwrap

from claims.models import ClaimResult, Report

VERDICT_MARK = {"supported": "SUPPORTED", "contradicted": "CONTRADICTED", "not_enough_evidence": "NOT ENOUGH EVIDENCE"}
COLOUR = {"supported": "32", "contradicted": "31", "not_enough_evidence": "33", "suggestion": "36"}
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Text safe to print: ANSI/OSC escape sequences and control characters (but newline and tab)
    removed, bidirectional overrides too; a carriage return becomes a space."""
    text = _ANSI.sub("", text).replace("\r", " ")
    return _CONTROLS.sub("", text)


def render_report(report: Report, fmt: str, draft: str | None = None, *, colour: bool | None = None,
                  width: int | None = None) -> str:
    if fmt == "json":  # json.dumps escapes C0 controls; C1 controls are escaped here
        text = json.dumps(report.to_json(), indent=2, ensure_ascii=False)
        return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group(0)):04x}", text)
    if fmt == "markdown":
        from app.exports import report_markdown

        return strip_controls(report_markdown(report, draft or ""))
    if fmt == "table":
        return render_table(report, draft, colour=colour, width=width)
    raise ValueError(f"unknown format {fmt!r}")


def _line(draft: str | None, offset: int) -> int | None:
    return draft.count("\n", 0, offset) + 1 if draft is not None else None


def _sentence(draft: str | None, r: ClaimResult) -> str:
    c = r.claim
    text = draft[c.sentence_start:c.sentence_end] if draft and c.sentence_end > c.sentence_start else c.text
    return re.sub(r"\s+", " ", text).strip()


def render_table(report: Report, draft: str | None = None, *, colour: bool | None = None,
                 width: int | None = None) -> str:
    """One block per claim: line, verdict in words (a suggestion as "NEEDS A HUMAN, leans ..."), the
    claim, the draft's sentence, its flags and first citations; wrapped to `width` (the terminal's)."""
    colour = sys.stdout.isatty() if colour is None else colour
    width = max(40, width or shutil.get_terminal_size((100, 24)).columns)

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    def wrap(text: str, indent: str) -> list[str]:
        return textwrap.wrap(strip_controls(text), width, initial_indent=indent, subsequent_indent=indent) or [indent]

    lines: list[str] = []
    no_corpus = [n for n in report.notes if n.startswith("no corpus given")]
    for note in no_corpus:
        lines += wrap(f"NOTE: {note}", "")
    lines += wrap(f"copydesk report (as of {report.as_of}): {len(report.claims)} claims", "")
    findings: dict[str, int] = {}
    human = 0
    for r in report.claims:
        if r.verdict.tier == "finding":
            findings[r.verdict.label.value] = findings.get(r.verdict.label.value, 0) + 1
        else:
            human += 1
    summary = ", ".join(f"{VERDICT_MARK[k].lower()}: {v}" for k, v in sorted(findings.items()))
    lines += wrap(f"findings: {summary or 'none'}; needs a human: {human}", "  ")
    for r in report.claims:
        c, v = r.claim, r.verdict
        line = _line(draft, c.start)
        where = f"line {line}" if line is not None else f"chars {c.start}-{c.end}"
        if v.tier == "finding":
            verdict = paint(f"{VERDICT_MARK[v.label.value]} ({v.confidence:.0%})", COLOUR[v.label.value])
        else:
            verdict = paint(f"NEEDS A HUMAN, leans {VERDICT_MARK[v.label.value]} ({v.confidence:.0%})",
                            COLOUR["suggestion"])
        lines.append("")
        lines.append(f"{c.id:>4} {where}  {verdict}  {strip_controls(c.text)}")
        lines += wrap(f"\u201c{_sentence(draft, r)}\u201d", "       ")
        if v.rationale:
            lines += wrap(v.rationale, "       ")
        for f in r.flags:
            hint = f" -> did you mean {f.suggestion}?" if f.suggestion else ""
            lines += wrap(f"FLAG {f.kind}: {f.message}{hint}", "       ")
        for cit in v.citations[:2]:
            lines += wrap(f"cites {cit.source}: \"{cit.quote}\"", "       ")
    if report.flags:
        lines.append("")
        lines.append("Draft-level flags:")
        for f in report.flags:
            spans = ", ".join(f"line {_line(draft, a)}" if draft is not None else f"{a}-{b}" for a, b in f.spans)
            lines += wrap(f"FLAG {f.kind} [{spans}]: {f.message}", "  ")
    for note in report.notes:
        if note not in no_corpus:
            lines += wrap(f"note: {note}", "")
    return "\n".join(lines)
