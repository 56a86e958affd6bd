"""Official mentions: titled names, possessive office references, bare names referring back."""
from __future__ import annotations

from claims.mentions import find_official_mentions
from claims.roster import Roster


def found(text: str, roster: Roster | None = None) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(text[m.start:m.end], m.mention.name, m.mention.title, m.mention.full_name)
            for m in find_official_mentions(text, roster)]


def test_titled_names_with_country_prefixes():
    text = ("Brazilian President Luiz Silva met German Chancellor Anna Weber and "
            "U.S. Treasury Secretary Paul Grant; Canada's Foreign Minister Marie Roy stayed home.")
    assert found(text) == [
        ("Brazilian President Luiz Silva", "Luiz Silva", "Brazilian President", None),
        ("German Chancellor Anna Weber", "Anna Weber", "German Chancellor", None),
        ("U.S. Treasury Secretary Paul Grant", "Paul Grant", "U.S. Treasury Secretary", None),
        ("Canada's Foreign Minister Marie Roy", "Marie Roy", "Canada's Foreign Minister", None),
    ]


def test_surnames_refer_back_to_the_titled_full_name():
    text = ("Prime Minister Kenji Harada flew to Oslo. Harada's cabinet approved the plan, "
            "and PM Harada later met the Harada-Berg working group.")
    got = found(text)
    assert got[0] == ("Prime Minister Kenji Harada", "Kenji Harada", "Prime Minister", None)
    assert ("Harada", "Harada", None, "Kenji Harada") in got
    assert ("PM Harada", "Harada", "PM", "Kenji Harada") in got
    assert len(got) == 4  # the possessive and the compound both count, nothing twice


def test_possessive_office_makes_a_bare_full_name_an_official():
    text = "Critics say Mina Otsuka's administration is weak. Later, Mina Otsuka denied it."
    got = found(text)
    assert [g[0] for g in got] == ["Mina Otsuka", "Mina Otsuka"]


def test_titles_without_a_name_and_countries_are_not_mentions():
    text = ("China's foreign minister stated the position. Japan's government agreed. "
            "Japan's Prime Minister Nomination Election starts. The President said nothing.")
    assert found(text) == []


def test_roster_names_are_found_bare(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("office,holder,start,end,aliases\n"
                    "Mayor of Testville,Olga Brandt,2020-01-01,,O. Brandt\n", encoding="utf-8")
    roster = Roster.load([path], include_default=False)
    got = found("Brandt will open the bridge; the Brandt administration paid for it.", roster)
    assert [(g[0], g[3]) for g in got] == [("Brandt", "Olga Brandt"), ("Brandt", "Olga Brandt")]


def test_an_empty_roster_is_fine():
    assert found("Brandt will open the bridge.", Roster()) == []
    assert found("", Roster()) == []


def test_other_people_sharing_a_surname_and_names_of_things_are_not_mentions():
    text = ("President Ana Lee spoke. Lee Sharpe, a footballer, and Stan Lee were not there. "
            "The club won the Premier League and the King Cup.")
    assert [g[0] for g in found(text)] == ["President Ana Lee"]


def test_full_name_of_a_person_titled_only_by_surname():
    text = "Mina Otsuka opened the session. Later, Prime Minister Otsuka left for Oslo."
    assert [g[0] for g in found(text)] == ["Mina Otsuka", "Prime Minister Otsuka"]
    got = found(text)
    assert got[0][3] is None and got[1][3] == "Mina Otsuka"


def test_roster_short_names_do_not_match_inside_place_names():
    roster = Roster.from_rows([{"office": "President of China", "holder": "Xi Jinping", "start": "2013-03-14",
                                "aliases": "Xi"}])
    assert [g[0] for g in found("Xi's visit to Xi'an was brief.", roster)] == ["Xi"]
