"""Numbers in words and relations (issue #14): shares, multiples, changes, index points, "from X to Y",
and the comparator that checks a claimed multiple or change against the pair of figures a source gives."""
from __future__ import annotations

from datetime import date

import pytest

from claims.compare import compare, period_of, quantities_in
from claims.models import Claim, Label
from claims.quantities import find_quantities
from claims.relations import figure_pairs
from retrieval.types import Passage

AS_OF = date(2026, 6, 1)


def read(text: str) -> list[tuple[str, float, str | None, str | None]]:
    return [(text[m.start:m.end], m.quantity.value, m.quantity.unit, m.quantity.change) for m in find_quantities(text)]


def passage(text: str, day: date = date(2026, 5, 20)) -> Passage:
    return Passage(id=f"src:{abs(hash(text))}", source="src.md", text=text, start=0, end=len(text), date=day)


def claim_of(statement: str, value: str) -> Claim:
    hit = next(m for m in find_quantities(statement) if statement[m.start:m.end].startswith(value)
               or value in statement[m.start:m.end])
    return Claim(id="c1", text=statement[hit.start:hit.end], start=hit.start, end=hit.end, kind="quantity",
                 statement=statement, sentence_end=len(statement), quantity=hit.quantity)


def verdict(statement: str, value: str, *evidence: str):
    return compare(claim_of(statement, value), [passage(t) for t in evidence], AS_OF)


# --- the grammar ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("About a quarter of the cargo is rice.", ("About a quarter", 25.0, "percent", None)),
    ("Exports fell by two-thirds last year.", ("two-thirds", 66.67, "percent", "decrease")),
    ("One in five nurses works nights.", ("One in five nurses", 20.0, "percent", None)),
    ("More than half of voters stayed home.", ("More than half of voters", 50.0, "percent", None)),
    ("Ridership has doubled since 2019.", ("doubled", 2.0, "times", "increase")),
    ("Costs have roughly tripled.", ("roughly tripled", 3.0, "times", "increase")),
    ("The index fell 85 points on Monday.", ("85 points", 85.0, "point", "decrease")),
    ("Membership rose by 3,400 last year.", ("3,400", 3400.0, None, "increase")),
    ("The club ranks fourth in the league.", ("ranks fourth", 4.0, "rank", None)),
])
def test_numbers_in_words_and_relations_are_read(text: str, expected: tuple) -> None:
    assert expected in read(text)


def test_a_period_or_a_plain_count_is_not_a_share() -> None:
    assert not any(unit == "percent" for _, _, unit, _ in read("Profits grew in the first quarter of 2025."))
    assert not any(unit == "percent" for _, _, unit, _ in read("Sales rose for two quarters in a row."))
    assert read("She served seven points on the agenda.") == []  # "points" of an article is no change


def test_from_x_to_y_downwards_or_after_by_is_two_figures_not_a_range() -> None:
    assert [v for _, v, _, _ in read("Queues shrank from 3,100 to 740 patients.")] == [3100.0, 740.0]
    assert [v for _, v, _, _ in read("Membership grew by 3,400 to 1.2 million.")] == [3400.0, 1.2e6]
    assert read("Temperatures of 5 to 10 degrees.")[0][1] == 7.5  # an upward range stays a range


@pytest.mark.parametrize("text, pattern, earlier, later", [
    ("Some 840 stewards worked, up from 420 in 2023.", "up_from", 420.0, 840.0),
    ("Turnout 71.4% (2021: 66.0%).", "bracketed_year", 66.0, 71.4),
    ("It built 7,300 homes in its first year, against 4,000 planned.", "against", 4000.0, 7300.0),
    ("Arrivals: 5,200 in June 2024, 3,900 in June 2025.", "dated", 5200.0, 3900.0),
    ("The backlog went from 3,100 to 740.", "from_to", 3100.0, 740.0),
])
def test_figure_pairs(text: str, pattern: str, earlier: float, later: float) -> None:
    pairs = figure_pairs(text, quantities_in(text))
    assert [(p.pattern, p.earlier.quantity.value, p.later.quantity.value) for p in pairs] == [(pattern, earlier, later)]


def test_figures_of_different_things_make_no_pair() -> None:
    text = "The port moved 9,000 crates and 40 ships, against 12 cranes."
    assert figure_pairs(text, quantities_in(text)) == []


# --- the relation comparator ----------------------------------------------------------------------

SOURCE_STEWARDS = "The organisers thanked the 840 stewards, up from 420 in 2023."


def test_a_multiple_that_the_pair_bears_out_is_supported() -> None:
    v = verdict("The organisers said 840 stewards took part, twice as many as in 2023.", "twice", SOURCE_STEWARDS)
    assert v is not None and v.label is Label.supported and v.method == "comparator:relation"
    assert v.citations[0].quote == SOURCE_STEWARDS
    assert "2.00 times" in v.rationale


def test_a_multiple_the_pair_does_not_bear_out_is_contradicted() -> None:
    source = "The depot built 7,300 homes in its first year, against 4,000 planned."
    v = verdict("The depot built 7,300 homes in its first year, almost three times the number planned.",
                "almost three times", source)
    assert v is not None and v.label is Label.contradicted and v.method == "comparator:relation"
    assert "1.82 times" in v.rationale


def test_a_change_in_points_against_two_percentages() -> None:
    source = "81% of trains ran on time, up from 77% a year earlier."
    assert verdict("Punctuality reached 81% of trains, a rise of 4 percentage points.", "4 percentage points",
                   source).label is Label.supported
    assert verdict("Punctuality reached 81% of trains, a rise of 7 percentage points.", "7 percentage points",
                   source).label is Label.contradicted


def test_a_change_in_a_count_against_the_pair_and_a_relative_change_in_words() -> None:
    source = "The board counted 3,900 arrivals in June 2025, against 5,200 in June 2024."
    v = verdict("The board counted 3,900 arrivals in June, down 800 from 5,200.", "down 800", source)
    assert v.label is Label.contradicted and "-1,300" in v.rationale
    v = verdict("Arrivals fell by about a quarter, from 5,200 to 3,900.", "about a quarter", source)
    assert v.label is Label.supported and v.method == "comparator:relation"


def test_a_level_in_a_draft_pair_is_supported_by_the_same_pair_in_the_source() -> None:
    source = "Arrivals: 5,200 in June 2024, 3,900 in June 2025."
    v = verdict("Arrivals fell by about a quarter, from 5,200 to 3,900.", "5,200", source)
    assert v is not None and v.label is Label.supported and v.method == "comparator:relation"


def test_a_pair_speaks_to_a_relation_only_when_the_draft_gives_its_later_figure() -> None:
    # the draft gives no figure of its own: the stewards pair is about some other count
    v = verdict("Ticket sales were twice as high as in 2023.", "twice", SOURCE_STEWARDS)
    assert v is None or v.method != "comparator:relation"


def test_a_stated_multiple_with_the_same_base_year_decides_a_multiple() -> None:
    source = "Freight in 2016 was 210,000 tonnes, so freight has roughly tripled since then."
    v = verdict("The operator said freight had doubled since 2016.", "doubled", source)
    assert v is not None and v.label is Label.contradicted


# --- a change is not a level; another year is not this year -------------------------------------

def test_a_change_is_compared_with_a_change_not_with_a_level() -> None:
    source = "The town had 81,000 residents at the end of 2025, an increase of 2,100 on a year earlier."
    v = verdict("The town's residents rose by 1,400 to 81,000 in 2025.", "1,400", source)
    assert v is not None and v.label is Label.contradicted and "2,100" in v.rationale
    v = verdict("The town's residents rose by 2,100 to 81,000 in 2025.", "2,100", source)
    assert v is not None and v.label is Label.supported


def test_a_figure_about_another_year_never_contradicts() -> None:
    draft = "The Harbour Party won 14 seats in the council election on 3 May, up from nine in 2022."
    old = "In the 2022 election the Harbour Party won nine seats."
    assert verdict(draft, "14 seats", old) is None
    same_year = "In the 3 May 2026 council election the Harbour Party won 12 seats."
    assert verdict(draft, "14 seats", same_year).label is Label.contradicted


def test_period_of_reads_the_date_right_after_a_figure_else_the_sentences_only_date() -> None:
    text = "The party won 14 seats on 3 May 2026, up from nine in 2022."
    figures = [(m.start, m.end) for m in quantities_in(text)]
    start = text.index("14 seats")
    assert period_of(text, start, start + 8, figures, AS_OF) == (date(2026, 5, 3), date(2026, 5, 3))
    text = "In 2025-26 the county spent $310 million."
    start = text.index("$310")
    assert period_of(text, start, start + 12, [(start, start + 12)], AS_OF) == (date(2025, 1, 1), date(2026, 12, 31))


def test_a_sentence_that_states_the_claimed_date_does_not_contradict_it() -> None:
    from claims.dates import find_dates

    statement = "The agency said on 14 April that 2,300 people had applied in March."
    hit = next(d for d in find_dates(statement, AS_OF) if "14 April" in statement[d.start:d.end])
    claim = Claim(id="d1", text=statement[hit.start:hit.end], start=hit.start, end=hit.end, kind="date",
                  statement=statement, sentence_end=len(statement), date=hit.value)
    source = "On 14 April 2026 the agency reported 2,300 applications received in March 2026."
    v = compare(claim, [passage(source)], AS_OF)
    assert v is None or v.label is not Label.contradicted


def test_a_results_list_of_names_with_figures_is_read_but_a_numbered_name_is_not() -> None:
    results = "Seats (45 in all): Harbour Party 19, Green Alliance 12, Rural League 9, others 5."
    assert [v for _, v, _, _ in read(results)] == [45.0, 19.0, 12.0, 9.0, 5.0]
    assert read("Under Article 9, Article 10 and Boeing 737 rules.") == []


def test_a_weekday_is_the_last_such_day_or_the_next_in_a_future_clause() -> None:
    from claims.dates import find_dates

    past = find_dates("The index fell on Friday to close lower.", date(2026, 5, 16))  # a Saturday
    assert [(d.value.start, d.value.relative) for d in past] == [(date(2026, 5, 15), True)]
    future = find_dates("The council will vote on Monday.", date(2026, 5, 16))
    assert [d.value.start for d in future] == [date(2026, 5, 18)]
    dated = find_dates("The race was run on Sunday 19 October.", date(2025, 10, 20))
    assert [d.value.start for d in dated] == [date(2025, 10, 19)]  # the written date, not a weekday guess
