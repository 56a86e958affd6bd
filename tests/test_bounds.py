"""Bounded claims ("less than", "at least", "above the 5th") decided through the product path,
`check_claim(statement, evidence=[sentence])`, where the comparator, not a judge, must decide (issue #13)."""
from __future__ import annotations

from datetime import date

import pytest

from claims.models import Label
from claims.pipeline import check_claim

AS_OF = date(2026, 1, 1)


def verdict(statement: str, sentence: str):
    return check_claim(statement, evidence=[sentence], as_of=AS_OF).verdict


@pytest.mark.parametrize("statement, sentence, label, method", [
    # an exactness marker allows no rounding: exactly 19% is not less than 19%
    ("Less than 19% of voters backed the plan.", "Exactly 19% of voters backed the plan.",
     Label.contradicted, "comparator:quantity"),
    ("More than 19% of voters backed the plan.", "Precisely 19% of voters backed the plan.",
     Label.contradicted, "comparator:quantity"),
    # "four million" states 4,000,000, which clears "more than 3.75 million" by more than any rounding
    ("The city has more than 3.75 million residents.", "The city has four million residents.",
     Label.supported, "comparator:quantity"),
    ("The city has more than 3.75 million residents.", "The city has 4 million residents.",
     Label.supported, "comparator:quantity"),
    ("The town had less than 116,700 inhabitants in 2010.", "The town had 116,662 inhabitants in 2010.",
     Label.supported, "comparator:quantity"),
    ("The film earned at least $5 million.", "The film earned exactly $5 million.",
     Label.supported, "comparator:quantity"),
    ("The film earned more than $5 million.", "The film earned exactly $5 million.",
     Label.contradicted, "comparator:quantity"),
    ("The film earned under $5 million.", "The film earned $4.2 million.", Label.supported, "comparator:quantity"),
    ("Turnout was more than 60 percent.", "Turnout was 58 percent.", Label.contradicted, "comparator:quantity"),
    # a place: "above the 5th" is 1st to 4th, "below the 5th" 6th and lower
    ("The bank is above the 5th largest bank in the country.", "The bank is the 5th largest bank in the country.",
     Label.contradicted, "comparator:quantity"),
    ("The bank is below the 5th largest bank in the country.", "The bank is the 3rd largest bank in the country.",
     Label.contradicted, "comparator:quantity"),
    ("The summit took place before November 10, 2025.", "The summit took place on November 11, 2025.",
     Label.contradicted, "comparator:date"),
    ("The event happened after March 3, 2024.", "The event happened on March 1, 2024.",
     Label.contradicted, "comparator:date"),
    ("The event happened after March 3, 2024.", "The event happened on March 9, 2024.",
     Label.supported, "comparator:date"),
])
def test_the_comparator_decides_bounds(statement, sentence, label, method):
    v = verdict(statement, sentence)
    assert (v.label, v.method) == (label, method), v.rationale


@pytest.mark.parametrize("statement, sentence", [
    # a figure rounded to the bound's own neighbourhood does not settle a strict bound: the judge decides
    ("The film earned more than $5 million.", "The film earned $5 million."),
    ("The film earned at least $5 million.", "The film earned $5 million."),
    ("The city has more than 3.9 million residents.", "The city has four million residents."),
])
def test_a_rounded_figure_at_the_bound_is_left_to_the_judge(statement, sentence):
    assert not verdict(statement, sentence).method.startswith("comparator:")


def test_above_a_place_is_never_supported_by_that_place():
    v = verdict("The bank is above the 5th largest bank in the country.",
                "The bank is the 5th largest bank in the country.")
    assert v.label is not Label.supported
