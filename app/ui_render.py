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

# Theme-aware colours: every element with a background of its own sets its text colour too (a pair
# that passes WCAG AA, >= 4.5:1, in both themes); plain text inherits the theme's colour. Streamlit
# follows the OS theme, so the dark pairs apply under prefers-color-scheme: dark.
PALETTE = {  # class: (light background, light text, light border, dark background, dark text, dark border)
    "supported": ("#c8ecc9", "#0b3d0e", "#2e7d32", "#1e4d2b", "#e6f4ea", "#66bb6a"),
    "contradicted": ("#ffcdd2", "#5c0a0a", "#c62828", "#5c1a1f", "#ffe4e6", "#ef5350"),
    "not_enough_evidence": ("#ffe7b3", "#4a2c00", "#b26a00", "#4d3800", "#fff3d6", "#ffb74d"),
    "suggestion": ("#e3e6ee", "#1f2433", "#5b6478", "#2d3240", "#e6e9f2", "#9aa3b8"),
    "flag": ("#fff3e0", "#3e2200", "#ef6c00", "#3d2a10", "#ffe8cc", "#ffa040"),
    "box": ("#ffffff", "#1f1f1f", "#d0d0d0", "#161a22", "#e8eaed", "#3a3f4b"),
    "quote": ("#fff59d", "#1f1f1f", "#fff59d", "#5a4f00", "#fffbe0", "#5a4f00"),
}
WORDS: dict[Label, str] = {Label.supported: "supported", Label.contradicted: "contradicted",
                           Label.not_enough_evidence: "not enough evidence"}
ICONS: dict[Label, str] = {Label.supported: "\u2713", Label.contradicted: "\u2717", Label.not_enough_evidence: "\u25cb"}
HUMAN_ICON = "?"
FLAG_MARK = "\u2691"
CERTAINTY = ((0.9, "very likely"), (0.75, "likely"), (0.55, "probably"), (0.0, "unsure"))


def _rules(dark: bool) -> str:
    out = []
    for name, (lb, lt, lborder, db, dt, dborder) in PALETTE.items():
        bg, fg, border = (db, dt, dborder) if dark else (lb, lt, lborder)
        out.append(f".cd-{name}{{background:{bg};color:{fg};border-color:{border}}}")
    return "".join(out)


STYLESHEET = (
    "<style>"
    ".cd-box{white-space:pre-wrap;line-height:1.7;font-size:0.95rem;padding:0.6rem 0.8rem;border:1px solid;"
    "border-radius:6px}"
    ".cd-mark{padding:0 2px;border-radius:3px;border-bottom:2px solid}"
    ".cd-mark.cd-suggestion{border-bottom-style:dashed}"
    ".cd-mark.cd-skipped{border-bottom:1px dotted;padding:0}"
    ".cd-mark.cd-overridden{outline:1px dashed currentColor}"
    "a.cd-link{text-decoration:none;color:inherit}a.cd-link:focus-visible{outline:2px solid #1a73e8}"
    ".cd-sup{font-size:0.72rem;font-weight:700}"
    ".cd-badge{padding:1px 8px;border-radius:10px;font-size:0.85rem;border:1px solid;white-space:nowrap}"
    ".cd-flagbox{border-left:4px solid;padding:4px 8px;border-radius:3px}"
    ".cd-qt{font-weight:600;padding:0 1px}"
    ".cd-small{font-size:0.85rem}"
    + _rules(False) + "@media (prefers-color-scheme: dark){" + _rules(True) + "}</style>")
TEXT_BOX = ""  # kept for callers of the old API: the box is styled by STYLESHEET's .cd-box
QUOTE_STYLE = ""


def certainty_words(confidence: float) -> str:
    """How sure the machine is, in words a reader understands."""
    for floor, words in CERTAINTY:
        if confidence >= floor:
            return words
    return "unsure"


def verdict_class(label: Label, tier: str) -> str:
    return label.value if tier == "finding" else "suggestion"


def verdict_words(label: Label, tier: str, confidence: float | None = None) -> str:
    """'contradicted, very likely' for a finding; 'needs a human, leans supported' for a suggestion."""
    if tier == "finding":
        return WORDS[label] + (f", {certainty_words(confidence)}" if confidence is not None else "")
    return f"needs a human, leans {WORDS[label]}" + (f" ({certainty_words(confidence)})" if confidence is not None else "")


@dataclass(frozen=True)
class Marked:
    """How one claim is drawn in the draft."""

    number: int
    result: ClaimResult
    label: Label  # the verdict that stands (after a reviewer's override)
    overridden: bool = False
    flagged: bool = False
    tier: str = "finding"  # "suggestion" draws the claim as "needs a human"; a reviewer's decision is a finding
    reviewed: bool = False
    skipped: bool = False  # the reviewer marked it not check-worthy: drawn plain, its number struck through


def e(text: str) -> str:
    return html.escape(text, quote=True)


def verdict_badge(label: Label, confidence: float | None = None, tier: str = "finding") -> str:
    """A verdict in colour, icon and words: a finding in its verdict's colour, a suggestion in neutral."""
    icon = ICONS[label] if tier == "finding" else HUMAN_ICON
    return (f'<span class="cd-badge cd-{verdict_class(label, tier)}">{icon} '
            f"{e(verdict_words(label, tier, confidence))}</span>")


def draft_window(draft: str, first: int, last: int, *, min_chars: int = 2_000) -> tuple[int, int]:
    """The paragraphs of the draft that hold the offsets first..last (at least about min_chars long)."""
    left = max(0, first - min_chars // 2)
    right = min(len(draft), last + min_chars // 2)
    start = draft.rfind("\n\n", 0, left)
    end = draft.find("\n\n", right)
    return (0 if start < 0 else start + 2), (len(draft) if end < 0 else end)


def highlighted_draft(draft: str, marks: Iterable[Marked], *, max_height_px: int | None = 640,
                      window: tuple[int, int] | None = None) -> str:
    """The draft (or its window [a, b)) with each claim in its verdict's colour, numbered, icon- and
    flag-marked, and a link to its card (`#card-N`); each mark is `#mark-N` for the card's way back.

    Overlapping claims keep the first one's highlight; the later ones still get their number. A statement
    claim (a whole clause) that holds value claims gives way to them: it gets its number at its end, and the
    values keep their highlights.
    """
    low, high = window or (0, len(draft))
    pieces: list[str] = []
    cursor = low
    marks = list(marks)
    values = [(m.result.claim.start, m.result.claim.end) for m in marks if m.result.claim.kind != "statement"]

    def number_only(m: Marked) -> bool:
        c = m.result.claim
        return c.kind == "statement" and any(a < c.end and c.start < b for a, b in values)

    def position(m: Marked) -> tuple[int, int]:
        c = m.result.claim
        return (c.end, c.end) if number_only(m) else (c.start, c.end)

    for mark in sorted(marks, key=position):
        c = mark.result.claim
        if c.start < low or c.end > high:
            continue
        start, end = max(c.start, 0), min(c.end, len(draft))
        tier = "finding" if mark.reviewed else mark.tier
        icon = ICONS[mark.label] if tier == "finding" else HUMAN_ICON
        if mark.skipped:
            icon = "\u2013"
        label = f"{mark.number} {icon}{' ' + FLAG_MARK if mark.flagged and not mark.skipped else ''}"
        sup = f'<sup class="cd-sup" id="claim-{mark.number}">[{e(label)}]</sup>'
        if start < cursor or end <= start or number_only(mark):  # overlapping or empty span: number only
            pieces.append(e(draft[cursor:max(cursor, end)]) + sup)
            cursor = max(cursor, end)
            continue
        words = "not check-worthy (reviewer)" if mark.skipped else verdict_words(mark.label, tier)
        title = f"{mark.number}: {words}{' (reviewer override)' if mark.overridden else ''}"
        aria = f"claim {mark.number}: {words}{', flagged' if mark.flagged else ''}" \
               f"{', reviewer override' if mark.overridden else ''}"
        classes = ("cd-mark cd-box cd-skipped" if mark.skipped else
                   f"cd-mark cd-{verdict_class(mark.label, tier)}{' cd-overridden' if mark.overridden else ''}")
        pieces.append(e(draft[cursor:start]))
        pieces.append(f'<a class="cd-link" href="#card-{mark.number}" id="mark-{mark.number}" aria-label="{e(aria)}">'
                      f'<mark class="{classes}" title="{e(title)}" data-claim="{mark.number}">'
                      f"{e(draft[start:end])}</mark>{sup}</a>")
        cursor = end
    pieces.append(e(draft[cursor:high]))
    scroll = f"max-height:{max_height_px}px;overflow-y:auto" if max_height_px else ""
    return f'<div class="copydesk-draft cd-box" style="{scroll}">{"".join(pieces)}</div>'


def text_with_quote(text: str, start: int, end: int, *, max_height_px: int | None = None) -> str:
    """A passage or whole document with text[start:end] highlighted (offsets are clipped to the text)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    scroll = f"max-height:{max_height_px}px;overflow-y:auto" if max_height_px else ""
    body = (e(text[:start]) + f'<span class="copydesk-quote cd-qt cd-quote">{e(text[start:end])}</span>'
            + e(text[end:])) if end > start else e(text)
    return f'<div class="cd-box" style="{scroll}">{body}</div>'


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
    source = f' <span class="cd-small">({e(citation.source)})</span>' if citation.title else ""
    return f"<div><b>{title}</b>{e(when)}{source}</div>"


def span_excerpt(draft: str, start: int, end: int, context: int = 60) -> str:
    """A flagged span of the draft with a little context, highlighted."""
    left, right = max(0, start - context), min(len(draft), end + context)
    while 0 < left < start and draft[left - 1].isalnum():  # whole words: "been", never "en"
        left -= 1
    while start < right < len(draft) and draft[right].isalnum():
        right += 1
    return (("\u2026" if left else "") + e(draft[left:start]) + f'<span class="cd-qt cd-quote">{e(draft[start:end])}</span>'
            + e(draft[end:right]) + ("\u2026" if right < len(draft) else ""))


def summary_counts(labels: Mapping[str, Label], tiers: Mapping[str, str] | None = None) -> dict[Label | str, int]:
    """Findings per verdict, and under "human" the suggestions that need a human (when tiers are given)."""
    counts: dict[Label | str, int] = {label: 0 for label in Label}
    counts["human"] = 0
    for claim_id, label in labels.items():
        if tiers is not None and tiers.get(claim_id, "finding") != "finding":
            counts["human"] += 1
        else:
            counts[label] += 1
    return counts


# What each flag means, in a reader's words (the kind's name stays in the report JSON and the exports)
FLAG_WORDS = {
    "misnamed_official": "misnamed official", "outdated_official": "not in office then",
    "number_mismatch": "figure differs from the source", "date_mismatch": "date differs from the source",
    "internal_inconsistency": "the draft contradicts itself", "misquote": "misquote",
    "conflicting_evidence": "the sources disagree", "cross_draft_inconsistency": "the drafts disagree",
}


def flag_box(kind: str, message: str, suggestion: str | None = None) -> str:
    hint = f" \u2014 did you mean <b>{e(suggestion)}</b>?" if suggestion else ""
    words = FLAG_WORDS.get(kind, kind.replace("_", " "))
    return (f'<div class="cd-flagbox cd-flag" role="note" aria-label="flag: {e(words)}">'
            f"{FLAG_MARK} <b>{e(words)}</b>: {e(message)}{hint}</div>")
