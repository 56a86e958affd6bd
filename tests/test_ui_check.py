"""Check page (AppTest): highlighted draft, claim cards, filters, review that persists, text kept as text."""
from __future__ import annotations

import re

import pytest

from app import ui_backend
from app.review_store import ReviewStore, document_id
from claims.models import Flag, Label
from e2e.apptest import all_markdown, check, env, html_of, new_app, shown, use_checker
from e2e.fixtures import Spec, make_report

DRAFT = ("Tokyo's seabed bet\n\nThe programme has cost about 60 billion yen since 2018. "
         "Cabinet approval stood at 72%, a poll found. Sanae Takeda leads the government.\n\n"
         "About 28,500 U.S. troops remain in South Korea.")
MISNAMED = Flag(kind="misnamed_official", message="No official named Sanae Takeda", suggestion="Sanae Takaichi")


def fixture_report(draft: str):
    specs = [Spec("60 billion yen", Label.supported, quote="about 60 billion yen", source="seabed.md", tier="finding"),
             Spec("72%", Label.contradicted, quote="approval at 69%", source="poll.md", tier="finding"),
             Spec("Sanae Takeda", Label.contradicted, kind="official", flags=[MISNAMED], tier="finding"),
             Spec("28,500", Label.not_enough_evidence)]
    flags = []
    if "60 billion" in draft and "28,500" in draft:
        flags.append(Flag(kind="internal_inconsistency", message="Two figures for one thing",
                          spans=[(draft.index("60 billion"), draft.index("60 billion") + 10),
                                 (draft.index("28,500"), draft.index("28,500") + 6)]))
    return make_report(draft, [s for s in specs if s.text in draft], draft_flags=flags)


def save_buttons(at):
    return [b for b in at.button if b.label.startswith("Save review of claim")]


def test_check_shows_highlighted_draft_summary_and_cards(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    calls = use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    assert not at.exception and calls == [DRAFT]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Claims"] == "4" and metrics["\u2713 Supported"] == "1" and metrics["\u2717 Contradicted"] == "2"
    assert metrics["? Needs a human"] == "1" and metrics["\u25cb Not enough evidence"] == "0"  # the suggestion apart
    page = html_of(at)
    assert page.count("<mark ") == 4 and "[3 \u2717 \u2691]" in page  # numbered, icon, the flagged one marked
    assert "cd-mark cd-contradicted" in page and "cd-mark cd-supported" in page  # red and green findings
    assert "cd-mark cd-suggestion" in page and "needs a human, leans not enough evidence" in page
    assert "#ffcdd2" in page and "prefers-color-scheme: dark" in page  # the theme-aware stylesheet
    assert "did you mean <b>Sanae Takaichi</b>?" in page
    assert "Two figures for one thing" in page  # draft-level flag with both spans
    assert len(save_buttons(at)) == 4


def test_filters_by_verdict_and_flag(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    at.multiselect(key="filter_verdict").set_value([Label.contradicted]).run()
    assert [b.label for b in save_buttons(at)] == ["Save review of claim 2", "Save review of claim 3"]
    at.multiselect(key="filter_verdict").set_value([]).run()
    at.selectbox(key="filter_flag").set_value("misnamed_official").run()
    assert [b.label for b in save_buttons(at)] == ["Save review of claim 3"]


def test_override_persists_and_reopens_in_a_new_session(monkeypatch, tmp_path):
    db = env(monkeypatch, tmp_path)
    use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    key = next(s.key for s in at.selectbox if s.key and s.key.startswith("choice-") and s.value == "pending")
    at.selectbox(key=key).set_value("override: supported")
    at.text_input(key=key.replace("choice-", "note-")).set_value("Poll re-read: 72% is right")
    save_buttons(at)[0].click().run()
    assert not at.exception
    decisions = ReviewStore(db).attach(document_id(DRAFT), DRAFT, [r.claim for r in fixture_report(DRAFT).claims])
    assert decisions["c1"].override is Label.supported and decisions["c1"].note == "Poll re-read: 72% is right"
    assert at.query_params["doc"] in (document_id(DRAFT), [document_id(DRAFT)])

    fresh = new_app()  # a reload: new session, the URL still carries ?doc=
    fresh.query_params["doc"] = document_id(DRAFT)
    fresh.run()
    assert not fresh.exception
    assert "(reviewer override; machine said supported)" in html_of(fresh)
    assert any(s.value == "override: supported" for s in fresh.selectbox if s.key and s.key.startswith("choice-"))
    assert "Poll re-read: 72% is right" in [t.value for t in fresh.text_input]


def test_override_recolours_the_claim_and_survives_an_edit_elsewhere(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    second = [s.key for s in at.selectbox if s.key and s.key.startswith("choice-")][1]  # the 72% claim
    at.selectbox(key=second).set_value("override: supported")
    save_buttons(at)[1].click().run()
    assert "(reviewer override; machine said contradicted)" in html_of(at)
    edited = DRAFT.replace("Tokyo's seabed bet\n\n", "Tokyo's seabed bet\n\nAn editor's new opening line.\n\n")
    at = check(at, edited)
    assert "(reviewer override; machine said contradicted)" in html_of(at)
    assert at.metric[1].value == "2"  # supported: the 60 billion yen claim and the override


def test_draft_and_corpus_text_shown_as_text_not_html(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    hostile = ("<script>alert('x')</script> [click](http://evil.example) **bold** "
               "<img src=x onerror=alert(1)> Approval was 72%.")

    def report(draft):
        return make_report(draft, [Spec("72%", Label.supported, quote="<b>72%</b> [ref](http://evil.example)",
                                        source="<i>poll</i>.md")])

    use_checker(monkeypatch, report)
    at = check(new_app().run(), hostile)
    page = html_of(at)
    assert "<script" not in page and "<img" not in page and "<b>72%" not in page and "<i>poll" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "[click](http://evil.example)" in page and 'href="http' not in page
    markdown = all_markdown(at)
    assert "Report: " in markdown  # the report's heading carries the hostile first line, escaped
    assert not re.search(r"(?<!\\)<(script|img)", markdown)  # every < reaches Markdown escaped
    assert not re.search(r"(?<!\\)\]\(http://evil", markdown) and "**bold**" not in markdown  # no live link
    assert "<script>alert('x')</script> [click](http://evil.example) **bold**" in shown(markdown)


def test_demo_mode_prefills_and_checks_on_first_load(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    monkeypatch.setenv("COPYDESK_DEMO", "1")
    calls = use_checker(monkeypatch, lambda d: make_report(d, [Spec("72%", Label.supported)]))
    at = new_app().run()
    assert not at.exception and len(calls) == 1 and "Takaichi" in calls[0]
    assert at.text_area(key="draft_text").value == calls[0]
    at.run()
    assert len(calls) == 1  # not re-checked on every rerun


def test_empty_draft_and_backend_errors_are_one_line_messages(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    at = new_app().run()
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["The draft is empty: paste a draft or upload a file first."]
    from claims.errors import DraftError

    def broken(draft, **kwargs):
        raise DraftError("draft has 3,000,000 characters; drafts are limited to 2,000,000")

    monkeypatch.setattr(ui_backend, "check_draft", broken)
    at = check(new_app().run(), "some text")
    assert [shown(e.value) for e in at.error] == ["draft has 3,000,000 characters; drafts are limited to 2,000,000"]

    def crashed(draft, **kwargs):
        raise RuntimeError("chroma said no")

    monkeypatch.setattr(ui_backend, "check_draft", crashed)
    at = check(new_app().run(), "some text")
    assert not at.exception  # an unexpected failure is a message, not a traceback on the page
    assert [shown(e.value) for e in at.error] == ["Checking failed (RuntimeError: chroma said no)"]


def test_many_claims_are_paginated(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    draft = " ".join(f"Item {i} costs {i} yen." for i in range(1, 121))
    use_checker(monkeypatch, lambda d: make_report(d, [Spec(f"{i} yen", Label.supported, after=f"Item {i} costs ")
                                                       for i in range(1, 121)]))
    at = check(new_app().run(), draft)
    assert len(save_buttons(at)) == 50 and html_of(at).count("<mark ") == 120
    at.selectbox(key="page_number").set_value(3).run()
    assert [b.label for b in save_buttons(at)][0] == "Save review of claim 101" and len(save_buttons(at)) == 20


def test_whole_source_opens_with_the_quote_highlighted(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    document = "Poll report.\nThe survey found approval at 69% among voters. More text."
    monkeypatch.setattr(ui_backend, "document_text", lambda source: document if source == "poll.md" else None)
    use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    opener = [b for b in at.button if b.label == "Open the whole source"]
    assert len(opener) == 1  # only poll.md has a stored text
    opener[0].click().run()
    assert not at.exception
    assert any('class="copydesk-quote cd-qt cd-quote">approval at 69%</span> among voters' in h.value for h in at.html)


def test_long_draft_shows_the_part_around_the_page(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    paragraph = "The budget line was cut last spring, and officials said little about why it happened. "
    draft = "Long draft\n\n" + "".join(f"{paragraph * 4}Item {i} costs {i} yen.\n\n" for i in range(1, 121))
    assert len(draft) > 30_000
    use_checker(monkeypatch, lambda d: make_report(d, [Spec(f"{i} yen", Label.supported, after=f"Item {i} costs ")
                                                       for i in range(1, 121)]))
    at = check(new_app().run(), draft)
    page = html_of(at)
    assert 50 <= page.count("<mark ") < 60  # page 1's claims and a little context, not all 120
    assert "[1 ?]" in page and "[120 ?]" not in page
    at.toggle(key="whole_draft").set_value(True).run()
    assert html_of(at).count("<mark ") == 120


def test_reopen_a_reviewed_draft_from_the_sidebar(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    save_buttons(at)[0].click().run()  # an accepted-as-is review
    other = "Another story\n\nIt cost 60 billion yen."
    at = check(at, other)
    assert at.subheader[0].value == "Report: Another story"
    box = at.sidebar.selectbox(key="reopen_doc")
    assert set(box.options) == {"Tokyo's seabed bet (1 reviewed)", "Another story (0 reviewed)"}
    box.set_value(document_id(DRAFT)).run()
    assert not at.exception
    assert shown(at.subheader[0].value) == "Report: Tokyo's seabed bet"
    assert at.text_area(key="draft_text").value == DRAFT and len(save_buttons(at)) == 4


def test_real_pipeline_review_follows_the_claim_after_an_edit(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)  # no corpus store: the real pipeline checks against the roster only
    draft = ui_backend.demo_draft()
    at = check(new_app().run(), draft)
    assert not at.exception and not at.error, [e.value for e in at.error]
    cards = save_buttons(at)
    assert len(cards) >= 5
    keys = [s.key for s in at.selectbox if s.key and s.key.startswith("choice-")]
    target = keys[-1]  # the last claim of the draft
    at.selectbox(key=target).set_value("override: not enough evidence")
    at.text_input(key=target.replace("choice-", "note-")).set_value("ask the desk")
    cards[-1].click().run()
    edited = draft.replace("Support at home remains strong.", "Support at home, pollsters say, remains strong.")
    at = check(at, edited)
    assert not at.exception
    notes = [t.value for t in at.text_input if t.key and t.key.startswith("note-")]
    assert notes.count("ask the desk") == 1 and notes[-1] == "ask the desk"


def test_as_of_is_required_or_taken_from_the_dateline(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    calls = use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT, as_of=None)
    assert calls == [] and "As of" in at.error[0].value  # no silent "today"
    dated = "Seabed story\n\nTOKYO, Nov. 20, 2025 \u2014 " + DRAFT
    at = check(new_app().run(), dated, as_of=None)
    assert calls == [dated] and at.date_input(key="as_of").value.isoformat() == "2025-11-20"
    assert "As of 2025-11-24" in all_markdown(at)  # fixture reports say 2025-11-24: the report's date is shown


def test_same_headline_different_draft_is_kept_apart_and_versions_are_kept(monkeypatch, tmp_path):
    db = env(monkeypatch, tmp_path)
    use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("accept-"))).click().run()
    other = "Tokyo's seabed bet\n\nA wholly different story where approval stood at 72% among farmers this spring."
    at = check(at, other)
    assert shown(at.subheader[0].value) == "Report: Tokyo's seabed bet (2)"
    store = ReviewStore(db)
    assert store.last_check("Tokyo's seabed bet")[0] == DRAFT  # the first draft's check is intact
    assert store.attach("Tokyo's seabed bet (2)", other, [r.claim for r in fixture_report(other).claims]) == {}
    at = check(at, DRAFT)  # the first draft again: a second version of the same document
    assert [v["version"] for v in store.versions("Tokyo's seabed bet")] == [2, 1]


def test_quick_actions_bulk_accept_evidence_and_audit(monkeypatch, tmp_path):
    db = env(monkeypatch, tmp_path)
    use_checker(monkeypatch, fixture_report)
    at = new_app().run()
    at.sidebar.text_input(key="reviewer_name").set_value("Ana").run()
    at = check(at, DRAFT)
    skip = [b for b in at.button if b.key and b.key.startswith("skip-")]
    skip[3].click().run()  # 28,500: not check-worthy
    bulk = [b for b in at.button if b.key == "bulk-accept"]
    assert bulk and bulk[0].label == "Accept all 3 roster and comparator findings"
    bulk[0].click().run()
    decisions = ReviewStore(db).attach(document_id(DRAFT), DRAFT, [r.claim for r in fixture_report(DRAFT).claims])
    assert {k: d.status for k, d in decisions.items()} == {"c1": "accepted", "c2": "accepted", "c3": "accepted",
                                                          "c4": "not_check_worthy"}
    assert all(d.reviewer == "Ana" for d in decisions.values())
    key = next(t.key for t in at.text_input if t.key and t.key.startswith("ev-source-"))
    at.text_input(key=key).set_value("Ministry release")
    at.text_input(key=key.replace("ev-source-", "ev-url-")).set_value("https://gov.example/r")
    next(b for b in at.button if b.label == "Attach evidence to claim 1").click().run()
    assert not at.exception and "Attached by the reviewer: <b>Ministry release</b>" in html_of(at)
    trail = ReviewStore(db).audit(document_id(DRAFT))
    assert len(trail) == 5 and trail[-1]["after"].endswith("1 source(s) attached")


def test_add_a_missed_claim_and_edit_a_claims_span(monkeypatch, tmp_path):
    db = env(monkeypatch, tmp_path)
    use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    at.text_input(key="add-claim-text").set_value("since 2018")
    at.selectbox(key="add-claim-kind").set_value("date")
    next(b for b in at.button if b.label == "Add claim").click().run()
    assert not at.exception and not at.error
    assert len(save_buttons(at)) == 5 and html_of(at).count("<mark ") == 5  # the added claim has its card and mark
    assert ">since 2018</mark>" in html_of(at)
    at.text_input(key="add-claim-text").set_value("not in the draft at all")
    next(b for b in at.button if b.label == "Add claim").click().run()
    assert "is not in the draft" in at.error[0].value
    key = next(t.key for t in at.text_input if t.key and t.key.startswith("span-") and t.value == "72%")
    at.text_input(key=key).set_value("approval stood at 72%")
    next(b for b in at.button if b.label.startswith("Replace claim") and b.key and key[5:] in b.key).click().run()
    assert not at.exception and "approval stood at 72%</mark>" in html_of(at)
    fresh = new_app()  # a reload keeps both
    fresh.query_params["doc"] = document_id(DRAFT)
    fresh.run()
    assert ">since 2018</mark>" in html_of(fresh) and "not check-worthy" in html_of(fresh)
    assert any(t["after"].startswith("added a date claim") for t in ReviewStore(db).audit(document_id(DRAFT)))


def test_quick_accept_updates_the_cards_review_list_and_skipped_claims_are_drawn_plain(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    use_checker(monkeypatch, fixture_report)
    at = check(new_app().run(), DRAFT)
    accept = next(b for b in at.button if b.key and b.key.startswith("accept-"))
    accept.click().run()
    assert at.selectbox(key=accept.key.replace("accept-", "choice-")).value == "accepted"
    skip = next(b for b in at.button if b.key and b.key.startswith("skip-"))
    skip.click().run()
    assert at.selectbox(key=skip.key.replace("skip-", "choice-")).value == "not check-worthy"
    assert "cd-skipped" in html_of(at) and "not check-worthy (reviewer)" in html_of(at)
