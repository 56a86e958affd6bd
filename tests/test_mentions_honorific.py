"""Honorific mentions ("Mr Stammer", "Ms Halloran"): found only when the name is, or is close to, an official's."""
from __future__ import annotations

from claims.mentions import find_official_mentions


def found(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(text[m.start:m.end], m.mention.name, m.mention.title, m.mention.full_name)
            for m in find_official_mentions(text)]


def test_honorific_with_the_exact_surname_refers_back_to_the_titled_person():
    text = "Mayor Dora Kellaway cut the ribbon. Ms Kellaway then thanked the builders."
    assert ("Ms Kellaway", "Kellaway", "Ms", "Dora Kellaway") in found(text)


def test_honorific_with_a_misspelt_surname_is_a_mention_without_a_full_name():
    text = "Mayor Dora Kellaway cut the ribbon. Ms Kelloway then thanked the builders."
    assert ("Ms Kelloway", "Kelloway", "Ms", None) in found(text)


def test_honorific_with_an_unrelated_name_is_not_an_official():
    text = "Mayor Dora Kellaway cut the ribbon. Mr Pritchard, a local baker, sold cakes."
    assert [g[0] for g in found(text)] == ["Mayor Dora Kellaway"]


def test_honorific_before_a_known_officeholder_keeps_the_whole_span():
    text = "Prime Minister Keir Starmer arrived late. Mr Starmer apologised."
    got = found(text)
    assert ("Mr Starmer", "Starmer", "Mr", "Keir Starmer") in got
    assert not any(g[0] == "Starmer" for g in got)  # not also found bare inside "Mr Starmer"


def test_honorific_and_full_name():
    text = "Chancellor Rachel Reeves spoke first. Dr Rachel Reeves is an economist by training."
    assert ("Dr Rachel Reeves", "Rachel Reeves", "Dr", None) in found(text)
