"""Validate officials roster CSVs: format, dates, overlapping terms, and a summary per office.

    .venv/bin/python scripts/check_roster.py                      # the default roster
    .venv/bin/python scripts/check_roster.py extra.csv --as-of 2026-11-24

Exit 0 when every file parses and no office has overlapping terms, 1 otherwise.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.roster import DEFAULT_ROSTER, Holder, RosterError, read_roster_file, role_of  # noqa: E402


def overlap_problems(holders: list[Holder]) -> list[str]:
    """Terms of one office that overlap by more than the handover day."""
    by_office: dict[str, list[Holder]] = defaultdict(list)
    for h in holders:
        by_office[h.office].append(h)
    problems = []
    for office, terms in sorted(by_office.items()):
        terms.sort(key=lambda h: h.start)
        for a, b in zip(terms, terms[1:]):
            if a.end is None or a.end > b.start:
                problems.append(f"{office}: {a.name} ({a.term_text()}) overlaps {b.name} ({b.term_text()})")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT_ROSTER])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        try:
            holders = read_roster_file(path)
        except RosterError as exc:
            print(f"error: {exc}")
            status = 1
            continue
        offices = sorted({h.office for h in holders})
        print(f"{path}: {len(holders)} terms, {len(offices)} offices")
        for office in offices:
            if role_of(office) is None:
                print(f"  note: {office!r} matches no known title (it can still be named with --roster rows)")
            if not any(h.office == office and h.held_on(args.as_of) for h in holders):
                print(f"  note: nobody holds {office} on {args.as_of}")
        for problem in overlap_problems(holders):
            print(f"  overlap: {problem}")
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
