"""HTML views: every piece of draft and corpus text is escaped; highlights land on the right spans."""
from __future__ import annotations

import re
from datetime import date

from app.ui_render import (Marked, citation_context, highlighted_draft, span_excerpt, text_with_quote)
from claims.models import Citation, Label
from e2e.fixtures import Spec, make_report

DRAFT = "Intro <b>bold</b> & co.\n\nApproval hit 72% in November. Costs: 60 billion yen."


def marks(draft, specs, overridden=()):
    report = make_report(draft, specs)
    return [Marked(i, r, r.verdict.label, r.claim.id in overridden, bool(r.flags)) for i, r in enumerate(report.claims, 1)]


def visible_text(html: str) -> str:
    import html as h
    return h.unescape(re.sub(r"<sup[^>]*>.*?</sup>", "", re.sub(r"<(?!sup|/sup)[^>]+>", "", html)))


def test_highlights_cover_exact_spans_and_round_trip_the_text():
    out = highlighted_draft(DRAFT, marks(DRAFT, [Spec("72%", Label.contradicted), Spec("60 billion yen", Label.supported)]))
    assert re.findall(r"<mark [^>]*>(.*?)</mark>", out) == ["72%", "60 billion yen"]
    assert visible_text(out) == DRAFT  # nothing lost or added but the markup
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co." in out and "<b>bold" not in out
    assert 'title="1: contradicted"' in out and "[2 \u2713]" in out and "[1 \u2717]" in out
    assert 'aria-label="claim 1: contradicted"' in out and 'href="#card-2"' in out and 'id="mark-2"' in out


def test_overlapping_claims_keep_one_highlight_and_both_numbers():
    draft = "It cost 60 billion yen in all."
    out = highlighted_draft(draft, marks(draft, [Spec("60 billion yen", Label.supported), Spec("billion yen", Label.contradicted)]))
    assert out.count("<mark ") == 1 and "[1 \u2713]" in out and "[2 \u2717]" in out
    assert visible_text(out) == draft


def test_override_is_drawn_and_attributes_are_escaped():
    draft = 'He said "72%" <x>.'
    out = highlighted_draft(draft, marks(draft, [Spec('"72%"', Label.supported)], overridden={"c1"}))
    assert "&quot;72%&quot;" in out and "cd-overridden" in out and "(reviewer override)" in out


def test_quote_highlighted_in_passage_and_whole_document():
    doc = "Header.\n<script>x()</script> The poll found approval at 72% in late November. Footer."
    start = doc.index("approval at 72%")
    cite = Citation(source="poll.md", quote="approval at 72%", start=start, end=start + 15, date=date(2025, 11, 24))
    passage = {"source": "poll.md", "text": doc[8:70], "start": 8, "end": 70}
    text, a, b = citation_context(cite, [passage], doc)
    assert text[a:b] == "approval at 72%" and text == doc[8:70]
    text, a, b = citation_context(cite, [], doc, window=10)
    assert text[a:b] == "approval at 72%" and len(text) == 35
    html = text_with_quote(doc, start, start + 15)
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script" not in html
    assert re.search(r'class="copydesk-quote[^"]*">approval at 72%</span>', html)
    assert citation_context(cite, [], None) == ("approval at 72%", 0, 15)


def test_span_excerpt_escapes_and_marks():
    out = span_excerpt("a <i>b</i> 72% c", 11, 14, context=3)
    assert "72%</span>" in out and "<i>" not in out and out.startswith("\u2026")


def test_a_suggestion_is_drawn_as_needs_a_human_never_in_a_findings_colour():
    from app.ui_render import verdict_badge

    report = make_report(DRAFT, [Spec("72%", Label.contradicted), Spec("60 billion yen", Label.supported)])
    first, second = report.claims
    out = highlighted_draft(DRAFT, [Marked(1, first, Label.contradicted, tier="suggestion"),
                                    Marked(2, second, Label.supported, tier="finding")])
    assert re.search(r'<mark class="cd-mark cd-suggestion"[^>]*>72%</mark>', out)
    assert "cd-contradicted" not in out and "[1 ?]" in out
    assert 'aria-label="claim 1: needs a human, leans contradicted"' in out
    reviewed = highlighted_draft(DRAFT, [Marked(1, first, Label.contradicted, tier="suggestion", reviewed=True)])
    assert "cd-contradicted" in reviewed  # a reviewer's decision is a finding
    badge = verdict_badge(Label.supported, 0.35, "suggestion")
    assert "needs a human, leans supported (unsure)" in badge and "cd-supported" not in badge
    assert "contradicted, very likely" in verdict_badge(Label.contradicted, 0.95, "finding")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_colour_pair_passes_wcag_aa_in_light_and_dark():
    from app.ui_render import PALETTE, STYLESHEET

    for name, (lb, lt, _, db, dt, _) in PALETTE.items():
        for bg, fg in ((lb, lt), (db, dt)):
            hi, lo = sorted((_luminance(bg), _luminance(fg)), reverse=True)
            assert (hi + 0.05) / (lo + 0.05) >= 4.5, (name, bg, fg)
    assert "prefers-color-scheme: dark" in STYLESHEET


def test_span_excerpt_context_holds_whole_words():
    draft = "trial mining has been scheduled for 2027 since the budget was passed"
    start = draft.index("2027")
    out = span_excerpt(draft, start, start + 4, context=17)
    before, after = out.split('<span class="cd-qt cd-quote">')[0], out.split("</span>")[1]
    assert before == "\u2026been scheduled for " and after == " since the budget\u2026"
