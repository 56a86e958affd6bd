"""Several drafts checked together: claims.cross_draft flags where they give one thing two values, and
`copydesk check a.txt b.txt` reports it (JSON: a list of reports plus the cross-draft flags)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from claims.cross_draft import cross_draft_flags
from claims.extract import RuleExtractor

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 3, 1)

TERMINAL_A = ("Ferry link approved\n\nThe new ferry terminal at Castlebay will open in May 2027, the harbour trust "
              "said. It will cost £48 million and handle 3,000 passengers a day.\n")
TERMINAL_B = ("Castlebay terminal\n\nWork on the Castlebay ferry terminal starts this autumn. The trust expects the "
              "terminal to open in September 2028 at a cost of £48 million.\n")


def drafts(*texts: str, as_of: date = AS_OF):
    return [(t, RuleExtractor().extract(t, as_of)) for t in texts]


def test_two_dates_for_one_opening_are_flagged_with_both_spans():
    found = cross_draft_flags(drafts(TERMINAL_A, TERMINAL_B))
    assert len(found) == 1
    f = found[0]
    assert f.flag.kind == "cross_draft_inconsistency"
    a, b = f.places
    assert (a.draft, b.draft) == (0, 1)
    assert TERMINAL_A[a.start:a.end] == "in May 2027" and TERMINAL_B[b.start:b.end] == "in September 2028"
    assert f.flag.spans == [(a.start, a.end), (b.start, b.end)]
    assert f.flag.claim_ids == [f"0:{a.claim_id}", f"1:{b.claim_id}"]
    assert "open" in f.flag.message


def test_two_costs_for_one_bridge_are_flagged():
    a = "The Kelso bridge repair will cost £2.6 million, the council said on Monday."
    b = "Engineers say the Kelso bridge repair will cost £3.4 million."
    found = cross_draft_flags(drafts(a, b))
    assert [[p.text for p in f.places] for f in found] == [["£2.6 million", "£3.4 million"]]


def test_decoys_do_not_flag():
    same_value = drafts("The terminal will open in May 2027.", "Officials expect the terminal to open in May 2027.")
    assert cross_draft_flags(same_value) == []
    different_things = drafts("Work on the terminal starts in May 2026.",
                              "The new terminal will open in September 2028.")
    assert cross_draft_flags(different_things) == []
    different_measure = drafts("The repair will cost £2.6 million.", "The repair will take 26 weeks.")
    assert cross_draft_flags(different_measure) == []
    approximate = drafts("The festival drew about 64,000 visitors.", "The festival drew 64,300 visitors.")
    assert cross_draft_flags(approximate) == []  # "about 64,000" allows 64,300
    assert len(cross_draft_flags(drafts("The festival drew 64,000 visitors.", "The festival drew 71,000 visitors."))) == 1
    one_draft = drafts("The terminal will open in May 2027. Later: the terminal will open in June 2027.")
    assert cross_draft_flags(one_draft) == []  # one draft against itself is the internal checks' job


def test_same_noun_at_another_time_is_not_flagged():
    a = "In 2024 the port handled 1.12 million containers."
    b = "In 2023 the port handled 980,000 containers."
    assert cross_draft_flags(drafts(a, b)) == []


def test_seed_articles_surface_the_2027_and_2028_mining_dates(seeds_dir: Path):
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    found = cross_draft_flags(drafts(*texts, as_of=date(2026, 1, 20)))
    pairs = [tuple(p.text for p in f.places) for f in found]
    assert any("2027" in x and "2028" in y for x, y in pairs), pairs
    # precision on the seeds: the five articles disagree on nothing else that the rule reads as one thing
    assert len(found) == 1, [f.flag.message for f in found]


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)


def test_cli_checks_several_drafts_and_reports_where_they_disagree(tmp_path: Path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(TERMINAL_A, encoding="utf-8")
    b.write_text(TERMINAL_B, encoding="utf-8")
    proc = run_cli("check", "--as-of", "2026-03-01", "--format", "json", str(a), str(b))
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert [r["draft"] for r in out["reports"]] == [str(a), str(b)]
    assert all(r["schema"].startswith("copydesk.report/") for r in out["reports"])
    (flag,) = out["cross_draft_flags"]
    assert flag["kind"] == "cross_draft_inconsistency"
    assert [(p["draft"], p["text"]) for p in flag["places"]] == [(str(a), "in May 2027"), (str(b), "in September 2028")]
    texts = {str(a): TERMINAL_A, str(b): TERMINAL_B}
    assert all(texts[p["draft"]][p["start"]:p["end"]] == p["text"] for p in flag["places"])
    table = run_cli("check", "--as-of", "2026-03-01", str(a), str(b))
    assert table.returncode == 0 and "where the drafts disagree (1)" in table.stdout.decode()


def test_cli_single_draft_output_is_unchanged(tmp_path: Path):
    a = tmp_path / "a.txt"
    a.write_text(TERMINAL_A, encoding="utf-8")
    out = json.loads(run_cli("check", "--as-of", "2026-03-01", "--format", "json", str(a)).stdout)
    assert out["schema"].startswith("copydesk.report/") and "cross_draft_flags" not in out


def test_cli_refuses_stdin_twice_and_a_missing_draft(tmp_path: Path):
    proc = run_cli("check", "-", "-", stdin=b"text")
    assert proc.returncode == 2 and len(proc.stderr.decode().strip().splitlines()) == 1
    a = tmp_path / "a.txt"
    a.write_text(TERMINAL_A, encoding="utf-8")
    proc = run_cli("check", str(a), str(tmp_path / "missing.txt"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr.decode()
