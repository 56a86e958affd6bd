"""Span helpers shared by the extraction grammars."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class _Span(Protocol):
    start: int
    end: int


S = TypeVar("S", bound=_Span)


def longest_non_overlapping(matches: Iterable[S]) -> list[S]:
    """Matches in text order with overlaps resolved: of two overlapping matches the longer one stays
    (the earlier one on a tie), so "about 40 billion yen" wins over "40 billion"."""
    found = sorted(matches, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[S] = []
    for match in found:
        if kept and match.start < kept[-1].end:
            if match.end - match.start > kept[-1].end - kept[-1].start:
                kept[-1] = match
            continue
        kept.append(match)
    return kept
