"""The standard suite: the project's gold sets and the public sets, one scoreboard.

    python -m evals.suite            # full samples, offline (and with the LLM when COPYDESK_LLM is set)
    python -m evals.suite --quick    # small samples, for CI and a quick look

Writes out/suite/suite.json and out/suite/suite.md (plus each set's own eval outputs under
out/suite/<set>-<mode>/) and prints the Markdown table. Public sets are converted on first use into
~/.cache/copydesk/evalsets/ (never into the repository); a set whose data is absent is skipped.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.converters import ConverterError, cached_set
from evals.formats import REPO_ROOT, EvalSetError, default_shared_dir
from evals.metrics import headline
from evals.runner import Checkers, markdown_table, run_eval

DEFAULT_OUT = REPO_ROOT / "out" / "suite"


@dataclass(frozen=True)
class SuiteSet:
    name: str
    source: str  # "repo:<path in the repository>", an absolute file path, or the name of a converter
    full: int | None  # items in a full run (None: all)
    quick: int | None  # items in a --quick run
    seed: int = 0

    def path(self, shared_dir: Path) -> Path:
        if self.source.startswith("repo:"):
            return REPO_ROOT / self.source.removeprefix("repo:")
        if Path(self.source).is_absolute():
            return Path(self.source)
        return cached_set(self.source, evaldata=shared_dir / "evaldata")


STANDARD_SUITE: tuple[SuiteSet, ...] = (
    SuiteSet("seeds (extraction)", "repo:evals/sets/seeds.jsonl", None, None),
    SuiteSet("planted (documents)", "repo:evals/sets/planted.jsonl", None, None),
    SuiteSet("planted2 (held-out documents)", "repo:evals/sets/planted2.jsonl", None, None),
    SuiteSet("planted3 (statements, context, quotes, sources)", "repo:evals/sets/planted3.jsonl", None, None),
    # VitaminC real pages held out of the NLI model's training (its test split by page; vitaminc-numeric-300,
    # drawn from every page, now overlaps the training pages and is no longer a suite row)
    SuiteSet("vitaminc-heldout", "vitaminc-heldout", None, 60),
    SuiteSet("vitaminc-heldout-numeric", "vitaminc-heldout-numeric", None, 60),
    SuiteSet("liar-plus-heldout", "liar-plus-heldout", None, 30),
    SuiteSet("climate-fever", "climate-fever", 300, 30),
    SuiteSet("summedits-ectsum", "summedits-ectsum", 200, 20),
    SuiteSet("summedits-sales_email", "summedits-sales_email", 200, 20),
    SuiteSet("fever-symmetric", "fever-symmetric", None, 40),
    SuiteSet("fm2", "fm2", 300, 30),  # Fool Me Twice dev: training data of the offline verifier (TRAINING.md)
    SuiteSet("factcheck-bench", "factcheck-bench", 300, 30),
)

# The small fast subset CI scores against evals/floors.json (quick limits are used).
CI_SUBSET: tuple[SuiteSet, ...] = (
    SuiteSet("vitaminc-heldout-numeric", "vitaminc-heldout-numeric", 60, 60),
    SuiteSet("seeds (extraction)", "repo:evals/sets/seeds.jsonl", None, None),
    SuiteSet("planted (documents)", "repo:evals/sets/planted.jsonl", None, None),
    SuiteSet("planted3 (statements, context, quotes, sources)", "repo:evals/sets/planted3.jsonl", None, None),
)
FLOORS_PATH = REPO_ROOT / "evals" / "floors.json"

COLUMNS = ["set", "mode", "n", "accuracy", "macro_f1", "balanced_accuracy", "extraction_f1",
           "flag_precision", "flag_recall", "seconds", "tokens"]


def llm_configured() -> bool:
    from claims.settings import Settings

    return Settings.load().llm_config().backend != "none"


def run_suite(*, quick: bool = False, with_llm: bool | None = None, out_dir: Path | None = DEFAULT_OUT,
              sets: tuple[SuiteSet, ...] = STANDARD_SUITE, only: list[str] | None = None,
              climate_n: int | None = None, limit: int | None = None, shared_dir: Path | None = None, progress: bool = True,
              checkers: Checkers | None = None) -> list[dict[str, Any]]:
    """Run every set offline (and with the configured LLM when `with_llm`, default: when one is configured).

    Returns one row per (set, mode) with the headline numbers; a set that cannot run has a `skipped` reason.
    """
    shared = shared_dir or default_shared_dir()
    modes: list[tuple[str, Any]] = [("offline", None)]
    if with_llm is None:
        with_llm = llm_configured()
    if with_llm:
        from claims.settings import Settings

        client = Settings.load().llm_client()
        if client is None:
            raise EvalSetError("--llm asks for an LLM but none is configured: set COPYDESK_LLM")
        modes.append(("llm", client))
    rows = []
    for spec in sets:
        if only and not any(word in spec.name for word in only):
            continue
        sample = spec.quick if quick else spec.full
        if limit is not None and not spec.source.startswith("repo:"):
            sample = limit  # the project's own gold sets always run whole
        if climate_n is not None and spec.source == "climate-fever":
            sample = climate_n
        for mode, llm in modes:
            rows.append(_run_one(spec, mode, llm, sample, shared, out_dir, progress, checkers))
    if out_dir is not None:
        write_scoreboard(rows, out_dir)
    return rows


def _run_one(spec: SuiteSet, mode: str, llm: Any, limit: int | None, shared: Path, out_dir: Path | None,
             progress: bool, checkers: Checkers | None) -> dict[str, Any]:
    row: dict[str, Any] = {"set": spec.name, "mode": mode}
    try:
        path = spec.path(shared)
    except ConverterError as exc:
        return {**row, "skipped": str(exc)}
    if not path.is_file():
        return {**row, "skipped": f"{path} not found"}
    started = time.perf_counter()
    slug = spec.name.split(" ")[0]
    result = run_eval(path, out_dir=out_dir / f"{slug}-{mode}" if out_dir else None, limit=limit, seed=spec.seed,
                      llm=llm, progress=progress, shared_dir=shared, checkers=checkers)
    row.update(headline(result.metrics))
    row["seconds"] = round(time.perf_counter() - started, 2)
    row["errors"] = result.metrics["n_errors"]
    row["metrics"] = result.metrics
    return row


def scoreboard_markdown(rows: list[dict[str, Any]]) -> str:
    table = markdown_table(COLUMNS + ["errors"], [[row.get(c) for c in COLUMNS + ["errors"]]
                                                 for row in rows if "skipped" not in row])
    skipped = [f"- {row['set']} ({row['mode']}): skipped, {row['skipped']}\n" for row in rows if "skipped" in row]
    note = ("\nFor document sets, accuracy is verdict accuracy on the gold claims that were found; macro-F1 and"
            " balanced accuracy are for claim sets. seconds: wall time of the set; tokens: LLM tokens.\n")
    return table + note + ("\n" + "".join(skipped) if skipped else "")


def write_scoreboard(rows: list[dict[str, Any]], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "suite.json", out_dir / "suite.md"
    json_path.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    md_path.write_text("# copydesk standard suite\n\n" + scoreboard_markdown(rows), encoding="utf-8")
    return json_path, md_path


def load_floors(path: Path = FLOORS_PATH) -> dict[str, dict[str, float]]:
    """{set name: {headline metric: floor}} from floors.json (keys starting with "_" are comments)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: floors for name, floors in data.items() if not name.startswith("_")}


def check_floors(rows: list[dict[str, Any]], floors: dict[str, dict[str, float]]) -> list[str]:
    """One line per regression: a floored metric below its floor, missing, or a floored set that errored.

    Sets skipped for lack of data are not regressions (the caller decides whether that is acceptable).
    """
    by_set = {row["set"]: row for row in rows if row["mode"] == "offline"}
    problems = []
    for name, metric_floors in floors.items():
        row = by_set.get(name)
        if row is None or "skipped" in row:
            continue
        if row.get("errors"):
            problems.append(f"{name}: {row['errors']} of {row['n']} items crashed the checker")
        for metric, floor in metric_floors.items():
            value = row.get(metric)
            if value is None or value < floor:
                problems.append(f"{name}: {metric} {value} is below its floor {floor}")
    return problems


def run_floor_subset(*, checkers: Checkers | None = None, shared_dir: Path | None = None,
                     out_dir: Path | None = None) -> list[dict[str, Any]]:
    """The CI subset, offline, with the quick limits."""
    return run_suite(quick=True, with_llm=False, out_dir=out_dir, sets=CI_SUBSET, shared_dir=shared_dir,
                     progress=False, checkers=checkers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.suite", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small samples (CI)")
    llm = parser.add_mutually_exclusive_group()
    llm.add_argument("--llm", action="store_true", help="also run with the configured LLM (COPYDESK_LLM)")
    llm.add_argument("--offline", action="store_true", help="offline only, even when an LLM is configured")
    parser.add_argument("--only", nargs="+", metavar="WORD", help="run only sets whose name contains a WORD")
    parser.add_argument("--climate-n", type=int, help="Climate-FEVER sample size")
    parser.add_argument("--limit", type=int, help="sample size of every public set (the project's own sets run whole)")
    parser.add_argument("--floors", action="store_true",
                        help="run the CI subset and compare it with evals/floors.json (exit 1 on a regression)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default out/suite)")
    parser.add_argument("--shared", type=Path, help="shared data folder (default ../shared or COPYDESK_SHARED)")
    args = parser.parse_args(argv)
    with_llm = True if args.llm else False if args.offline else None
    if args.floors:
        rows = run_floor_subset(shared_dir=args.shared, out_dir=args.out / "floors")
        print(scoreboard_markdown(rows))
        problems = check_floors(rows, load_floors())
        print("\n".join(f"REGRESSION {p}" for p in problems) or "all floors hold")
        return 1 if problems else 0
    try:
        rows = run_suite(quick=args.quick, with_llm=with_llm, out_dir=args.out, only=args.only,
                         climate_n=args.climate_n, limit=args.limit, shared_dir=args.shared)
    except EvalSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(scoreboard_markdown(rows))
    print(f"written to {args.out}/suite.md and suite.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
