"""Consistency flags: officials checked against the dated roster, and a draft checked against itself.

The checks live in `claims.officials`, `claims.value_checks` and `claims.duration_checks`; this module
runs them together.

`official_flags` (from claims.officials, whose `official_checks` the roster checker reads too) compares
each official mention with who held the office on the as-of date (or on a date stated in the same
sentence): a near-miss of a holder's name is
`misnamed_official`, a real holder out of office is `outdated_official`, a match is supported with the
roster line quoted. An honorific with a misspelt surname ("Mr Stammer" after "Prime Minister Keir
Starmer") is misnamed when the roster knows the titled person meant.

`internal_flags` checks a draft against itself; each flag carries the spans of every value involved and
says the arithmetic in its message:
- one official (or person) named two ways ("Helen Marchetti" / "Ms Marchant");
- one count given two near values in two sentences about the same time ("1,460" / "1,640 passengers");
- a change that does not fit its from/to values, in one phrase ("72%, a 1% increase from 70%") or with the
  other value in the sentence before ("was 41% in May. In June it rose 5 points to 48%");
- shares of one whole over 100% (poll answers for / against / undecided, candidates' vote shares);
- parts that do not make their stated total ("3,000 troops: 1,200 in the north and 1,500 in the south"),
  and a surplus, deficit, gap or margin that is not the difference of its two figures;
- dates that do not fit a stated duration ("began on March 3, ended ten days later on March 15").
Each check stays silent where the text leaves room for doubt (approximate figures, rounding, different
bases, multiple-choice questions, several candidate values): a false flag costs a reviewer's trust.
"""
from __future__ import annotations

from claims.duration_checks import duration_flags
from claims.models import Claim, Flag
from claims.officials import names_two_ways_flags, official_flags
from claims.roster import Roster
from claims.value_checks import value_flags

__all__ = ["internal_flags", "official_flags"]


def internal_flags(text: str, claims: list[Claim], roster: Roster | None = None) -> list[Flag]:
    """Contradictions inside one draft: an official named two ways, a quantity given two values, bad arithmetic.

    With a `roster`, two similar names that are both real officeholders are not taken for one person.
    """
    return (names_two_ways_flags(text, claims, roster) + value_flags(text, claims) + duration_flags(text, claims))
