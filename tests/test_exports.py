"""Exports carry the reviewer's decisions: an override replaces the verdict, notes travel along."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

from app.exports import (claim_review, escape_markdown, report_csv, report_json, report_json_text,
                         report_markdown)
from app.review_store import Decision
from claims.models import Flag, Label, Report
from e2e.fixtures import Spec, make_report

DRAFT = ("Poll watch\n\nApproval stood at 72% in November, said [the paper](http://evil.example). "
         "About 28,500 troops remain. =HYPERLINK(\"http://x\") costs 60 billion yen.")
MISNAMED = Flag(kind="misnamed_official", message="No official named Sanae Takeda", suggestion="Sanae Takaichi")


def report() -> Report:
    return make_report(DRAFT, [
        Spec("72%", Label.contradicted, quote="approval at 72%", source="poll.md", flags=[MISNAMED]),
        Spec("28,500", Label.supported, quote="28,500 U.S. troops", source="usfk.md"),
        Spec("60 billion yen", Label.not_enough_evidence),
    ], draft_flags=[Flag(kind="internal_inconsistency", message="two figures for one cost", spans=[(26, 29), (96, 102)])])


DECISIONS = {"c1": Decision(status="overridden", override=Label.supported, note="The poll says 72%; checked by phone"),
             "c2": Decision(status="accepted", for_editor=True)}


def test_json_applies_override_and_keeps_machine_verdict():
    data = report_json(report(), DECISIONS)
    assert data["schema"] == "copydesk.report/1"
    first, second, third = data["claims"]
    assert first["verdict"] == "supported" and first["machine_verdict"] == "contradicted"
    assert first["review"]["note"].startswith("The poll says")
    assert second["verdict"] == "supported" and second["review"] == {"status": "accepted", "note": "", "for_editor": True}
    assert "review" not in third and third["verdict"] == "not_enough_evidence"
    assert Report.from_json(json.loads(report_json_text(report()))).claims[0].verdict.label is Label.contradicted


def test_claim_review_json_ld_shape():
    reviews = claim_review(report(), DRAFT, DECISIONS, publisher="Desk", url="https://news.example/a",
                           draft_published=date(2025, 11, 20), review_date=date(2025, 11, 24))
    assert len(reviews) == 3
    for review in reviews:
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert isinstance(review["claimReviewed"], str) and review["claimReviewed"]
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and set(rating) >= {"alternateName", "ratingValue", "bestRating", "worstRating"}
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        item = review["itemReviewed"]
        assert item["@type"] == "Claim" and item["datePublished"] == "2025-11-20"
        assert item["appearance"]["url"] == "https://news.example/a"
        assert review["author"] == {"@type": "Organization", "name": "Desk"}
        assert review["datePublished"] == "2025-11-24"
        json.dumps(review)  # serialisable as JSON-LD
    override = reviews[0]
    assert override["reviewRating"]["alternateName"] == "True"  # the override, not the machine's "False"
    assert "checked by phone" in override["reviewBody"]
    assert reviews[2]["reviewRating"]["alternateName"] == "Unproven"
    assert len(claim_review(report(), DRAFT, DECISIONS, reviewed_only=True)) == 2


def test_markdown_escapes_draft_text_and_shows_decisions():
    text = report_markdown(report(), DRAFT, DECISIONS, title="Poll *watch*")
    assert "[the paper](http://evil.example)" not in text
    assert r"\[the paper\]\(http://evil\.example\)" in text
    assert "Poll \\*watch\\*" in text
    assert "reviewer override; machine said contradicted" in text
    assert "did you mean Sanae Takaichi?" in text
    assert "For the editor" in text
    assert "Draft-level flags" in text and "internal\\_inconsistency" not in text


def test_escape_markdown_neutralises_markup():
    assert escape_markdown("<script>alert(1)</script>") == r"\<script\>alert\(1\)\</script\>"
    assert escape_markdown("# not a heading") == r"\# not a heading"


def test_csv_rows_and_spreadsheet_formula_defused():
    rows = list(csv.DictReader(io.StringIO(report_csv(report(), DRAFT, DECISIONS))))
    assert [r["verdict"] for r in rows] == ["supported", "supported", "not_enough_evidence"]
    assert rows[0]["machine_verdict"] == "contradicted" and rows[0]["review"] == "overridden"
    assert rows[0]["suggestions"] == "Sanae Takaichi" and rows[1]["for_editor"] == "yes"
    assert rows[2]["sentence"].startswith("'=HYPERLINK")  # would run as a formula in a spreadsheet otherwise
