"""The runner with fake checkers: records, output files, plots, errors; and once end to end for real."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from claims.models import Citation, Claim, ClaimResult, Flag, Label, Report, Usage, Verdict
from evals.formats import EvalSetError
from evals.runner import Checkers, run_eval


def fake_check_claim(statement, *, evidence=None, store=None, as_of=None, llm=None):
    """Supported when the statement's number appears in the evidence, with a verbatim citation."""
    number = re.search(r"\d+", statement).group()
    texts = evidence or [store.texts[0]]
    label, citations = Label.contradicted, []
    for i, text in enumerate(texts):
        at = text.find(number)
        if at >= 0:
            label = Label.supported
            source = f"evidence[{i}]" if evidence else "doc"
            citations = [Citation(source=source, quote=number, start=at, end=at + len(number))]
    claim = Claim(id="c1", text=statement, start=0, end=len(statement), kind="other", statement=statement)
    retrieved = [] if evidence else [{"source": "doc", "text": texts[0], "score": 0.5}]
    return ClaimResult(claim=claim, verdict=Verdict(label=label, confidence=0.8 if citations else 0.6,
                                                    citations=citations), retrieved=retrieved)


class FakeStore:
    def __init__(self, path=None):
        self.texts: list[str] = []
        self.docs = {}

    def ingest(self, docs):
        self.docs.update({d.source: d.text for d in docs})

    def document_text(self, source):
        return {"doc": self.texts[0]}.get(source)


def fake_check(draft, *, store=None, as_of=None, roster_rows=None, llm=None):
    """Every number is a quantity claim; contradicted (with a mismatch flag) unless the corpus has it."""
    corpus = " ".join(store.docs.values()) if store else ""
    results = []
    for n, m in enumerate(re.finditer(r"\d+", draft)):
        found = m.group() in corpus
        claim = Claim(id=f"c{n}", text=m.group(), start=m.start(), end=m.end(), kind="quantity", statement=draft)
        flags = [] if found else [Flag(kind="number_mismatch", message="differs")]
        citations = [Citation(source="roster:default", quote="x", start=0, end=1)] if n == 0 else []
        results.append(ClaimResult(claim=claim, flags=flags, verdict=Verdict(
            label=Label.supported if found else Label.contradicted, confidence=0.9, citations=citations)))
    return Report(as_of=as_of or date(2026, 1, 1), claims=results,
                  usage=Usage(prompt_tokens=10, completion_tokens=5, llm_calls=1))


FAKES = Checkers(check=fake_check, check_claim=fake_check_claim, open_store=FakeStore)


def _set(tmp_path: Path) -> Path:
    rows = [
        {"id": "a", "claim": "It has 12 floors.", "evidence": ["Built with 12 floors."], "label": "supported"},
        {"id": "b", "claim": "It has 14 floors.", "evidence": ["Built with 12 floors."], "label": "REFUTES"},
        {"id": "c", "claim": "It cost 9 million.", "evidence": ["x", "It cost 9 million."], "label": "supported",
         "gold_evidence": [0]},
        {"id": "d", "claim": "It has 3 lifts.", "evidence": ["It has 3 lifts."], "label": "contradicted"},
        {"id": "e", "text": "Revenue was 40 in 2025 and 7 later.", "as_of": "2026-01-01",
         "corpus": [{"source": "r.txt", "text": "Revenue was 40 in 2025."}],
         "expected": [{"quote": "40", "kind": "quantity", "verdict": "supported"},
                      {"quote": "7", "kind": "quantity", "verdict": "contradicted", "flags": ["number_mismatch"]}]},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_runner_scores_and_writes_everything(tmp_path):
    out = tmp_path / "out"
    result = run_eval(_set(tmp_path), out_dir=out, checkers=FAKES, progress=False)
    m = result.metrics
    assert m["claims"]["n"] == 4 and m["claims"]["accuracy"] == 0.75  # "d" is mislabelled on purpose
    assert m["claims"]["confusion"]["matrix"][1] == [1, 1, 0]
    assert m["citations"]["validity"] == 1.0 and m["citations"]["n"] == 3
    assert m["citations"]["roster_unchecked"] == 1  # the document's roster citation is counted apart
    assert m["citations"]["precision"] == 0.0  # item c cites evidence[1], gold is evidence[0]
    docs = m["documents"]
    # 2025 is a third number the fake extracts: 3 predictions, 2 gold, all gold found
    assert docs["extraction"]["all"]["recall"] == 1.0 and docs["extraction"]["all"]["n_pred"] == 3
    assert docs["verdict"]["accuracy"] == 1.0
    assert docs["flags"]["number_mismatch"]["recall"] == 1.0
    assert m["usage"]["tokens"] == 15
    names = {p.name for p in result.files}
    assert {"predictions.jsonl", "metrics.json", "summary.md", "confusion.png", "reliability.png",
            "extraction_f1.png"} <= names
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000
    lines = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    assert [x["id"] for x in lines] == ["a", "b", "c", "d", "e"]
    assert lines[0]["verdict"] == "supported" and lines[0]["citations"][0]["quote"] == "12"
    assert lines[4]["claims"][2]["flags"] == ["number_mismatch"]
    assert json.loads((out / "metrics.json").read_text())["claims"]["accuracy"] == 0.75
    summary = (out / "summary.md").read_text()
    assert "| class | precision |" in summary and "number_mismatch" in summary


def test_claims_without_evidence_need_a_store(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": "a", "claim": "It has 12 floors.", "label": "supported"}) + "\n")
    with pytest.raises(EvalSetError, match="pass a store"):
        run_eval(path, checkers=FAKES, progress=False)
    store = FakeStore()
    store.texts = ["Built with 12 floors."]
    result = run_eval(path, store=store, checkers=FAKES, progress=False)
    record = result.records[0]
    assert record["verdict"] == "supported" and record["retrieved"][0]["source"] == "doc"
    assert record["citations_valid"] == 1


def test_a_crashing_checker_is_counted_not_fatal(tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    result = run_eval(_set(tmp_path), checkers=Checkers(broken, broken, FakeStore), progress=False)
    assert result.metrics["n_errors"] == 5
    assert result.records[0]["error"] == "RuntimeError: boom"
    assert result.metrics["documents"]["extraction"]["all"]["recall"] == 0.0


def test_limit_and_seed_are_deterministic(tmp_path):
    path = _set(tmp_path)
    a = run_eval(path, limit=3, seed=1, checkers=FAKES, progress=False)
    b = run_eval(path, limit=3, seed=1, checkers=FAKES, progress=False)
    assert [r["id"] for r in a.records] == [r["id"] for r in b.records] and len(a.records) == 3


def test_real_pipeline_end_to_end(tmp_path):
    """The real check()/check_claim() on a tiny set: every item scored, citations verbatim, no crash."""
    rows = [
        {"id": "q1", "claim": "The bridge is 120 metres long.", "label": "supported",
         "evidence": ["Opened in 1998, the bridge is 120 metres long and carries two lanes."]},
        {"id": "q2", "claim": "The bridge is 300 metres long.", "label": "contradicted",
         "evidence": ["Opened in 1998, the bridge is 120 metres long and carries two lanes."]},
        {"id": "doc", "text": "The council said the bridge, opened in 1998, is 300 metres long.",
         "as_of": "2026-01-10",
         "corpus": [{"source": "bridge.txt", "text": "The bridge opened in 1998. It is 120 metres long.",
                     "date": "2025-06-01"}],
         "expected": [{"quote": "1998", "kind": "date", "verdict": "supported"},
                      {"quote": "300 metres", "kind": "quantity", "verdict": "contradicted",
                       "flags": ["number_mismatch"]}]},
    ]
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = run_eval(path, out_dir=tmp_path / "out", progress=False)
    m = result.metrics
    assert m["n_errors"] == 0, [r.get("error") for r in result.records]
    assert m["claims"]["n"] == 2 and m["documents"]["n_documents"] == 1
    assert m["documents"]["extraction"]["all"]["n_pred"] >= 1
    if m["citations"]["n"]:
        assert m["citations"]["validity"] == 1.0
    assert (tmp_path / "out" / "summary.md").is_file()


class CountingLLM:
    """A stand-in client whose usage, like the real one's, is cumulative over the run."""

    def __init__(self):
        self.calls = 0

    @property
    def usage(self):
        return Usage(prompt_tokens=90 * self.calls, completion_tokens=10 * self.calls, llm_calls=self.calls,
                     estimated_cost_usd=0.001 * self.calls)


def test_llm_tokens_are_counted_per_item_not_cumulatively(tmp_path):
    llm = CountingLLM()

    def check_claim(statement, **kwargs):
        kwargs["llm"].calls += 1
        return fake_check_claim(statement, **kwargs)

    def check(draft, **kwargs):
        kwargs["llm"].calls += 2
        report = fake_check(draft, **kwargs)
        return report.model_copy(update={"usage": kwargs["llm"].usage})  # cumulative, as the pipeline's

    result = run_eval(_set(tmp_path), llm=llm, checkers=Checkers(check, check_claim, FakeStore), progress=False)
    assert [r["usage"]["prompt_tokens"] + r["usage"]["completion_tokens"] for r in result.records] == \
        [100, 100, 100, 100, 200]
    usage = result.metrics["usage"]
    assert usage["tokens"] == 600 and usage["llm_calls"] == 6 and usage["tokens_per_item"] == 120.0
    assert usage["estimated_cost_usd"] == pytest.approx(0.006)
