"""An honorific with a misspelt surname: misnamed when the roster knows the person meant, and one official
named two ways in any case (drafts in our own words, claims from the rule extractor)."""
from __future__ import annotations

from datetime import date

import pytest

from claims.consistency import internal_flags, official_flags
from claims.extract import RuleExtractor
from claims.roster import Roster

AS_OF = date(2025, 3, 1)


@pytest.fixture(scope="module")
def roster() -> Roster:
    return Roster.load()


def flags(draft: str, roster: Roster, as_of: date = AS_OF):
    claims = RuleExtractor().extract(draft, as_of)
    per_claim = official_flags(claims, roster, as_of)
    by_text = {c.text: [f for f in per_claim.get(c.id, [])] for c in claims}
    return by_text, internal_flags(draft, claims, roster)


def test_misspelt_surname_after_a_titled_prime_minister(roster):
    draft = ("Prime Minister Keir Starmer visited a hospital in Leeds on Monday. "
             "Mr Stammer told staff that waiting times would fall.")
    by_text, internal = flags(draft, roster)
    [misnamed] = by_text["Mr Stammer"]
    assert misnamed.kind == "misnamed_official" and misnamed.suggestion == "Keir Starmer"
    assert "Stammer" in misnamed.message and "Keir Starmer" in misnamed.message
    [two_ways] = [f for f in internal if "two ways" in f.message]
    assert [draft[a:b] for a, b in two_ways.spans] == ["Prime Minister Keir Starmer", "Mr Stammer"]
    assert by_text["Prime Minister Keir Starmer"] == []


def test_misspelt_surname_of_someone_the_roster_does_not_know_is_only_internal(roster):
    draft = ("Board chair Helen Marchetti opened the new ward in May. "
             "Ms Marchant said more nurses would follow.")
    by_text, internal = flags(draft, roster)
    assert by_text["Ms Marchant"] == []  # no roster row: nothing to say who the chair is
    [two_ways] = internal
    assert [draft[a:b] for a, b in two_ways.spans] == ["chair Helen Marchetti", "Ms Marchant"]
    assert "'Helen Marchetti'" in two_ways.message and "'Ms Marchant'" in two_ways.message


def test_correct_surname_is_not_flagged(roster):
    draft = "Prime Minister Keir Starmer visited Leeds. Mr Starmer spoke to nurses."
    by_text, internal = flags(draft, roster)
    assert by_text["Mr Starmer"] == [] and internal == []


def test_similar_surname_of_another_real_officeholder_is_not_a_misspelling():
    rows = [{"office": "Leader of Brackley Council", "holder": "Priya Halloran", "start": "2024-05-01", "end": ""},
            {"office": "Mayor of Brackley", "holder": "Sam Holloran", "start": "2023-05-01", "end": ""}]
    roster = Roster.load(include_default=False).with_rows(rows)
    draft = "Council leader Priya Halloran set the budget. Mr Holloran, the mayor, backed it."
    by_text, internal = flags(draft, roster)
    assert all(not f for f in by_text.values()) and internal == []


def test_unrelated_and_short_names_are_not_flagged(roster):
    draft = ("Chancellor Rachel Reeves spoke in Leeds. Mr Pritchard, a baker, listened. "
             "Prime Minister Keir Starmer was absent, and Mr Stam, his driver, waited outside.")
    by_text, internal = flags(draft, roster)
    assert all(not f for f in by_text.values()) and internal == []


def test_person_without_an_office_named_two_ways(roster):
    draft = "Curator Imogen Strachan opened the show on Friday. Ms Strahan said 9,000 visitors were expected."
    _, internal = flags(draft, roster)
    [two_ways] = internal
    assert [draft[a:b] for a, b in two_ways.spans] == ["Imogen Strachan", "Ms Strahan"]
    assert two_ways.message == "The draft names one person two ways: 'Imogen Strachan' and 'Ms Strahan'"


@pytest.mark.parametrize("draft", [
    "Curator Imogen Strachan opened the show. Mr Strachan, her brother, sold tickets.",  # the same surname
    "Imogen Strachan and Tom Strahan opened the show. Ms Strahan sold tickets.",  # someone is called that
    "The crew left Port Hallam on Monday. Ms Hallan, the cook, stayed behind.",  # a place, not a person
    "Curator Imogen Strachan opened the show. Ms Stevens, a visitor, liked it.",  # another name altogether
])
def test_honorifics_that_name_someone_else_are_not_flagged(roster, draft):
    _, internal = flags(draft, roster)
    assert internal == []


def test_honorific_surname_close_to_the_prime_minister_named_earlier(roster):
    draft = ("Japanese Prime Minister Sanae Takaichi arrived in Seoul on Tuesday. "
             "Ms Takeda said the two governments would meet again in spring.")
    by_text, internal = flags(draft, roster, date(2026, 1, 13))
    [misnamed] = by_text["Ms Takeda"]
    assert misnamed.kind == "misnamed_official" and misnamed.suggestion == "Sanae Takaichi"
    assert [draft[a:b] for a, b in internal[0].spans] == ["Japanese Prime Minister Sanae Takaichi", "Ms Takeda"]


def test_honorific_for_a_misnamed_full_name_is_misnamed_too(roster):
    draft = "Japanese Prime Minister Sanae Takeda arrived in Seoul on Tuesday. Ms Takeda spoke first."
    by_text, _ = flags(draft, roster, date(2026, 1, 13))
    assert [f.suggestion for f in by_text["Ms Takeda"]] == ["Sanae Takaichi"]
