"""Reviewer decisions persist in SQLite and re-attach to the same claims after the draft is edited."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from app.review_store import Decision, ReviewStore, ReviewStoreError, claim_fingerprint, claim_keys, document_id
from claims.models import Label
from e2e.fixtures import Spec, make_report

DRAFT = (
    "Seabed mining update\n\n"
    "The trial costs about 60 billion yen. Approval of the cabinet stood at 72% in November.\n\n"
    "Officials expect about 28,500 troops to remain. The cabinet's rating of 72% was a record."
)
SPECS = [Spec("60 billion yen", Label.supported), Spec("72%", Label.contradicted),
         Spec("28,500", Label.not_enough_evidence), Spec("72%", Label.supported, after="rating of ")]


def claims_of(draft: str):
    return [r.claim for r in make_report(draft, SPECS).claims]


def test_override_persists_across_reopen(tmp_path):
    db = tmp_path / "reviews.sqlite3"
    claims = claims_of(DRAFT)
    doc = document_id(DRAFT)
    ReviewStore(db).save(doc, DRAFT, claims[1], Decision(status="overridden", override=Label.supported, note="poll says 72"))
    reopened = ReviewStore(db).attach(doc, DRAFT, claims)
    assert set(reopened) == {"c2"}
    assert reopened["c2"].verdict(Label.contradicted) is Label.supported
    assert reopened["c2"].note == "poll says 72"
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_decision_survives_a_crash_right_after_save(tmp_path):
    db = tmp_path / "reviews.sqlite3"
    code = (
        "import os, sys\n"
        f"sys.path[:0] = {sys.path!r}\n"
        "from app.review_store import Decision, ReviewStore, document_id\n"
        "from claims.models import Label\n"
        "from test_review_store import DRAFT, claims_of\n"
        f"ReviewStore({str(db)!r}).save(document_id(DRAFT), DRAFT, claims_of(DRAFT)[0], Decision(status='accepted', for_editor=True))\n"
        "os._exit(9)\n"  # no clean shutdown, no close
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=str(db.parent)).returncode == 9
    found = ReviewStore(db).attach(document_id(DRAFT), DRAFT, claims_of(DRAFT))
    assert found["c1"].status == "accepted" and found["c1"].for_editor


def test_reattaches_after_edit_elsewhere_in_the_draft(tmp_path):
    store = ReviewStore(tmp_path / "r.db")
    doc = document_id(DRAFT)
    before = claims_of(DRAFT)
    store.save(doc, DRAFT, before[2], Decision(status="overridden", override=Label.contradicted))
    store.save(doc, DRAFT, before[3], Decision(status="accepted", note="second 72%"))
    edited = DRAFT.replace("Seabed mining update\n\n", "Seabed mining update\n\nA new opening paragraph, added by the editor.\n\n")
    edited = edited.replace("The trial costs", "The trial reportedly costs")
    after = claims_of(edited)
    assert [c.start for c in after] != [c.start for c in before]  # every offset moved
    assert document_id(edited) == doc
    found = store.attach(doc, edited, after)
    assert found["c3"].override is Label.contradicted
    assert found["c4"].note == "second 72%"  # the same text "72%" twice: attached to the right one
    assert "c2" not in found


def test_fuzzy_fallback_when_the_claims_own_sentence_was_edited(tmp_path):
    store = ReviewStore(tmp_path / "r.db")
    doc = document_id(DRAFT)
    store.save(doc, DRAFT, claims_of(DRAFT)[2], Decision(status="accepted", note="checked with USFK"))
    edited = DRAFT.replace("Officials expect about", "Officials in Seoul expect about")
    after = claims_of(edited)
    assert claim_fingerprint(edited, after[2]) != claim_fingerprint(DRAFT, claims_of(DRAFT)[2])
    assert store.attach(doc, edited, after)["c3"].note == "checked with USFK"


def test_changed_value_or_rewritten_sentence_is_a_new_claim(tmp_path):
    store = ReviewStore(tmp_path / "r.db")
    doc = document_id(DRAFT)
    store.save(doc, DRAFT, claims_of(DRAFT)[0], Decision(status="accepted"))
    changed = DRAFT.replace("60 billion yen", "70 billion yen")
    specs = [Spec("70 billion yen", Label.supported)]
    assert store.attach(doc, changed, [r.claim for r in make_report(changed, specs).claims]) == {}
    rewritten = DRAFT.replace("The trial costs about 60 billion yen.", "Tokyo has, over eight years, spent 60 billion yen on it.")
    claims = [r.claim for r in make_report(rewritten, [Spec("60 billion yen", Label.supported)]).claims]
    assert store.attach(doc, rewritten, claims) == {}


def test_documents_are_kept_apart(tmp_path):
    store = ReviewStore(tmp_path / "r.db")
    store.save("draft A", DRAFT, claims_of(DRAFT)[0], Decision(status="accepted"))
    assert store.attach("draft B", DRAFT, claims_of(DRAFT)) == {}
    assert [row[0] for row in store.documents()] == ["draft A"]


def test_bad_input_is_refused_with_a_message(tmp_path):
    store = ReviewStore(tmp_path / "r.db")
    with pytest.raises(ReviewStoreError, match="needs a verdict"):
        store.save("d", DRAFT, claims_of(DRAFT)[0], Decision(status="overridden"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReviewStoreError, match="cannot open"):
        ReviewStore(blocker / "sub" / "r.db")


def test_document_id_is_the_first_line():
    assert document_id("\n\n  Tokyo's   deep-sea bet \nbody") == "Tokyo's deep-sea bet"
    assert document_id("   ") == "untitled draft"


def test_checked_draft_and_report_reopen_after_restart(tmp_path):
    report = make_report(DRAFT, SPECS)
    ReviewStore(tmp_path / "r.db").save_check("Seabed mining update", DRAFT, report)
    reopened = ReviewStore(tmp_path / "r.db")
    draft, again = reopened.last_check("Seabed mining update")
    assert draft == DRAFT and again.to_json() == report.to_json()
    assert reopened.last_check("another draft") is None
    assert [row[0] for row in reopened.documents()] == ["Seabed mining update"]


def test_a_repeated_claim_keeps_its_own_decision(tmp_path):
    paragraph = "Approval stood at 72% in November.\n\n"
    draft = "Twice told\n\n" + paragraph + paragraph
    specs = [Spec("72%", Label.supported), Spec("72%", Label.supported, after="November.")]
    claims = [r.claim for r in make_report(draft, specs).claims]
    keys = claim_keys(draft, claims)
    assert keys["c1"] != keys["c2"] and keys["c2"].startswith(keys["c1"])
    store = ReviewStore(tmp_path / "r.db")
    store.save("Twice told", draft, claims[1], Decision(status="accepted", note="second copy"), key=keys["c2"])
    found = store.attach("Twice told", draft, claims)
    assert set(found) == {"c2"} and found["c2"].note == "second copy"


# --- documents, versions, audit, reviewer work (issue #15) -------------------------------------------

def _report_for(draft):
    from e2e.fixtures import Spec, make_report

    return make_report(draft, [Spec("72%", Label.contradicted)])


def test_a_different_draft_with_the_same_headline_is_never_merged(tmp_path):
    from app.review_store import ReviewStore, document_id

    store = ReviewStore(tmp_path / "r.sqlite3")
    first = "Poll watch today\n\nApproval stood at 72% in November, the survey of voters found last week."
    second = "Poll watch today\n\nA different story: turnout reached 72% in the regional election on Sunday."
    doc = store.resolve_document_id(document_id(first), first)
    store.save_check(doc, first, _report_for(first))
    store.save(doc, first, _report_for(first).claims[0].claim, Decision(status="accepted", reviewer="ana"))
    other = store.resolve_document_id(document_id(second), second)
    assert other != doc and other == "Poll watch today (2)"
    store.save_check(other, second, _report_for(second))
    assert store.last_check(doc)[0] == first  # the first draft's check is not overwritten
    assert store.attach(other, second, [c.claim for c in _report_for(second).claims]) == {}  # reviews not mixed
    edited = first.replace("last week", "on Friday")  # an edit of the first draft keeps its id
    assert store.resolve_document_id(document_id(edited), edited) == doc
    assert document_id("x", "story-draft.html") == "story-draft"
    assert document_id("logo\n\nSeabed mining bet pays off\n\nText.") == "Seabed mining bet pays off"


def test_every_check_is_a_version_with_as_of_and_corpus(tmp_path):
    from datetime import date

    from app.review_store import ReviewStore

    store = ReviewStore(tmp_path / "r.sqlite3")
    draft = "Head line here\n\nApproval stood at 72% in November."
    one = _report_for(draft)
    two = one.model_copy(update={"as_of": date(2025, 12, 1)})
    assert store.save_check("d", draft, one, corpus="5 documents") == 1
    assert store.save_check("d", draft + " More.", two, corpus="6 documents") == 2
    versions = store.versions("d")
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["as_of"] == "2025-12-01" and versions[1]["corpus"] == "5 documents"
    assert store.last_check("d", version=1)[1].as_of == one.as_of
    assert store.last_check("d")[0].endswith("More.")


def test_audit_trail_not_check_worthy_evidence_and_every_mention(tmp_path):
    from app.review_store import ReviewStore, claim_keys, mentions
    from e2e.fixtures import Spec, make_report

    store = ReviewStore(tmp_path / "r.sqlite3")
    draft = "Head line here\n\nIt rose 72% in May. Later it rose 72% again. Costs hit 9 yen."
    rep = make_report(draft, [Spec("72%", Label.supported), Spec("72%", Label.supported, after="Later"),
                              Spec("9 yen", Label.supported)])
    claims = [r.claim for r in rep.claims]
    keys = claim_keys(draft, claims)
    same = mentions(claims, claims[0])
    assert [c.id for c in same] == ["c1", "c2"]
    store.save_many("d", draft, [(c, keys[c.id]) for c in same],
                    Decision(status="overridden", override=Label.contradicted, reviewer="ana"))
    evidence = ({"source": "Ministry release", "quote": "costs of 9 yen", "url": "https://gov.example/r"},)
    store.save("d", draft, claims[2], Decision(status="not_check_worthy", reviewer="bo", evidence=evidence),
               key=keys["c3"])
    got = store.attach("d", draft, claims)
    assert got["c1"].override is Label.contradicted and got["c2"].override is Label.contradicted
    assert got["c3"].status == "not_check_worthy" and got["c3"].evidence == evidence
    trail = store.audit("d")
    assert [(t["reviewer"], t["before"], t["after"].split(";")[0]) for t in trail] == [
        ("ana", "pending", "override: contradicted"), ("ana", "pending", "override: contradicted"),
        ("bo", "pending", "not_check_worthy")]
    store.save("d", draft, claims[0], Decision(status="accepted", reviewer="cy"), key=keys["c1"])
    assert store.audit("d")[-1]["before"] == "override: contradicted" and store.audit("d")[-1]["reviewer"] == "cy"


WRITER = """
import sys
from app.review_store import Decision, ReviewStore
from claims.models import Claim
store = ReviewStore(sys.argv[1])
draft = "Head line here\\n\\n" + " ".join(f"Item {i} cost {i} yen." for i in range(100000))
i = 0
while True:
    text = f"{i} yen"
    start = draft.index(f"Item {i} cost") + len(f"Item {i} cost ")
    claim = Claim(id=f"c{i}", text=text, start=start, end=start + len(text), kind="quantity", statement=text)
    store.save("doc", draft, claim, Decision(status="accepted", note=f"n{i}", reviewer="w"))
    print(i, flush=True)
    i += 1
"""


def test_decisions_survive_kill_minus_9_of_a_writer(tmp_path):
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time
    from pathlib import Path

    db = tmp_path / "r.sqlite3"
    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(repo)})
    acknowledged = -1
    deadline = time.monotonic() + 60
    while acknowledged < 30 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            acknowledged = int(line)
    os.kill(proc.pid, signal.SIGKILL)  # mid-stream: the writer may be inside a transaction
    proc.wait()
    assert acknowledged >= 30
    conn = sqlite3.connect(db)
    notes = {row[0] for row in conn.execute("SELECT note FROM decisions")}
    audit = conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert {f"n{i}" for i in range(acknowledged + 1)} <= notes  # every acknowledged decision is there
    assert audit >= acknowledged + 1 and audit == len(notes)  # decision and audit row committed together
