"""Qualitative statements against the corpus's wording: a checker that only contradicts.

A draft's clause (claim kind "statement") is contradicted by an evidence sentence about the same thing
(relevance below) that says the opposite in one of these named ways, each a fact-checker's staple:

- `outcome`: passed / approved / adopted against rejected / defeated / voted down (either way round);
- `ordinal`: "in the first round" against "second round" (the same noun, another ordinal);
- `unanimity`: "unanimous" against a split count ("by 7 votes to 2", "7-2"), or the reverse;
- `quantifier`: "every closed line" against "most of the closed lines" (all / every / each against
  most / some / many / several / half, before the same noun);
- `place`: "held in Harwick" against "took place in Dorrington" (the draft's place is nowhere in the
  evidence passage);
- `called_off`: "issued a joint statement" against "a planned joint statement ... was postponed"
  (postponed / cancelled / delayed / scrapped / called off / shelved), when the draft's clause is in the
  past and not hedged.

Relevance: the sentence must hold at least 2 of the clause's content words besides the contrasting words
and at least half of them; a clause of fewer than 4 content words ("The vote was unanimous") needs all of
its own words in the sentence and 2 or more of the statement claim just before it in the draft ("...
approved its 2026-27 budget of £48 million"), which is what "the vote" refers to. A negated clause or sentence is left alone (negation flips the reading).

It never supports: agreeing wording is not proof that the clause's other parts are right. Its verdicts are
suggestions (statements are suggestion-only; `tiers.SUGGESTION_ONLY_KINDS`). Measured on planted3 (the one
set that grades statements) and checked for false contradictions on seeds, planted and planted2: see the
README (issue #14).
"""
from __future__ import annotations

import re

from claims.compare import content_words, evidence_sentences
from claims.lexicon import stem
from claims.models import Claim, Label, Verdict
from claims.verification.checker import Context, Role
from retrieval.types import Passage

CONFIDENCE = 0.80
MIN_SHARED = 2
MIN_OVERLAP = 0.5
SHORT_CLAUSE = 4  # content words below which the claim before it is read too
LOOKBACK = 300  # characters before the clause in which that claim may end

_TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*")
_NEGATED = re.compile(r"\b(?:not|no|never|cannot|neither|nor)\b|n't\b", re.IGNORECASE)
_HEDGED = re.compile(r"\b(?:would|will|could|may|might|should|plans?|planned|expects?|expected|hopes?|"
                     r"aims?|intends?|wants?|if|set to|due|scheduled|supposed)\b", re.IGNORECASE)

APPROVE = frozenset("passed approved adopted accepted carried endorsed ratified".split())
REJECT = frozenset("rejected defeated refused blocked vetoed".split())
ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())
UNIVERSAL = frozenset("every all each".split())
PARTIAL = frozenset("most some many several half part few".split())
CALLED_OFF = re.compile(r"\b(?:postponed|cancell?ed|delayed|scrapped|called off|shelved|abandoned|put off|"
                        r"deferred)\b", re.IGNORECASE)
DONE = frozenset("issued signed held published released opened launched completed agreed announced "
                 "finished delivered reached".split())
_PLACE = re.compile(r"\b(?:held|took place|met|hosted|staged|convened|signed)\s+(?:in|at)\s+(?P<place>[A-Z][a-z]+)")
_COUNT = re.compile(r"\b(?P<a>\d+)\s*(?:votes?\s+)?(?:to|-|–)\s*(?P<b>\d+)\b")
_UNANIMOUS = re.compile(r"\bunanimous(?:ly)?\b", re.IGNORECASE)


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _outcome(clause: str, sentence: str) -> str | None:
    said, found = set(_tokens(clause)), set(_tokens(sentence))
    if (said & APPROVE and found & REJECT and not found & APPROVE) or (said & REJECT and found & APPROVE
                                                                       and not found & REJECT):
        return "outcome"
    return None


def _ordinal_nouns(tokens: list[str]) -> dict[str, set[str]]:
    """noun stem -> the ordinals before it ("first round", "the second round of voting")."""
    out: dict[str, set[str]] = {}
    for i, t in enumerate(tokens):
        if t not in ORDINALS:
            continue
        j = i + 1  # "the fourth and fifth albums", "its seventh and final season": the chain shares its noun
        while j + 1 < len(tokens) and tokens[j] in ("and", "or") and (tokens[j + 1] in ORDINALS
                                                                      or tokens[j + 1] in ("final", "last")):
            j += 2
        if j < len(tokens):
            out.setdefault(stem(tokens[j]), set()).add(t)
    return out


def _ordinal(clause: str, sentence: str) -> str | None:
    said, found = _ordinal_nouns(_tokens(clause)), _ordinal_nouns(_tokens(sentence))
    anywhere = set(_tokens(sentence))
    for noun, ordinals in said.items():  # the clause's ordinal nowhere in the sentence ("fourth ( third in the US )")
        if noun in found and not (ordinals & anywhere):
            return "ordinal"
    return None


def _split_count(sentence: str) -> bool:
    if "vote" not in sentence.lower():
        return False
    return any(int(m["b"]) > 0 and int(m["a"]) > int(m["b"]) for m in _COUNT.finditer(sentence))


def _unanimity(clause: str, sentence: str) -> str | None:
    if _UNANIMOUS.search(clause) and _split_count(sentence) and not _UNANIMOUS.search(sentence):
        return "unanimity"
    if _UNANIMOUS.search(sentence) and _split_count(clause) and not _UNANIMOUS.search(clause):
        return "unanimity"
    return None


def _quantified(tokens: list[str], words: frozenset[str]) -> set[str]:
    """Stems of the words within 4 tokens after a quantifier ("every closed line": closed, line)."""
    out: set[str] = set()
    for i, t in enumerate(tokens):
        if t in words:
            out.update(stem(w) for w in tokens[i + 1:i + 5] if w not in ("of", "the", "its", "their"))
    return out


def _quantifier(clause: str, sentence: str) -> str | None:
    said, found = _tokens(clause), _tokens(sentence)
    if set(said) & UNIVERSAL and not set(found) & UNIVERSAL:
        nouns = _quantified(said, UNIVERSAL) & _quantified(found, PARTIAL)
        if len(nouns) >= 1:
            return "quantifier"
    return None


def _place(clause: str, sentence: str, passage: Passage) -> str | None:
    said, found = _PLACE.search(clause), _PLACE.search(sentence)
    if said and found and said["place"] != found["place"] and said["place"] not in passage.text:
        return "place"
    return None


def _called_off(clause: str, sentence: str) -> str | None:
    done = set(_tokens(clause)) & DONE
    if done and CALLED_OFF.search(sentence) and not CALLED_OFF.search(clause) and not _HEDGED.search(clause) \
            and not done & set(_tokens(sentence)):  # "delayed and eventually released" is no calling off
        return "called_off"
    return None


RULES = ("outcome", "ordinal", "unanimity", "quantifier", "place", "called_off")
CONTRAST_STEMS = {stem(w) for w in APPROVE | REJECT | ORDINALS | UNIVERSAL | PARTIAL | DONE} | {
    stem("unanimous"), stem("unanimously")}


def _before(claim: Claim, context: Context) -> str | None:
    """The statement just before a clause too short to say what it is about ("The vote was unanimous")."""
    if len(content_words(claim.text)) >= SHORT_CLAUSE:
        return None
    before = [c for c in context.claims if c.kind == "statement" and c.end <= claim.start
              and claim.start - c.end <= LOOKBACK]
    return before[-1].text if before else None


def _words(text: str, drop: set[str]) -> set[str]:
    """Content stems (a final "e" folded: "vote" and "votes" meet) and figures ("2026-27", "48")."""
    stems = {w.rstrip("e") for w in content_words(text) - CONTRAST_STEMS - drop}
    return stems | {t for t in _TOKEN.findall(text) if t[0].isdigit() and len(t) > 1}


def _shares(text: str, sentence: str, drop: set[str]) -> tuple[int, int]:
    """(words of `text` in the sentence, words of `text`), contrasting words left out."""
    words = _words(text, drop)
    return len(words & _words(sentence, set())), len(words)


def _relevant(clause: str, before: str | None, sentence: str, drop: set[str]) -> bool:
    """The sentence is about the clause's subject: 2+ of its content words and half of them; a short clause
    needs all of its own words there and 2+ of the statement before it."""
    shared, total = _shares(clause, sentence, drop)
    if shared >= MIN_SHARED and shared >= MIN_OVERLAP * total:
        return True
    if before is None or shared < total or total == 0:
        return False
    shared_before, total_before = _shares(before, sentence, drop)
    return shared_before >= MIN_SHARED


class WordingChecker:
    name = "comparator:wording"
    role: Role = "comparator"

    def applies_to(self, claim: Claim) -> bool:
        return claim.kind == "statement"

    def check(self, claim: Claim, evidence: list[Passage], context: Context) -> Verdict | None:
        clause = claim.text
        if _NEGATED.search(clause):
            return None
        before = _before(claim, context)
        for s in evidence_sentences(evidence):
            sentence = s.text
            if _NEGATED.search(sentence):
                continue
            found = (_outcome(clause, sentence) or _ordinal(clause, sentence) or _unanimity(clause, sentence)
                     or _quantifier(clause, sentence) or _place(clause, sentence, s.passage)
                     or _called_off(clause, sentence))
            if found is None:
                continue
            place = _PLACE.search(clause)
            drop = content_words(place["place"]) if found == "place" and place else set()
            if not _relevant(clause, before, sentence, drop):
                continue
            return Verdict(label=Label.contradicted, confidence=CONFIDENCE, citations=[s.citation()],
                           method=self.name,
                           rationale=f"the corpus says otherwise ({found.replace('_', ' ')}): "
                                     f"{sentence.strip()!r} ({s.passage.source})")
        return None
