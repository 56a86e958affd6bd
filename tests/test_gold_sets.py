"""The project's own gold sets (evals/sets/*.jsonl) are well-formed: every quote is an exact substring of
its draft at the stated occurrence, kinds, verdicts and flags are valid, normalised values parse as the
shared models, ids are unique, and the planted set covers every verdict and flag kind."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from claims.models import DateValue, Label, OfficialMention, Quantity

SETS = Path(__file__).resolve().parents[1] / "evals" / "sets"
KINDS = {"quantity": Quantity, "date": DateValue, "official": OfficialMention}
FLAG_KINDS = {"misnamed_official", "outdated_official", "number_mismatch", "date_mismatch", "internal_inconsistency"}
ENTRY_KEYS = {"quote", "kind", "value", "occurrence", "verdict", "flags", "note"}
# flags a set may mark beyond the planted set's five (seeds: the misquote)
KNOWN_FLAGS = FLAG_KINDS | {"misquote", "conflicting_evidence", "cross_draft_inconsistency"}


def load_set(name: str) -> list[dict[str, Any]]:
    lines = (SETS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def quote_span(text: str, quote: str, occurrence: int) -> tuple[int, int] | None:
    """The occurrence-th (0-based) match of quote in text, walking as evals.formats.expected_span does."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(quote, start + 1)
        if start < 0:
            return None
    return start, start + len(quote)


def entry_problems(text: str, entry: dict[str, Any]) -> list[str]:
    """Everything wrong with one expected entry, as human messages (empty when it is fine)."""
    problems = [f"unknown key {k!r}" for k in set(entry) - ENTRY_KEYS]
    quote, occurrence = entry.get("quote", ""), entry.get("occurrence", 0)
    if not quote or quote != quote.strip():
        problems.append(f"quote {quote!r} is empty or has outer whitespace")
    elif quote_span(text, quote, occurrence) is None:
        problems.append(f"quote {quote!r} not found at occurrence {occurrence}")
    elif occurrence and quote_span(text, quote, occurrence - 1) is None:
        problems.append(f"quote {quote!r}: occurrence {occurrence} skips a missing one")
    kind = entry.get("kind")
    if kind == "statement":  # a quote or qualitative statement: no normalised value
        if not (entry.get("verdict") or entry.get("flags")):
            problems.append("a statement entry needs a verdict or a flag")
    elif kind not in KINDS:
        problems.append(f"kind {kind!r} is not one of {sorted(KINDS)}")
    else:
        problems += value_problems(kind, entry.get("value"))
    if "verdict" in entry:
        try:
            Label(entry["verdict"])
        except ValueError:
            problems.append(f"verdict {entry['verdict']!r} is not a label")
    problems += [f"flag {f!r} unknown" for f in entry.get("flags", []) if f not in KNOWN_FLAGS]
    return problems


def value_problems(kind: str, value: Any) -> list[str]:
    model = KINDS[kind]
    if not isinstance(value, dict):
        return [f"{kind} value missing"]
    extra = set(value) - set(model.model_fields)
    if extra:
        return [f"{kind} value has unknown fields {sorted(extra)}"]
    try:
        parsed = model.model_validate(value)
    except ValueError as exc:
        return [f"{kind} value invalid: {exc.errors()[0]['msg']}"]
    if isinstance(parsed, DateValue) and parsed.start > parsed.end:
        return ["date value starts after it ends"]
    if isinstance(parsed, Quantity) and parsed.low is not None and not (parsed.low <= parsed.value <= (parsed.high or parsed.value)):
        return ["quantity value outside its range"]
    if isinstance(parsed, OfficialMention) and not parsed.name:
        return ["official value needs a name"]
    return []


def item_text(item: dict[str, Any], shared: Path | None) -> str:
    if "text" in item:
        return item["text"]
    if shared is None:
        pytest.skip("../shared not found beside the repository")
    return (shared / item["text_file"]).read_text(encoding="utf-8")


def check_item(item: dict[str, Any], text: str) -> list[str]:
    problems = [f"{item['id']}: {p}" for e in item["expected"] for p in entry_problems(text, e)]
    spans = sorted((quote_span(text, e["quote"], e.get("occurrence", 0)) or (0, 0), e["quote"]) for e in item["expected"])
    for (a, qa), (b, qb) in zip(spans, spans[1:]):
        if b[0] < a[1]:
            problems.append(f"{item['id']}: expected spans overlap: {qa!r} and {qb!r}")
    date.fromisoformat(item["as_of"])
    return problems


# --- the checker itself catches bad entries -----------------------------------------------------------

def test_checker_rejects_bad_entries():
    text = "Approval rose to 72% in November; 72% is high."
    good = {"quote": "72%", "kind": "quantity", "value": {"value": 72, "unit": "percent"}, "occurrence": 1}
    assert entry_problems(text, good) == []
    assert entry_problems(text, {**good, "occurrence": 2})
    assert entry_problems(text, {**good, "quote": "73%"})
    assert entry_problems(text, {**good, "kind": "number"})
    assert entry_problems(text, {**good, "value": {"value": 72, "units": "percent"}})
    assert entry_problems(text, {**good, "verdict": "maybe"})
    assert entry_problems(text, {**good, "flags": ["wrong_number"]})
    assert entry_problems(text, {"quote": "November", "kind": "date",
                                 "value": {"start": "2025-11-30", "end": "2025-11-01"}})


# --- seeds.jsonl -------------------------------------------------------------------------------------

def test_seed_items_cover_every_seed_article(shared_dir: Path):
    items = load_set("seeds.jsonl")
    assert sorted(i["text_file"] for i in items) == sorted(f"seeds/{p.name}" for p in (shared_dir / "seeds").glob("*.txt"))
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert "text" not in item, "seed text must stay in ../shared, not in the repository"
        assert item["corpus"] == "app/demo/corpus" and item.get("note")


def test_seed_entries_are_exact_and_well_formed(shared_dir: Path):
    problems = []
    for item in load_set("seeds.jsonl"):
        problems += check_item(item, item_text(item, shared_dir))
    assert problems == []


def test_seed_quotes_are_short():
    """Only the value and a little context may be quoted from the seed articles."""
    for item in load_set("seeds.jsonl"):
        for e in item["expected"]:
            assert len(e["quote"].split()) <= 6, e["quote"]


def test_seed_known_errors_are_marked():
    by_quote: dict[str, set[str]] = {}
    for item in load_set("seeds.jsonl"):
        for e in item["expected"]:
            by_quote.setdefault(e["quote"], set()).update(e.get("flags", []))
            if e.get("verdict"):
                by_quote[e["quote"]].add(e["verdict"])
    assert by_quote["Sanae Takeda"] == {"misnamed_official"}
    assert by_quote["U.S. Treasury Secretary Janet Yellen"] == {"outdated_official"}
    assert by_quote["\u201cexistence crisis situation\u201d"] == by_quote["\u201cexistential threat\u201d"] == {"misquote"}
    assert "contradicted" in by_quote["a 1% increase"]


def test_seed_corpus_decides_the_seed_verdicts(repo_dir: Path):
    """Every supported or contradicted seed quantity names a figure that the demo corpus states."""
    corpus_dir = repo_dir / "app" / "demo" / "corpus"
    if not corpus_dir.is_dir():
        pytest.skip("demo corpus not present")
    corpus = " ".join(p.read_text(encoding="utf-8") for p in corpus_dir.glob("*.md"))
    figures = set(re.findall(r"\d[\d,.]*\d|\d", corpus))
    for item in load_set("seeds.jsonl"):
        for e in item["expected"]:
            if e["kind"] == "quantity" and e.get("verdict") == "supported":
                stated = re.findall(r"\d[\d,.]*\d|\d", e["quote"])
                assert any(s in figures for s in stated) or e.get("note"), e["quote"]


# --- planted.jsonl -----------------------------------------------------------------------------------

CONTRADICTION_FLAG = {"quantity": "number_mismatch", "date": "date_mismatch"}


def test_planted_items_are_complete_drafts():
    items = load_set("planted.jsonl")
    assert len(items) >= 12
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        words = len(item["text"].split())
        assert 150 <= words <= 400, f"{item['id']}: {words} words"
        assert 2 <= len(item["corpus"]) <= 5, item["id"]
        for d in item["corpus"]:
            assert d["source"] and d["text"] and date.fromisoformat(d["date"]) <= date.fromisoformat(item["as_of"])
        for r in item["roster"]:
            assert set(r) == {"office", "holder", "start", "end", "aliases"}, r
        assert 6 <= len(item["expected"]) <= 15, item["id"]


def test_planted_entries_are_exact_and_well_formed():
    problems = []
    for item in load_set("planted.jsonl"):
        problems += check_item(item, item["text"])
    assert problems == []


def test_planted_entries_are_decided():
    """Every planted entry says what a checker should conclude: a verdict, a flag, or both."""
    for item in load_set("planted.jsonl"):
        for e in item["expected"]:
            assert e.get("verdict") or e.get("flags") or e["kind"] == "official", (item["id"], e["quote"])
            if e.get("verdict") == "contradicted" and e["kind"] in CONTRADICTION_FLAG:
                mismatch = CONTRADICTION_FLAG[e["kind"]]
                assert mismatch in e["flags"] or "internal_inconsistency" in e["flags"], (item["id"], e["quote"])


def test_planted_set_covers_every_verdict_and_flag():
    verdicts: dict[str, int] = {}
    flags: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for item in load_set("planted.jsonl"):
        for e in item["expected"]:
            kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
            if e.get("verdict"):
                verdicts[e["verdict"]] = verdicts.get(e["verdict"], 0) + 1
            for f in e.get("flags", []):
                flags[f] = flags.get(f, 0) + 1
    assert set(verdicts) == {label.value for label in Label} and min(verdicts.values()) >= 10
    assert set(flags) == FLAG_KINDS and min(flags.values()) >= 3
    assert set(kinds) == set(KINDS)


def figures(text: str) -> set[str]:
    return {f.replace(",", "") for f in re.findall(r"\d[\d,.]*\d|\d", text)}


def test_planted_quantities_agree_with_their_corpus():
    """A supported figure is stated in the item's corpus, a number_mismatch is not (or a note says why: scale, currency...)."""
    for item in load_set("planted.jsonl"):
        stated = figures(" ".join(d["text"] for d in item["corpus"]))
        for e in item["expected"]:
            quoted = figures(e["quote"])
            if e["kind"] != "quantity" or not quoted:
                continue
            if e.get("verdict") == "supported":
                assert quoted <= stated or e.get("note"), (item["id"], e["quote"])
            if "number_mismatch" in e.get("flags", []):
                assert not quoted <= stated or e.get("note"), (item["id"], e["quote"])


def test_planted_officials_agree_with_their_roster():
    """A correct titled official is in office on as_of per the item's roster; an outdated one is not."""
    for item in load_set("planted.jsonl"):
        day = date.fromisoformat(item["as_of"])
        holders_on_day = {r["holder"] for r in item["roster"]
                          if date.fromisoformat(r["start"]) <= day and (not r["end"] or day < date.fromisoformat(r["end"]))}
        known = {r["holder"] for r in item["roster"]}
        for e in item["expected"]:
            name = e["value"].get("full_name") or e["value"].get("name") if e["kind"] == "official" else None
            if not name or name not in known:
                continue
            if "outdated_official" in e.get("flags", []):
                assert name not in holders_on_day, (item["id"], e["quote"])
            elif e.get("verdict") == "supported":
                assert name in holders_on_day, (item["id"], e["quote"])


# --- sets load through evals.formats -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["seeds.jsonl", "planted.jsonl", "planted2.jsonl", "planted3.jsonl"])
def test_sets_parse_with_the_eval_formats(name: str):
    from evals import formats

    for data in load_set(name):
        item = formats.parse_item(data)
        assert isinstance(item, formats.DocumentItem)
        if item.text is not None:
            for e in item.expected:
                start, end = formats.expected_span(item.text, e, item.id)
                assert item.text[start:end] == e.quote


# --- planted3.jsonl: statements, context traps, numbers in words, quotes, sources, not-claims --------

PLANTED3 = "planted3.jsonl"
PLANTED3_KINDS = {"quantity", "date", "official", "statement"}
PLANTED3_CATEGORIES = {"value", "qualitative", "context", "words", "quote", "source", "internal", "decoy",
                       "not_a_claim"}
PLANTED3_FLAGS = FLAG_KINDS | {"misquote", "conflicting_evidence"}
PLANTED3_KEYS = {"quote", "kind", "value", "occurrence", "verdict", "flags", "note", "category", "checkworthy"}


def planted3_entry_problems(text: str, entry: dict[str, Any]) -> list[str]:
    problems = [f"unknown key {k!r}" for k in set(entry) - PLANTED3_KEYS]
    quote, occurrence = entry.get("quote", ""), entry.get("occurrence", 0)
    if not quote or quote != quote.strip():
        problems.append(f"quote {quote!r} is empty or has outer whitespace")
    elif quote_span(text, quote, occurrence) is None:
        problems.append(f"quote {quote!r} not found at occurrence {occurrence}")
    if entry.get("kind") not in PLANTED3_KINDS:
        problems.append(f"kind {entry.get('kind')!r} is not one of {sorted(PLANTED3_KINDS)}")
    elif "value" in entry:
        problems += value_problems(entry["kind"], entry["value"])
    if entry.get("category") not in PLANTED3_CATEGORIES:
        problems.append(f"category {entry.get('category')!r} unknown")
    if "verdict" in entry:
        try:
            Label(entry["verdict"])
        except ValueError:
            problems.append(f"verdict {entry['verdict']!r} is not a label")
    problems += [f"flag {f!r} unknown" for f in entry.get("flags", []) if f not in PLANTED3_FLAGS]
    not_claim = entry.get("checkworthy", True) is False
    if not_claim != (entry.get("category") == "not_a_claim"):
        problems.append("checkworthy: false goes with category not_a_claim, and only with it")
    if not_claim and (entry.get("verdict") or entry.get("flags")):
        problems.append("a not-a-claim entry has neither verdict nor flags")
    if not not_claim and not (entry.get("verdict") or entry.get("flags") or entry.get("category") == "decoy"):
        problems.append("a claim entry needs a verdict or a flag (or is a decoy)")
    if entry.get("kind") == "statement" and not not_claim and not entry.get("verdict"):
        problems.append("a statement entry needs a verdict")
    if entry.get("category") == "context" and entry.get("verdict") == "contradicted":
        problems.append("a context trap is never contradicted")
    if entry.get("verdict") == "contradicted" and entry.get("kind") in CONTRADICTION_FLAG:
        if not {CONTRADICTION_FLAG[entry["kind"]], "internal_inconsistency"} & set(entry.get("flags", [])):
            problems.append("a contradicted value carries its mismatch flag")
    return problems


def test_planted3_checker_rejects_bad_entries():
    text = 'The vote was unanimous, she said, calling it "a fair result". Logo'
    good = {"quote": "The vote was unanimous", "kind": "statement", "category": "words", "verdict": "contradicted"}
    assert planted3_entry_problems(text, good) == []
    assert planted3_entry_problems(text, {**good, "kind": "claim"})
    assert planted3_entry_problems(text, {**good, "category": "misc"})
    assert planted3_entry_problems(text, {k: v for k, v in good.items() if k != "verdict"})
    assert planted3_entry_problems(text, {**good, "category": "context"})
    assert planted3_entry_problems(text, {**good, "flags": ["misquoted"]})
    furniture = {"quote": "Logo", "kind": "statement", "category": "not_a_claim", "checkworthy": False}
    assert planted3_entry_problems(text, furniture) == []
    assert planted3_entry_problems(text, {**furniture, "verdict": "supported"})
    assert planted3_entry_problems(text, {**furniture, "checkworthy": True})


def test_planted3_items_are_drafts_with_their_own_corpus():
    items = load_set(PLANTED3)
    assert len(items) >= 12 and len({i["id"] for i in items}) == len(items)
    for item in items:
        words = len(item["text"].split())
        assert 60 <= words <= 400, f"{item['id']}: {words} words"
        assert 1 <= len(item["corpus"]) <= 5 and item.get("note"), item["id"]
        as_of = date.fromisoformat(item["as_of"])
        for d in item["corpus"]:
            assert d["source"] and d["text"] and date.fromisoformat(d["date"]) <= as_of, (item["id"], d["source"])
            assert d.get("trust", "normal") in {"high", "normal", "low"}
        for r in item["roster"]:
            assert set(r) == {"office", "holder", "start", "end", "aliases"}, r


def test_planted3_entries_are_exact_and_well_formed():
    problems = []
    for item in load_set(PLANTED3):
        problems += [f"{item['id']}: {p}" for e in item["expected"] for p in planted3_entry_problems(item["text"], e)]
        spans = sorted((quote_span(item["text"], e["quote"], e.get("occurrence", 0)) or (0, 0), e["quote"])
                       for e in item["expected"])
        for (a, qa), (b, qb) in zip(spans, spans[1:]):
            if b[0] < a[1]:
                problems.append(f"{item['id']}: expected spans overlap: {qa!r} and {qb!r}")
    assert problems == []


def test_planted3_covers_what_the_issue_asks():
    """100+ expectations; qualitative claims, context traps, numbers in words, quotes, untrusted sources,
    internal inconsistencies, decoys and not-claims, each several times."""
    entries = [(item, e) for item in load_set(PLANTED3) for e in item["expected"]]
    assert len(entries) >= 100
    by_category: dict[str, int] = {}
    for _, e in entries:
        by_category[e["category"]] = by_category.get(e["category"], 0) + 1
    assert set(by_category) == PLANTED3_CATEGORIES and min(by_category.values()) >= 3, by_category
    verdicts = {e.get("verdict") for _, e in entries if e.get("checkworthy", True)}
    assert {"supported", "contradicted", "not_enough_evidence"} <= verdicts
    flags = {f for _, e in entries for f in e.get("flags", [])}
    assert {"misquote", "conflicting_evidence", "internal_inconsistency", "number_mismatch"} <= flags
    assert sum(1 for _, e in entries if e["kind"] == "statement" and e.get("checkworthy", True)) >= 15
    # every source-category claim has a low-trust document in its corpus
    for item, e in entries:
        if e["category"] == "source":
            assert any(d.get("trust") == "low" for d in item["corpus"]), item["id"]


def test_planted3_quotes_differ_from_the_corpus_only_when_flagged():
    """A quote entry flagged misquote is not verbatim in its corpus; an unflagged one is."""
    for item in load_set(PLANTED3):
        corpus = " ".join(d["text"] for d in item["corpus"])
        for e in item["expected"]:
            if e["category"] != "quote":
                continue
            inner = e["quote"].strip('"“”')
            assert (inner in corpus) != ("misquote" in e.get("flags", [])), (item["id"], e["quote"])


def test_planted3_supported_figures_are_in_the_corpus():
    for item in load_set(PLANTED3):
        stated = figures(" ".join(d["text"] for d in item["corpus"]))
        for e in item["expected"]:
            quoted = figures(e["quote"])
            if e["kind"] == "quantity" and quoted and e.get("verdict") == "supported":
                assert quoted <= stated or e.get("note"), (item["id"], e["quote"])
            if e.get("category") == "context" and e["kind"] == "quantity" and quoted and e.get("verdict") == "not_enough_evidence":
                assert not quoted <= stated, (item["id"], e["quote"])
