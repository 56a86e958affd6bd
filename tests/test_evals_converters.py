"""Converters on the first rows of each real public file (copied to a temp dir), and their helpers."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.converters import (CONVERTERS, ConverterError, balanced_sample, clean_fever_text, convert, main)
from evals.formats import ClaimItem, load_set

RAW_FILES = {
    "vitaminc/vitaminc_real_dev.jsonl": 40,
    "climate-fever/climate-fever.jsonl": 40,
    "fm2/dev.jsonl": 20,
    "fever-symmetric/fever_symmetric_dev.jsonl": 20,
    "factcheck-bench/factcheck-GPT-benchmark.jsonl": 8,
    "factcheck-bench/subtask4_claim_factuality.jsonl": 20,
}
SUMMEDITS = ("ectsum", "news", "sales_email")


@pytest.fixture(scope="module")
def head_data(evaldata_dir: Path, tmp_path_factory) -> Path:
    """The first rows of every raw file, in the evaldata layout."""
    root = tmp_path_factory.mktemp("evaldata")
    for rel, n in RAW_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        with (evaldata_dir / rel).open(encoding="utf-8") as handle:
            lines = [next(handle) for _ in range(n)]
        (root / rel).write_text("".join(lines), encoding="utf-8")
    (root / "summedits").mkdir()
    for domain in SUMMEDITS:
        rows = json.loads((evaldata_dir / "summedits" / f"summedits_{domain}.json").read_text(encoding="utf-8"))
        (root / "summedits" / f"summedits_{domain}.json").write_text(json.dumps(rows[:12]), encoding="utf-8")
    return root


def _valid(items: list[dict], tmp_path: Path) -> list[ClaimItem]:
    path = tmp_path / "converted.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    loaded = load_set(path)
    assert all(isinstance(i, ClaimItem) for i in loaded)
    return loaded


@pytest.mark.parametrize("name", [n for n in CONVERTERS if n != "vitaminc-numeric-300" and "heldout" not in n])
def test_every_converter_gives_valid_claim_items(name, head_data, tmp_path):
    items = convert(name, evaldata=head_data)
    assert items, name
    loaded = _valid(items, tmp_path)
    for raw, item in zip(items, loaded):
        if "evidence" in raw:
            assert item.evidence and all(isinstance(e, str) and e for e in item.evidence)
        if item.gold_evidence is not None:
            assert all(0 <= i < len(item.evidence) for i in item.gold_evidence)


def test_vitaminc_cleaning_and_numeric_filter(head_data):
    items = convert("vitaminc", evaldata=head_data)
    numeric = convert("vitaminc-numeric", evaldata=head_data)
    assert len(items) == 40 and 0 < len(numeric) < 40
    assert all(any(ch.isdigit() for ch in i["claim"]) for i in numeric)
    text = " ".join(i["claim"] + " " + i["evidence"][0] for i in items)
    for token in (" .", " ,", "-LRB-", "-RRB-", "\ufffd", "( "):
        assert token not in text
    assert items[0]["label"] == "not_enough_evidence"  # the first raw row is NOT ENOUGH INFO


def test_climate_fever_drops_disputed_and_marks_gold(head_data, evaldata_dir):
    items = convert("climate-fever", evaldata=head_data)
    raw = [json.loads(line) for line in (head_data / "climate-fever" / "climate-fever.jsonl").open()]
    assert len(items) == sum(1 for r in raw if r["claim_label"] != "DISPUTED")
    assert all(len(i["evidence"]) == 5 for i in items)
    first = raw[0]
    assert items[0]["gold_evidence"] == [k for k, e in enumerate(first["evidences"])
                                         if e["evidence_label"] != "NOT_ENOUGH_INFO"]
    disputed = convert("climate-fever-disputed", evaldata=head_data)
    assert len(disputed) == sum(1 for r in raw if r["claim_label"] == "DISPUTED")


def test_summedits_labels(head_data):
    for domain in SUMMEDITS:
        rows = json.loads((head_data / "summedits" / f"summedits_{domain}.json").read_text())
        items = convert(f"summedits-{domain}", evaldata=head_data)
        assert [i["label"] for i in items] == ["supported" if str(r["label"]) == "1" else "contradicted"
                                              for r in rows]
        assert items[0]["evidence"] == [rows[0]["doc"]] and items[0]["claim"] == rows[0]["summary"]


def test_factcheck_joins_subtask_claims_with_benchmark_passages(head_data):
    items = convert("factcheck-bench", evaldata=head_data)
    assert len(items) == 20
    with_evidence = [i for i in items if "evidence" in i]
    assert with_evidence and all(len(i["evidence"]) == 5 for i in with_evidence)
    assert {i["label"] for i in items} <= {"supported", "contradicted", "not_enough_evidence"}
    assert items[0]["label"] == "contradicted"  # the first subtask row is labelled false


def test_fixed_vitaminc_sample_is_100_per_label(evaldata_dir):
    items = convert("vitaminc-numeric-300", evaldata=evaldata_dir)
    assert Counter(i["label"] for i in items) == {"supported": 100, "contradicted": 100, "not_enough_evidence": 100}
    assert [i["id"] for i in items] == [i["id"] for i in convert("vitaminc-numeric-300", evaldata=evaldata_dir)]


def test_helpers_and_errors(tmp_path, capsys):
    assert clean_fever_text("Paris -LRB- France -RRB- has 2.1 million people .") == \
        "Paris (France) has 2.1 million people."
    assert clean_fever_text("It was `` big '' , he did n't") == 'It was "big", he didn\'t'
    items = [{"id": str(i), "label": "a" if i < 8 else "b"} for i in range(10)]
    sample = balanced_sample(items, 3, seed=0)
    assert Counter(i["label"] for i in sample) == {"a": 3, "b": 2}
    with pytest.raises(ConverterError, match="unknown set"):
        convert("nope", evaldata=tmp_path)
    with pytest.raises(ConverterError, match="not found"):
        convert("fm2", evaldata=tmp_path)
    assert main(["fm2", str(tmp_path / "x.jsonl"), "--evaldata", str(tmp_path)]) == 2
    assert "error:" in capsys.readouterr().err


def test_heldout_sets_hold_only_pages_and_items_of_the_nli_test_split(evaldata_dir):
    from evals.converters import training_split

    rows = {r["unique_id"]: r for r in map(json.loads, (evaldata_dir / "vitaminc" / "vitaminc_real_dev.jsonl").open())}
    items = convert("vitaminc-heldout", evaldata=evaldata_dir)
    assert items and all(training_split("vcr:" + rows[i["id"]]["page"]) == "test" for i in items)
    numeric = convert("vitaminc-heldout-numeric", evaldata=evaldata_dir)
    assert 0 < len(numeric) < len(items)
    liar = convert("liar-plus-heldout", evaldata=evaldata_dir)
    assert liar and all(training_split("liar:" + i["id"].removeprefix("liar-")) == "test" for i in liar)
