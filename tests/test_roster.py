"""The officials roster: loading, overrides, title resolution and name matching."""
from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from claims.models import OfficialMention
from claims.roster import DEFAULT_ROSTER, HEADER, Roster, RosterError, country_of, near_miss_score, role_of


@pytest.fixture(scope="module")
def roster() -> Roster:
    return Roster.load()


def names_on(roster: Roster, office: str, day: date) -> list[str]:
    return [h.name for h in roster.holders_on(office, day)]


def write(tmp_path: Path, text: str, name: str = "extra.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the default roster file -----------------------------------------------------------------

def test_default_roster_is_well_formed_and_consistent():
    with DEFAULT_ROSTER.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADER
    by_office: dict[str, list[tuple[date, date | None]]] = {}
    for row in rows[1:]:
        office, holder, start, end, aliases = row
        begin = date.fromisoformat(start)
        finish = date.fromisoformat(end) if end else None
        assert finish is None or finish >= begin, row
        by_office.setdefault(office, []).append((begin, finish))
        for alias in filter(None, aliases.split(";")):
            assert not re.search(r"\b(President|Minister|Secretary|PM)\b", alias), f"title form as alias: {row}"
    for office, terms in by_office.items():
        terms.sort()
        open_terms = [t for t in terms if t[1] is None]
        assert len(open_terms) <= 1 or office == "King of Saudi Arabia", f"{office}: several open terms"
        for (s1, e1), (s2, _) in zip(terms, terms[1:]):
            assert e1 is not None and e1 <= s2, f"{office}: a term overlaps its successor ({s1}..{e1} vs {s2})"


def test_every_default_office_has_a_role_and_a_country(roster):
    for office in roster.offices():
        assert role_of(office) is not None, office
        assert country_of(office) is not None, office


G20 = ["United States", "United Kingdom", "Japan", "South Korea", "China", "Russia", "India", "Germany", "France",
       "Italy", "Canada", "Australia", "Brazil", "Argentina", "Indonesia", "Mexico", "Saudi Arabia", "South Africa",
       "Turkey"]


@pytest.mark.parametrize("country", G20)
def test_each_g20_member_has_a_leader_and_foreign_and_finance_ministers_today(roster, country):
    today = date(2026, 11, 24)
    roles = {role_of(o) for o in roster.offices() if country_of(o) == country and roster.holders_on(o, today)}
    assert {"foreign", "finance"} <= roles
    assert roles & {"president", "head_of_government", "chancellor", "monarch"}


def test_reference_facts_are_in_the_default_roster(roster, shared_dir):
    """Every dated row of the reference table names the holder the roster has on a day inside that term."""
    table = (shared_dir / "reference-facts.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| (\d{4}-\d{2}-\d{2}) \| ([^|]*?) \|$", table, flags=re.M)
    assert len(rows) >= 20
    for office, holder, start, _ in rows:
        day = date.fromisoformat(start)
        inside = day + timedelta(days=1)
        assert any(t.office == office and t.held_on(inside) for t in roster.terms_of(holder)), (office, holder)


@pytest.mark.parametrize("office, day, holder", [
    ("Prime Minister of Japan", date(2026, 2, 10), "Sanae Takaichi"),
    ("Prime Minister of Japan", date(2025, 6, 1), "Shigeru Ishiba"),
    ("Prime Minister of the United Kingdom", date(2024, 7, 4), "Rishi Sunak"),
    ("Prime Minister of the United Kingdom", date(2024, 7, 6), "Keir Starmer"),
    ("Chancellor of Germany", date(2025, 5, 7), "Friedrich Merz"),
    ("Prime Minister of Canada", date(2025, 3, 15), "Mark Carney"),
    ("President of South Korea", date(2025, 7, 1), "Lee Jae Myung"),
    ("Prime Minister of France", date(2025, 1, 15), "François Bayrou"),
    ("U.S. Secretary of the Treasury", date(2026, 2, 10), "Scott Bessent"),
    ("Chief Cabinet Secretary of Japan", date(2026, 1, 1), "Minoru Kihara"),
])
def test_holders_on_a_day(roster, office, day, holder):
    assert names_on(roster, office, day) == [holder]


def test_nobody_holds_an_office_between_removal_and_the_next_election(roster):
    assert names_on(roster, "President of South Korea", date(2025, 5, 1)) == []
    assert names_on(roster, "Acting President of South Korea", date(2025, 5, 1)) == ["Han Duck-soo"]


def test_handover_day_counts_for_both_holders(roster):
    assert names_on(roster, "Prime Minister of Japan", date(2024, 10, 1)) == ["Fumio Kishida", "Shigeru Ishiba"]


# --- malformed files and extra files ---------------------------------------------------------

@pytest.mark.parametrize("text, problem", [
    ("office,holder,start\nPM,X,2020-01-01\n", "header"),
    ("office,holder,start,end,aliases\nPrime Minister of Japan,X,2020-13-01,,\n", "ISO date"),
    ("office,holder,start,end,aliases\nPrime Minister of Japan,X,2020-01-01\n", "expected 5 fields"),
    ("office,holder,start,end,aliases\n,X,2020-01-01,,\n", "must not be empty"),
    ("office,holder,start,end,aliases\nPrime Minister of Japan,X,2020-01-01,2019-01-01,\n", "before start"),
    ("", "empty roster"),
])
def test_malformed_roster_names_file_and_line(tmp_path, text, problem):
    path = write(tmp_path, text, "bad.csv")
    with pytest.raises(RosterError) as err:
        Roster.load(extra_paths=[path])
    message = str(err.value)
    assert problem in message and "bad.csv" in message
    if text:
        assert re.search(r"bad\.csv:\d+:", message)
        line = int(re.search(r"bad\.csv:(\d+):", message).group(1))
        assert line == (1 if problem == "header" else 2)


def test_missing_roster_file_is_a_clear_error(tmp_path):
    with pytest.raises(RosterError, match="not found"):
        Roster.load(extra_paths=[tmp_path / "nope.csv"])


def test_extra_file_adds_an_office_and_closes_an_open_term(tmp_path, roster):
    path = write(tmp_path, "office,holder,start,end,aliases\n"
                           "Governor of Tokyo,Yuriko Koike,2016-08-02,,\n"
                           "Secretary of Foreign Affairs of Mexico,Ana Example,2026-06-01,,\n")
    extended = Roster.load(extra_paths=[path])
    assert names_on(extended, "Governor of Tokyo", date(2026, 1, 1)) == ["Yuriko Koike"]
    mexico = "Secretary of Foreign Affairs of Mexico"
    assert names_on(extended, mexico, date(2026, 7, 1)) == ["Ana Example"]
    assert names_on(extended, mexico, date(2026, 5, 1)) == names_on(roster, mexico, date(2026, 5, 1))
    assert len(extended.holders) == len(roster.holders) + 2


def test_extra_file_overrides_a_default_term_of_the_same_person(tmp_path, roster):
    path = write(tmp_path, "office,holder,start,end,aliases\n"
                           "Minister of Finance of Brazil,Fernando Haddad,2023-01-01,2026-03-20,\n")
    extended = Roster.load(extra_paths=[path])
    assert names_on(extended, "Minister of Finance of Brazil", date(2026, 5, 1)) == []
    assert len(extended.holders) == len(roster.holders)
    term = extended.terms_of("Fernando Haddad")[0]
    assert term.end == date(2026, 3, 20) and term.source.endswith("extra.csv")


def test_roster_without_default_and_from_rows():
    rows = [{"office": "Prime Minister of Japan", "holder": "Sanae Takaichi", "start": "2025-10-21", "end": "",
             "aliases": ""}]
    only = Roster.from_rows(rows, label="item-1")
    assert names_on(only, "Prime Minister of Japan", date(2026, 1, 1)) == ["Sanae Takaichi"]
    holder = only.holders[0]
    assert holder.source == "roster:item-1" and holder.line == "Prime Minister of Japan,Sanae Takaichi,2025-10-21,,"
    assert Roster.load(include_default=False).holders == []
    with pytest.raises(RosterError, match=r"item-1\[1\]"):
        Roster.from_rows([{"office": "X", "holder": "Y", "start": "soon"}], label="item-1")


def test_with_rows_keeps_the_default_and_overrides(roster):
    rows = [{"office": "Prime Minister of Japan", "holder": "Jane Example", "start": "2026-09-01", "end": "",
             "aliases": ""}]
    combined = roster.with_rows(rows)
    assert names_on(combined, "Prime Minister of Japan", date(2026, 10, 1)) == ["Jane Example"]
    assert names_on(combined, "Prime Minister of Japan", date(2026, 1, 1)) == ["Sanae Takaichi"]
    assert names_on(roster, "Prime Minister of Japan", date(2026, 10, 1)) == ["Sanae Takaichi"]


def test_citation_offsets_quote_the_roster_file_verbatim(roster):
    text = DEFAULT_ROSTER.read_text(encoding="utf-8")
    for holder in roster.holders[:: max(1, len(roster.holders) // 25)]:
        assert text[holder.line_start:holder.line_end] == holder.line
        assert holder.source == "roster:claims/data/roster.csv"


# --- titles ----------------------------------------------------------------------------------

@pytest.mark.parametrize("title, context, name, expected", [
    ("Japanese Prime Minister", "", None, ["Prime Minister of Japan"]),
    ("PM", "talks in Tokyo on Monday", None, ["Prime Minister of Japan"]),
    ("Prime Minister", "Japan said on Friday", None, ["Prime Minister of Japan"]),
    ("U.S. Treasury Secretary", "", None, ["U.S. Secretary of the Treasury"]),
    ("Treasury Secretary", "", "Yellen", ["U.S. Secretary of the Treasury"]),
    ("Secretary", "", "Yellen", ["U.S. Secretary of the Treasury"]),
    ("Secretary", "", None, []),
    ("Minister", "", "Motegi", ["Minister for Foreign Affairs of Japan"]),
    ("Minister", "", "Sato", []),
    ("Defense Secretary", "", "Hegseth", []),
    ("King", "", "Charles", ["Monarch of the United Kingdom"]),
    ("Premier", "", "Li", ["Premier of China"]),
    ("President", "", "Xi", ["President of China"]),
    ("China's foreign minister", "", None, ["Minister of Foreign Affairs of China"]),
    ("FM", "", "Wang Yi", ["Minister of Foreign Affairs of China"]),
    ("Chancellor", "", None, ["Chancellor of Germany"]),
    ("Chancellor of the Exchequer", "", None, ["Chancellor of the Exchequer"]),
    ("Foreign Minister", "", "Cho", ["Minister of Foreign Affairs of South Korea"]),
    ("Deputy Prime Minister", "Japan", None, []),
    ("Vice President", "", "Vance", []),
    ("Chief Cabinet Secretary", "", None, ["Chief Cabinet Secretary of Japan"]),
])
def test_resolve_offices(roster, title, context, name, expected):
    assert roster.resolve_offices(title, context, name) == expected


def test_resolve_offices_uses_the_name_before_the_context(roster):
    offices = roster.resolve_offices("President", "She met Japan's and China's leaders in Tokyo.", "Lee")
    assert offices == ["President of South Korea", "Acting President of South Korea"]  # a Lee held both
    assert roster.resolve_offices("Acting President", "", "Lee") == ["Acting President of South Korea"]


# --- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["Lee Jae-myung", "Lee Jae Myung", "Jae-myung Lee", "LEE JAE-MYUNG",
                                     "Lee Jaemyung", "Jae Myung Lee"])
def test_romanisations_and_order_match_the_same_person(roster, written):
    assert {t.name for t in roster.terms_of(written)} == {"Lee Jae Myung"}


def test_a_shared_surname_matches_every_holder_with_it(roster):
    assert {"Lee Jae Myung", "Lee Ju-ho", "Lee Nak-yon"} <= {m.holder.name for m in roster.match_name("Lee")}


def test_diacritics_and_dotless_i_fold(roster):
    assert [t.office for t in roster.terms_of("Recep Tayyip Erdogan")] == ["President of Turkey"]
    assert roster.terms_of("Binali Yildirim")[0].name == "Binali Yıldırım"
    assert roster.terms_of("Sebastien Lecornu")[0].name == "Sébastien Lecornu"


def test_surname_alone_and_multiword_surname(roster):
    assert {m.holder.name for m in roster.match_name("Takaichi")} == {"Sanae Takaichi"}
    assert {m.holder.name for m in roster.match_name("von der Leyen")} == {"Ursula von der Leyen"}
    assert {m.kind for m in roster.match_name("Le Maire")} == {"partial"}


def test_near_misses_and_different_people():
    assert near_miss_score("Sanae Takeda", "Sanae Takaichi") > 0.8
    assert near_miss_score("Janet Yelen", "Janet Yellen") > 0.9
    assert near_miss_score("Joe Biden", "Donald Trump") == 0
    assert near_miss_score("Sanae Tanaka", "Sanae Takaichi") == 0  # another person sharing a given name
    assert near_miss_score("Marco Rossi", "Marco Rubio") == 0
    assert near_miss_score("Lee Jae-myung", "Lee Jae Myung") == 0  # the same name is not a near-miss


def test_match_name_prefers_exact_over_near(roster):
    kinds = {m.kind for m in roster.match_name("Shigeru Ishiba")}
    assert kinds == {"exact"}
    near = roster.match_name("Sanae Takeda")
    assert near and near[0].kind == "near" and near[0].holder.name == "Sanae Takaichi"


# --- corpus evidence -------------------------------------------------------------------------

def test_learned_mentions_fill_gaps_but_never_override_rows():
    roster = Roster.load()
    text = "Governor Yuriko Koike of Tokyo opened the session. Prime Minister Taro Example spoke."
    learned = roster.learn(OfficialMention(name="Taro Example", title="Prime Minister", office="Governor of Tokyo"),
                           text, date(2026, 3, 1), "news/1.txt")
    assert learned is not None and learned.learned
    assert names_on(roster, "Governor of Tokyo", date(2026, 3, 20)) == ["Taro Example"]
    assert names_on(roster, "Governor of Tokyo", date(2026, 6, 1)) == []  # outside the evidence window
    assert text[learned.line_start:learned.line_end] == learned.line == "Prime Minister Taro Example spoke."
    assert learned.source == "news/1.txt"
    document = "Earlier text. " + text
    again = Roster.load().learn(OfficialMention(name="Taro Example", office="Governor of Tokyo"), text,
                                date(2026, 3, 1), "news/1.txt", offset=len("Earlier text. "))
    assert document[again.line_start:again.line_end] == again.line
    # a corpus mention cannot displace the roster's holder of the day
    roster.learn(OfficialMention(name="Taro Example", title="Japanese Prime Minister"), "", date(2026, 3, 1), "x")
    assert names_on(roster, "Prime Minister of Japan", date(2026, 3, 1)) == ["Sanae Takaichi"]
    # nor is it learned without a date, or when the roster already knows the person in that office
    assert roster.learn(OfficialMention(name="Ishiba", title="Japanese Prime Minister"), "", None, "x") is None
    assert roster.learn(OfficialMention(name="Shigeru Ishiba", title="Japanese Prime Minister"), "",
                        date(2026, 3, 1), "x") is None


# --- the validator script --------------------------------------------------------------------

def test_check_roster_script_accepts_the_default_and_reports_overlaps(tmp_path, repo_dir, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_roster", repo_dir / "scripts" / "check_roster.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--as-of", "2026-11-24"]) == 0
    bad = write(tmp_path, "office,holder,start,end,aliases\nPrime Minister of Japan,A B,2020-01-01,,\n"
                          "Prime Minister of Japan,C D,2021-01-01,,\n", "overlap.csv")
    assert script.main([str(bad)]) == 1
    assert "A B (since 2020-01-01) overlaps C D" in capsys.readouterr().out


def test_offices_from_extra_rows_resolve_by_place_or_holder_name():
    rows = [{"office": "Leader of Marlow Bay City Council", "holder": "Gareth Penrose", "start": "2019-05-10",
             "end": "2025-05-09", "aliases": ""}]
    roster = Roster.load().with_rows(rows)
    office = ["Leader of Marlow Bay City Council"]
    assert roster.resolve_offices("council leader", "Marlow Bay City Council voted.", None) == office
    assert roster.resolve_offices("council leader", "He spoke after the vote.", "Gareth Penrose") == office
    assert roster.resolve_offices("council leader", "He spoke after the vote.", "John Smith") == []
    assert roster.resolve_offices("Deputy Prime Minister", "Japan", None) == []
