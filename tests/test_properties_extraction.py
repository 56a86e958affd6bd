"""Property-based tests (Hypothesis) for extraction and normalisation: any text, no crash; every span
inside the draft and quoting it exactly; values read back as written; reports that round-trip."""
from __future__ import annotations

import math
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.dates import find_dates
from claims.extract import RuleExtractor
from claims.models import Report
from claims.pipeline import check
from claims.quantities import find_quantities

AS_OF = date(2026, 1, 20)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

# pieces a news draft is made of, so that the generated texts exercise the grammars, not only noise
PIECES = st.sampled_from([
    "about", "more than", "nearly", "less than", "at least", "up", "%", " percent", "million", "billion",
    " yen", "$", "€", "troops", "in", "on", "since", "from", "to", "-", "–", ",", ".", " ", "\n", "said",
    "Prime Minister", "President", "Sanae Takaichi", "Lee Jae Myung", "Secretary", "March", "November",
    "21-23", "2018", "2026", "Q3", "the 1990s", "last year", "two", "a quarter", "3.5", "28,500", "1,900 km",
    "(", ")", "“", "”", "\"", "'", "½", "٣", "\u200b", "\x00", "é", "中国",
])
DRAFTS = st.one_of(st.text(max_size=400), st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=80).map("".join))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(DRAFTS)
def test_extraction_never_crashes_and_every_span_quotes_the_draft(text):
    for claim in RuleExtractor().extract(text, AS_OF):
        assert 0 <= claim.start < claim.end <= len(text)
        assert text[claim.start:claim.end] == claim.text
        assert claim.sentence_start <= claim.start and claim.end <= max(claim.sentence_end, claim.end)
        if claim.quantity is not None:
            assert math.isfinite(claim.quantity.value)


@FAST
@given(DRAFTS)
def test_the_grammars_stay_inside_the_text(text):
    for match in find_quantities(text):
        assert 0 <= match.start < match.end <= len(text) and math.isfinite(match.quantity.value)
    for match in find_dates(text, AS_OF):
        assert 0 <= match.start < match.end <= len(text) and match.value.start <= match.value.end


@FAST
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["", " troops", " people", "%"]))
def test_a_written_number_reads_back_as_its_value(n, unit):
    written = f"{n:,}" if unit != "%" else str(n % 1000)
    text = f"The figure was {written}{unit} last week."
    values = [m.quantity.value for m in find_quantities(text)]
    assert float(written.replace(",", "")) in values


@FAST
@given(st.integers(min_value=1, max_value=999), st.sampled_from([("million", 1e6), ("billion", 1e9)]))
def test_a_scaled_number_reads_back_as_its_value(n, scale):
    word, factor = scale
    text = f"The plan costs {n / 10:g} {word} dollars."
    values = [m.quantity.value for m in find_quantities(text)]
    assert any(math.isclose(v, n / 10 * factor, rel_tol=1e-9) for v in values)


@FAST
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2049, 12, 31)), st.booleans())
def test_a_written_date_reads_back_as_that_day(day, day_first):
    written = f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day_first else \
        f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    text = f"The agreement was signed on {written}."
    found = [(m.value.start, m.value.end) for m in find_dates(text, AS_OF)]
    assert (day, day) in found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, min_size=1, max_size=60).map("".join).filter(lambda t: t.strip() and "\x00" not in t))
def test_a_report_round_trips_through_its_json(text):
    report = check(text, as_of=AS_OF + timedelta(days=0))
    again = Report.from_json(report.to_json())
    assert again.to_json() == report.to_json()
    assert [r.claim for r in again.claims] == [r.claim for r in report.claims]
