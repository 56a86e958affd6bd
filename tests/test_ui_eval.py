"""Evaluation page (AppTest): run a set with progress, show metrics and plots (the checker is a stand-in)."""
from __future__ import annotations

import json

import pytest

from app import ui_backend
from claims.models import Claim, ClaimResult, Label, Verdict
from e2e.apptest import env, new_app, shown

ITEMS = [
    {"id": "a", "claim": "Approval rose to 72%.", "evidence": ["Approval was 72%."], "label": "supported"},
    {"id": "b", "claim": "Approval fell to 60%.", "evidence": ["Approval was 72%."], "label": "REFUTES"},
    {"id": "c", "claim": "Troops number 28,500.", "evidence": ["About 28,500 troops."], "label": "supported"},
    {"id": "d", "claim": "The trial is in 2027.", "evidence": ["Nothing here."], "label": "NOT ENOUGH INFO"},
]


def fake_check_claim(statement, *, evidence=None, store=None, as_of=None, llm=None, **kwargs):
    label = Label.contradicted if "fell" in statement else Label.supported
    claim = Claim(id="c1", text=statement, start=0, end=len(statement), kind="other", statement=statement)
    return ClaimResult(claim=claim, verdict=Verdict(label=label, confidence=0.8))


@pytest.fixture
def eval_set(tmp_path, monkeypatch):
    from evals import runner

    monkeypatch.setattr(runner.Checkers, "default", classmethod(
        lambda cls: cls(check=None, check_claim=fake_check_claim, open_store=None)))
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in ITEMS) + "\n")
    return path


def test_run_eval_from_a_path_shows_metrics_and_plots(monkeypatch, tmp_path, eval_set):
    env(monkeypatch, tmp_path)
    at = new_app("Evaluation").run()
    assert not at.exception
    at.selectbox(key="eval_set").set_value("Another file\u2026").run()
    at.text_input(key="eval_path").set_value(str(eval_set)).run()
    at.number_input(key="eval_limit").set_value(0)
    next(b for b in at.button if b.label == "Run evaluation").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accuracy"] == "0.750"  # a, b, c right; d predicted supported
    assert len(at.get("image")) >= 2  # confusion matrix and reliability plots
    assert {p.name for p in (tmp_path / "evals").glob("*/*.png")} >= {"confusion.png", "reliability.png"}


def test_missing_set_is_a_clear_error(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    at = new_app("Evaluation").run()
    at.selectbox(key="eval_set").set_value("Another file\u2026").run()
    at.text_input(key="eval_path").set_value(str(tmp_path / "none.jsonl")).run()
    next(b for b in at.button if b.label == "Run evaluation").click().run()
    assert [shown(e.value) for e in at.error] == [f"no eval set at {tmp_path / 'none.jsonl'}"]


def test_projects_own_set_with_the_real_runner(monkeypatch, tmp_path):
    planted = ui_backend.EVAL_SETS_DIR / "planted.jsonl"
    env(monkeypatch, tmp_path)
    at = new_app("Evaluation").run()
    at.selectbox(key="eval_set").set_value(str(planted)).run()
    at.number_input(key="eval_limit").set_value(1)
    next(b for b in at.button if b.label == "Run evaluation").click().run(timeout=120)
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert 0.0 <= float(metrics["Extraction F1"]) <= 1.0
    assert any(i.value for i in at.get("image"))  # per-kind extraction F1 and verdict plots
