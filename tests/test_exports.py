"""Exports carry the reviewer's decisions: an override replaces the verdict, notes travel along."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from app.exports import (ExportError, Publisher, claim_review, claim_review_problems, claim_review_script,
                         claim_review_text, defuse_cell, escape_markdown, report_csv, report_json,
                         report_json_text, report_markdown)
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
    reviews = claim_review(report(), DRAFT, DECISIONS, draft_published=date(2025, 11, 20), review_date=date(2025, 11, 24),
                           publisher=Publisher(organisation="Desk", url="https://news.example/a",
                                               draft_url="https://news.example/a"))
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
        assert review["author"]["@type"] == "Organization" and review["author"]["name"] == "Desk"
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
    assert r"\[the paper\](http://evil.example)" in text
    assert "Poll \\*watch\\*" in text
    assert "reviewer override; the machine said contradicted" in text
    assert "Did you mean Sanae Takaichi?" in text
    assert "For the editor" in text
    assert "Across the draft" in text and "internal_inconsistency" not in text


def test_escape_markdown_neutralises_markup():
    assert escape_markdown("<script>alert(1)</script>") == r"\<script\>alert(1)\</script\>"
    assert escape_markdown("# not a heading") == r"\# not a heading"


def test_csv_rows_and_spreadsheet_formula_defused():
    rows = list(csv.DictReader(io.StringIO(report_csv(report(), DRAFT, DECISIONS))))
    assert [r["verdict"] for r in rows] == ["supported", "supported", "not_enough_evidence"]
    assert rows[0]["machine_verdict"] == "contradicted" and rows[0]["review"] == "overridden"
    assert rows[0]["suggestions"] == "Sanae Takaichi" and rows[1]["for_editor"] == "yes"
    assert rows[2]["sentence"].startswith("'=HYPERLINK")  # would run as a formula in a spreadsheet otherwise
    assert rows[0]["line"] == "3" and rows[0]["column"] == str(DRAFT.index("72%") - DRAFT.index("Approval") + 1)
    assert "start" not in rows[0]


def test_markdown_reads_cleanly_plain_words_unescaped_and_each_sentence_once():
    draft = "Poll watch\n\nThe US figure rose 2.5% in 2024 (a year-on-year rise) and costs 60 billion yen."
    rep = make_report(draft, [Spec("2.5%", Label.supported, quote="2.5%"), Spec("60 billion yen", Label.contradicted)])
    text = report_markdown(rep, draft)
    assert "\\." not in text and "\\-" not in text and "\\(" not in text  # no backslashes in plain words
    assert text.count("The US figure rose 2.5% in 2024 (a year-on-year rise)") == 1  # the sentence once
    assert "needs a human" in text.lower() and "[as of" not in text


def test_csv_defuses_tab_and_cr_and_a_bare_cr_cannot_break_rows():
    assert defuse_cell("\tcmd") == "'\tcmd" and defuse_cell("\r=1") == "'\r=1" and defuse_cell("@SUM(A1)") == "'@SUM(A1)"
    assert defuse_cell("-5") == "-5" and defuse_cell("-1+1") == "'-1+1" and defuse_cell("ok") == "ok"
    draft = "Head line here\n\nIt cost 60 billion yen\rand =1+1 then.\tAbout 72% agreed."
    rep = make_report(draft, [Spec("60 billion yen", Label.supported), Spec("72%", Label.supported)])
    text = report_csv(rep, draft)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 3 and all(len(r) == len(rows[0]) for r in rows)
    assert all(line.startswith('"') for line in text.split("\r\n") if line)  # every cell quoted


HOSTILE = ("Head line here\n\nThe mayor said 72% agreed</script><script>window.pwned=1</script><!--"
           " \u2028and\u2029 more.")


def test_json_ld_is_safe_to_embed_in_html_and_reads_back_unchanged():
    rep = make_report(HOSTILE, [Spec("72%", Label.supported)])
    text = claim_review_text(rep, HOSTILE)
    for bad in ("</script", "<!--", "<script", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text)[0]["claimReviewed"].startswith("The mayor said 72% agreed</script><script>")
    script = claim_review_script(rep, HOSTILE)
    assert script.count("</script>") == 1 and script.endswith("</script>")


def test_claim_review_passes_the_search_engine_fields():
    pub = Publisher(organisation="The Daily Example", url="https://news.example/checks/poll", claimant="Jane Mayor",
                    draft_url="https://news.example/poll")
    rep = report()
    reviews = claim_review(rep, DRAFT, DECISIONS, publisher=pub, reviewed_only=True)
    assert len(reviews) == 2
    for review in reviews:
        assert claim_review_problems(review) == [], review
        assert "[as of" not in review["claimReviewed"]
        assert review["claimReviewed"] in DRAFT.replace("\n", " ")  # the draft's own sentence
        assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Jane Mayor"}
        assert review["url"].startswith("https://news.example/checks/poll#claim-")
    # the defaults are not publishable, and the check says why
    bare = claim_review(rep, DRAFT, DECISIONS)[0]
    assert "missing url" in claim_review_problems(bare)
    assert any("Organization" in p for p in claim_review_problems(bare))


def test_claim_review_with_nothing_reviewed_is_a_clear_error_not_an_empty_list():
    with pytest.raises(ExportError, match="no claim is reviewed"):
        claim_review(report(), DRAFT, {}, reviewed_only=True)
    skipped = {"c1": Decision(status="not_check_worthy"), "c2": Decision(status="accepted")}
    assert len(claim_review(report(), DRAFT, skipped, reviewed_only=True)) == 1


def test_roster_rows_never_reach_review_body():
    from claims.models import Citation, ClaimResult, Verdict

    rep = report()
    row = Citation(source="officials.csv", quote="Prime Minister of Japan,Sanae Takaichi,2025-10-21,", start=0, end=50)
    first = rep.claims[0]
    rep = rep.model_copy(update={"claims": [ClaimResult(claim=first.claim, verdict=Verdict(
        label=Label.contradicted, confidence=0.99, citations=[row], method="roster", tier="finding"))]})
    review = claim_review(rep, DRAFT, {"c1": Decision(status="accepted")}, publisher=Publisher("Desk", "https://x.example", claimant="A Minister"))[0]
    assert "2025-10-21," not in review["reviewBody"] and "officials roster" in review["reviewBody"]
    assert claim_review_problems(review) == []


def test_html_report_is_static_self_contained_and_escaped():
    from app.exports import report_html

    rep = make_report(HOSTILE, [Spec("72%", Label.supported, quote="<img src=x onerror=alert(1)>")])
    page = report_html(rep, HOSTILE, {"c1": Decision(status="accepted", note="<b>n</b>")}, title="T <i>",
                       publisher=Publisher("Desk", "https://news.example/c"))
    assert page.startswith("<!doctype html>") and "<script>" not in page.replace('<script type="application/ld+json">', "")
    assert page.count("</script>") == 1  # only the JSON-LD element's own end tag
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;n&lt;/b&gt;" in page
    assert 'href="#card-1"' in page and 'id="card-1"' in page and "src=" not in page.replace("src=x", "")
