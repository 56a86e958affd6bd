"""The CLI contract: every command, real store, real pipeline; bad input exits 2 with one line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import DEMO_DIR, main

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `copydesk` as a real subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True,
                          cwd=REPO, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("store")
    proc = run_cli("ingest", "--store", str(store), "--quiet", str(DEMO_DIR / "corpus"))
    assert proc.returncode == 0, proc.stderr.decode()
    return store


def test_ingest_is_idempotent(demo_store: Path):
    proc = run_cli("ingest", "--store", str(demo_store), "--quiet", str(DEMO_DIR / "corpus"))
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "0 added" in out and "7 unchanged" in out, out


def test_check_demo_draft_shows_the_three_findings(demo_store: Path):
    proc = run_cli("check", "--store", str(demo_store), "--as-of", "2026-01-20", "--format", "json",
                   str(DEMO_DIR / "draft.txt"))
    assert proc.returncode == 0, proc.stderr.decode()
    report = json.loads(proc.stdout)
    assert report["schema"] == "copydesk.report/1"
    draft = (DEMO_DIR / "draft.txt").read_text()
    by_text = {c["text"]: c for c in report["claims"]}
    for c in report["claims"]:
        assert draft[c["start"]:c["end"]] == c["text"]
    # a contradicted number with its citation
    cost = next(c for t, c in by_text.items() if "60 billion yen" in t)
    assert cost["verdict"] == "contradicted"
    assert any("40 billion yen" in cit["quote"] for cit in cost["citations"])
    # a supported claim with its citation, quoted verbatim from the source document
    troops = next(c for t, c in by_text.items() if "28,500" in t)
    assert troops["verdict"] == "supported"
    cit = troops["citations"][0]
    source_text = (DEMO_DIR / "corpus" / Path(cit["source"]).name).read_text()
    assert source_text[cit["start"]:cit["end"]] == cit["quote"]
    # a misnamed official with the right name suggested
    takeda = next(c for t, c in by_text.items() if "Takeda" in t)
    flag = next(f for f in takeda["flags"] if f["kind"] == "misnamed_official")
    assert flag["suggestion"] == "Sanae Takaichi"


def test_check_reads_stdin_and_prints_table(demo_store: Path):
    proc = run_cli("check", "--store", str(demo_store), "--as-of", "2026-01-20", "-",
                   stdin=b"About 28,500 U.S. troops are based in South Korea.")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "SUPPORTED" in proc.stdout.decode()


def test_check_markdown_to_file(demo_store: Path, tmp_path: Path):
    out = tmp_path / "report.md"
    proc = run_cli("check", "--store", str(demo_store), "--as-of", "2026-01-20", "--format", "markdown",
                   "--out", str(out), str(DEMO_DIR / "draft.txt"))
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Sanae Takaichi" in out.read_text()


@pytest.mark.parametrize("case", ["empty", "missing", "binary", "latin1", "format", "date", "roster"])
def test_check_bad_input_exits_2_with_one_line(case: str, tmp_path: Path):
    draft = tmp_path / "draft.txt"
    draft.write_text("About 28,500 U.S. troops are based in South Korea.")
    args = ["check", str(draft)]
    if case == "empty":
        draft.write_text("   \n")
    elif case == "missing":
        args = ["check", str(tmp_path / "nope.txt")]
    elif case == "binary":
        draft.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    elif case == "latin1":
        draft.write_bytes("Caf\xe9 costs \xa35".encode("latin-1"))
    elif case == "format":
        args = ["check", "--format", "xml", str(draft)]
    elif case == "date":
        args = ["check", "--as-of", "20 Jan", str(draft)]
    elif case == "roster":
        args = ["check", "--roster", str(tmp_path / "none.csv"), str(draft)]
    proc = run_cli(*args)
    assert proc.returncode == 2
    err = proc.stderr.decode().strip()
    assert err.startswith("copydesk: error:") and "\n" not in err and "Traceback" not in err, err


def test_search_prints_scored_passages(demo_store: Path):
    proc = run_cli("search", "--store", str(demo_store), "--k", "3", "--format", "json", "U.S. troops in South Korea")
    assert proc.returncode == 0, proc.stderr.decode()
    hits = json.loads(proc.stdout)
    assert 0 < len(hits) <= 3
    assert "28,500" in hits[0]["text"] and hits[0]["score"] is not None


def test_search_without_store_is_a_clear_error(tmp_path: Path):
    proc = run_cli("search", "--store", str(tmp_path / "missing"), "anything")
    assert proc.returncode == 2 and "no store" in proc.stderr.decode()


def test_ingest_bad_file_leaves_store_unchanged(demo_store: Path, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{not json\n')
    proc = run_cli("ingest", "--store", str(demo_store), "--quiet", str(bad))
    assert proc.returncode == 2
    assert "bad.jsonl" in proc.stderr.decode() and "Traceback" not in proc.stderr.decode()


def test_ingest_remove(tmp_path: Path):
    store = tmp_path / "s"
    doc = tmp_path / "note.txt"
    doc.write_text("The bridge is 1,200 metres long.")
    assert run_cli("ingest", "--store", str(store), "--quiet", str(doc)).returncode == 0
    proc = run_cli("ingest", "--store", str(store), "--remove", "note.txt")
    assert proc.returncode == 0 and "removed" in proc.stdout.decode()


def test_eval_writes_predictions_and_metrics(tmp_path: Path):
    items = [
        {"id": "a", "claim": "The bridge is 1,200 metres long.", "evidence": ["The bridge is 1,200 metres long."],
         "label": "SUPPORTS"},
        {"id": "b", "claim": "The bridge is 900 metres long.", "evidence": ["The bridge is 1,200 metres long."],
         "label": "REFUTES"},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    out = tmp_path / "out"
    proc = run_cli("eval", str(path), "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr.decode()
    preds = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert [p["id"] for p in preds] == ["a", "b"]
    assert {"verdict", "confidence", "citations"} <= set(preds[0])
    metrics = json.loads((out / "metrics.json").read_text())
    assert "macro_f1" in json.dumps(metrics)


def test_eval_malformed_jsonl_exits_2(tmp_path: Path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "claim": "x", "label": "SUPPORTS"}\n{"id": \n')
    proc = run_cli("eval", str(path))
    assert proc.returncode == 2 and "set.jsonl:2" in proc.stderr.decode()


def test_ui_command_builds_streamlit_invocation(monkeypatch, tmp_path: Path):
    calls = {}

    def fake_call(cmd, env):
        calls["cmd"], calls["env"] = cmd, env
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    assert main(["ui", "--store", str(tmp_path / "s"), "--port", "8765"]) == 0
    assert "streamlit" in calls["cmd"] and "8765" in calls["cmd"]
    assert calls["env"]["COPYDESK_STORE"] == str(tmp_path / "s")


def test_unknown_command_exits_2(capsys):
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("copydesk: error:") and "\n" not in err


def test_suite_and_convert_take_their_own_options(capsys):
    assert main(["convert", "--list"]) == 0
    assert "vitaminc-numeric-300" in capsys.readouterr().out
    with pytest.raises(SystemExit) as caught:
        main(["suite", "--help"])
    assert caught.value.code == 0 and "--floors" in capsys.readouterr().out
