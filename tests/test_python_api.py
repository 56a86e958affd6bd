"""`import copydesk; copydesk.check(draft, store=..., as_of=...)`: the documented Python entry."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import copydesk
from retrieval.loaders import load_paths

DEMO = Path(__file__).resolve().parents[1] / "app" / "demo"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("pystore")
    copydesk.open_store(path).ingest(load_paths([DEMO / "corpus"]))
    return path


def test_check_with_a_store_folder_and_a_date_string(store_dir):
    report = copydesk.check((DEMO / "draft.txt").read_text(), store=str(store_dir), as_of="2026-01-20")
    assert isinstance(report, copydesk.Report) and report.as_of == date(2026, 1, 20)
    yen = next(r for r in report.claims if r.claim.text == "about 60 billion yen")
    assert yen.verdict.label is copydesk.Label.contradicted and yen.verdict.citations
    assert report.to_json()["schema"] == "copydesk.report/1"


def test_check_with_a_store_object_gives_the_same_report(store_dir):
    draft = (DEMO / "draft.txt").read_text()
    by_path = copydesk.check(draft, store=store_dir, as_of=date(2026, 1, 20))
    by_store = copydesk.check(draft, store=copydesk.open_store(store_dir), as_of=date(2026, 1, 20))
    assert [(r.claim.text, r.verdict.label) for r in by_path.claims] == \
        [(r.claim.text, r.verdict.label) for r in by_store.claims]


def test_without_a_store_only_the_roster_decides():
    report = copydesk.check("U.S. Treasury Secretary Janet Yellen spoke on Monday.", as_of="2026-01-20")
    assert any(n.startswith("no corpus given") for n in report.notes)
    yellen = next(r for r in report.claims if "Yellen" in r.claim.text)
    assert [f.suggestion for f in yellen.flags if f.kind == "outdated_official"] == ["Scott Bessent"]


def test_a_bad_date_string_is_a_clear_error():
    with pytest.raises(ValueError):
        copydesk.check("The budget rose 5% in 2024.", as_of="20 January")


def _comparable(report):
    data = report.to_json()
    data.pop("seconds", None)
    return data


def test_check_many_on_two_processes_equals_checking_one_by_one(store_dir):
    draft = (DEMO / "draft.txt").read_text()
    drafts = [draft, "The programme has cost about 60 billion yen since 2018.",
              draft.replace("72%", "75%"), "U.S. Treasury Secretary Janet Yellen spoke on Monday."]
    serial = [copydesk.check(d, store=store_dir, as_of="2026-01-20") for d in drafts]
    parallel = copydesk.check_many(drafts, store=store_dir, as_of="2026-01-20", processes=2)
    assert [_comparable(r) for r in parallel] == [_comparable(r) for r in serial]
    assert serial[2].to_json() != serial[0].to_json()  # the drafts differ, so order matters
