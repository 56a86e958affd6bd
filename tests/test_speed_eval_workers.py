"""`copydesk eval --workers N`: items spread over spawned processes give the very records one process gives."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evals.formats import load_set
from evals.runner import run_eval
from retrieval.store import open_store
from retrieval.types import Document

REPO = Path(__file__).resolve().parents[1]
PLANTED = REPO / "evals" / "sets" / "planted.jsonl"


def _without_timing(records):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def test_two_workers_predict_exactly_what_one_does(tmp_path):
    store_dir = tmp_path / "store"
    store = open_store(store_dir)
    store.ingest([Document(source="bridge.txt", text="The Harbour bridge opened in 1998. It is 120 metres long.")])
    items = load_set(PLANTED)[:3]
    rows = [{"id": "store-claim", "claim": "The Harbour bridge is 300 metres long.", "label": "contradicted"},
            {"id": "evidence-claim", "claim": "The bridge is 120 metres long.", "label": "supported",
             "evidence": ["Opened in 1998, the bridge is 120 metres long and carries two lanes."]}]
    extra = tmp_path / "extra.jsonl"
    extra.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    items += load_set(extra)
    one = run_eval(PLANTED, store=store, items=items, progress=False, workers=1)
    two = run_eval(PLANTED, store=store, items=items, progress=False, workers=2)
    assert [r["id"] for r in two.records] == [i.id for i in items]  # the set's order
    assert one.metrics["n_errors"] == 0, [r.get("error") for r in one.records]
    assert _without_timing(two.records) == _without_timing(one.records)
    assert two.metrics["documents"] == one.metrics["documents"]
    assert two.metrics["claims"] == one.metrics["claims"]


@pytest.mark.parametrize("value", ["0", "two"])
def test_cli_refuses_a_bad_worker_count(value):
    run = subprocess.run([sys.executable, "-m", "app.cli", "eval", str(PLANTED), "--workers", value],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 2
    assert "worker processes" in run.stderr and "Traceback" not in run.stderr
