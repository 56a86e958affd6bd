"""A draft's own numbers checked against each other: shares of one whole, changes whose other value stands
in another sentence, totals and their parts, differences, and dates a stated time apart.

Every draft here is written for these tests; claims come from the rule extractor, as in the pipeline.
"""
from __future__ import annotations

from datetime import date

import pytest

from claims.consistency import internal_flags
from claims.extract import RuleExtractor

AS_OF = date(2025, 11, 20)


def flags(draft: str):
    return internal_flags(draft, RuleExtractor().extract(draft, AS_OF))


def one_flag(draft: str):
    found = flags(draft)
    assert len(found) == 1, [f.message for f in found]
    flag = found[0]
    assert flag.kind == "internal_inconsistency"
    return flag, [draft[a:b] for a, b in flag.spans]


# --- shares of one whole ---------------------------------------------------------------------

def test_poll_answers_in_favour_and_against():
    flag, _ = one_flag("In the survey, 52% were in favour, 41% were against and 12% were undecided.")
    assert "= 105%" in flag.message


def test_poll_answers_adding_to_more_than_100():
    flag, spans = one_flag("Asked about the new bridge toll, 61% backed it, 33% opposed it and 9% were undecided.")
    assert spans == ["61%", "33%", "9%"]
    assert flag.message.startswith("61% + 33% + 9% = 103%, more than 100%")


def test_vote_shares_across_sentences_adding_to_more_than_100():
    draft = ("Rhian Bevan won the Tallow Cross by-election on 3 April, taking 47% of the vote. "
             "Idris Moss took 36%, and Carys Lowe 21%. Turnout was 38%.")
    flag, spans = one_flag(draft)
    assert spans == ["47%", "36%", "21%"]  # turnout is not a share of the vote
    assert "= 104%" in flag.message


@pytest.mark.parametrize("draft", [
    "Asked about the toll, 61% backed it, 30% opposed it and 9% were undecided.",  # adds up
    "Asked about the toll, 51% backed it, 40% opposed it and 10% were undecided.",  # 101: rounding
    "Asked about the toll, 50.4% backed it, 40.1% opposed it and 9.6% were undecided.",  # 100.1: rounding
    "About 62% backed the toll, about 31% opposed it and about 9% were undecided.",  # approximate figures
    "Of those asked, 58% of drivers backed the toll and 71% of cyclists backed it too.",  # one stance
    "Among drivers 58% of drivers opposed the toll, while 64% of cyclists backed it.",  # different bases
    "Respondents could choose more than one answer: 64% backed lower fares, 51% backed more buses and "
    "12% opposed both.",  # multiple choice
    "60% were satisfied with the buses and 55% were satisfied with the trams.",  # two questions
    "Labour took 44% of the vote in 2017 and 61% in 2024.",  # one party at two times
    "Among renters, 72% backed the cap; among owners, 58% opposed it.",  # two groups asked
    "In Hull 64% backed the cap, while in Leeds 47% opposed it.",  # two places asked
])
def test_shares_that_legitimately_do_not_sum_are_not_flagged(draft):
    assert flags(draft) == []


# --- a change and a value in different sentences ---------------------------------------------

def test_change_stated_in_the_sentence_after_its_base_value():
    flag, spans = one_flag("Trust in the council stood at 38% in March. In April it rose 4 points to 45%.")
    assert spans == ["38%", "4", "45%"]
    assert flag.message == "From 38% to 45% is a change of 7 points, not the stated 4 points"


def test_relative_change_referring_back_to_the_sentence_before():
    flag, spans = one_flag("The food bank served 5,400 families this winter. That was up 35% on last winter's "
                           "4,500 families.")
    assert "5,400 families" in spans and "4,500" in spans
    assert "20.0%" in flag.message and "35%" in flag.message


@pytest.mark.parametrize("draft", [
    "Trust in the council stood at 38% in March. In April it rose 7 points to 45%.",  # adds up
    "Trust in the council stood at 40% in March. In April it rose 5% to 42%.",  # a 5% relative rise
    "Trust stood at 38% in March and 20% were unsure. In April it rose 4 points to 45%.",  # which base?
    "Turnout was 38%. Support for the plan rose 4 points to 45%.",  # another subject
    "The food bank served 5,400 families this winter. That was up 20% on last winter's 4,500 families.",
])
def test_changes_that_add_up_or_have_no_clear_base_are_not_flagged(draft):
    assert flags(draft) == []


# --- totals and parts, differences -----------------------------------------------------------

def test_parts_that_do_not_make_the_total():
    flag, spans = one_flag("The charity sent 4,000 volunteers: 1,500 to the coast and 2,100 to the hills.")
    assert spans == ["4,000 volunteers", "1,500", "2,100"]
    assert flag.message == "1,500 + 2,100 = 3,600 volunteers, less than the stated total 4,000 volunteers"


def test_parts_of_an_open_list_must_not_exceed_the_total():
    flag, _ = one_flag("The charity sent 4,000 volunteers, including 2,500 to the coast and 1,900 to the hills.")
    assert "= 4,400 volunteers, more than the stated total" in flag.message


@pytest.mark.parametrize("draft", [
    "The charity sent 4,000 volunteers: 1,500 to the coast and 2,500 to the hills.",
    "The charity sent 4,000 volunteers, including 1,500 to the coast and 1,900 to the hills.",
    "The charity sent 4,000 volunteers: 1,500 to the coast, 1,900 to the hills and the rest to the city.",
    "The charity sent about 4,000 volunteers: 1,500 to the coast and 2,450 to the hills.",
])
def test_parts_that_fit_their_total_are_not_flagged(draft):
    assert flags(draft) == []


def test_surplus_that_is_not_exports_minus_imports():
    draft = "Exports from Ostmark reached €6.4 billion in May. Imports were €5.8 billion, a surplus of €0.9 billion."
    flag, spans = one_flag(draft)
    assert spans == ["€6.4 billion", "€5.8 billion", "€0.9 billion"]
    assert flag.message == "€6.4 billion − €5.8 billion = €0.6 billion, not the stated surplus of €0.9 billion"


@pytest.mark.parametrize("draft", [
    "Exports from Ostmark reached €6.4 billion in May. Imports were €5.8 billion, a surplus of €0.6 billion.",
    "Exports from Ostmark reached €6.4 billion in May. Imports were €6.9 billion, a deficit of €0.5 billion.",
    "She beat him by 55% to 41%, a margin of 14 points.",
])
def test_differences_that_add_up_are_not_flagged(draft):
    assert flags(draft) == []


def test_margin_that_is_not_the_difference():
    flag, _ = one_flag("She beat him by 55% to 41%, a margin of 16 points.")
    assert "55% − 41% = 14 points" in flag.message


# --- dates a stated time apart ---------------------------------------------------------------

def test_days_later():
    flag, spans = one_flag("The strike began on 4 February and ended nine days later on 16 February.")
    assert spans == ["on 4 February", "nine days", "on 16 February"]
    assert "12 days" in flag.message and "'nine days'" in flag.message


def test_years_after_a_year():
    flag, spans = one_flag("The bridge reopened in 2022, six years after the 2018 flood.")
    assert "4 years" in flag.message and "'six years'" in flag.message


def test_span_with_start_and_end_words():
    flag, _ = one_flag("The rowers landed in Antigua on 20 March after a 52-day crossing that began on 12 January.")
    assert "67 days" in flag.message


@pytest.mark.parametrize("draft", [
    "The strike began on 4 February and ended twelve days later on 16 February.",
    "The strike began on 28 December and ended two weeks later on 11 January.",  # over the new year
    "The bridge reopened in 2022, four years after the 2018 flood.",
    "The rowers landed in Antigua on 20 March after a 67-day crossing that began on 12 January.",
    "The rowers landed in Antigua on 20 March after a 68-day crossing that began on 12 January.",  # inclusive
    "On 5 May the union said the 41-day strike that began on 1 March was over.",  # no end date stated
    "The 2024 report said the mill, shut for six months, reopened in 2021.",  # the duration links neither
])
def test_dates_that_fit_their_duration_or_are_not_linked_are_not_flagged(draft):
    assert flags(draft) == []


def test_parts_after_a_few_words_and_a_colon():
    flag, spans = one_flag("The depot handled 7,200 parcels on Monday morning: 4,100 letters and 2,600 boxes.")
    assert spans == ["7,200 parcels", "4,100 letters", "2,600 boxes"]
    assert flag.message == "4,100 letters + 2,600 boxes = 6,700 parcels, less than the stated total 7,200 parcels"


def test_vote_shares_of_an_earlier_election_are_another_whole():
    draft = ("Ola Brandt won the Fenmoor seat on 2 May with 46% of the vote. Piet Kamp took 33%, and Una Hale 24%. "
             "Brandt's party polled 38% at the election in 2021.")
    flag, spans = one_flag(draft)
    assert spans == ["46%", "33%", "24%"]  # not the 38% of 2021


def test_vote_shares_of_two_elections_in_one_paragraph_are_not_summed():
    assert flags("Ola Brandt took 46% of the vote in 2021. Four years later, in 2025, she took 58%.") == []


# --- one count given two values ----------------------------------------------------------------

def test_one_count_with_a_slip_between_two_sentences():
    flag, spans = one_flag("The ferry carried 1,460 passengers on its first crossing. Crew said the 1,640 passengers "
                           "were calm despite the swell.")
    assert spans == ["1,460 passengers", "1,640 passengers"]


@pytest.mark.parametrize("draft", [
    # counts of different scopes, times or sources, written as real reporting does
    "The striker scored 96 goals in the league. Across all competitions he finished with 212 goals.",
    "The flight to Delhi took eight hours. Since the new route opened, it takes six hours.",
    "The review site counts 31 reviews. A rival site lists only 12 reviews, most of them positive.",
    "The channel had 410,000 subscribers in June. By then it had 450,000 subscribers, compared with a year before.",
])
def test_counts_of_different_scopes_are_not_one_count_two_ways(draft):
    assert flags(draft) == []


def test_bracketed_counts_are_not_parts_of_a_total():
    draft = "Five clubs have won the cup: Ardbeg (11 titles), Corran (6), Dunmore (3), Elgin (2) and Fyvie (1)."
    assert flags(draft) == []


def test_years_after_a_date_whose_year_was_guessed_are_not_checked():
    assert flags("The sequel opened on May 4, twelve years after the first film (2003).") == []


def test_a_change_in_percent_between_two_percentages_is_read_as_percent():
    """57% to 61% is 4 points or about 7 percent; "up 4 percent" is neither (issue #14)."""
    flag, spans = one_flag("Turnout rose to 61%, up 4 percent from 57% at the last election.")
    assert "4 points" in flag.message and "7.0%" in flag.message and spans == ["61", "4", "57"]
    assert flags("Turnout rose to 61%, up 4 points from 57% at the last election.") == []
    assert flags("Turnout rose to 61%, up 7 percent from 57% at the last election.") == []
