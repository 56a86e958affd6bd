"""The quantity grammar: spans, normalised values, and the numbers it must leave alone."""
from __future__ import annotations

import pytest

from claims.quantities import find_quantities, parse_number


def spans(text: str) -> list[str]:
    return [text[q.start:q.end] for q in find_quantities(text)]


def only(text: str):
    found = find_quantities(text)
    assert len(found) == 1, [text[q.start:q.end] for q in found]
    return text[found[0].start:found[0].end], found[0].quantity


@pytest.mark.parametrize("raw, expected", [
    ("1,900", 1900.0), ("1.5192", 1.5192), ("40", 40.0), ("five", 5.0), ("a dozen", 12.0),
    ("twenty-five", 25.0), ("3 million", 3e6), ("", None), ("banana", None), ("1,90", None),
])
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


def test_money_with_qualifier_scale_and_currency_word():
    span, q = only("The harbour upgrade has cost about 35 billion yen so far.")
    assert span == "about 35 billion yen"
    assert (q.value, q.currency, q.scale, q.qualifier) == (3.5e10, "JPY", "billion", "about")


@pytest.mark.parametrize("text, span, value, currency", [
    ("Seoul pledged ¥120 billion for the bridge.", "¥120 billion", 1.2e11, "JPY"),
    ("The fund holds $5 billion in bonds.", "$5 billion", 5e9, "USD"),
    ("The budget is 2.25 trillion won this time.", "2.25 trillion won", 2.25e12, "KRW"),
    ("A loan of €300 million was signed.", "€300 million", 3e8, "EUR"),
    ("The club paid £40m for him.", "£40m", 4e7, "GBP"),
    ("Exports reached 9 billion yuan.", "9 billion yuan", 9e9, "CNY"),
    ("The dam cost 800 crore rupees, or 12,000 million rupees.", "12,000 million rupees", 1.2e10, "INR"),
])
def test_currencies(text, span, value, currency):
    found = {text[q.start:q.end]: q.quantity for q in find_quantities(text)}
    assert span in found
    assert found[span].value == pytest.approx(value)
    assert found[span].currency == currency


def test_per_year():
    span, q = only("Tokyo asked for $2 billion a year to keep the base.")
    assert span == "$2 billion a year" and q.per == "year"
    assert only("Rent rose to 900 euros per month.")[1].per == "month"


def test_counts_keep_their_noun_and_us_is_not_a_unit():
    span, q = only("Roughly 4,200 U.S. sailors are based in the port.")
    assert span == "Roughly 4,200 U.S. sailors"
    assert (q.value, q.unit, q.noun, q.qualifier) == (4200, None, "U.S. sailors", "roughly")
    span, q = only("Officials said 15,000 people left the valley.")
    assert (span, q.noun) == ("15,000 people", "people")


@pytest.mark.parametrize("text, span, unit, value", [
    ("The island sits approximately 2,300 km from the capital.", "approximately 2,300 km", "km", 2300),
    ("The cable runs 8 kilometres under the bay.", "8 kilometres", "km", 8),
    ("The shaft is 450 metres deep.", "450 metres", "m", 450),
    ("The trail is 12 miles long.", "12 miles", "mi", 12),
])
def test_units_are_normalised(text, span, unit, value):
    got_span, q = only(text)
    assert (got_span, q.unit, q.value) == (span, unit, value)


def test_ranges_set_low_and_high():
    span, q = only("Nodules lie 4,000-5,200 m below the surface.")
    assert span == "4,000-5,200 m" and (q.low, q.high, q.value, q.unit) == (4000, 5200, 4600, "m")
    span, q = only("Growth will be between 2 and 3 percent.")
    assert (q.low, q.high, q.unit) == (2, 3, "percent")


def test_percentages_and_changes():
    text = "Support stood at 64%, a 3% increase on the spring survey; trust was up 2 points from 41%."
    found = {text[q.start:q.end]: q.quantity for q in find_quantities(text)}
    assert set(found) == {"64%", "a 3% increase", "up 2 points", "41%"}
    assert (found["a 3% increase"].unit, found["a 3% increase"].change) == ("percent", "increase")
    assert (found["up 2 points"].unit, found["up 2 points"].change) == ("percentage_point", "increase")
    span, q = only("The gap narrowed by 1.5 percentage points.")
    assert q.unit == "percentage_point" and q.value == 1.5


def test_points_without_a_percentage_context_are_not_percentage_points():
    found = find_quantities("The striker scored 12 points in the final.")
    assert all(q.quantity.unit != "percentage_point" for q in found)


def test_percent_of_noun():
    span, q = only("In the survey 38% of teachers backed the plan.")
    assert span == "38% of teachers" and q.noun == "teachers"


def test_qualifiers_kept_verbatim_lowercased():
    text = "More than 300 firms, nearly 2 billion users, at least 40 ships, up to 9 days, over $7 trillion."
    quals = [q.quantity.qualifier for q in find_quantities(text)]
    assert quals == ["more than", "nearly", "at least", "up to", "over"]


def test_written_numbers_ratios_ranks_and_durations():
    text = ("Four reactors were shut. Demand is roughly three times the 2010 level. "
            "Brazil is the third-largest producer. The vote came barely a week after the storm.")
    found = {text[q.start:q.end]: q.quantity for q in find_quantities(text)}
    assert found["Four reactors"].value == 4 and found["Four reactors"].noun == "reactors"
    assert found["roughly three times"].unit == "times"
    assert found["third-largest producer"].unit == "rank" and found["third-largest producer"].value == 3
    assert found["barely a week"].unit == "week" and found["barely a week"].qualifier == "barely"


@pytest.mark.parametrize("text", [
    "Published\n- 4 min read\n",
    "1. Introduction\n2. Methods\n",
    "There are six points to note.",
    "First, the committee met. Second, it voted.",
    "See example.org/story/98765432101234/ for more.",
    "Call 555-0199-22 today.",
    "The G7 met as Article 9 and the F-16 fleet were discussed.",
    "It happened in 2014 and again in 2019-2021.",
    "The two countries and their three allies met.",
    "November 12-14 and June 3rd were busy.",
])
def test_not_quantities(text):
    assert spans(text) == []


def test_matches_are_ordered_and_do_not_overlap():
    text = "A 5% rise, 3,000 workers, ¥9 billion and 7 km: all in one sentence."
    found = find_quantities(text)
    assert [q.start for q in found] == sorted(q.start for q in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


@pytest.mark.parametrize("text", [
    "Leaders of the Group of 20 met in Durban.",
    "Chapter 11 filings rose.",
    "The Airbus 320 fleet was grounded.",
    "Mayor Diaz, 47, declined to comment.",
    "Call +1 202 555 0143 for tickets.",
])
def test_names_ages_and_phone_numbers_are_not_quantities(text):
    assert spans(text) == []


def test_changes_read_from_the_verb_or_noun_around_a_percentage():
    text = "Shares fell 4.5% on Monday after an increase of 2.1% the week before; approval edged up to 63%."
    found = {text[q.start:q.end]: q.quantity for q in find_quantities(text)}
    assert found["4.5%"].change == "decrease"
    assert found["2.1%"].change == "increase"
    assert (found["63%"].change, found["63%"].qualifier) == ("increase", None)
    assert only("Visits are capped at up to 9 days.")[1].qualifier == "up to"


def test_durations_between_events():
    span, q = only("Eight days later the envoys met again.")
    assert (span, q.value, q.unit) == ("Eight days", 8, "day")


def test_negative_numbers():
    span, q = only("Output growth slowed to -0.4% in the quarter.")
    assert (span, q.value) == ("-0.4%", -0.4)


def test_numbers_inside_titles_and_quoted_years_are_not_quantities():
    assert spans("The film 8 Seconds opened, and the song Harbor '79 charted.") == []


def test_index_names_and_basis_points():
    text = "The S&P/ASX 200 index rose 0.25% after the bank lifted rates by 50 basis points."
    found = {text[q.start:q.end]: q.quantity for q in find_quantities(text)}
    assert set(found) == {"0.25%", "50 basis points"}
    assert found["50 basis points"].unit == "basis_point"
    assert find_quantities("Yields rose 12 bps.")[0].quantity.change == "increase"


def test_temperatures_concentrations_and_clock_times():
    text = "It reached 37.5 °C (99.5 °F) at 14:30, with CO2 at 420 ppm; see equation (2)."
    found = {text[q.start:q.end]: q.quantity.unit for q in find_quantities(text)}
    assert found == {"37.5 °C": "degC", "99.5 °F": "degF", "420 ppm": "ppm"}
