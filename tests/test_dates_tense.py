"""Partial dates resolved by the tense of the words that govern them (claims.dates)."""
from datetime import date

from claims.dates import find_dates

AS_OF = date(2026, 2, 20)


def resolved(text: str) -> dict[str, tuple[date, date]]:
    return {text[m.start:m.end]: (m.value.start, m.value.end) for m in find_dates(text, AS_OF)}


def test_a_reported_date_is_past_although_the_reported_clause_is_future():
    dates = resolved("Fenwick Water said on 12 February that charges will rise 3.9% from April.")
    assert dates["on 12 February"] == (date(2026, 2, 12), date(2026, 2, 12))
    assert dates["from April"] == (date(2026, 4, 1), date(2026, 4, 30))


def test_a_decimal_point_does_not_end_the_sentence_that_sets_the_tense():
    # the "will" before "3.9%" still governs "from April": the next April, not the last one
    assert resolved("Charges will rise 3.9% from April.")["from April"][0] == date(2026, 4, 1)


def test_future_and_past_sentences_still_move_a_partial_date_as_before():
    assert resolved("The board will meet on 12 February.")["on 12 February"][0] == date(2027, 2, 12)
    assert resolved("The board met on 3 March.")["on 3 March"][0] == date(2025, 3, 3)


def test_the_tense_is_the_clause_s_not_the_sentence_s():
    dates = resolved("Charges will rise 3.9% from April, after the board approved its new tariff on 12 February.")
    assert dates["from April"][0] == date(2026, 4, 1)
    assert dates["on 12 February"][0] == date(2026, 2, 12)
    # a date phrase set off by a comma takes the sentence's tense
    assert resolved("On 12 February, the council will vote.")["On 12 February"][0] == date(2027, 2, 12)
    assert resolved("Trump will visit China on March 31st, and Japan hopes for talks.")["on March 31st"][0] == date(2026, 3, 31)


def test_a_date_at_the_end_of_its_sentence_does_not_take_the_next_sentence_s_tense():
    text = "The board approved its new tariff on 12 February. The average bill will reach £512."
    assert resolved(text)["on 12 February"][0] == date(2026, 2, 12)
