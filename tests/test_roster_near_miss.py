"""Near-miss names: one slip of the keyboard is a misspelling; a different name is not."""
from __future__ import annotations

from claims.roster import near_miss_score, one_edit_apart


def test_one_edit_apart():
    assert one_edit_apart("holloran", "halloran")  # a changed letter
    assert one_edit_apart("reeves", "reves")  # a dropped letter
    assert one_edit_apart("starmer", "startmer")  # an added letter
    assert one_edit_apart("marchetti", "marhcetti")  # two neighbours swapped
    assert not one_edit_apart("halloran", "halloran")
    assert not one_edit_apart("marchant", "marchetti")
    assert not one_edit_apart("hunt", "hurst")


def test_a_changed_vowel_in_a_long_surname_is_a_near_miss():
    assert near_miss_score("Holloran", "Priya Halloran") > 0


def test_a_changed_first_letter_of_a_given_name_is_a_near_miss_when_the_surname_matches():
    assert near_miss_score("Yelena Marsh", "Jelena Marsh") > 0
    assert near_miss_score("Yelena", "Jelena Marsh") == 0  # a lone word must keep its first letter


def test_short_or_different_names_are_not_near_misses():
    assert near_miss_score("Hurt", "Jeremy Hunt") == 0
    assert near_miss_score("Sunak", "Keir Starmer") == 0
    assert near_miss_score("Anna Lind", "Anna Lund-Berg") == 0
