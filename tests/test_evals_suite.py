"""The suite runner and its scoreboard, with fake checkers."""
from __future__ import annotations

import json

import pytest

from evals.formats import EvalSetError
from evals.suite import SuiteSet, main, run_suite, scoreboard_markdown
from test_evals_runner import FAKES, _set


def test_suite_scoreboard_rows_files_and_skips(tmp_path, monkeypatch):
    monkeypatch.delenv("COPYDESK_LLM", raising=False)
    monkeypatch.setenv("COPYDESK_EVALSETS", str(tmp_path / "evalsets"))
    path = _set(tmp_path)
    sets = (SuiteSet("tiny", str(path), None, 3), SuiteSet("absent", str(tmp_path / "none.jsonl"), None, None),
            SuiteSet("missing-data", "fm2", None, None))
    out = tmp_path / "suite"
    rows = run_suite(quick=True, with_llm=False, out_dir=out, sets=sets, progress=False, checkers=FAKES,
                     shared_dir=tmp_path)
    tiny, absent, missing = rows
    assert (tiny["set"], tiny["mode"], tiny["n"]) == ("tiny", "offline", 3)
    assert tiny["errors"] == 0 and tiny["accuracy"] is not None
    assert "not found" in absent["skipped"] and "not found" in missing["skipped"]
    saved = json.loads((out / "suite.json").read_text())
    assert [r["set"] for r in saved] == ["tiny", "absent", "missing-data"]
    table = (out / "suite.md").read_text()
    assert "| set | mode | n | accuracy | macro_f1 |" in table and "| tiny | offline | 3 |" in table
    assert "absent (offline): skipped" in scoreboard_markdown(rows)
    assert (out / "tiny-offline" / "metrics.json").is_file()


def test_llm_mode_without_a_backend_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYDESK_LLM", "none")
    monkeypatch.setenv("COPYDESK_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(EvalSetError, match="COPYDESK_LLM"):
        run_suite(with_llm=True, out_dir=None, sets=(), checkers=FAKES)
    assert main(["--llm", "--only", "nothing", "--out", str(tmp_path / "o")]) == 2


def test_limit_samples_public_sets_but_runs_own_sets_whole(tmp_path, monkeypatch):
    monkeypatch.delenv("COPYDESK_LLM", raising=False)
    path = _set(tmp_path)
    whole = run_suite(with_llm=False, out_dir=None, sets=(SuiteSet("own", "repo:" + str(path), None, None),),
                      progress=False, checkers=FAKES)[0]["n"]
    sets = (SuiteSet("public", str(path), None, None), SuiteSet("own", "repo:" + str(path), None, None))
    public, own = run_suite(with_llm=False, out_dir=None, sets=sets, limit=2, progress=False, checkers=FAKES)
    assert public["n"] == 2 < whole
    assert own["n"] == whole
