"""Officials checked against the roster, and a draft checked against itself (claims built by hand)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from claims.consistency import internal_flags, official_flags
from claims.verification.checker import Context
from claims.verification.roster_checker import RosterChecker
from claims.models import Claim, DateValue, Label, OfficialMention, Quantity
from claims.roster import DEFAULT_ROSTER, Roster


def official_verdict(claim, roster, as_of, claims=()):
    """The roster checker's verdict on one claim (None when the roster cannot tell)."""
    return RosterChecker().check(claim, [], Context(as_of=as_of, roster=roster, claims=list(claims)))


@pytest.fixture(scope="module")
def roster() -> Roster:
    return Roster.load()


def _sentence(draft: str, start: int) -> tuple[int, int]:
    begin = max(draft.rfind(". ", 0, start) + 2, 0) if draft.rfind(". ", 0, start) >= 0 else 0
    end = draft.find(". ", start)
    return begin, (len(draft) if end < 0 else end + 1)


def official(draft: str, quote: str, name: str, title: str | None = None, *, cid: str = "c1", occurrence: int = 0,
             office: str | None = None, full_name: str | None = None) -> Claim:
    starts = [m.start() for m in re.finditer(re.escape(quote), draft)]
    start = starts[occurrence]
    s_start, s_end = _sentence(draft, start)
    return Claim(id=cid, text=quote, start=start, end=start + len(quote), kind="official",
                 statement=draft[s_start:s_end], sentence_start=s_start, sentence_end=s_end,
                 official=OfficialMention(name=name, title=title, office=office, full_name=full_name))


def quantity(draft: str, quote: str, value: float, *, cid: str, noun: str | None = None, unit: str | None = None,
             qualifier: str | None = None, subject: str | None = None) -> Claim:
    start = draft.index(quote)
    s_start, s_end = _sentence(draft, start)
    return Claim(id=cid, text=quote, start=start, end=start + len(quote), kind="quantity",
                 statement=draft[s_start:s_end], sentence_start=s_start, sentence_end=s_end, subject=subject,
                 quantity=Quantity(value=value, unit=unit, noun=noun, qualifier=qualifier))


def dated(draft: str, quote: str, day: date, *, cid: str, end: date | None = None) -> Claim:
    start = draft.index(quote)
    s_start, s_end = _sentence(draft, start)
    return Claim(id=cid, text=quote, start=start, end=start + len(quote), kind="date",
                 statement=draft[s_start:s_end], sentence_start=s_start, sentence_end=s_end,
                 date=DateValue(start=day, end=end or day, granularity="day" if end is None else "year"))


def flags_of(claims, roster, as_of):
    return official_flags(claims, roster, as_of)


# --- the seed articles' officials (reference-facts.md) ----------------------------------------

def test_misnamed_prime_minister_takeda(roster):
    draft = "Talks in Tokyo were led by Japanese Prime Minister Sanae Takeda, who spoke on Monday."
    claim = official(draft, "Japanese Prime Minister Sanae Takeda", "Sanae Takeda", "Japanese Prime Minister")
    [flag] = flags_of([claim], roster, date(2026, 2, 10))["c1"]
    assert flag.kind == "misnamed_official" and flag.suggestion == "Sanae Takaichi"
    assert flag.message == ("No Prime Minister of Japan named Sanae Takeda; "
                            "on 2026-02-10 the office was held by Sanae Takaichi")
    assert flag.spans == [(claim.start, claim.end)] and flag.claim_ids == ["c1"]
    verdict = official_verdict(claim, roster, date(2026, 2, 10))
    assert verdict.label is Label.contradicted and verdict.method == "roster"


def test_surname_referring_back_to_a_current_holder_is_supported(roster):
    draft = "Lee arrived in Nara on Tuesday."
    claim = official(draft, "Lee", "Lee", full_name="Lee Jae Myung")
    verdict = official_verdict(claim, roster, date(2026, 1, 13))
    assert verdict.label is Label.supported and "President of South Korea" in verdict.rationale
    assert official_verdict(claim, roster, date(2024, 1, 13)) is None  # not in office then: no title claimed
    assert flags_of([claim], roster, date(2024, 1, 13)) == {}


def test_misnamed_bare_name_without_title(roster):
    draft = "Sanae Takeda's administration has promised more money for the mining trial."
    claim = official(draft, "Sanae Takeda", "Sanae Takeda")
    [flag] = flags_of([claim], roster, date(2026, 2, 15))["c1"]
    assert flag.kind == "misnamed_official" and flag.suggestion == "Sanae Takaichi"


def test_outdated_treasury_secretary_yellen(roster):
    draft = "U.S. Treasury Secretary Janet Yellen said the agreement was fair."
    claim = official(draft, "U.S. Treasury Secretary Janet Yellen", "Janet Yellen", "U.S. Treasury Secretary")
    [flag] = flags_of([claim], roster, date(2026, 2, 10))["c1"]
    assert flag.kind == "outdated_official" and flag.suggestion == "Scott Bessent"
    assert flag.message == ("Janet Yellen was U.S. Secretary of the Treasury 2021-01-26 to 2025-01-20; "
                            "on 2026-02-10 the office was held by Scott Bessent")


def test_secretary_yellen_without_the_department(roster):
    draft = "Secretary Yellen met the minister."
    claim = official(draft, "Secretary Yellen", "Yellen", "Secretary")
    [flag] = flags_of([claim], roster, date(2026, 2, 10))["c1"]
    assert flag.kind == "outdated_official" and flag.suggestion == "Scott Bessent"


def test_yellen_was_right_in_2023(roster):
    draft = "Treasury Secretary Janet Yellen visited Beijing."
    claim = official(draft, "Treasury Secretary Janet Yellen", "Janet Yellen", "Treasury Secretary")
    assert flags_of([claim], roster, date(2023, 7, 7)) == {}
    assert official_verdict(claim, roster, date(2023, 7, 7)).label is Label.supported


@pytest.mark.parametrize("written", ["Lee Jae-myung", "Lee Jae Myung", "Jae-myung Lee"])
def test_lee_romanisations_are_correct(roster, written):
    draft = f"South Korean President {written} arrived in Beijing."
    claim = official(draft, f"South Korean President {written}", written, "South Korean President")
    assert flags_of([claim], roster, date(2026, 1, 12)) == {}
    verdict = official_verdict(claim, roster, date(2026, 1, 12))
    assert verdict.label is Label.supported and verdict.method == "roster"
    assert verdict.citations[0].quote.startswith("President of South Korea,Lee Jae Myung,2025-06-04")


def test_president_lee_resolved_by_name(roster):
    draft = "Xi Jinping hosted the visitor in Beijing. President Lee then flew to Nara to meet Japan's leader."
    claim = official(draft, "President Lee", "Lee", "President", full_name="Lee Jae Myung")
    assert flags_of([claim], roster, date(2026, 1, 12)) == {}
    verdict = official_verdict(claim, roster, date(2026, 1, 12))
    assert verdict.label is Label.supported and "President of South Korea" in verdict.rationale
    surname_only = official(draft, "President Lee", "Lee", "President")
    assert official_verdict(surname_only, roster, date(2026, 1, 12)).label is Label.supported


def test_kishida_as_prime_minister_in_2026_is_outdated(roster):
    draft = "Prime Minister Fumio Kishida said Japan would respond calmly."
    claim = official(draft, "Prime Minister Fumio Kishida", "Fumio Kishida", "Prime Minister")
    [flag] = flags_of([claim], roster, date(2026, 1, 20))["c1"]
    assert flag.kind == "outdated_official" and flag.suggestion == "Sanae Takaichi"
    assert "2021-10-04 to 2024-10-01" in flag.message


def test_former_prime_minister_is_not_outdated(roster):
    draft = "Former Prime Minister Fumio Kishida criticised the plan."
    claim = official(draft, "Prime Minister Fumio Kishida", "Fumio Kishida", "Prime Minister")
    assert flags_of([claim], roster, date(2026, 1, 20)) == {}
    assert official_verdict(claim, roster, date(2026, 1, 20)).label is Label.supported


def test_a_stated_date_in_the_sentence_is_the_day_checked(roster):
    draft = "On 2023-08-24 Prime Minister Fumio Kishida defended the water release."
    claims = [official(draft, "Prime Minister Fumio Kishida", "Fumio Kishida", "Prime Minister", cid="c1"),
              dated(draft, "2023-08-24", date(2023, 8, 24), cid="c2")]
    assert flags_of(claims, roster, date(2026, 1, 20)) == {}


def test_a_year_in_the_statement_is_enough_without_date_claims(roster):
    draft = "In 2019 Prime Minister Shinzo Abe tightened export controls."
    claim = official(draft, "Prime Minister Shinzo Abe", "Shinzo Abe", "Prime Minister")
    assert flags_of([claim], roster, date(2026, 1, 20)) == {}
    assert official_verdict(claim, roster, date(2026, 1, 20)).label is Label.supported
    later = "In 2023 Prime Minister Shinzo Abe spoke."
    claim = official(later, "Prime Minister Shinzo Abe", "Shinzo Abe", "Prime Minister")
    [flag] = flags_of([claim], roster, date(2026, 1, 20))["c1"]
    assert flag.kind == "outdated_official" and "in 2023 the office was held by Fumio Kishida" in flag.message


def test_an_unrelated_year_does_not_make_a_current_holder_outdated(roster):
    draft = "The programme, funded since 2018, was praised by Prime Minister Sanae Takaichi."
    claim = official(draft, "Prime Minister Sanae Takaichi", "Sanae Takaichi", "Prime Minister")
    assert flags_of([claim], roster, date(2026, 1, 20)) == {}


def test_takaichi_before_she_took_office_is_not_yet(roster):
    draft = "Prime Minister of Japan Sanae Takaichi announced the budget."
    claim = official(draft, "Prime Minister of Japan Sanae Takaichi", "Sanae Takaichi", "Prime Minister of Japan")
    [flag] = flags_of([claim], roster, date(2025, 6, 1))["c1"]
    assert flag.kind == "outdated_official" and flag.suggestion == "Shigeru Ishiba"
    assert "became Prime Minister of Japan only on 2025-10-21" in flag.message


@pytest.mark.parametrize("quote, name, title, day", [
    ("Japanese Prime Minister Sanae Takaichi", "Sanae Takaichi", "Japanese Prime Minister", date(2026, 1, 12)),
    ("Chinese President Xi Jinping", "Xi Jinping", "Chinese President", date(2026, 1, 12)),
    ("Treasury Secretary Scott Bessent", "Scott Bessent", "Treasury Secretary", date(2026, 2, 10)),
    ("Foreign Minister Wang Yi", "Wang Yi", "Foreign Minister", date(2025, 3, 22)),
    ("Foreign Minister Takeshi Iwaya", "Takeshi Iwaya", "Foreign Minister", date(2025, 3, 22)),
    ("Chancellor Friedrich Merz", "Friedrich Merz", "Chancellor", date(2026, 1, 12)),
    ("British Prime Minister Keir Starmer", "Keir Starmer", "British Prime Minister", date(2026, 1, 12)),
    ("President Trump", "Trump", "President", date(2019, 7, 1)),
    ("President Erdogan", "Erdogan", "President", date(2026, 1, 12)),
    ("Chief Cabinet Secretary Minoru Kihara", "Minoru Kihara", "Chief Cabinet Secretary", date(2026, 1, 12)),
])
def test_current_holders_raise_no_flag(roster, quote, name, title, day):
    draft = f"{quote} spoke to reporters in Tokyo."
    claim = official(draft, quote, name, title)
    assert flags_of([claim], roster, day) == {}
    assert official_verdict(claim, roster, day).label is Label.supported


def test_unknown_people_and_titles_are_left_alone(roster):
    draft = "Governor Hiroshi Tanabe and Deputy Prime Minister Taro Aso met Minister Sato."
    claims = [official(draft, "Governor Hiroshi Tanabe", "Hiroshi Tanabe", "Governor", cid="a"),
              official(draft, "Deputy Prime Minister Taro Aso", "Taro Aso", "Deputy Prime Minister", cid="b"),
              official(draft, "Minister Sato", "Sato", "Minister", cid="c"),
              official(draft, "Hiroshi Tanabe", "Hiroshi Tanabe", cid="d")]
    assert flags_of(claims, roster, date(2026, 1, 12)) == {}
    assert all(official_verdict(c, roster, date(2026, 1, 12)) is None for c in claims)


def test_a_lone_surname_needs_the_country_nearby_to_be_flagged(roster):
    company = "President Park thanked the shareholders."
    claim = official(company, "President Park", "Park", "President")
    assert flags_of([claim], roster, date(2026, 1, 12)) == {}
    seoul = "President Park spoke in Seoul."
    claim = official(seoul, "President Park", "Park", "President")
    [flag] = flags_of([claim], roster, date(2026, 1, 12))["c1"]
    assert flag.kind == "outdated_official" and flag.suggestion == "Lee Jae Myung"


def test_a_known_person_under_another_title_is_not_misnamed(roster):
    draft = "Prime Minister Wang Yi spoke."
    claim = official(draft, "Prime Minister Wang Yi", "Wang Yi", "Prime Minister")
    assert flags_of([claim], roster, date(2026, 1, 12)) == {}


def test_supported_verdict_cites_the_roster_line_verbatim(roster):
    draft = "Japanese Prime Minister Sanae Takaichi spoke."
    claim = official(draft, "Japanese Prime Minister Sanae Takaichi", "Sanae Takaichi", "Japanese Prime Minister")
    [citation] = official_verdict(claim, roster, date(2026, 1, 12)).citations
    text = DEFAULT_ROSTER.read_text(encoding="utf-8")
    assert citation.source == "roster:claims/data/roster.csv"
    assert text[citation.start:citation.end] == citation.quote == "Prime Minister of Japan,Sanae Takaichi,2025-10-21,,"


def test_an_extra_roster_changes_the_answer(tmp_path, roster):
    path = tmp_path / "newsroom.csv"
    path.write_text("office,holder,start,end,aliases\nPrime Minister of Japan,Jane Example,2026-09-01,,\n",
                    encoding="utf-8")
    draft = "Japanese Prime Minister Sanae Takaichi spoke."
    claim = official(draft, "Japanese Prime Minister Sanae Takaichi", "Sanae Takaichi", "Japanese Prime Minister")
    assert flags_of([claim], roster, date(2026, 10, 1)) == {}
    [flag] = flags_of([claim], Roster.load(extra_paths=[path]), date(2026, 10, 1))["c1"]
    assert flag.kind == "outdated_official" and flag.suggestion == "Jane Example"


def test_office_given_by_the_extractor_is_used(roster):
    draft = "Sanae Takeda will visit Nara."
    claim = official(draft, "Sanae Takeda", "Sanae Takeda", office="Prime Minister of Japan")
    [flag] = flags_of([claim], roster, date(2026, 2, 15))["c1"]
    assert flag.kind == "misnamed_official"


def test_seed_gold_officials(roster, repo_dir):
    """The project's gold set: every official with an expected flag gets it; every supported one none."""
    import json

    path = repo_dir / "evals" / "sets" / "seeds.jsonl"
    if not path.exists():
        pytest.skip("gold set not present")
    checked = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        as_of = date.fromisoformat(item["as_of"])
        for n, expected in enumerate(item["expected"]):
            if expected.get("kind") != "official":
                continue
            value = expected["value"]
            text = expected["quote"]
            claim = Claim(id=f"e{n}", text=text, start=0, end=len(text), kind="official", statement=text,
                          official=OfficialMention(**value))
            kinds = [f.kind for f in official_flags([claim], roster, as_of).get(claim.id, [])]
            assert kinds == expected.get("flags", []), (item["id"], text, kinds)
            checked += 1
    assert checked >= 10


# --- the draft against itself ----------------------------------------------------------------

def test_one_official_named_two_ways():
    draft = ("Prime Minister Sanae Takaichi opened the debate. Critics said Sanae Takeda had not "
             "explained the costs.")
    claims = [official(draft, "Prime Minister Sanae Takaichi", "Sanae Takaichi", "Prime Minister", cid="a"),
              official(draft, "Sanae Takeda", "Sanae Takeda", cid="b")]
    [flag] = internal_flags(draft, claims)
    assert flag.kind == "internal_inconsistency"
    assert flag.spans == [(claims[0].start, claims[0].end), (claims[1].start, claims[1].end)]
    assert [draft[s:e] for s, e in flag.spans] == ["Prime Minister Sanae Takaichi", "Sanae Takeda"]


def test_two_different_officials_are_not_one_named_two_ways():
    draft = "Prime Minister Sanae Takaichi met President Lee Jae Myung. Takaichi thanked Lee."
    claims = [official(draft, "Prime Minister Sanae Takaichi", "Sanae Takaichi", "Prime Minister", cid="a"),
              official(draft, "President Lee Jae Myung", "Lee Jae Myung", "President", cid="b"),
              official(draft, "Takaichi", "Takaichi", full_name="Sanae Takaichi", cid="c"),
              official(draft, "Lee", "Lee", full_name="Lee Jae Myung", cid="d", occurrence=1)]
    assert internal_flags(draft, claims) == []


def test_two_real_officials_with_similar_names_are_two_people():
    rows = [{"office": "Mayor of Example", "holder": "Mark Carey", "start": "2020-01-01", "end": "", "aliases": ""},
            {"office": "Prime Minister of Canada", "holder": "Mark Carney", "start": "2025-03-14", "end": "",
             "aliases": ""}]
    draft = "Prime Minister Mark Carney met Mark Carey. Later Kim Min-seok and Kim Min-soek spoke."
    claims = [official(draft, "Prime Minister Mark Carney", "Mark Carney", "Prime Minister", cid="a"),
              official(draft, "Mark Carey", "Mark Carey", cid="b"),
              official(draft, "Kim Min-seok", "Kim Min-seok", cid="c"),
              official(draft, "Kim Min-soek", "Kim Min-soek", cid="d")]
    assert [f.claim_ids for f in internal_flags(draft, claims)] == [["a", "b"], ["c", "d"]]
    with_roster = internal_flags(draft, claims, Roster.from_rows(rows))
    assert [f.claim_ids for f in with_roster] == [["c", "d"]]


def test_same_quantity_two_values():
    draft = "About 28,500 U.S. troops are based in South Korea. Later the report counts 28,000 U.S. troops there."
    claims = [quantity(draft, "28,500 U.S. troops", 28500, noun="U.S. troops", unit="troops", cid="a"),
              quantity(draft, "28,000 U.S. troops", 28000, noun="U.S. troops", unit="troops", cid="b")]
    [flag] = internal_flags(draft, claims)
    assert flag.kind == "internal_inconsistency" and flag.claim_ids == ["a", "b"]
    assert [draft[s:e] for s, e in flag.spans] == ["28,500 U.S. troops", "28,000 U.S. troops"]


@pytest.mark.parametrize("second, kwargs", [
    ("Later the report counts 28,500 U.S. troops there.", dict(value=28500, noun="U.S. troops")),
    ("Later the report counts 28,000 Japanese troops there.", dict(value=28000, noun="Japanese troops")),
    ("Later the report counts more than 28,000 U.S. troops there.",
     dict(value=28000, noun="U.S. troops", qualifier="more than")),
])
def test_same_quantity_negatives(second, kwargs):
    draft = f"About 28,500 U.S. troops are based in South Korea. {second}"
    quote = re.search(r"(more than )?28,\d00 [\w.]+ troops", second).group(0)
    claims = [quantity(draft, "28,500 U.S. troops", 28500, noun="U.S. troops", unit="troops", cid="a"),
              quantity(draft, quote, unit="troops", cid="b", **kwargs)]
    claims[1] = claims[1].model_copy(update={"start": draft.rindex(quote), "end": draft.rindex(quote) + len(quote)})
    assert internal_flags(draft, claims) == []


def test_same_noun_in_different_years_is_not_inconsistent():
    draft = "In 2019 there were 28,000 U.S. troops in the country. In 2024 there were 28,500 U.S. troops."
    claims = [quantity(draft, "28,000 U.S. troops", 28000, noun="U.S. troops", unit="troops", cid="a"),
              quantity(draft, "28,500 U.S. troops", 28500, noun="U.S. troops", unit="troops", cid="b"),
              dated(draft, "2019", date(2019, 1, 1), end=date(2019, 12, 31), cid="c"),
              dated(draft, "2024", date(2024, 1, 1), end=date(2024, 12, 31), cid="d")]
    assert internal_flags(draft, claims) == []


@pytest.mark.parametrize("sentence, stated", [
    ("Approval reached 72%, a 1% increase from 70% in October.", "1"),
    ("Support rose 3 points from 45% to 49%.", "3"),
    ("Support fell 2 points from 45% to 47%.", "2"),
    ("The share went from 45% to 49%, an increase of 3 percentage points.", "3"),
    ("Exports went from 200 to 300, an increase of 40%.", "40"),
    ("Troops rose by 400 from 28,000 to 28,500.", "400"),
])
def test_arithmetic_that_does_not_add_up(sentence, stated):
    [flag] = internal_flags(sentence, [])
    assert flag.kind == "internal_inconsistency" and len(flag.spans) == 3
    assert stated in [sentence[s:e] for s, e in flag.spans]


@pytest.mark.parametrize("sentence", [
    "Approval reached 72%, up 1 point from 71% in October.",
    "Approval reached 72%, a 1% increase from 71% in October.",  # a point read as a percent: loose, not wrong
    "Support rose 4 points from 45% to 49%.",
    "The rate fell 0.5 percentage points from 4.25% to 3.75%.",
    "Exports went from 200 to 300, an increase of 50%.",
    "In 2025, a 3% rise from 40% was reported.",
    "Prices rose three times from 2019 to 2021.",
])
def test_arithmetic_that_adds_up(sentence):
    assert internal_flags(sentence, []) == []


def test_a_stated_change_far_from_its_value_is_still_checked():
    from claims.value_checks import _arithmetic_flags

    wrong = "The board said 12,400 people were on its waiting list in September, down 1,200 from 14,100 in March."
    right = "The board said 12,400 people were on its waiting list in September, down 1,700 from 14,100 in March."
    assert [f.kind for f in _arithmetic_flags(wrong)] == ["internal_inconsistency"]
    assert "1,700" in _arithmetic_flags(wrong)[0].message
    assert _arithmetic_flags(right) == []
    assert _arithmetic_flags("In 2024 the club had 300 members, up 40 from 260.") == []
