"""A checked report, with the reviewer's decisions applied, as JSON, Markdown, CSV, HTML or ClaimReview.

Pure functions: each takes the report, the draft and the decisions keyed by claim id, and returns text
or data. An override replaces the machine's verdict; notes and "for the editor" marks are carried along.

Outputs are safe by construction: JSON-LD is escaped for embedding in an HTML `<script>` (no `</script>`,
`<!--`, U+2028/U+2029 can survive), CSV cells are always quoted and spreadsheet formulas defused,
Markdown escapes only what would become markup.

ClaimReview rating scale (documented in README): 1 "False" (the corpus contradicts the claim),
2 "Unproven" (not enough evidence to settle it), 3 "True" (the corpus supports it); bestRating 3,
worstRating 1. A claim marked "not check-worthy" is never published.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.review_store import Decision
from claims.errors import CopydeskError
from app.ui_render import certainty_words
from claims.models import Citation, ClaimResult, Label, Report

Decisions = Mapping[str, Decision]

# ClaimReview ratings on a 1..3 scale; alternateName is the human-readable rating.
RATINGS: dict[Label, tuple[int, str]] = {
    Label.contradicted: (1, "False"),
    Label.not_enough_evidence: (2, "Unproven"),
    Label.supported: (3, "True"),
}
VERDICT_WORDS = {Label.supported: "Supported", Label.contradicted: "Contradicted",
                 Label.not_enough_evidence: "Not enough evidence"}
CSV_COLUMNS = ["id", "line", "column", "claim", "kind", "sentence", "machine_verdict", "confidence", "verdict",
               "review", "note", "for_editor", "flags", "suggestions", "sources", "quotes"]


def _decision(decisions: Decisions | None, claim_id: str) -> Decision:
    return (decisions or {}).get(claim_id) or Decision()


def final_verdict(result: ClaimResult, decisions: Decisions | None = None) -> Label:
    """The verdict that stands once the reviewer's override (if any) is applied."""
    return _decision(decisions, result.claim.id).verdict(result.verdict.label)


class ExportError(CopydeskError):
    """An export cannot be built (e.g. ClaimReview with no reviewed claim)."""


@dataclass(frozen=True)
class Publisher:
    """Who publishes a ClaimReview: the newsroom, the review's URL and (per draft) the claimant."""

    organisation: str = ""
    url: str = ""  # the published fact-check page; each claim gets `url#claim-N`
    claimant: str = ""  # who made the claims (a person or organisation), when known
    claimant_type: str = "Person"  # or "Organization"
    draft_url: str = ""  # where the claims appeared, when known
    logo: str = ""


def line_column(draft: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a draft offset."""
    offset = max(0, min(offset, len(draft)))
    line = draft.count("\n", 0, offset) + 1
    return line, offset - (draft.rfind("\n", 0, offset) + 1) + 1


def _sentence(draft: str, result: ClaimResult) -> str:
    c = result.claim
    text = draft[c.sentence_start:c.sentence_end] if c.sentence_end > c.sentence_start else c.text
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


_MD_ANYWHERE = re.compile(r"([\\`*\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])(?=\s|$)")


def escape_markdown(text: str) -> str:
    """Text made inert in Markdown (no links, emphasis, headings, HTML or tables) with plain words left
    alone: full stops, hyphens, parentheses and apostrophes are not escaped."""
    text = re.sub(r"\s+", " ", text).strip()
    text = _MD_ANYWHERE.sub(r"\\\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)  # emphasis, not snake_case
    text = re.sub(r"~~", r"\\~\\~", text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _status_words(result: ClaimResult, decision: Decision) -> str:
    v = result.verdict
    verdict = VERDICT_WORDS[final_verdict(result, {result.claim.id: decision})]
    if decision.status == "not_check_worthy":
        return "Not check-worthy (reviewer)"
    if decision.status == "overridden":
        return f"{verdict} (reviewer override; the machine said {VERDICT_WORDS[v.label].lower()})"
    if decision.status == "accepted":
        return f"{verdict} (accepted by the reviewer)"
    if v.tier == "finding":
        return f"{verdict} ({certainty_words(v.confidence)})"
    return f"Needs a human (leans {VERDICT_WORDS[v.label].lower()}, {certainty_words(v.confidence)})"


def _groups(report: Report, draft: str) -> list[tuple[str, list[tuple[int, ClaimResult]]]]:
    """Claims grouped by their sentence in draft order, so each sentence is written once."""
    groups: dict[str, list[tuple[int, ClaimResult]]] = {}
    for number, result in enumerate(report.claims, 1):
        groups.setdefault(_sentence(draft, result), []).append((number, result))
    return list(groups.items())


def report_markdown(report: Report, draft: str, decisions: Decisions | None = None, *, title: str = "") -> str:
    """A Markdown report that reads cleanly pasted into an email or a CMS: a summary, then each sentence
    of the draft once with its claims beneath it, then draft-level flags."""
    findings = {label: 0 for label in Label}
    human = 0
    for result in report.claims:
        decision = _decision(decisions, result.claim.id)
        if decision.status == "not_check_worthy":
            continue
        if decision.status in ("accepted", "overridden") or result.verdict.tier == "finding":
            findings[final_verdict(result, decisions)] += 1
        else:
            human += 1
    summary = ", ".join(f"{n} {VERDICT_WORDS[label].lower()}" for label, n in findings.items())
    lines = [f"# Fact-check report{': ' + escape_markdown(title) if title else ''}", "",
             f"As of {report.as_of.isoformat()}. {len(report.claims)} claims: {summary}; "
             f"{human} {'needs' if human == 1 else 'need'} a human.", ""]
    for sentence, members in _groups(report, draft):
        line, _ = line_column(draft, members[0][1].claim.start)
        lines += [f"> {escape_markdown(sentence)} (line {line})", ""]
        for number, result in members:
            c, v = result.claim, result.verdict
            decision = _decision(decisions, c.id)
            lines.append(f"{number}. **{escape_markdown(c.text)}**: {escape_markdown(_status_words(result, decision))}")
            if decision.for_editor:
                lines.append("   - For the editor")
            if decision.note:
                lines.append(f"   - Note: {escape_markdown(decision.note)}")
            for flag in result.flags:
                suggestion = f" Did you mean {escape_markdown(flag.suggestion)}?" if flag.suggestion else ""
                lines.append(f"   - Flag: {escape_markdown(flag.message)}.{suggestion}".replace("..", "."))
            for cite in v.citations:
                lines.append(f"   - Source: {_source_words(cite, v.method)}")
            for cite in decision.evidence:
                lines.append(f"   - Source added by the reviewer: {escape_markdown(_manual_evidence(cite))}")
        lines.append("")
    if report.flags:
        lines += ["## Across the draft", ""]
        for flag in report.flags:
            spans = "; ".join(f"\u201c{escape_markdown(draft[a:b])}\u201d" for a, b in flag.spans)
            lines.append(f"- {escape_markdown(flag.message)}{' (' + spans + ')' if spans else ''}")
        lines.append("")
    return "\n".join(lines)


def _is_roster(cite: Citation, method: str) -> bool:
    return method.startswith("roster") or cite.source.lower().endswith(".csv")


def _source_words(cite: Citation, method: str) -> str:
    name = escape_markdown(cite.title or cite.source)
    when = f", {cite.date.isoformat()}" if cite.date else ""
    if _is_roster(cite, method):
        return f"the officials roster ({name})"
    return f"{name}{when}: \u201c{escape_markdown(cite.quote)}\u201d"


def _manual_evidence(item: Mapping[str, str]) -> str:
    parts = [item.get("source", "")]
    if item.get("quote"):
        parts.append(f"\u201c{item['quote']}\u201d")
    if item.get("url"):
        parts.append(item["url"])
    return ": ".join(p for p in parts if p)


def report_csv(report: Report, draft: str, decisions: Decisions | None = None) -> str:
    """One row per claim with its line and column in the draft and the reviewer's decision. Every cell
    is quoted (a bare CR cannot break a row) and cells a spreadsheet would run as a formula are defused."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for result in report.claims:
        c, v = result.claim, result.verdict
        decision = _decision(decisions, c.id)
        line, column = line_column(draft, c.start)
        row = {
            "id": c.id, "line": line, "column": column, "claim": c.text, "kind": c.kind,
            "sentence": _sentence(draft, result), "machine_verdict": v.label.value,
            "confidence": f"{v.confidence:.3f}", "verdict": final_verdict(result, decisions).value,
            "review": decision.status, "note": decision.note, "for_editor": "yes" if decision.for_editor else "",
            "flags": "; ".join(f.kind for f in result.flags),
            "suggestions": "; ".join(f.suggestion for f in result.flags if f.suggestion),
            "sources": "; ".join([x.source for x in v.citations] + [x.get("source", "") for x in decision.evidence]),
            "quotes": " | ".join([x.quote for x in v.citations] + [x.get("quote", "") for x in decision.evidence]),
        }
        writer.writerow({k: defuse_cell(str(value)) for k, value in row.items()})
    return buffer.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def defuse_cell(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ TAB CR (or their full-width
    forms) gets a leading apostrophe, unless it is a plain number like -5."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) and not _is_number(cell) else cell


_defuse = defuse_cell  # the old name


def _is_number(cell: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?", cell))


def claim_review(report: Report, draft: str, decisions: Decisions | None = None, *,
                 publisher: Publisher | str = Publisher(), url: str | None = None,
                 draft_published: date | None = None, review_date: date | None = None,
                 reviewed_only: bool = False) -> list[dict[str, Any]]:
    """schema.org ClaimReview JSON-LD, one object per claim, with overrides applied and notes included.

    `claimReviewed` is the draft's own sentence; `reviewedOnly` keeps only claims a reviewer accepted or
    overrode (what a newsroom would publish) and raises ExportError when there is none. Claims marked
    not check-worthy are never included.
    """
    pub = Publisher(organisation=publisher) if isinstance(publisher, str) else publisher
    page_url = url or pub.url
    published = (review_date or date.today()).isoformat()
    out = []
    for number, result in enumerate(report.claims, 1):
        decision = _decision(decisions, result.claim.id)
        if decision.status == "not_check_worthy" or (reviewed_only and decision.status == "pending"):
            continue
        verdict = final_verdict(result, decisions)
        value, name = RATINGS[verdict]
        appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": _sentence(draft, result)}
        if pub.draft_url:
            appearance["url"] = pub.draft_url
        item: dict[str, Any] = {"@type": "Claim", "appearance": appearance,
                                "datePublished": (draft_published or report.as_of).isoformat()}
        if pub.claimant:
            item["author"] = {"@type": pub.claimant_type or "Person", "name": pub.claimant}
        author: dict[str, Any] = {"@type": "Organization", "name": pub.organisation or "copydesk"}
        if pub.url:
            author["url"] = pub.url.split("#")[0]
        if pub.logo:
            author["logo"] = pub.logo
        review: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "claimReviewed": _sentence(draft, result),
            "reviewRating": {"@type": "Rating", "alternateName": name, "ratingValue": value,
                             "bestRating": 3, "worstRating": 1},
            "itemReviewed": item,
            "author": author,
            "datePublished": published,
        }
        if page_url:
            review["url"] = f"{page_url.split('#')[0]}#claim-{number}"
        body = [decision.note] if decision.note else []
        for cite in result.verdict.citations:
            if _is_roster(cite, result.verdict.method):
                body.append(f"Checked against the officials roster ({cite.title or cite.source}).")
            else:
                body.append(f"{cite.title or cite.source}: \u201c{cite.quote}\u201d")
        body += [_manual_evidence(x) for x in decision.evidence]
        if body:
            review["reviewBody"] = " ".join(body)
        out.append(review)
    if reviewed_only and not out:
        raise ExportError("no claim is reviewed yet: accept or override at least one claim before "
                          "exporting ClaimReview")
    return out


def claim_review_problems(review: Mapping[str, Any]) -> list[str]:
    """What a search engine would reject or warn about in one ClaimReview (Google's required and
    recommended fields); empty when it is publishable."""
    problems = []
    for field in ("claimReviewed", "reviewRating", "url", "author", "datePublished", "itemReviewed"):
        if not review.get(field):
            problems.append(f"missing {field}")
    rating = review.get("reviewRating") or {}
    for field in ("ratingValue", "bestRating", "worstRating", "alternateName"):
        if field not in rating:
            problems.append(f"missing reviewRating.{field}")
    if all(isinstance(rating.get(f), int) for f in ("ratingValue", "bestRating", "worstRating")):
        if not rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]:
            problems.append("ratingValue outside worstRating..bestRating")
    author = review.get("author") or {}
    if author.get("@type") != "Organization" or not author.get("name") or author.get("name") == "copydesk":
        problems.append("author must be the newsroom's Organization with a name")
    claim = str(review.get("claimReviewed", ""))
    if "[as of" in claim:
        problems.append("claimReviewed holds a rewritten statement, not the claim")
    if len(claim) > 500:
        problems.append("claimReviewed is longer than 500 characters")
    item = review.get("itemReviewed") or {}
    if item.get("@type") != "Claim":
        problems.append("itemReviewed must be a Claim")
    for field in ("author", "appearance", "datePublished"):
        if field not in item:
            problems.append(f"itemReviewed.{field} is recommended")
    if re.search(r"\d{4}-\d{2}-\d{2},.*,", str(review.get("reviewBody", ""))):
        problems.append("reviewBody holds raw roster rows")
    return problems


_HTML_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_for_html(data: Any, *, indent: int | None = 2) -> str:
    """JSON that is safe inside an HTML `<script>` element: no `</script>`, `<!--`, `&` or line
    separators can survive (they become \\u escapes, which every JSON parser reads back unchanged)."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return re.sub("[<>&\u2028\u2029]", lambda m: _HTML_UNSAFE[m.group(0)], text)


def claim_review_text(report: Report, draft: str, decisions: Decisions | None = None, **kwargs: Any) -> str:
    """The ClaimReview JSON-LD as text, escaped for embedding in an HTML page."""
    return json_for_html(claim_review(report, draft, decisions, **kwargs))


def claim_review_script(report: Report, draft: str, decisions: Decisions | None = None, **kwargs: Any) -> str:
    """The `<script type="application/ld+json">` element to put in a published page."""
    return f'<script type="application/ld+json">\n{claim_review_text(report, draft, decisions, **kwargs)}\n</script>'


def report_html(report: Report, draft: str, decisions: Decisions | None = None, *, title: str = "",
                publisher: Publisher = Publisher()) -> str:
    """A static, self-contained HTML report to share read-only: the highlighted draft and one card per
    claim (no script of its own; the reviewed claims' ClaimReview embedded as escaped JSON-LD)."""
    from app.ui_render import STYLESHEET, Marked, e, flag_box, highlighted_draft, verdict_badge

    marks = []
    cards = []
    for number, result in enumerate(report.claims, 1):
        c, v = result.claim, result.verdict
        decision = _decision(decisions, c.id)
        reviewed = decision.status in ("accepted", "overridden")
        label = final_verdict(result, decisions)
        marks.append(Marked(number, result, label, decision.status == "overridden", bool(result.flags),
                            tier=v.tier, reviewed=reviewed))
        tier = "finding" if reviewed else v.tier
        parts = [f'<section class="card" id="card-{number}"><h3>{number}. {e(c.text)} '
                 f'{verdict_badge(label, None if reviewed else v.confidence, tier)}</h3>',
                 f"<p>\u201c{e(_sentence(draft, result))}\u201d (line {line_column(draft, c.start)[0]})</p>",
                 f"<p>{e(_status_words(result, decision))}</p>"]
        for flag in result.flags:
            parts.append(flag_box(flag.kind, flag.message, flag.suggestion))
        for cite in v.citations:
            if _is_roster(cite, v.method):
                parts.append(f"<p>Checked against the officials roster ({e(cite.title or cite.source)}).</p>")
            else:
                when = f", {cite.date.isoformat()}" if cite.date else ""
                parts.append(f"<blockquote>{e(cite.quote)}<br><small>{e(cite.title or cite.source)}{e(when)}"
                             f"</small></blockquote>")
        for item in decision.evidence:
            parts.append(f"<p>Source added by the reviewer: {e(_manual_evidence(item))}</p>")
        if decision.note:
            parts.append(f"<p><b>Note:</b> {e(decision.note)}</p>")
        parts.append(f'<p><a href="#mark-{number}">back to the draft</a></p></section>')
        cards.append("".join(parts))
    try:
        json_ld = claim_review_script(report, draft, decisions, publisher=publisher, reviewed_only=True)
    except ExportError:
        json_ld = ""
    heading = e(title or "Fact-check report")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"color-scheme\" content=\"light dark\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{heading}</title>{STYLESHEET}<style>body{{font-family:system-ui,sans-serif;max-width:72rem;"
            "margin:1rem auto;padding:0 1rem}@media (prefers-color-scheme: dark){body{background:#0e1117;"
            "color:#fafafa}a{color:#8ab4f8}}.card{border:1px solid #8888;border-radius:8px;padding:0.5rem 1rem;"
            "margin:0.8rem 0}blockquote{border-left:3px solid #8888;margin:0.4rem 0;padding-left:0.8rem}</style>"
            f"{json_ld}</head><body><h1>{heading}</h1><p>As of {report.as_of.isoformat()}: "
            f"{len(report.claims)} claims.</p>{highlighted_draft(draft, marks, max_height_px=None)}"
            f"{''.join(cards)}</body></html>")
