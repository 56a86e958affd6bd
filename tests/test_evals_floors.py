"""CI floors: the fast subset must score at or above evals/floors.json, and a broken comparator must not."""
from __future__ import annotations

import sys

import pytest

from evals.suite import CI_SUBSET, FLOORS_PATH, check_floors, load_floors, run_suite


def test_check_floors_reports_each_regression():
    floors = {"a": {"accuracy": 0.6, "macro_f1": 0.5}, "b": {"extraction_f1": 0.4}, "c": {"accuracy": 0.1}}
    rows = [{"set": "a", "mode": "offline", "n": 10, "accuracy": 0.7, "macro_f1": 0.45, "errors": 0},
            {"set": "a", "mode": "llm", "n": 10, "accuracy": 0.1, "macro_f1": 0.1, "errors": 0},
            {"set": "b", "mode": "offline", "n": 5, "extraction_f1": None, "errors": 2},
            {"set": "c", "mode": "offline", "skipped": "data absent"}]
    problems = check_floors(rows, floors)
    assert problems == ["a: macro_f1 0.45 is below its floor 0.5",
                        "b: 2 of 5 items crashed the checker",
                        "b: extraction_f1 None is below its floor 0.4"]
    assert check_floors(rows[:1], {"a": {"accuracy": 0.6}}) == []


def test_floors_file_covers_the_ci_subset():
    floors = load_floors(FLOORS_PATH)
    assert {s.name for s in CI_SUBSET} >= set(floors) and floors
    assert all(0.0 <= v <= 1.0 for metrics in floors.values() for v in metrics.values())


def _floored_subset(names: set[str]):
    return tuple(s for s in CI_SUBSET if s.name in names)


def test_ci_subset_holds_its_floors(shared_dir, evaldata_dir):
    floors = load_floors()
    rows = run_suite(quick=True, with_llm=False, out_dir=None, sets=_floored_subset(set(floors)),
                     shared_dir=shared_dir, progress=False)
    ran = [r for r in rows if "skipped" not in r]
    assert ran, "no floored set could run"
    assert check_floors(rows, floors) == []


def _flipped(original):
    swap = {"supported": "contradicted", "contradicted": "supported"}

    def compare(claim, passages, as_of):
        verdict = original(claim, passages, as_of)
        if verdict is None or verdict.label.value not in swap:
            return verdict
        return verdict.model_copy(update={"label": type(verdict.label)(swap[verdict.label.value])})

    return compare


def _undecided(original):
    return lambda claim, passages, as_of: None


# A flipped comparator shows on VitaminC's numeric claims at once; an always-undecided one is partly
# covered there by the judge, but loses the planted set's number/date mismatch flags and verdicts.
@pytest.mark.parametrize("breakage, set_name", [(_flipped, "vitaminc-heldout-numeric"),
                                                (_undecided, "planted (documents)")],
                         ids=["flipped", "always-undecided"])
def test_floor_catches_a_broken_comparator(shared_dir, evaldata_dir, monkeypatch, breakage, set_name):
    import claims.compare

    original = claims.compare.compare
    broken = breakage(original)
    # patch every module that bound the comparator by name (claims.verify and claims.judge import it)
    for name, module in list(sys.modules.items()):
        if name.startswith("claims") and getattr(module, "compare", None) is original:
            monkeypatch.setattr(module, "compare", broken)
    floors = load_floors()
    subset = _floored_subset({set_name} & set(floors))
    if not subset or not subset[0].path(shared_dir).is_file():
        pytest.skip(f"{set_name} has no floor or no data")
    rows = run_suite(quick=True, with_llm=False, out_dir=None, sets=subset, shared_dir=shared_dir, progress=False)
    problems = check_floors(rows, floors)
    assert any(p.startswith(f"{set_name}:") for p in problems), rows[0]
