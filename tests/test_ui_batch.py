"""Batches of drafts: app.ui_backend.check_batch over a real Chroma store (the demo corpus) and a real review
store, and the Batch page (AppTest): one row per draft, where the drafts disagree, the bad uploads by their
own names, and each draft's report opened on the Check page."""
from __future__ import annotations

from datetime import date

import pytest

from app import ui_backend
from app.review_store import ReviewStore
from app.ui_check import dateline_date
from e2e.apptest import env, html_of, new_app, shown

DEMO_CORPUS = ui_backend.REPO / "app" / "demo" / "corpus"
AS_OF = date(2025, 11, 24)
# two short drafts of our own that give the seabed programme's cost two different values
ON_TRACK = ("Seabed mining trial on track\n\nJapan will begin full-scale trial mining of rare earth mud near "
            "Minamitori Island next year, officials said. The programme has cost about 60 billion yen since 2018. "
            "Chikyu left port last month for the test.\n")
SLIPS = ("Minamitori mud plan slips\n\nTOKYO, Nov. 25, 2025 \u2014 Full-scale trial mining of the seabed mud near "
         "Minamitori Island is now expected in 2029, the ministry said. The work has cost 40 billion yen so far.\n")
BAD = [("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ("latin.md", "Caf\u00e9 au lait".encode("latin-1")),
       ("empty.txt", b"   \n"), ("huge.txt", b"x" * (ui_backend.MAX_DRAFT_UPLOAD_BYTES + 1)), ("scan.pdf", b"%PDF-1.4")]


@pytest.fixture()
def corpus(monkeypatch, tmp_path):
    """A real store holding the demo corpus, and the review database beside it."""
    db = env(monkeypatch, tmp_path)
    stats = ui_backend.ingest_folder(str(DEMO_CORPUS))
    assert "7 added" in str(stats)
    return ReviewStore(db)


def test_check_batch_saves_each_draft_flags_the_disagreement_and_lists_bad_uploads(corpus):
    calls = []
    inputs = [("on-track.txt", ON_TRACK.encode()), *BAD[:2], ("pasted draft 1", SLIPS), *BAD[2:]]
    result = ui_backend.check_batch(inputs, as_of=AS_OF, reviews=corpus, dateline=dateline_date,
                                    progress=lambda done, total, what: calls.append((done, total, what)))
    assert [(d.number, d.name, d.doc_id, d.version) for d in result.checked] == [
        (1, "on-track.txt", "on-track", 1), (2, "pasted draft 1", "Minamitori mud plan slips", 1)]
    first, second = result.checked
    assert first.report.as_of == AS_OF and first.as_of_from == "the batch"
    assert second.report.as_of == date(2025, 11, 25) and second.as_of_from == "the draft's dateline"
    assert any(r.verdict.citations for r in first.report.claims)  # checked against the real corpus
    # each draft is a version of its own document, as a single check is: it reopens
    assert corpus.last_check("on-track")[0] == ON_TRACK
    assert corpus.last_check("Minamitori mud plan slips", version=1)[1].as_of == date(2025, 11, 25)
    assert "passages" in corpus.versions("on-track")[0]["corpus"]  # the corpus state kept with the version
    # where they disagree: both drafts named, both spans quoted
    assert len(result.disagreements) == 1
    found = result.disagreements[0]
    assert found.flag.kind == "cross_draft_inconsistency"
    assert [(p.draft, p.text) for p in found.places] == [(0, "about 60 billion yen"), (1, "40 billion yen")]
    assert ON_TRACK[found.places[0].start:found.places[0].end] == "about 60 billion yen"
    # the bad ones, by their own names, one line each, in the order given
    assert [r.name for r in result.rejected] == ["photo.txt", "latin.md", "empty.txt", "huge.txt", "scan.pdf"]
    lines = [r.line for r in result.rejected]
    assert "binary" in lines[0] and "not UTF-8" in lines[1] and "empty" in lines[2] and "limited to 2 MB" in lines[3]
    assert lines[4] == "scan.pdf: unsupported file type (use txt, md, html, htm)"
    assert all("\n" not in line and "/tmp" not in line for line in lines)
    # progress: every draft in turn, then the comparison
    assert [c[0] for c in calls if c[2].startswith("checking ")] == list(range(7))
    assert calls[-1] == (7, 7, "done") and all(c[1] == 7 for c in calls)


def test_a_second_batch_adds_versions_and_keeps_a_different_draft_apart(corpus):
    ui_backend.check_batch([("on-track.txt", ON_TRACK.encode())], as_of=AS_OF, reviews=corpus)
    other = ("Seabed mining trial on track\n\nA wholly different story about a fishing port in the north. "
             "The harbour board plans a new quay for the winter season. Its budget is 9 billion yen this year.\n")
    result = ui_backend.check_batch([("on-track.txt", ON_TRACK.encode()), ("on-track.txt", other.encode())],
                                    as_of=date(2026, 2, 10), reviews=corpus)
    assert [(d.doc_id, d.version) for d in result.checked] == [("on-track", 2), ("on-track (2)", 1)]
    assert corpus.last_check("on-track")[1].as_of == date(2026, 2, 10)
    assert corpus.last_check("on-track", version=1)[1].as_of == AS_OF


def test_no_dateline_and_no_as_of_lists_that_draft_and_checks_the_dated_one(corpus):
    result = ui_backend.check_batch([("pasted draft 1", ON_TRACK), ("pasted draft 2", SLIPS)], as_of=None,
                                    reviews=corpus, dateline=dateline_date)
    assert [d.name for d in result.checked] == ["pasted draft 2"]
    assert [r.line for r in result.rejected] == [
        "pasted draft 1: no dateline to take the date from: set \u201cAs of\u201d for the batch"]


def test_one_draft_failing_inside_the_checker_does_not_stop_the_others(corpus, monkeypatch):
    real = ui_backend.check_draft

    def flaky(draft, **kwargs):
        if "40 billion" in draft:
            raise RuntimeError("the judge fell over")
        return real(draft, **kwargs)

    monkeypatch.setattr(ui_backend, "check_draft", flaky)
    result = ui_backend.check_batch([("slips.txt", SLIPS.encode()), ("on-track.txt", ON_TRACK.encode())],
                                    as_of=AS_OF, reviews=corpus)
    assert [d.name for d in result.checked] == ["on-track.txt"]
    assert [r.line for r in result.rejected] == ["slips.txt: checking failed (RuntimeError: the judge fell over)"]


def test_batch_page_checks_uploads_and_pastes_and_opens_a_report(monkeypatch, tmp_path):
    db = env(monkeypatch, tmp_path)  # no corpus store: the real pipeline, the roster only
    at = new_app("Batch").run()
    assert not at.exception
    at.file_uploader(key="batch_uploads").set_value([("on-track.txt", ON_TRACK.encode(), "text/plain"),
                                                     ("latin.md", "Caf\u00e9".encode("latin-1"), "text/markdown")])
    at.text_area(key="batch_paste_2").set_value(SLIPS)
    at.date_input(key="batch_as_of").set_value(AS_OF)
    next(b for b in at.button if b.label == "Check all drafts").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["document"]) == ["on-track", "Minamitori mud plan slips"]
    assert list(table["as of"]) == ["2025-11-24 (batch)", "2025-11-25 (dateline)"]
    assert list(table["disagreements"]) == [1, 1] and (table["claims"] > 0).all()
    assert (table["findings"] + table["suggestions"] == table["claims"]).all()
    page = html_of(at)
    assert "the drafts disagree" in page and "Draft 1: on-track" in page
    assert "Draft 2: Minamitori mud plan slips" in page
    assert '<span class="cd-qt cd-quote">about 60 billion yen</span>' in page
    assert '<span class="cd-qt cd-quote">40 billion yen</span>' in page
    assert len(at.error) == 1 and "latin.md is not UTF-8 text" in shown(at.error[0].value)
    assert {d for d, _, _ in ReviewStore(db).documents()} == {"on-track", "Minamitori mud plan slips"}

    next(b for b in at.button if b.label == "Open draft 2: Minamitori mud plan slips").click().run()
    assert not at.exception
    assert at.session_state["page"] == "Check"
    assert shown(at.subheader[0].value) == "Report: Minamitori mud plan slips"
    assert at.text_area(key="draft_text").value == SLIPS
    assert "40 billion yen</mark>" in html_of(at)


def test_batch_page_without_drafts_says_so(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    at = new_app("Batch").run()
    next(b for b in at.button if b.label == "Check all drafts").click().run()
    assert [e.value for e in at.error] == ["Upload or paste at least one draft first."]
