"""The wording checker: a qualitative clause contradicted by the corpus's wording, by named rules; never
supports, and leaves alone what is about something else, negated or hedged."""
from __future__ import annotations

from datetime import date

import pytest

from claims.models import Claim, Label
from claims.verification.checker import Context
from claims.verification.wording_checker import WordingChecker
from retrieval.types import Passage

AS_OF = date(2026, 3, 12)


def _claim(text: str, start: int = 0, id: str = "c1") -> Claim:
    return Claim(id=id, text=text, start=start, end=start + len(text), kind="statement", statement=text,
                 sentence_start=start, sentence_end=start + len(text))


def _check(clause: str, evidence: str, claims: list[Claim] | None = None):
    claim = claims[-1] if claims else _claim(clause)
    passage = Passage(id="p1", source="minutes.md", text=evidence, start=30, end=30 + len(evidence))
    return WordingChecker().check(claim, [passage], Context(as_of=AS_OF, claims=claims or [claim]))


@pytest.mark.parametrize("clause, evidence, rule", [
    ("An amendment to freeze property taxes passed during the meeting",
     "Minutes. An amendment proposing a freeze in property taxes was rejected.", "outcome"),
    ("Lucia Reyna won the Tarsk mayoral election in the first round",
     "Tarsk mayoral election, second round, 24 May 2026: Lucia Reyna 52.4%.", "ordinal"),
    ("Talks between Norland and Estmark were held in Harwick in February",
     "The third round of talks between Norland and Estmark took place in Dorrington in February.", "place"),
    ("the two sides issued a joint statement on fishing rights",
     "A planned joint statement on fishing rights was postponed.", "called off"),
    ("bus links would replace every closed line",
     "She said bus links would replace most of the closed lines.", "quantifier"),
])
def test_a_clause_the_corpus_words_the_other_way_is_contradicted_citing_that_sentence(clause, evidence, rule):
    verdict = _check(clause, evidence)
    assert verdict is not None and verdict.label is Label.contradicted and f"({rule})" in verdict.rationale
    (citation,) = verdict.citations
    assert ("x" * 30 + evidence)[citation.start:citation.end] == citation.quote
    assert citation.quote in evidence and not citation.quote.startswith("Minutes.")  # the sentence, not the passage


def test_a_short_clause_is_read_with_the_statement_before_it():
    before = _claim("Brackwater council approved its 2026-27 budget of £48 million on 10 March")
    vote = _claim("The vote was unanimous", start=before.end + 2, id="c2")
    minutes = "The 2026-27 budget of £48 million was approved by 7 votes to 2."
    verdict = _check(vote.text, minutes, [before, vote])
    assert verdict is not None and "(unanimity)" in verdict.rationale
    other = "The harbour levy was approved by 7 votes to 2."  # another vote: not about this budget
    assert _check(vote.text, other, [before, vote]) is None


@pytest.mark.parametrize("clause, evidence", [
    ("An amendment to freeze property taxes passed", "An amendment to freeze property taxes passed."),  # agrees
    ("An amendment to freeze property taxes passed", "A motion on parking charges was rejected."),  # other subject
    ("An amendment to freeze property taxes was not passed", "An amendment to freeze property taxes was rejected."),
    ("The game was set to be released in April 2011", "Originally due in April 2011, the game was delayed and "
                                                      "eventually released in September 2011."),
    ("Bjork's fourth album was Vespertine", "Her fourth and fifth albums, Vespertine and Medulla, were quieter."),
    ("Black and Blue is the third studio album by the band in the US",
     "Black and Blue is the fourth studio album (third in the US) by the band."),
])
def test_agreement_another_subject_negation_and_hedges_are_left_alone(clause, evidence):
    assert _check(clause, evidence) is None


def test_it_never_supports():
    assert _check("The council agreed to keep the pool open", "The council agreed to keep the pool open.") is None
