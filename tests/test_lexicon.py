"""claims/lexicon.py: one meaning for every qualifier, one number reader, and the checks that use them."""
from __future__ import annotations

import math
from datetime import date

import pytest

from claims import lexicon
from claims.compare import compare, interval
from claims.consistency import internal_flags
from claims.extract import RuleExtractor
from claims.judge import _comparative_before
from claims.models import Label, Quantity
from claims.quantities import find_quantities
from retrieval.types import Passage


def only_quantity(text: str) -> Quantity:
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0].quantity


@pytest.mark.parametrize("q", lexicon.QUALIFIERS, ids=lambda q: q.phrase)
def test_the_grammar_attaches_every_qualifier_the_lexicon_defines(q):
    assert only_quantity(f"The council counted {q.phrase} 40 complaints.").qualifier == q.phrase


def test_bounds_strictness_and_lean():
    assert lexicon.reading("More than").bound == "lower" and lexicon.reading("more than").strict
    assert lexicon.reading("at least").bound == "lower" and not lexicon.reading("at least").strict
    assert lexicon.reading("up to").bound == "upper" and not lexicon.reading("up to").strict
    assert lexicon.reading("nearly").lean == "below" and lexicon.reading("just over").lean == "above"
    assert lexicon.bound_of("exactly") == "exact" and not lexicon.is_bounded("exactly")
    assert lexicon.bound_of("only") == "emphasis" and lexicon.bound_of(None) is None


def test_a_comparative_before_a_place_points_the_other_way():
    assert lexicon.reading("above").bound == "lower"
    assert lexicon.reading("above", "rank").bound == "upper"
    assert lexicon.reading("behind", "rank").bound == "lower"
    q = only_quantity("The bank is above the 5th largest bank in the country.")
    assert (q.unit, q.value, q.qualifier) == ("rank", 5.0, "above")
    assert interval(q) == (-math.inf, 5.0)


def test_intervals_follow_the_lexicon():
    assert interval(only_quantity("exactly 19% of voters"), "exactly 19%") == (19.0, 19.0)
    assert interval(only_quantity("19% of voters"), "19%") == (18.5, 19.5)
    assert interval(only_quantity("well over 40 complaints"))[1] == math.inf  # was read as exactly 40
    low, high = interval(only_quantity("approx. 40 complaints"))  # was read as exactly 40
    assert low == pytest.approx(38.0) and high == pytest.approx(42.0)
    assert interval(only_quantity("the 3rd largest bank")) == (3.0, 3.0)  # a place is not rounded


def test_above_a_place_is_supported_by_a_higher_place():
    claim = next(c for c in RuleExtractor().extract("The bank is above the 5th largest bank in the country.",
                                                     date(2026, 1, 1)) if c.kind == "quantity")
    passage = Passage(id="p", source="s", text="The bank is the 3rd largest bank in the country.", start=0, end=48)
    verdict = compare(claim, [passage], date(2026, 1, 1))
    assert verdict is not None and verdict.label is Label.supported


@pytest.mark.parametrize("text, value", [
    ("1,900", 1900.0), ("1.5192", 1.5192), ("five", 5.0), ("a dozen", 12.0), ("twenty-five", 25.0),
    ("3 million", 3e6), ("-4.5", -4.5), (".5", 0.5),
])
def test_parse_number(text, value):
    assert lexicon.parse_number(text) == value
    assert lexicon.read_number(text) == value


@pytest.mark.parametrize("text", ["", "many", "1,90", "3 m", "twenty-five-six"])
def test_parse_number_declines_what_is_not_a_number(text):
    assert lexicon.parse_number(text) is None
    with pytest.raises(ValueError):
        lexicon.read_number(text)


def test_fold():
    assert lexicon.fold("Erdoğan Séjourné Łukasz") == "erdogan sejourne lukasz"


@pytest.mark.parametrize("phrase, relation", [
    ("more than", ">"), ("higher than", ">"), ("a minimum of", ">="), ("lower than", "<"), ("a maximum of", "<="),
    ("at most", "<="), ("nearly", "<~"),
])
def test_the_judge_features_the_lexicons_comparatives(phrase, relation):
    tokens = f"the count was {phrase} 40".split()
    assert _comparative_before(tokens, len(tokens) - 1) == relation


@pytest.mark.parametrize("bound", ["a minimum of", "in excess of", "well over"])
def test_a_bounded_count_restated_is_not_one_count_given_two_values(bound):
    """Before the lexicon these phrases never reached the consistency checks: the bound was read as exact
    and "1,400" against "1,460 passengers" was flagged as one count given two ways."""
    draft = (f"The ferry carried 1,460 passengers on its first crossing. Crew said {bound} 1,400 passengers "
             "were calm despite the swell.")
    assert internal_flags(draft, RuleExtractor().extract(draft, date(2025, 11, 20))) == []
    plain = draft.replace(f"{bound} ", "")
    assert len(internal_flags(plain, RuleExtractor().extract(plain, date(2025, 11, 20)))) == 1


def test_word_lists_share_one_core_of_function_words():
    for words in (lexicon.STOPWORDS, lexicon.NAMELESS_WORDS):
        assert lexicon.FUNCTION_WORDS <= words
    assert lexicon.MONTH_NAMES <= lexicon.NAMELESS_WORDS and lexicon.MONTH_NAMES <= lexicon.SUBJECT_STOPWORDS
    # qualifiers and scale words are not what a figure is about
    assert {"more", "than", "nearly", "million"} <= lexicon.STOPWORDS


def test_the_modules_use_the_lexicons_lists_and_stemmers():
    from claims import compare, cross_draft, extract, quotes, value_checks
    assert compare.STOPWORDS is lexicon.STOPWORDS and compare.stem is lexicon.stem
    assert cross_draft.STOPWORDS is lexicon.NAMELESS_WORDS
    assert value_checks._STOPWORDS is lexicon.SUBJECT_STOPWORDS and value_checks.parse_number is lexicon.read_number
    assert quotes._STOP is lexicon.FUNCTION_WORDS and extract._NP_STOP is lexicon.NOUN_PHRASE_STOPWORDS


@pytest.mark.parametrize("word, stem, stem_long", [
    ("companies", "company", "compan"), ("voters", "voter", "voter"), ("meetings", "meeting", "meet"),
    ("president's", "president'", "president"), ("ended", "end", "ended"), ("bus", "bus", "bus"),
])
def test_stemmers(word, stem, stem_long):
    assert lexicon.stem(word) == stem
    assert lexicon.stem_long(word) == stem_long


def test_sentence_spans_fall_back_to_the_whole_text():
    assert lexicon.sentence_spans("Turnout rose. It was 58%.") == [(0, 13), (14, 25)]
    assert lexicon.sentence_spans("") == []


def test_sentence_around_joins_the_sentences_a_span_touches():
    text = "Turnout rose. The U.S. envoy said it was 58%. Then it fell."
    start = text.index("58%")
    assert text[slice(*lexicon.sentence_around(text, start, start + 3))] == "The U.S. envoy said it was 58%."
    a = text.index("rose")
    assert text[slice(*lexicon.sentence_around(text, a, start))] == "Turnout rose. The U.S. envoy said it was 58%."


def test_words_for_the_same_move_are_one_measure_for_the_comparators():
    from claims.compare import content_words

    assert content_words("charges will rise") == content_words("charges will increase")
    assert content_words("exports fell") == content_words("exports declined")
    assert content_words("exports fell") != content_words("exports rose")
