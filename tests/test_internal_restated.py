"""Cross-paragraph internal consistency: one thing restated later with another value, and a stated
duration against its date range; decoys that must stay silent."""
from __future__ import annotations

from datetime import date

from claims.consistency import internal_flags
from claims.extract import RuleExtractor

AS_OF = date(2026, 4, 20)


def flags(text: str):
    return internal_flags(text, RuleExtractor().extract(text, AS_OF))


def spans_text(text: str, flag) -> list[str]:
    return [text[s:e] for s, e in flag.spans]


def test_a_quay_in_kilometres_then_in_metres():
    text = ("The port's new container quay will stretch 1.6 kilometres when it opens.\n\n"
            "Work on the 1,200-metre quay began in February.")
    (flag,) = flags(text)
    assert flag.kind == "internal_inconsistency" and spans_text(text, flag) == ["1.6 kilometres", "1,200-metre"]
    assert "quay" in flag.message


def test_a_budget_with_two_digits_swapped():
    text = ("The council approved its budget of £48 million on 10 March.\n\n"
            "The £84 million plan also sets aside £3.2 million for road repairs.")
    (flag,) = flags(text)
    assert spans_text(text, flag) == ["£48 million", "£84 million"] and "swapped" in flag.message


def test_a_duration_against_its_date_range():
    text = "The bridge will close for 10 weeks, from 5 May to 27 June, while engineers replace its deck."
    (flag,) = flags(text)
    assert "10 weeks" in spans_text(text, flag) and "7.57 weeks" in flag.message


def test_decoys_stay_silent():
    silent = [
        # the same length written two ways
        "The new quay will stretch 1.6 kilometres.\n\nWork on the 1,600-metre quay began in February.",
        # the same figure again
        "The bridge carries 18,000 vehicles a day.\n\nThe 18,000 daily vehicles will use Mill Lane.",
        # no reference back: two different sums
        "The council will spend £48 million on schools.\n\nA further £84 million goes to roads.",
        # a different thing
        "The new quay will stretch 1.6 kilometres.\n\nThe 1,200-metre breakwater is finished.",
        # two quays: the later one is one of them
        "The north quay is 300 metres long and the south quay 500 metres.\n\nThe 300-metre quay opens first.",
        # approximate
        "The quay will stretch about 1.6 kilometres.\n\nWork on the 1,550-metre quay began.",
        # a duration that fits its range
        "The bridge will close for eight weeks, from 4 May to 28 June.",
        "The road will shut for 10 days, from 3 March to 12 March.",
    ]
    for text in silent:
        assert flags(text) == [], text
