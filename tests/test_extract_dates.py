"""The date grammar: spans, resolution against the as-of date, and what is not a date."""
from __future__ import annotations

from datetime import date

import pytest

from claims.dates import find_dates

AS_OF = date(2025, 11, 25)


def only(text: str, as_of: date = AS_OF):
    found = find_dates(text, as_of)
    assert len(found) == 1, [text[d.start:d.end] for d in found]
    return text[found[0].start:found[0].end], found[0].value


def test_day_range_in_the_as_of_year():
    span, v = only("The survey ran October 3-5 among adults.")
    assert span == "October 3-5"
    assert (v.start, v.end, v.granularity, v.relative) == (date(2025, 10, 3), date(2025, 10, 5), "range", True)


def test_ordinal_day_with_preposition():
    span, v = only("The minister resigned on September 9th after the vote.")
    assert span == "on September 9th" and v.start == v.end == date(2025, 9, 9)


def test_past_tense_month_after_as_of_moves_to_previous_year():
    span, v = only("In June the port reopened.", date(2026, 2, 10))
    assert span == "In June" and v.start == date(2025, 6, 1) and v.end == date(2025, 6, 30)


def test_future_tense_month_keeps_or_moves_forward():
    _, v = only("The envoy will travel to Lima in April.", date(2026, 2, 10))
    assert v.start == date(2026, 4, 1)
    _, v = only("The envoy plans to travel to Lima in January.", date(2026, 2, 10))
    assert v.start == date(2027, 1, 1)  # January 2026 is over: the next occurrence


def test_month_already_past_in_past_tense_stays_in_as_of_year():
    _, v = only("Exports fell in March.", date(2026, 5, 1))
    assert v.start == date(2026, 3, 1)


def test_relative_years():
    span, v = only("Rainfall was low last year.")
    assert span == "last year" and (v.start, v.end, v.granularity, v.relative) == (
        date(2024, 1, 1), date(2024, 12, 31), "year", True)
    _, v = only("Prices may rise next year.")
    assert v.start == date(2026, 1, 1)


def test_since_is_open_until_as_of():
    span, v = only("The agency has spent heavily since 2016.")
    assert span == "since 2016"
    assert (v.relation, v.start, v.end, v.granularity) == ("since", date(2016, 1, 1), AS_OF, "open")


def test_early_mid_late_parts():
    span, v = only("Divers found the wreck in early March.", date(2026, 3, 20))
    assert span == "in early March" and (v.start, v.end) == (date(2026, 3, 1), date(2026, 3, 10))
    _, v = only("Talks stalled in late 2019.")
    assert (v.start, v.end) == (date(2019, 9, 1), date(2019, 12, 31))
    _, v = only("Output peaked in mid-2021.")
    assert (v.start, v.end) == (date(2021, 5, 1), date(2021, 8, 31))


def test_seasons_decades_iso_and_full_dates():
    text = ("In the autumn of 2022 the bank merged; in the 1980s it was small; the deal closed 2024-06-30; "
            "the treaty was signed 4 May 1998, and revised March 3, 2001, then in Sept 2012.")
    found = {text[d.start:d.end]: d.value for d in find_dates(text, AS_OF)}
    assert found["In the autumn of 2022"].start == date(2022, 9, 1)
    assert found["in the 1980s"].end == date(1989, 12, 31)
    assert found["2024-06-30"].start == date(2024, 6, 30)
    assert found["4 May 1998"].start == date(1998, 5, 4)
    assert found["March 3, 2001"].start == date(2001, 3, 3) and not found["March 3, 2001"].relative
    assert found["in Sept 2012"].granularity == "month"


def test_lowercase_month_and_from():
    span, v = only("Sales grew 4% from august.")
    assert span == "from august" and v.start == date(2025, 8, 1)


def test_relations():
    text = "Rules apply until 2030, were drafted before 2020 and revised after June 2023."
    relations = [d.value.relation for d in find_dates(text, AS_OF)]
    assert relations == ["until", "before", "after"]


@pytest.mark.parametrize("text", [
    "Turnout was 72% of 1,950 voters.",
    "They may march on the capital.",
    "The route is 2000 km long.",
    "Ref: example.org/doc/2019/abc",
    "It costs $2025 per seat.",
    "February 30 does not exist.",
])
def test_not_dates(text):
    assert [text[d.start:d.end] for d in find_dates(text, AS_OF)] == []


def test_empty_and_non_english_text():
    assert find_dates("", AS_OF) == []
    found = find_dates("日本は2011年に発見した。El 5 de mayo de 2020 hubo elecciones.", AS_OF)
    assert all(0 <= d.start < d.end for d in found)


def test_a_noun_plan_is_not_future_tense():
    _, v = only("Residents back the plan, a survey held June 2-6 found.")
    assert v.start == date(2025, 6, 2)


def test_spaced_comma_before_the_year():
    span, v = only("By March 19 , 2020 , the count had doubled.")
    assert span == "By March 19 , 2020" and v.start == date(2020, 3, 19) and v.relation == "before"


def test_quarters():
    text = "Profit doubled in Q3 2024 and fell in the first quarter of 2025; the fourth quarter was flat."
    found = {text[d.start:d.end]: d.value for d in find_dates(text, AS_OF)}
    assert (found["in Q3 2024"].start, found["in Q3 2024"].end) == (date(2024, 7, 1), date(2024, 9, 30))
    assert found["in the first quarter of 2025"].end == date(2025, 3, 31)
    assert found["the fourth quarter"].start == date(2025, 10, 1) and found["the fourth quarter"].relative


@pytest.mark.parametrize("text, first", [
    ("The festival ran from June 15 to August 18, 2009.", date(2009, 6, 15)),
    ("between 3 March and 9 April 2019", date(2019, 3, 3)),
    ("from December 20 to January 5, 2010", date(2009, 12, 20)),  # the range crosses a new year
])
def test_a_range_written_with_one_year_gives_it_to_both_dates(text, first):
    dates = find_dates(text, date(2026, 11, 24))
    assert dates[0].value.start == first and not dates[0].value.relative


def test_a_date_not_joined_to_the_next_keeps_its_inferred_year():
    dates = find_dates("The talks began on June 15. The accord of August 18, 2009 still holds.", date(2026, 11, 24))
    assert dates[0].value.start == date(2026, 6, 15) and dates[0].value.relative
