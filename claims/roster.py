"""The officials roster: who held which office when, and how a written title or name maps onto it.

A roster is a list of dated terms (`Holder` rows) read from CSV files with the header
`office,holder,start,end,aliases` (ISO dates, empty `end` = still in office, aliases `;`-separated).
The default roster ships in `claims/data/roster.csv`; extra files add rows or override them; eval
items pass rows as dicts; titled names seen in the corpus are learned as weaker evidence.

Terms are inclusive at both ends (`start <= day <= end`): on a handover day both holders count.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from claims.errors import CopydeskError
from claims.lexicon import fold
from claims.models import OfficialMention

DEFAULT_ROSTER = Path(__file__).resolve().parent / "data" / "roster.csv"
HEADER = ["office", "holder", "start", "end", "aliases"]
LEARNED_WINDOW = timedelta(days=30)  # a titled mention in a source dated D counts for D +/- this window


class RosterError(CopydeskError):
    """A roster file or row is malformed."""


@dataclass(frozen=True)
class Holder:
    """One dated term of one person in one office, with the roster line it comes from."""

    office: str
    name: str
    start: date | None
    end: date | None  # None: still in office
    aliases: tuple[str, ...] = ()
    source: str = ""  # "roster:claims/data/roster.csv", or the corpus document's source when learned
    line: str = ""  # the roster line (or corpus passage) verbatim
    line_start: int = 0  # offsets of `line` in the source text
    line_end: int = 0
    learned: bool = False  # True when seen in the corpus rather than read from a roster file

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def held_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def term_text(self) -> str:
        start = self.start.isoformat() if self.start else "?"
        return f"{start} to {self.end.isoformat()}" if self.end else f"since {start}"


Term = Holder  # a person's term in an office is one roster row


@dataclass(frozen=True)
class NameMatch:
    holder: Holder
    kind: str  # "exact" (full name or variant), "partial" (surname alone), "near" (a near-miss)
    score: float


# --- names -----------------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def _tokens(name: str) -> tuple[str, ...]:
    words = re.split(r"\s+", fold(name).replace(".", " ").strip())
    return tuple(w for w in (re.sub(r"[-'`]", "", w) for w in words) if w)


def name_tokens(name: str) -> list[str]:
    """Words of a name, folded, with hyphens, apostrophes and dots dropped inside words."""
    return list(_tokens(name))


@lru_cache(maxsize=65536)
def name_keys(name: str) -> frozenset[str]:
    """Spellings of a name that should compare equal: written order, and family name moved first or last.

    "Lee Jae-myung", "Lee Jae Myung" and "Jae-myung Lee" share the key "leejaemyung".
    """
    t = name_tokens(name)
    if not t:
        return frozenset()
    return frozenset({"".join(t), "".join(t[1:] + t[:1]), "".join(t[-1:] + t[:-1])})


@lru_cache(maxsize=65536)
def partial_keys(name: str) -> frozenset[str]:
    """Parts that may stand alone for a name: leading or trailing runs of its words ("Le Maire", "Lee")."""
    t = name_tokens(name)
    return frozenset({"".join(t[k:]) for k in range(1, len(t))} | {"".join(t[:k]) for k in range(1, len(t))})


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two strings, 0..1."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used = [False] * len(b)
    matched_a = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used[j] and b[j] == ch:
                used[j] = True
                matched_a.append(ch)
                break
    m = len(matched_a)
    if m == 0:
        return 0.0
    matched_b = [b[j] for j in range(len(b)) if used[j]]
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b)) / 2
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def one_edit_apart(a: str, b: str) -> bool:
    """One letter changed, added, dropped, or two neighbours swapped: "holloran" ~ "halloran"."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = _common_prefix(short, long)
    return short[i:] == long[i + 1:]


MIN_ONE_EDIT_LENGTH = 5  # shorter words one letter apart are too often different names ("Hunt", "Hurt")


def _similar_word(a: str, b: str, *, same_initial: bool = True) -> bool:
    """Two different spellings of what is probably one word: "takeda" ~ "takaichi", "yelen" ~ "yellen",
    "holloran" ~ "halloran"; with `same_initial=False` also "yoanna" ~ "ioanna" (one edit, long enough)."""
    if a == b:
        return False
    if min(len(a), len(b)) >= MIN_ONE_EDIT_LENGTH and one_edit_apart(a, b) and (not same_initial or a[:1] == b[:1]):
        return True
    score = jaro_winkler(a, b)
    return a[:1] == b[:1] and (score >= 0.9 or (score >= 0.8 and _common_prefix(a, b) >= 3))


@lru_cache(maxsize=65536)
def near_miss_score(written: str, known: str) -> float:
    """How likely `written` is a misspelling of `known` (0 when it is not a near-miss at all).

    Two-word names need one word equal and the other similar ("Sanae Takeda" ~ "Sanae Takaichi"), or the
    whole name very close; a lone surname needs a close surname. Different people score 0.
    """
    w, k = name_tokens(written), name_tokens(known)
    if not w or not k or name_keys(written) & name_keys(known):
        return 0.0
    whole = jaro_winkler("".join(w), "".join(k))
    if len(w) == 1:
        surnames = {k[0], k[-1]}
        return max((jaro_winkler(w[0], s) for s in surnames if _similar_word(w[0], s)), default=0.0)
    if len(w) == len(k):
        for pair in (list(zip(w, k)), list(zip(w, reversed(k)))):
            same = sum(x == y for x, y in pair)
            close = sum(_similar_word(x, y, same_initial=False) for x, y in pair)
            if same == len(pair) - 1 and close == 1:
                return max(whole, 0.8)
    return whole if whole >= 0.93 and w[0][:1] == k[0][:1] else 0.0


# --- offices, roles and countries ------------------------------------------------------------

# Role of a written title or a canonical office, tried in order (first match wins).
_ROLES: list[tuple[str, str]] = [
    ("excluded", r"\b(?:deputy|vice|assistant|under|junior|state minister|shadow)\b"),
    ("chief_cabinet_secretary", r"\bchief cabinet secretary\b"),
    ("acting_president", r"\bacting president\b"),
    ("commission_president", r"\bcommission (?:president|chief|head)\b|\bpresident of the (?:european )?commission\b"),
    ("council_president", r"\bcouncil president\b|\bpresident of the (?:european )?council\b"),
    ("foreign", r"\bforeign (?:minister|secretary|affairs (?:minister|secretary))\b|\bforeign affairs\b"
                r"|\bexternal affairs\b|\bsecretary of state\b|\bfm\b|\btop diplomat\b|\bhigh representative\b"
                r"|\binternational relations\b"),
    ("finance", r"\bfinance\b|\btreasury\b|\btreasurer\b|\bexchequer\b|\beconomy minister\b"
                r"|\bminister of (?:the )?economy\b"),
    ("head_of_government", r"\bprime minister\b|\bpm\b|\bpremier\b"),
    ("chancellor", r"\bchancellor\b"),
    ("monarch", r"\bking\b|\bqueen\b|\bemperor\b|\bmonarch\b"),
    ("president", r"\bpresident\b"),
    ("generic", r"^(?:the )?(?:secretary|minister)$"),  # "Secretary Yellen": only the name can tell which
]
_ROLE_PATTERNS = [(role, re.compile(pattern)) for role, pattern in _ROLES]
# A title "President" may name any of these offices (an acting president is addressed as President).
_ROLE_ACCEPTS = {"president": {"president", "acting_president", "commission_president", "council_president"}}

# Country cues in titles and context (folded text). The key is the name used in canonical offices.
_COUNTRY_CUES: dict[str, str] = {
    "United States": r"\bu\.\s?s\.|\bus\b|\busa\b|\bunited states\b|\bamerican?\b|\bwashington\b|\bwhite house\b",
    "United Kingdom": r"\bu\.?k\.?\b|\bunited kingdom\b|\bbritain\b|\bbritish\b|\blondon\b|\bdowning street\b"
                      r"|\bexchequer\b",
    "Japan": r"\bjapan(?:ese|'s)?\b|\btokyo\b",
    "South Korea": r"\b(?:south )?korean?\b|\bkorea's\b|\bseoul\b",
    "China": r"\bchin(?:a|ese|a's)\b|\bbeijing\b|\bprc\b",
    "Russia": r"\bruss(?:ia|ian|ia's)\b|\bmoscow\b|\bkremlin\b",
    "India": r"\bindian?\b|\bindia's\b|\bnew delhi\b",
    "Germany": r"\bgerman(?:y|y's)?\b|\bberlin\b",
    "France": r"\bfrance\b|\bfrench\b|\bparis\b|\belysee\b",
    "Italy": r"\bital(?:y|ian|y's)\b|\brome\b",
    "Canada": r"\bcanad(?:a|ian|a's)\b|\bottawa\b",
    "Australia": r"\baustralian?\b|\baustralia's\b|\bcanberra\b",
    "Brazil": r"\bbrazil(?:ian|'s)?\b|\bbrasilia\b",
    "Argentina": r"\bargentin(?:a|e|ian|a's)\b|\bbuenos aires\b",
    "Indonesia": r"\bindonesian?\b|\bindonesia's\b|\bjakarta\b",
    "Mexico": r"\bmexic(?:o|an|o's)\b",
    "Saudi Arabia": r"\bsaudi\b|\briyadh\b",
    "South Africa": r"\bsouth african?\b|\bsouth africa's\b|\bpretoria\b",
    "Turkey": r"\bturk(?:ey|ish|iye|ey's)\b|\bankara\b",
    "European Union": r"\beuropean\b|\beu\b|\bbrussels\b",
}
_COUNTRY_PATTERNS = {country: re.compile(p) for country, p in _COUNTRY_CUES.items()}


@lru_cache(maxsize=4096)
def role_of(title: str) -> str | None:
    """The role a title or a canonical office names: "head_of_government", "foreign", "finance", ..."""
    folded = fold(title)
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(folded):
            return None if role == "excluded" else role
    return None


def _excluded(title: str) -> bool:
    """Titles that never name a roster office ("Deputy Prime Minister", "Vice President")."""
    folded = fold(title)
    return any(role == "excluded" and pattern.search(folded) for role, pattern in _ROLE_PATTERNS)


def title_word(title: str) -> str:
    """The last word of a title, folded: "Secretary" -> "secretary"."""
    words = fold(title).split()
    return words[-1] if words else ""


def countries_in(text: str) -> dict[str, int]:
    """Countries cued in a text, with how often: {"Japan": 2, ...}."""
    folded = fold(text)
    found = {country: len(p.findall(folded)) for country, p in _COUNTRY_PATTERNS.items()}
    # "South Africa" also says "Africa", "South Korea" also "Korea": the regexes keep them apart, but
    # "South African" must not count as Korean, which the patterns already ensure.
    return {c: n for c, n in found.items() if n}


@lru_cache(maxsize=4096)
def country_of(office: str) -> str | None:
    """The country of a canonical office: "U.S. Secretary of State" -> "United States"."""
    folded = fold(office)
    if folded.startswith("u.s.") or "united states" in folded:
        return "United States"
    if "exchequer" in folded:
        return "United Kingdom"
    if "european" in folded:
        return "European Union"
    for country in _COUNTRY_CUES:
        if f"of {fold(country)}" in folded or f"of the {fold(country)}" in folded:
            return country
    return None


# --- the roster ------------------------------------------------------------------------------

def _parse_day(value: str, where: str, field: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RosterError(f"{where}: {field} {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _holder_from_fields(fields: dict[str, str], where: str, source: str, line: str, start: int) -> Holder:
    office, name = (fields.get("office") or "").strip(), (fields.get("holder") or "").strip()
    if not office or not name:
        raise RosterError(f"{where}: office and holder must not be empty")
    begin = _parse_day(fields.get("start") or "", where, "start")
    if begin is None:
        raise RosterError(f"{where}: start date is missing")
    end = _parse_day(fields.get("end") or "", where, "end")
    if end is not None and end < begin:
        raise RosterError(f"{where}: end {end} is before start {begin}")
    aliases = tuple(a.strip() for a in (fields.get("aliases") or "").split(";") if a.strip())
    return Holder(office=office, name=name, start=begin, end=end, aliases=aliases, source=source,
                  line=line, line_start=start, line_end=start + len(line))


def parse_roster_text(text: str, label: str) -> list[Holder]:
    """Rows of a roster CSV text; `label` names the file in errors and citations."""
    holders: list[Holder] = []
    offset = 0
    header_seen = False
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        line = raw.rstrip("\r\n")
        start, offset = offset, offset + len(raw)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{label}:{number}"
        try:
            fields = next(csv.reader([line]))
        except csv.Error as exc:
            raise RosterError(f"{where}: not a CSV line ({exc})") from None
        if not header_seen:
            if [f.strip().lower() for f in fields] != HEADER:
                raise RosterError(f"{where}: the header must be {','.join(HEADER)}")
            header_seen = True
            continue
        if len(fields) != len(HEADER):
            raise RosterError(f"{where}: expected {len(HEADER)} fields ({','.join(HEADER)}), found {len(fields)}")
        holders.append(_holder_from_fields(dict(zip(HEADER, fields)), where, f"roster:{label}", line, start))
    if not header_seen:
        raise RosterError(f"{label}: empty roster (no header {','.join(HEADER)})")
    return holders


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(DEFAULT_ROSTER.parents[2]))
    except ValueError:
        return str(path)


def read_roster_file(path: str | Path) -> list[Holder]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RosterError(f"{path}: roster file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot read roster ({exc})") from None
    return parse_roster_text(text, _label(path))


def _same_person(a: Holder, b: Holder) -> bool:
    return any(name_keys(x) & name_keys(y) for x in a.names for y in b.names)


def _overlaps(a: Holder, b: Holder) -> bool:
    a_end, b_end = a.end or date.max, b.end or date.max
    return a.start <= b_end and b.start <= a_end


def merge_rows(base: list[Holder], extra: list[Holder]) -> list[Holder]:
    """Rows of `extra` override `base`: a row for the same office and person with an overlapping term
    replaces the old row; a successor starting during an open-ended term closes that term the day before."""
    merged = list(base)
    for new in extra:
        merged = [old for old in merged
                  if not (old.office == new.office and _same_person(old, new) and _overlaps(old, new))]
        merged = [replace(old, end=new.start - timedelta(days=1))
                  if old.office == new.office and old.end is None and old.start < new.start
                  and not _same_person(old, new) else old
                  for old in merged]
        merged.append(new)
    return merged


class Roster:
    """Dated officeholders, from roster files (authoritative) and corpus mentions (weaker evidence)."""

    def __init__(self, holders: Iterable[Holder] = ()):
        self._holders: list[Holder] = list(holders)
        self._learned: list[Holder] = []
        self._bare_names: dict[frozenset[str], dict[str, str]] = {}

    # construction

    @classmethod
    def load(cls, extra_paths: Sequence[str | Path] = (), include_default: bool = True) -> "Roster":
        """The default roster (unless excluded) with each extra file's rows added on top, in order."""
        holders = read_roster_file(DEFAULT_ROSTER) if include_default else []
        for path in extra_paths:
            holders = merge_rows(holders, read_roster_file(path))
        return cls(holders)

    @classmethod
    def from_rows(cls, rows: Sequence[dict], label: str = "rows") -> "Roster":
        """A roster from dicts with the CSV's keys (an eval item's "roster"); cited as a CSV of those rows."""
        return cls(_holders_from_dicts(rows, label))

    def with_rows(self, rows: Sequence[dict], label: str = "rows") -> "Roster":
        """A copy of this roster with `rows` (dicts) added on top, overriding as extra files do."""
        roster = Roster(merge_rows(self._holders, _holders_from_dicts(rows, label)))
        roster._learned = list(self._learned)
        return roster

    # queries

    def bare_names(self, non_names: frozenset[str] = frozenset()) -> dict[str, str]:
        """Names that stand for a holder of the roster's rows without a title, each mapped to the holder's
        full name: the full names, the aliases, and surnames only one holder has (capitalised, three letters
        or more, not in `non_names`). Extraction finds these bare ("Trump"); corpus-learned rows are not
        included (they are learned after extraction)."""
        if non_names not in self._bare_names:
            names: dict[str, str] = {}
            surnames: dict[str, set[str]] = {}
            for h in self._holders:
                names[h.name] = h.name
                for alias in h.aliases:
                    names[alias] = h.name
                last = h.name.split()[-1]
                if len(h.name.split()) > 1 and re.fullmatch(r"[A-Z][a-z]{2,}", last) and last not in non_names:
                    surnames.setdefault(last, set()).add(h.name)
            for surname, holders in surnames.items():
                if len(holders) == 1 and surname not in names:
                    names[surname] = next(iter(holders))
            self._bare_names[non_names] = names
        return self._bare_names[non_names]

    @property
    def holders(self) -> list[Holder]:
        return list(self._holders)

    def offices(self) -> list[str]:
        return sorted({h.office for h in self._holders} | {h.office for h in self._learned})

    def terms_in(self, office: str) -> list[Holder]:
        rows = [h for h in self._holders if h.office == office]
        return sorted(rows, key=lambda h: h.start or date.min) + [h for h in self._learned if h.office == office]

    def holders_on(self, office: str, day: date) -> list[Holder]:
        """Who held `office` on `day`: roster rows first; corpus evidence only where the rows know nobody."""
        rows = [h for h in self._holders if h.office == office and h.held_on(day)]
        if rows:
            return rows
        return [h for h in self._learned if h.office == office
                and h.start - LEARNED_WINDOW <= day <= (h.end or h.start) + LEARNED_WINDOW]

    def match_name(self, name: str, holders: Iterable[Holder] | None = None, near: bool = True) -> list[NameMatch]:
        """Rows whose holder is `name`: exact spellings first; else a surname alone; else near-misses
        (unless `near` is False).

        A one-word alias ("Lee") is a surname, matched like one: it does not make the match exact.
        """
        pool = list(self._holders) + self._learned if holders is None else list(holders)
        keys = name_keys(name)
        exact = [NameMatch(h, "exact", 1.0) for h in pool
                 if any(keys & name_keys(n) for n in h.names if n == h.name or len(name_tokens(n)) > 1)]
        if exact:
            return exact
        folded = "".join(name_tokens(name))
        partial = [NameMatch(h, "partial", 0.9) for h in pool
                   if any(folded in partial_keys(n) or (len(name_tokens(n)) == 1 and folded in name_keys(n))
                          for n in h.names)]
        if partial or not near:
            return partial
        close = [NameMatch(h, "near", s) for h in pool
                 if (s := max(near_miss_score(name, n) for n in h.names)) > 0]
        return sorted(close, key=lambda m: -m.score)

    def terms_of(self, name: str) -> list[Holder]:
        """Every term of the person called `name` (full name or a variant), oldest first."""
        found = [m.holder for m in self.match_name(name, near=False) if m.kind == "exact"]
        return sorted(found, key=lambda h: h.start or date.min)

    def is_known(self, name: str) -> bool:
        return bool(self.terms_of(name))

    def resolve_offices(self, title: str, context: str = "", name: str | None = None) -> list[str]:
        """Canonical offices a written title may mean, using a country in the title, then the name, then context.

        "Japanese Prime Minister" -> ["Prime Minister of Japan"]; "President" with name "Lee" ->
        ["President of South Korea", ...] because a Lee held it; "Treasury Secretary" with "Yellen" ->
        ["U.S. Secretary of the Treasury"]. An unknown or deputy title gives [].
        """
        role = role_of(title)
        if role is None:
            return [] if _excluded(title) else self._offices_by_words(title, context, name)
        if role == "generic":
            return self._offices_held_by(name, [o for o in self.offices() if title_word(title) in fold(o)])
        accepted = _ROLE_ACCEPTS.get(role, {role})
        # offices of exactly the written role first: "President" means a president before an acting one
        candidates = sorted((o for o in self.offices() if role_of(o) in accepted), key=lambda o: role_of(o) != role)
        in_title = countries_in(title)
        if in_title:
            narrowed = [o for o in candidates if country_of(o) in in_title]
            if narrowed:
                return narrowed
        if name:
            held = {m.holder.office for m in self.match_name(name, self._terms_in_offices(candidates), near=False)}
            if held:
                candidates = [o for o in candidates if o in held]
                if len(candidates) == 1:
                    return candidates
        in_context = countries_in(context)
        if in_context:
            narrowed = [o for o in candidates if country_of(o) in in_context]
            if narrowed:
                return sorted(narrowed, key=lambda o: (role_of(o) != role, -in_context[country_of(o)]))
        return candidates

    def _offices_by_words(self, title: str, context: str, name: str | None = None) -> list[str]:
        """Offices outside the built-in roles (a mayor, a council leader from a --roster file): those named
        by the title's last word whose other words ("Eastport") appear in the title or context, else those
        whose holders include someone whose name is, or is close to, the one written."""
        word = title_word(title)
        if not word or word in ("of", "the"):
            return []
        cue = set(fold(f"{title} {context}").split())
        named = [o for o in self.offices() if word in fold(o).split()]
        found = [o for o in named if (place := [w for w in fold(o).split() if w not in (word, "of", "the", "and")])
                 and all(w in cue for w in place)]
        if found or not name:
            return found
        return sorted({m.holder.office for m in self.match_name(name, self._terms_in_offices(named))})

    def _offices_held_by(self, name: str | None, offices: list[str]) -> list[str]:
        if not name:
            return []
        held = {m.holder.office for m in self.match_name(name, self._terms_in_offices(offices), near=False)}
        return [o for o in offices if o in held]

    def _terms_in_offices(self, offices: Iterable[str]) -> list[Holder]:
        wanted = set(offices)
        return [h for h in self._holders + self._learned if h.office in wanted]

    # corpus evidence

    def learn(self, mention: OfficialMention, context: str = "", day: date | None = None,
              source: str = "corpus", offset: int = 0) -> Holder | None:
        """Record that a source dated `day` names `mention.name` with `mention.title`.

        `context` is the passage text and `offset` its start in the source document, so that the
        learned row cites the sentence with document offsets. Ignored when the title is ambiguous, the
        date unknown, or the roster rows already know this person in that office (rows outrank the
        corpus). Returns the learned row, if any.
        """
        name = mention.full_name or mention.name
        if not name or day is None:
            return None
        offices = [mention.office] if mention.office else self.resolve_offices(mention.title or "", context, name)
        if len(offices) != 1:
            return None
        office = offices[0]
        rows = [h for h in self._holders if h.office == office]
        if any(m.kind == "exact" for m in self.match_name(name, rows, near=False)):
            return None
        for i, old in enumerate(self._learned):
            if old.office == office and name_keys(old.name) & name_keys(name):
                self._learned[i] = replace(old, start=min(old.start, day), end=max(old.end or old.start, day))
                return self._learned[i]
        quote = _quote_around(context, name)
        learned = Holder(office=office, name=name, start=day, end=day, source=source, line=quote[0],
                         line_start=offset + quote[1], line_end=offset + quote[1] + len(quote[0]), learned=True)
        self._learned.append(learned)
        return learned


@lru_cache(maxsize=1)
def default_roster() -> Roster:
    """The shipped roster (claims/data/roster.csv), read once; callers must not `learn` into it."""
    return Roster.load()


def _quote_around(context: str, name: str) -> tuple[str, int]:
    """The sentence of `context` that names `name`, with its offset (the whole name when absent)."""
    at = context.find(name)
    if at < 0:
        return name, 0
    start = max(context.rfind(".", 0, at) + 1, 0)
    while start < at and context[start].isspace():
        start += 1
    end = context.find(".", at)
    end = len(context) if end < 0 else end + 1
    return context[start:end], start


def _holders_from_dicts(rows: Sequence[dict], label: str) -> list[Holder]:
    """Rows given as dicts are cited as lines of a CSV written from them."""
    holders: list[Holder] = []
    offset = len(",".join(HEADER)) + 1
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise RosterError(f"{label}[{number}]: a roster row must be an object with keys {','.join(HEADER)}")
        fields = {k: str(row.get(k) or "") for k in HEADER}
        if isinstance(row.get("aliases"), list):
            fields["aliases"] = ";".join(row["aliases"])
        line = ",".join(_csv_field(fields[k]) for k in HEADER)
        holders.append(_holder_from_fields(fields, f"{label}[{number}]", f"roster:{label}", line, offset))
        offset += len(line) + 1
    return holders


def _csv_field(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\n') else value
