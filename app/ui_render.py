"""HTML views of drafts and sources, built from escaped text only.

Every piece of draft or corpus text goes through `html.escape` before it meets markup, so a draft
holding `<script>` or a Markdown link shows it literally. These functions are pure (strings in,
string out) and unit-tested; the pages hand their output to `st.html`.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from claims.models import Citation, ClaimResult, Label

COLOURS: dict[Label, str] = {  # background, a darker border
    Label.supported: "#c8ecc9;border-bottom:2px solid #2e7d32",
    Label.contradicted: "#ffcdd2;border-bottom:2px solid #c62828",
    Label.not_enough_evidence: "#ffe7b3;border-bottom:2px solid #b26a00",
}
WORDS: dict[Label, str] = {Label.supported: "supported", Label.contradicted: "contradicted",
                           Label.not_enough_evidence: "not enough evidence"}
ICONS: dict[Label, str] = {Label.supported: "\u2714", Label.contradicted: "\u2716", Label.not_enough_evidence: "?"}
FLAG_MARK = "\u2691"
TEXT_BOX = ("white-space:pre-wrap;line-height:1.7;font-size:0.95rem;padding:0.6rem 0.8rem;"
            "border:1px solid #ddd;border-radius:6px;background:#fff;color:#222")
QUOTE_STYLE = "background:#fff59d;font-weight:600;padding:0 1px"


@dataclass(frozen=True)
class Marked:
    """How one claim is drawn in the draft."""

    number: int
    result: ClaimResult
    label: Label  # the verdict that stands (after a reviewer's override)
    overridden: bool = False
    flagged: bool = False


def e(text: str) -> str:
    return html.escape(text, quote=True)


def verdict_badge(label: Label, confidence: float | None = None) -> str:
    colour = COLOURS[label].split(";")[0]
    conf = f" \u00b7 {confidence:.0%}" if confidence is not None else ""
    return (f'<span style="background:{colour};padding:1px 8px;border-radius:10px;font-size:0.85rem">'
            f"{ICONS[label]} {e(WORDS[label])}{conf}</span>")


def draft_window(draft: str, first: int, last: int, *, min_chars: int = 2_000) -> tuple[int, int]:
    """The paragraphs of the draft that hold the offsets first..last (at least about min_chars long)."""
    left = max(0, first - min_chars // 2)
    right = min(len(draft), last + min_chars // 2)
    start = draft.rfind("\n\n", 0, left)
    end = draft.find("\n\n", right)
    return (0 if start < 0 else start + 2), (len(draft) if end < 0 else end)


def highlighted_draft(draft: str, marks: Iterable[Marked], *, max_height_px: int | None = 640,
                      window: tuple[int, int] | None = None) -> str:
    """The draft (or its window [a, b)) with each claim in its verdict's colour, numbered, flag-marked.

    Overlapping claims keep the first one's highlight; the later ones still get their number.
    """
    low, high = window or (0, len(draft))
    pieces: list[str] = []
    cursor = low
    for mark in sorted(marks, key=lambda m: (m.result.claim.start, m.result.claim.end)):
        c = mark.result.claim
        if c.start < low or c.end > high:
            continue
        start, end = max(c.start, 0), min(c.end, len(draft))
        label = f"{mark.number}{' ' + FLAG_MARK if mark.flagged else ''}"
        sup = (f'<sup style="font-size:0.7rem;font-weight:700;color:#333" id="claim-{mark.number}">'
               f"[{e(label)}]</sup>")
        if start < cursor or end <= start:  # overlapping or empty span: number only
            pieces.append(e(draft[cursor:max(cursor, end)]) + sup)
            cursor = max(cursor, end)
            continue
        title = f"{mark.number}: {WORDS[mark.label]}{' (reviewer override)' if mark.overridden else ''}"
        outline = ";outline:1px dashed #555" if mark.overridden else ""
        pieces.append(e(draft[cursor:start]))
        pieces.append(f'<mark style="background:{COLOURS[mark.label]}{outline};padding:0 2px;border-radius:3px" '
                      f'title="{e(title)}" data-claim="{mark.number}">{e(draft[start:end])}</mark>{sup}')
        cursor = end
    pieces.append(e(draft[cursor:high]))
    scroll = f";max-height:{max_height_px}px;overflow-y:auto" if max_height_px else ""
    return f'<div class="copydesk-draft" style="{TEXT_BOX}{scroll}">{"".join(pieces)}</div>'


def text_with_quote(text: str, start: int, end: int, *, max_height_px: int | None = None) -> str:
    """A passage or whole document with text[start:end] highlighted (offsets are clipped to the text)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    scroll = f";max-height:{max_height_px}px;overflow-y:auto" if max_height_px else ""
    body = (e(text[:start]) + f'<span style="{QUOTE_STYLE}" class="copydesk-quote">{e(text[start:end])}</span>'
            + e(text[end:])) if end > start else e(text)
    return f'<div style="{TEXT_BOX}{scroll}">{body}</div>'


def locate_quote(text: str, citation: Citation, offset: int = 0) -> tuple[int, int]:
    """Where the citation's quote sits in `text` (which starts at `offset` of the source document)."""
    start, end = citation.start - offset, citation.end - offset
    if 0 <= start < end <= len(text) and text[start:end] == citation.quote:
        return start, end
    found = text.find(citation.quote)
    return (found, found + len(citation.quote)) if found >= 0 else (0, 0)


def citation_context(citation: Citation, retrieved: list[dict], document_text: str | None = None,
                     window: int = 300) -> tuple[str, int, int]:
    """The passage around a citation: the retrieved passage holding it, else a window of the document.

    Returns (text, quote_start, quote_end) with quote offsets into the returned text.
    """
    for passage in retrieved:
        text = str(passage.get("text", ""))
        if passage.get("source") == citation.source and citation.quote and citation.quote in text:
            start, end = locate_quote(text, citation, int(passage.get("start", 0) or 0))
            if end > start:
                return text, start, end
    if document_text:
        start, end = locate_quote(document_text, citation)
        if end > start:
            left = max(0, start - window)
            right = min(len(document_text), end + window)
            return document_text[left:right], start - left, end - left
    return citation.quote, 0, len(citation.quote)


def citation_header(citation: Citation) -> str:
    title = e(citation.title or citation.source)
    when = f" \u00b7 {citation.date.isoformat()}" if citation.date else ""
    source = f' <span style="color:#777;font-size:0.8rem">({e(citation.source)})</span>' if citation.title else ""
    return f"<div><b>{title}</b>{e(when)}{source}</div>"


def span_excerpt(draft: str, start: int, end: int, context: int = 60) -> str:
    """A flagged span of the draft with a little context, highlighted."""
    left, right = max(0, start - context), min(len(draft), end + context)
    return (("\u2026" if left else "") + e(draft[left:start]) + f'<span style="{QUOTE_STYLE}">{e(draft[start:end])}</span>'
            + e(draft[end:right]) + ("\u2026" if right < len(draft) else ""))


def summary_counts(labels: Mapping[str, Label]) -> dict[Label, int]:
    counts = {label: 0 for label in Label}
    for label in labels.values():
        counts[label] += 1
    return counts
