"""app.report_diff: what changed between two checks of one document (added, removed, verdict or tier changed)."""
from __future__ import annotations

from datetime import date

from app.report_diff import diff_reports
from claims.models import Label
from e2e.fixtures import Spec, make_report

DRAFT = ("Seabed story\n\nThe programme has cost about 60 billion yen since 2018. "
         "Cabinet approval stood at 72%, a poll found. About 28,500 U.S. troops remain in South Korea.")


def texts(results):
    return [r.claim.text for r in results]


def test_same_check_twice_is_empty():
    specs = [Spec("60 billion yen", Label.supported), Spec("72%", Label.contradicted, tier="finding")]
    diff = diff_reports(make_report(DRAFT, specs), make_report(DRAFT, specs), old_draft=DRAFT, new_draft=DRAFT)
    assert diff.empty and diff.unchanged == 2 and not diff.added and not diff.removed and not diff.changed


def test_verdict_and_tier_changes_old_to_new_with_both_as_of_dates():
    old = make_report(DRAFT, [Spec("60 billion yen", Label.supported), Spec("72%", Label.not_enough_evidence),
                              Spec("28,500", Label.supported)], as_of=date(2025, 11, 24))
    new = make_report(DRAFT, [Spec("60 billion yen", Label.supported), Spec("72%", Label.contradicted),
                              Spec("28,500", Label.supported, tier="finding")], as_of=date(2026, 2, 10))
    diff = diff_reports(old, new, old_draft=DRAFT, new_draft=DRAFT)
    assert (diff.old_as_of, diff.new_as_of) == (date(2025, 11, 24), date(2026, 2, 10))
    assert [(c.new.claim.text, c.old.verdict.label, c.new.verdict.label, c.verdict_changed, c.tier_changed)
            for c in diff.changed] == [("72%", Label.not_enough_evidence, Label.contradicted, True, False),
                                       ("28,500", Label.supported, Label.supported, False, True)]
    assert diff.unchanged == 1 and not diff.empty


def test_added_and_removed_claims_are_matched_across_renumbered_ids():
    old = make_report(DRAFT, [Spec("72%", Label.contradicted), Spec("28,500", Label.supported)])
    new = make_report(DRAFT, [Spec("since 2018", Label.supported, kind="date"), Spec("72%", Label.contradicted)])
    assert old.claims[0].claim.id != new.claims[1].claim.id  # the same 72% claim under another id
    diff = diff_reports(old, new, old_draft=DRAFT, new_draft=DRAFT)
    assert texts(diff.added) == ["since 2018"] and texts(diff.removed) == ["28,500"]
    assert diff.changed == [] and diff.unchanged == 1


def test_an_edit_of_the_claims_sentence_still_matches_by_words_and_kind():
    edited = DRAFT.replace("Cabinet approval stood at 72%, a poll found.", "Approval of the cabinet was 72% in a poll.")
    old = make_report(DRAFT, [Spec("72%", Label.supported)])
    new = make_report(edited, [Spec("72%", Label.contradicted)])
    diff = diff_reports(old, new, old_draft=DRAFT, new_draft=edited)
    assert not diff.added and not diff.removed
    assert [(c.old.verdict.label, c.new.verdict.label) for c in diff.changed] == [(Label.supported, Label.contradicted)]


def test_a_repeated_claim_is_two_claims_and_one_removal_is_one():
    twice = DRAFT + " Again: approval stood at 72%, a poll found."
    old = make_report(twice, [Spec("72%", Label.supported), Spec("72%", Label.supported, after="Again")])
    new = make_report(DRAFT, [Spec("72%", Label.supported)])
    diff = diff_reports(old, new, old_draft=twice, new_draft=DRAFT)
    assert texts(diff.removed) == ["72%"] and diff.removed[0].claim.start > len(DRAFT) - 5
    assert diff.unchanged == 1 and not diff.added


def test_without_drafts_claims_match_by_words_and_kind():
    old = make_report(DRAFT, [Spec("60 billion yen", Label.supported), Spec("72%", Label.supported)])
    new = make_report(DRAFT, [Spec("72%", Label.contradicted)])
    diff = diff_reports(old, new)
    assert texts(diff.removed) == ["60 billion yen"] and [c.new.claim.text for c in diff.changed] == ["72%"]


def test_check_page_compares_with_an_earlier_version(monkeypatch, tmp_path):
    """Check, check again with another as-of: 'Compare with' the first check shows old -> new verdicts."""
    from app import ui_backend
    from e2e.apptest import check, env, html_of, new_app

    env(monkeypatch, tmp_path)

    def checker(draft, *, as_of, settings=None, progress=None):
        late = as_of >= date(2026, 1, 1)
        specs = [Spec("60 billion yen", Label.supported), Spec("72%", Label.contradicted if late else Label.supported)]
        if late:
            specs.append(Spec("28,500", Label.not_enough_evidence))
        return make_report(draft, specs, as_of=as_of)

    monkeypatch.setattr(ui_backend, "check_draft", checker)
    at = check(new_app().run(), DRAFT, as_of=date(2025, 11, 24))
    assert not [s for s in at.selectbox if s.label == "Compare with"]  # one version: nothing to compare with
    at = check(at, DRAFT, as_of=date(2026, 2, 10))
    compare = next(s for s in at.selectbox if s.label == "Compare with")
    assert compare.options and compare.options[0].startswith("check 1 \u00b7 ") and "as of 2025-11-24" in compare.options[0]
    compare.set_value(1).run()
    assert not at.exception
    page = html_of(at)
    diff = page[page.index('class="cd-box cd-diff"'):]
    assert "The as-of date changed: 2025-11-24 \u2192 2026-02-10" in diff
    assert "Changed (1)" in diff and "<q>72%</q>" in diff
    assert "needs a human, leans supported</span> \u2192 <span class=\"cd-badge cd-suggestion\">? needs a human, leans contradicted" in diff
    assert "Added (1)" in diff and "<q>28,500</q>" in diff and "Removed" not in diff
    assert "corpus: no corpus" in diff and "1 claim kept the same verdict and tier." in diff


def test_a_claim_whose_words_were_edited_in_place_is_changed_not_added_and_removed():
    edited = DRAFT.replace("stood at 72%", "stood at 64%")
    old = make_report(DRAFT, [Spec("72%", Label.supported), Spec("28,500", Label.supported)])
    new = make_report(edited, [Spec("64%", Label.contradicted), Spec("28,500", Label.supported)])
    diff = diff_reports(old, new, old_draft=DRAFT, new_draft=edited)
    assert not diff.added and not diff.removed and diff.unchanged == 1
    [change] = diff.changed
    assert (change.old.claim.text, change.new.claim.text) == ("72%", "64%") and change.text_changed
    # without the drafts there is no place to match by: one removed, one added
    blind = diff_reports(old, new)
    assert texts(blind.added) == ["64%"] and texts(blind.removed) == ["72%"]
