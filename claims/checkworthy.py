"""Check-worthiness: text a fact-checker would not write down as a claim, with the reason.

`not_checkworthy(text, start, end) -> str | None` says why the sentence at [start, end) holds no
claim, or None when it may:
- page furniture: a line that is only "Menu", "Logo", "Share", "Loading...", "3 min read",
  "Advertisement", "Skip to content" and the like, the lines of a table of contents (short lines under a
  "Contents" / "Table of contents" / "In this article" heading), image captions and credits ("Image:",
  "Photo:", "Caption:", "Credit:");
- a question ("Will the savings last?");
- a first-person or evaluative opinion ("I think", "in our view", "is the best event of its kind");
- a prediction: "expect(s) to <verb>", "is/are likely to", "will probably" ("Organisers expect to
  welcome even more visitors next year"). A scheduled event reported as expected ("A fourth round is
  expected in April") and a forecast with its figure ("expects inflation to fall to 2%") stay claims.
Opinions and predictions leave out only sentences whose claims are all dates (see `reasons`).

`filter_claims(text, claims)` drops the claims of such sentences (and renumbers the rest c1, c2, ...);
`claims.extract.RuleExtractor` calls it last. The shared models have no field for "not check-worthy",
so such claims are left out rather than marked; `reasons(text, claims)` gives the reason for each one
left out, for callers that want to show it.
"""
from __future__ import annotations

import re

from claims.models import Claim

_FURNITURE_LINE = re.compile(
    r"^\W*(?:menu|logo|home|search|share(?: this)?(?: article| story)?|subscribe|sign in|log in|sign up|"
    r"advertisement|advert|sponsored|skip to (?:main )?content|related(?: articles| stories)?|read more|"
    r"most read|loading\W*|\.\.\.|table of contents|contents|in this article|listen to this article|"
    r"print|email|comments?|\d+\s*min(?:ute)?s? read|back to top|cookies?(?: settings)?|accept(?: all)?)"
    r"\W*$", re.IGNORECASE)
_CAPTION = re.compile(r"^\W*(?:image|photo|picture|photograph|caption|credit|pictured|illustration)s?\s*:",
                      re.IGNORECASE)
_CONTENTS_HEADING = re.compile(r"^\W*(?:table of contents|contents|in this article)\W*$", re.IGNORECASE)
MAX_CONTENTS_WORDS = 8
_OPINION = re.compile(
    r"\b(?:I|we) (?:think|believe|feel|reckon)\b|\bin (?:my|our) (?:view|opinion)\b|\bto my mind\b|"
    r"\bis (?:the|by far the) (?:best|worst|greatest|finest|most beautiful|most exciting) \w+ of its kind\b|"
    r"\b(?:is|are|was|were) (?:simply |truly )?(?:the best|the worst|wonderful|terrible|awful|brilliant|"
    r"disgraceful|shameful)\b", re.IGNORECASE)
_PREDICTION = re.compile(
    r"\b(?:expects?|expected) to (?!be (?:held|published|announced|released|completed|opened)\b)[a-z]+\b|"
    r"\b(?:is|are) (?:likely|unlikely) to\b|\bwill (?:probably|likely|surely)\b", re.IGNORECASE)
_FIGURE = re.compile(r"\d|%")


def _line(text: str, start: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    return line_start, len(text) if line_end < 0 else line_end


def _in_contents(text: str, line_start: int) -> bool:
    """A short line in the block right under a "Contents" heading (no blank line between)."""
    cursor = line_start
    while cursor > 0:
        previous_start = text.rfind("\n", 0, cursor - 1) + 1
        previous = text[previous_start:cursor - 1]
        if not previous.strip():
            return False
        if _CONTENTS_HEADING.match(previous):
            return True
        if len(previous.split()) > MAX_CONTENTS_WORDS:
            return False
        cursor = previous_start
    return False


def not_checkworthy(text: str, start: int, end: int) -> str | None:
    """Why the sentence text[start:end] holds no claim a fact-checker would write down, or None."""
    line_start, line_end = _line(text, start)
    line = text[line_start:line_end]
    if _FURNITURE_LINE.match(line):
        return "page furniture"
    if _CAPTION.match(line):
        return "an image caption or credit"
    if len(line.split()) <= MAX_CONTENTS_WORDS and _in_contents(text, line_start):
        return "a table of contents"
    sentence = text[start:end].strip()
    if sentence.endswith("?"):
        return "a question"
    if _OPINION.search(sentence):
        return "an opinion"
    prediction = _PREDICTION.search(sentence)
    if prediction and not _FIGURE.search(sentence[prediction.end():]):
        return "a prediction"
    return None


SOFT_REASONS = ("an opinion", "a prediction")


def reasons(text: str, claims: list[Claim]) -> dict[str, str]:
    """claim id -> why it is not check-worthy, for the claims that are not.

    An opinion or a prediction leaves out only a sentence whose claims are all dates ("next year"): one
    that names an official or gives a figure ("the Lee-Takaichi meeting is expected to cover ...") still
    says something checkable."""
    by_sentence: dict[int, list[Claim]] = {}
    for c in claims:
        by_sentence.setdefault(c.sentence_start, []).append(c)
    out = {}
    for c in claims:
        why = not_checkworthy(text, c.sentence_start, c.sentence_end if c.sentence_end > c.sentence_start else c.end)
        if why in SOFT_REASONS and any(x.kind != "date" for x in by_sentence[c.sentence_start]):
            why = None
        if why:
            out[c.id] = why
    return out


def filter_claims(text: str, claims: list[Claim]) -> list[Claim]:
    """The check-worthy claims, renumbered c1, c2, ... in order."""
    dropped = reasons(text, claims)
    if not dropped:
        return claims
    kept = [c for c in claims if c.id not in dropped]
    return [c.model_copy(update={"id": f"c{i}"}) for i, c in enumerate(kept, start=1)]
