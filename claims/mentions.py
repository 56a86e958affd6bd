"""Official mentions: named people holding (or said to hold) an office.

`find_official_mentions(text)` finds
- titled names: "Japanese Prime Minister Sanae Takaichi", "U.S. Treasury Secretary Janet Yellen",
  "President Lee", "PM Takaichi" (a title from the lexicon, an optional country prefix, a capitalised name);
- possessive office references: "Takaichi's cabinet", "Sanae Takeda's administration";
- bare names that refer back to one of those ("Takaichi", "Lee" in "the Lee-Takaichi meeting"), anywhere in
  the text, with `full_name` set to the longest name seen for that person;
- bare names of known officeholders of the roster given (default: the shipped roster), read by
  `claims.roster.Roster.bare_names` ("Trump").
Titles without a name ("China's foreign minister") are not mentions. Pure regex + lexicon, linear time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from claims.models import OfficialMention
from claims.roster import Roster, default_roster, name_tokens, near_miss_score

TITLES = (
    "Minister for Foreign Affairs", "Minister of Foreign Affairs", "Chief Cabinet Secretary",
    "Secretary of the Treasury", "Secretary of State", "Secretary of Defense", "Secretary-General",
    "Secretary General", "Deputy Prime Minister", "Prime Minister", "Vice President", "Vice Premier",
    "Treasury Secretary", "Defense Secretary", "Defence Secretary", "Foreign Secretary", "Home Secretary",
    "Commerce Secretary", "Foreign Minister", "Finance Minister", "Defense Minister", "Defence Minister",
    "Trade Minister", "Economy Minister", "Interior Minister", "Chief Executive", "Supreme Leader",
    "Crown Prince", "President", "Premier", "Chancellor", "King", "Queen", "Emperor", "Governor", "Mayor",
    "Senator", "Ambassador", "Chairman", "Chairwoman", "Chairperson", "Chair", "Speaker", "Council Leader",
    "First Minister", "Chief Minister", "Commissioner", "Leader", "Minister",
)
CASE_SENSITIVE_TITLES = ("PM", "FM")
COUNTRIES = (
    "Japan", "China", "South Korea", "North Korea", "Korea", "United States", "US", "U.S.", "USA", "America",
    "United Kingdom", "UK", "U.K.", "Britain", "Russia", "India", "France", "Germany", "Italy", "Canada",
    "Australia", "Brazil", "Mexico", "Argentina", "Indonesia", "Saudi Arabia", "Turkey", "South Africa",
    "Taiwan", "Ukraine", "Israel", "Iran", "Vietnam", "Philippines", "European Union", "EU", "Singapore",
    "Thailand", "Malaysia", "Pakistan", "Qatar", "Kazakhstan", "Myanmar", "Mongolia", "New Zealand", "Spain",
    "Poland", "Netherlands", "Beijing", "Tokyo", "Seoul", "Washington", "Moscow", "Pyongyang", "London",
    "Paris", "Berlin", "Delhi", "New Delhi", "Taipei", "Kyiv", "Brussels", "Canberra", "Ottawa",
)
DEMONYMS = (
    "Japanese", "Chinese", "South Korean", "North Korean", "Korean", "American", "British", "Russian",
    "Indian", "French", "German", "Italian", "Canadian", "Australian", "Brazilian", "Mexican", "Argentine",
    "Indonesian", "Saudi", "Turkish", "South African", "Taiwanese", "Ukrainian", "Israeli", "Iranian",
    "Vietnamese", "Philippine", "Filipino", "European", "Singaporean", "Thai", "Malaysian", "Pakistani",
    "Qatari", "Spanish", "Polish", "Dutch", "Mongolian",
)
# Capitalised words that are never (part of) a person's name after a title.
NON_NAME_WORDS = frozenset(
    """The A An And Or Of In On At For From To By With As This That These Those His Her Their Its It He She
    They We Our Nomination Election Elections Office Ministry Cabinet Administration Government Party House
    Council Committee Department Republic Kingdom State States Union Summit Forum Meeting Statement Original
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    First Second Third However Meanwhile Also Still Yet But If When While After Before Since
    Mr Mrs Ms Dr Sir Madam Said Says Told Yesterday Today Tomorrow Later Earlier Now Then Critics Officials
    Analysts Many Some Both Under Despite During Without Although Because Why How What Where Who Even Only
    Like Unlike Under Is Was Did Does Will League Cup Division Club Bank Court University College School
    Museum Hospital Airport Station Street Road Avenue Bridge Park Square Hotel Award Awards Prize Trophy
    Championship Championships Series Group Company Inc Corporation Corp Foundation Institute Center Centre
    Agency Commission Board Authority Service Services Forces Army Navy Air Island Islands River Lake Mountain
    Day Week Year Times Post News Journal Tower Hall Palace Church Cathedral Library Stadium Arena Theatre
    Theater Festival Conference Act Law Treaty Agreement Program Programme Project Fund Index Prize
    Communist Democratic Republican Liberal Labour Labor Conservative National International Federal Royal
    General Cabinet Secretariat Secretary Minister President Prime Affairs Foreign Finance Treasury""".split()
) | frozenset(COUNTRIES) | frozenset(DEMONYMS)
OFFICE_NOUNS = ("administration", "cabinet", "government", "presidency", "premiership", "office", "ministry",
                "regime", "team", "coalition")

_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Za-z][a-z]+)?|[A-Z]\.)"  # "Jae-in", "O'Neil", an initial "J."
_PARTICLE = r"(?:de|da|di|del|der|den|van|von|la|le|bin|ibn|al|el)[ \t]+"  # "Pieter de Wit", "Ursula von Berg"
_NAME = rf"(?P<name>{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}){{0,2}}{_NAME_WORD}){{0,2}}(?:[ \t]+[IVX]{{1,4}}\b)?)"
_PLACE_ALT = "|".join(re.escape(c) for c in sorted(COUNTRIES + DEMONYMS, key=len, reverse=True))
_TITLE_ALT = "|".join(re.escape(t) for t in TITLES)
_TITLED = re.compile(
    rf"(?<![\w.])(?P<title>(?:(?:(?i:former|then|current|new|incoming|outgoing|acting)\s+)?"
    rf"(?:(?:{_PLACE_ALT})(?:['’]s)?\s+))?"
    rf"(?:(?i:{_TITLE_ALT})|{'|'.join(CASE_SENSITIVE_TITLES)}))[ \t]+{_NAME}"
)
_POSSESSIVE = re.compile(
    rf"(?<![\w.]){_NAME}['’]s\s+(?:[a-z]+\s+)?(?P<office>{'|'.join(OFFICE_NOUNS)})\b"
)
HONORIFICS = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Sir", "Dame")
_HONORIFIC = re.compile(
    rf"(?<![\w.])(?P<title>{'|'.join(HONORIFICS)})\.?[ \t]+(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)\b"
)
_NAME_WORD_AFTER = re.compile(r"[ \t]+[A-Z][a-z]+\b(?<!\bAdministration)(?<!\bGovernment)(?<!\bCabinet)")
_NAME_WORD_BEFORE = re.compile(r"(?<![.!?:;,–—-])[ \t]*\b(?!(?:The|A|An|But|And|Then|When|While|If|As|So|Yet|President|Premier|Chancellor|Minister|King|Queen|Governor|Mayor|Secretary|Senator|Ambassador|Emperor|Prince|Speaker|Chairman)\b)[A-Z][a-z]+[ \t]+$")


@dataclass(frozen=True)
class MentionMatch:
    start: int
    end: int
    mention: OfficialMention


def _clean_name(name: str) -> str:
    """Drop words that cannot belong to the name ("Takaichi Nomination" -> "Takaichi")."""
    words: list[str] = []
    for word in name.split():
        if word.rstrip(".") in NON_NAME_WORDS:
            break
        words.append(word)
    return " ".join(words).rstrip(".")


def _full_name_for(name: str, people: list[str]) -> str | None:
    """The longest known name that contains `name` as its first or last word(s)."""
    best = None
    for person in people:
        if person != name and (person.startswith(name + " ") or person.endswith(" " + name)):
            if best is None or len(person) > len(best):
                best = person
    return best


def find_official_mentions(text: str, roster: Roster | None = None) -> list[MentionMatch]:
    """Every official mention in `text`, in text order, without overlaps; the officeholders of `roster`
    (default: the shipped roster) are found by bare name too."""
    if not text:
        return []
    anchors: list[tuple[int, int, str, str | None]] = []  # start, end, name, title
    for m in _TITLED.finditer(text):
        name = _clean_name(m.group("name"))
        if not name:
            continue
        title = " ".join(m.group("title").split())
        anchors.append((m.start(), m.start("name") + len(name), name, title))
    for m in _POSSESSIVE.finditer(text):
        words = list(re.finditer(r"\S+", m.group("name")))
        while words and words[0].group() in NON_NAME_WORDS:
            words.pop(0)  # "Yesterday Mina Otsuka's cabinet"
        if words and all(w.group() not in NON_NAME_WORDS for w in words):
            start = m.start("name") + words[0].start()
            anchors.append((start, m.end("name"), " ".join(w.group() for w in words), None))
    anchors.sort(key=lambda a: (a[0], -(a[1] - a[0])))
    kept: list[tuple[int, int, str, str | None]] = []
    for anchor in anchors:
        if kept and anchor[0] < kept[-1][1]:
            continue
        kept.append(anchor)

    people = sorted({a[2] for a in kept if " " in a[2]}, key=len, reverse=True)
    roster = (roster if roster is not None else default_roster()).bare_names(NON_NAME_WORDS)
    bare_keys: dict[str, str] = {}  # bare name -> full name
    surname_only: set[str] = set()  # names the text titles only by surname ("PM Takeda")
    learned_full_names: dict[str, str] = {}  # such a surname -> the full name found bare ("Sanae Takeda")
    for name, holder in roster.items():
        bare_keys[name] = holder
    for person in people:
        bare_keys[person] = person
        for word in (person.split()[0], person.split()[-1]):
            if len(word) >= 3 and word not in NON_NAME_WORDS:
                bare_keys[word] = person
    for _, _, name, _ in kept:
        if " " not in name and name not in bare_keys:
            full = _full_name_for(name, people) or _full_name_for(name, list(roster.values()))
            if full is not None:
                bare_keys[name] = full
            elif len(name) >= 3:
                bare_keys[name] = name
                surname_only.add(name)

    matches = [
        MentionMatch(start, end, OfficialMention(
            name=name, title=title, full_name=_full_name_for(name, people) or _unique_holder(name, roster)))
        for start, end, name, title in kept
    ]
    matches += _honorific_mentions(text, kept, people, roster)
    matches.sort(key=lambda x: x.start)
    if bare_keys:
        alternation = "|".join(re.escape(k) for k in sorted(bare_keys, key=len, reverse=True))
        after = r"(?![\w]|['’][a-rt-z])"  # "Xi's" but not "Xi'an"
        bare = re.compile(rf"(?<![\w.'’-])(?:{alternation}){after}|(?<=[A-Za-z]-)(?:{alternation}){after}")
        taken = [(m.start, m.end) for m in matches]
        position = 0
        for m in bare.finditer(text):
            while position < len(taken) and taken[position][1] <= m.start():
                position += 1
            if position < len(taken) and taken[position][0] < m.end():
                continue  # inside a titled or possessive mention
            name, start = m.group(0), m.start()
            before = _NAME_WORD_BEFORE.search(text, max(0, start - 30), start)
            if before and name in surname_only:
                start = before.start() + len(before.group()) - len(before.group().lstrip())
                name = text[start:m.end()]  # "Sanae Takeda" where the text titled only "Prime Minister Takeda"
            elif _NAME_WORD_AFTER.match(text, m.end()) or before:
                continue  # "Lee Sharpe", "Stan Lee": another person sharing a name
            full = name if name != m.group(0) else bare_keys[name]
            if full != m.group(0) and m.group(0) in surname_only:
                learned_full_names[m.group(0)] = full
            matches.append(MentionMatch(start, m.end(), OfficialMention(
                name=name, full_name=full if full != name else None)))
    matches = [_with_learned_full_name(x, learned_full_names) for x in matches]
    matches.sort(key=lambda x: x.start)
    return matches


def _honorific_mentions(text: str, kept: list[tuple[int, int, str, str | None]], people: list[str],
                        roster: dict[str, str]) -> list[MentionMatch]:
    """ "Mr Stammer", "Ms Halloran", "Sir Keir Starmer": an honorific and a name that is, or is close to, an
    official's name (a titled person of this text, or a known officeholder).

    An honorific is not a title: it says who is meant only through the name, so a name that resembles no
    official stays out (most people called "Ms" in a story hold no office). `full_name` is set only when
    the name is exactly a known official's; a near-miss is left for the consistency checks to judge.
    """
    officials = list(dict.fromkeys([*people, *roster.values()]))
    found: list[MentionMatch] = []
    for m in _HONORIFIC.finditer(text):
        if any(start < m.end() and m.start() < end for start, end, _, _ in kept):
            continue
        name = _clean_name(m.group("name"))
        if not name or name in NON_NAME_WORDS:
            continue
        end = m.start("name") + len(name)
        full = _full_name_for(name, people) or (name if name in people else None) or roster.get(name)
        if full is None and not any(near_miss_score(name, person) > 0 for person in officials
                                    if len(name_tokens(person)) >= 2):
            continue
        found.append(MentionMatch(m.start(), end, OfficialMention(
            name=name, title=m.group("title"), full_name=full if full != name else None)))
    return found


_FULL_NAME = re.compile(r"(?<![\w.'’-])([A-Z][a-z]+)[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?![ \t]+[A-Z])")


@dataclass(frozen=True)
class NameSpan:
    start: int
    end: int
    name: str  # "Strahan" after "Ms"; "Imogen Strachan"
    honorific: str | None = None


def find_honorific_names(text: str) -> list[NameSpan]:
    """Every honorific and name ("Ms Strahan", "Dr Maren Solberg"), official or not."""
    found = []
    for m in _HONORIFIC.finditer(text):
        name = _clean_name(m.group("name"))
        if name and name not in NON_NAME_WORDS:
            found.append(NameSpan(m.start(), m.start("name") + len(name), name, m.group("title")))
    return found


# First words of place and thing names that look like a given name and surname ("Base Hallam", "Port Ellis").
PLACE_WORDS = frozenset("""Base Camp Port Fort Mount Mt Cape Bay Point Glacier Valley Harbour Harbor North South East
    West New Old Saint St Upper Lower Great Little Royal Lake River Loch Glen Isle Castle Market Central Grand
    Lord Lady Holy Our""".split())


def find_full_names(text: str) -> list[NameSpan]:
    """Two capitalised words that may be a person's given name and surname ("Imogen Strachan"); loose: used
    only to say whom a "Ms Strahan" may mean."""
    return [NameSpan(m.start(), m.end(), m.group(0)) for m in _FULL_NAME.finditer(text)
            if m.group(1) not in NON_NAME_WORDS and m.group(2) not in NON_NAME_WORDS
            and m.group(1) not in HONORIFICS and m.group(1) not in PLACE_WORDS]


def _with_learned_full_name(match: MentionMatch, learned: dict[str, str]) -> MentionMatch:
    """Give "Prime Minister Takeda" and a bare "Takeda" the full name the text used elsewhere."""
    mention = match.mention
    if mention.full_name is None and mention.name in learned:
        return MentionMatch(match.start, match.end, mention.model_copy(update={"full_name": learned[mention.name]}))
    return match


def _unique_holder(name: str, roster: dict[str, str]) -> str | None:
    full = roster.get(name)
    return full if full is not None and full != name else None
