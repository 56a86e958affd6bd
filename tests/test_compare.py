"""Comparators: quantities (percent vs points, scales, currencies, approximations, counts), dates, citations."""
from __future__ import annotations

from datetime import date

import pytest

import claims.compare as compare_module
from claims.compare import compare, interval
from claims.models import Claim, DateValue, Label, Quantity
from retrieval.types import Passage

AS_OF = date(2026, 11, 24)


def passage(text: str, *, start: int = 0, source: str = "doc.txt") -> Passage:
    return Passage(id=f"{source}:{start}", source=source, text=text, start=start, end=start + len(text),
                   title="A title", date=date(2025, 11, 25), url="https://example.org/a")


def quantity_claim(statement: str, text: str, quantity: Quantity) -> Claim:
    start = statement.index(text)
    return Claim(id="c1", text=text, start=start, end=start + len(text), kind="quantity", statement=statement,
                 sentence_end=len(statement), quantity=quantity)


def date_claim(statement: str, text: str, value: DateValue) -> Claim:
    start = statement.index(text)
    return Claim(id="c1", text=text, start=start, end=start + len(text), kind="date", statement=statement,
                 sentence_end=len(statement), date=value)


def label_of(claim: Claim, *texts: str) -> Label | None:
    verdict = compare(claim, [passage(t) for t in texts], AS_OF)
    return verdict.label if verdict else None


# --- percent and percentage points ---------------------------------------------------------------

APPROVAL_UP_1 = quantity_claim("Cabinet approval saw a 1% increase in the Kyodo poll.", "1% increase",
                               Quantity(value=1.0, unit="percent", change="increase"))


def test_a_one_point_move_contradicts_a_one_percent_increase():
    verdict = compare(APPROVAL_UP_1, [passage("Cabinet approval in the Kyodo poll rose from 71% to 72%.")], AS_OF)
    assert verdict is not None and verdict.label is Label.contradicted
    assert "point" in verdict.rationale and verdict.method == "comparator:quantity"


def test_a_relative_increase_that_matches_is_supported():
    claim = quantity_claim("Cabinet approval saw a 1.4% increase in the Kyodo poll.", "1.4% increase",
                           Quantity(value=1.4, unit="percent", change="increase"))
    assert label_of(claim, "Cabinet approval in the Kyodo poll rose from 71% to 72%.") is Label.supported


def test_points_stated_as_points_are_compared_as_points():
    claim = quantity_claim("Cabinet approval rose 1 percentage point in the poll.", "1 percentage point",
                           Quantity(value=1.0, unit="percentage_point", change="increase"))
    assert label_of(claim, "In the poll, cabinet approval rose 1 percentage point to 72%.") is Label.supported


# --- scales, currencies, approximations ----------------------------------------------------------

def yen_claim(qualifier: str | None = None, value: float = 4.0e10) -> Claim:
    text = f"{qualifier + ' ' if qualifier else ''}{value / 1e9:g} billion yen"
    return quantity_claim(f"The ministry set aside {text} for the flood relief budget.", text,
                          Quantity(value=value, currency="JPY", scale="billion", qualifier=qualifier))


@pytest.mark.parametrize("evidence", [
    "The ministry set aside ¥40bn for the flood relief budget.",
    "For the flood relief budget the ministry set aside 40,000 million yen.",
    "The flood relief budget set aside by the ministry is 40 billion yen.",
])
def test_scales_and_symbols_of_one_amount_agree(evidence):
    assert label_of(yen_claim(), evidence) is Label.supported


def test_another_currency_is_not_compared():
    assert label_of(yen_claim(), "The ministry set aside $40 billion for the flood relief budget.") is None


def test_about_accepts_a_close_figure_and_rejects_a_far_one():
    assert label_of(yen_claim("about"), "The ministry set aside 40.2 billion yen for flood relief.") is Label.supported
    assert label_of(yen_claim("about"), "The ministry set aside 55 billion yen for flood relief.") is Label.contradicted


def test_exact_figure_is_judged_at_its_written_precision():
    # "40 billion" allows 39.5-40.5 billion; "42 billion" is another amount
    assert label_of(yen_claim(), "The ministry set aside 40.2 billion yen for the flood relief budget.") is Label.supported
    assert label_of(yen_claim(), "The ministry set aside 42 billion yen for the flood relief budget.") is Label.contradicted


def test_more_than_and_nearly():
    more = quantity_claim("More than 1.5 million visitors came to the expo site.", "More than 1.5 million visitors",
                          Quantity(value=1.5e6, scale="million", qualifier="more than", noun="visitors"))
    assert label_of(more, "The expo site drew 1.6 million visitors.") is Label.supported
    assert label_of(more, "The expo site drew 1.2 million visitors.") is Label.contradicted
    nearly = quantity_claim("The app has nearly 1.6 billion users worldwide.", "nearly 1.6 billion users",
                            Quantity(value=1.6e9, scale="billion", qualifier="nearly", noun="users"))
    assert label_of(nearly, "Worldwide the app has 1.58 billion users.") is Label.supported


def test_interval_of_a_bound_is_open():
    low, high = interval(Quantity(value=1.5, qualifier="more than"))
    assert low == 1.5 and high == float("inf")


def test_ranges_overlap_rules():
    claim = quantity_claim("Between 300 and 400 workers joined the strike at the plant.", "300 and 400 workers",
                           Quantity(value=350, low=300, high=400, noun="workers"))
    assert label_of(claim, "About 350 workers at the plant joined the strike.") is Label.supported
    assert label_of(claim, "The strike at the plant was joined by 900 workers.") is Label.contradicted


# --- counts and relevance ------------------------------------------------------------------------

def troops_claim(value: float = 28500) -> Claim:
    text = f"{value:,.0f} U.S. troops"
    return quantity_claim(f"Some {text} are stationed in South Korea.", text,
                          Quantity(value=value, noun="U.S. troops"))


def test_counts_of_the_same_noun_agree():
    claim = troops_claim()
    assert label_of(claim, "About 28,500 American troops are stationed in South Korea.") is Label.supported
    assert label_of(claim, "Some 40,000 American troops are stationed in South Korea.") is Label.contradicted


def test_unrelated_numbers_are_not_compared():
    claim = quantity_claim("The cabinet's approval rating reached 72% this month.", "72%",
                           Quantity(value=72.0, unit="percent"))
    # a different measure in another sentence: never a contradiction
    assert label_of(claim, "Some 56% of respondents said they opposed the new tariff.") is None
    # both measures in one sentence: each figure is read with the words around it
    both = "The cabinet's approval rating stood at 72% this month, while 56% of respondents opposed the tariff."
    assert label_of(claim, both) is Label.supported
    wrong = quantity_claim("The cabinet's approval rating reached 56% this month.", "56%",
                           Quantity(value=56.0, unit="percent"))
    assert label_of(wrong, both) is Label.contradicted


def test_no_evidence_is_undecided():
    assert compare(troops_claim(), [], AS_OF) is None


# --- dates ---------------------------------------------------------------------------------------

SUMMIT = date_claim("The summit in Gyeongju runs November 21-23.", "November 21-23",
                    DateValue(start=date(2025, 11, 21), end=date(2025, 11, 23), granularity="range"))


def test_date_ranges_in_another_order_agree():
    assert label_of(SUMMIT, "The Gyeongju summit runs from 21 to 23 November 2025.") is Label.supported


def test_a_different_day_contradicts():
    assert label_of(SUMMIT, "The Gyeongju summit runs from 24 to 26 November 2025.") is Label.contradicted


def test_since_year():
    claim = date_claim("The tariff has applied since 2018 to imported steel.", "since 2018",
                       DateValue(start=date(2018, 1, 1), end=date(2018, 12, 31), granularity="year",
                                 relation="since"))
    assert label_of(claim, "Imported steel has faced the tariff since 2018.") is Label.supported
    assert label_of(claim, "Imported steel has faced the tariff since 2016.") is Label.contradicted


def test_relative_date_resolved_against_as_of():
    # "last year", written on 2026-11-24, is 2025
    claim = date_claim("The plant opened last year near Osaka.", "last year",
                       DateValue(start=date(2025, 1, 1), end=date(2025, 12, 31), granularity="year", relative=True))
    assert label_of(claim, "The plant near Osaka opened in March 2025.") is Label.supported
    assert label_of(claim, "The plant near Osaka opened in 2019.") is Label.contradicted


# --- citations -----------------------------------------------------------------------------------

def test_citation_quotes_the_document_verbatim_with_document_offsets():
    document = ("Intro paragraph about nothing in particular. " * 3
                + "The flood relief budget set aside by the ministry is 40 billion yen. Other news followed.")
    start = document.index("The flood relief")
    text = document[start:]
    verdict = compare(yen_claim(), [passage(text, start=start)], AS_OF)
    assert verdict is not None and verdict.label is Label.supported
    citation = verdict.citations[0]
    assert document[citation.start:citation.end] == citation.quote
    assert citation.quote == "The flood relief budget set aside by the ministry is 40 billion yen."
    assert (citation.source, citation.title, citation.url) == ("doc.txt", "A title", "https://example.org/a")
    assert "40" in verdict.rationale and 0.0 < verdict.confidence <= 1.0


def test_an_opposite_word_keeps_an_agreeing_value_from_deciding():
    claim = date_claim("The actor died on November 10, 1994 in Ohio.", "November 10, 1994",
                       DateValue(start=date(1994, 11, 10), end=date(1994, 11, 10)))
    assert label_of(claim, "The actor was born on November 10, 1994 in Ohio.") is None
    assert label_of(claim, "The actor died on November 10, 1994 in Ohio.") is Label.supported


# --- relevance: a contradiction must be about the claim's own measure -----------------------------

TOLLS = quantity_claim("After a long dispute with shipping lines, harbour tolls brought the port authority "
                       "61 million euros in 2024.", "61 million euros",
                       Quantity(value=61e6, currency="EUR", scale="million"))


def test_a_figure_about_a_neighbouring_fact_leaves_the_claim_open(monkeypatch):
    neighbour = "After a long dispute with shipping lines, the port authority borrowed 48 million euros in 2024."
    assert label_of(TOLLS, neighbour) is None  # a loan is not the toll income: the judge decides
    # without the relevance check the shared setting alone made it a contradiction
    monkeypatch.setattr(compare_module, "CONTRADICT_MIN_CONTEXT", 0.0)
    assert label_of(TOLLS, neighbour) is Label.contradicted


def test_the_same_sentence_with_another_figure_still_contradicts():
    revised = ("After a long dispute with shipping lines, harbour tolls brought the port authority "
               "48 million euros in 2024.")
    assert label_of(TOLLS, revised) is Label.contradicted


def test_the_same_counted_noun_is_the_same_measure():
    claim = quantity_claim("Athletes competed for medals in 339 events, and the organisers later wrote a long "
                           "report on what worked.", "339 events", Quantity(value=339.0, noun="events"))
    assert label_of(claim, "Medals were handed out in 329 events over the two weeks of the Games.") \
        is Label.contradicted


def test_a_context_window_never_cuts_a_word():
    text = "Councillor Harriet Osei said 140 homes were built."
    start = text.index("140")
    # a 15-character window starts inside "Harriet": it takes the whole word, never the fragment "riet"
    words = compare_module.context_words(text, start, start + 3, width=15)
    assert "harriet" in words and "riet" not in words


def test_the_same_bounded_figure_supports_itself():
    claim = quantity_claim("The utility will lay 140 kilometres of new pipes over five years.", "over five years",
                           Quantity(value=5.0, qualifier="over", noun="years"))
    assert label_of(claim, "The plan lays 140 kilometres of new water mains over five years.") is Label.supported


def test_a_counted_noun_may_be_a_common_word():
    # "years" is a stop word for sentence overlap, but it is still the thing counted
    claim = quantity_claim("The bridge took seven years to build.", "seven years",
                           Quantity(value=7.0, noun="years"))
    assert label_of(claim, "Construction of the bridge lasted nine years, from 2015 to 2024.") is Label.contradicted
