"""Quotes: an attributed quoted phrase checked against the corpus's wording of the same quote (misquote)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claims.extract import RuleExtractor
from claims.quotes import find_quotes, quote_flags
from retrieval.types import Passage

AS_OF = date(2026, 4, 8)
DEBATE = ("House debate, 7 April 2026. Transport Minister Elin Marsh said the network was \"running on borrowed "
          "money\" and that closing 14 rural stations would save £36 million a year. Rafael Quint, for the "
          "opposition, said the plan was \"an act of vandalism\".")


def passages(text: str, source: str = "debate.md", offset: int = 40) -> list[Passage]:
    """One passage whose offsets point into a document that has `offset` characters before it."""
    return [Passage(id=f"{source}:0", source=source, text=text, start=offset, end=offset + len(text))]


def claims(text: str):
    return RuleExtractor().extract(text, AS_OF)


def test_a_reworded_quote_is_flagged_with_the_corpus_wording_cited_verbatim():
    draft = ("Transport Minister Elin Marsh defended the closures, telling MPs that the network was "
             "\"living on borrowed time\".")
    (flag,) = quote_flags(draft, claims(draft), passages(DEBATE))
    assert flag.kind == "misquote" and flag.suggestion == "running on borrowed money"
    assert draft[flag.spans[0][0]:flag.spans[0][1]] == "\"living on borrowed time\""
    (citation,) = flag.citations
    document = "x" * 40 + DEBATE
    assert document[citation.start:citation.end] == citation.quote == "running on borrowed money"
    assert citation.source == "debate.md"


def test_the_speaker_may_be_named_in_an_earlier_sentence():
    draft = ("Transport Minister Elin Marsh spoke to MPs on Tuesday. She said the network was "
             "\"living on borrowed time\".")
    assert [q.surname for q in find_quotes(draft, claims(draft))] == ["Marsh"]
    assert len(quote_flags(draft, claims(draft), passages(DEBATE))) == 1


def test_decoys_are_not_flagged():
    exact = "Transport Minister Elin Marsh said the network was \"running on borrowed money\"."
    assert quote_flags(exact, claims(exact), passages(DEBATE)) == []
    other_speaker = "Transport Minister Elin Marsh said the plan was \"an act of courage\"."
    assert quote_flags(other_speaker, claims(other_speaker), passages(DEBATE)) == []  # Quint's words, not hers
    unattributed = "The closures have been branded \"living on borrowed time\" by campaigners."
    assert quote_flags(unattributed, claims(unattributed), passages(DEBATE)) == []
    no_overlap = "Transport Minister Elin Marsh said the decision was \"final\"."
    assert quote_flags(no_overlap, claims(no_overlap), passages(DEBATE)) == []
    assert quote_flags(exact, claims(exact), []) == []  # nothing to compare with


def test_search_is_asked_for_the_speaker_and_phrase():
    draft = "Transport Minister Elin Marsh said the network was \"living on borrowed time\"."
    asked: list[str] = []

    def search(query: str) -> list[Passage]:
        asked.append(query)
        return passages(DEBATE)

    assert len(quote_flags(draft, claims(draft), [], search=search)) == 1
    assert asked == ["Elin Marsh living on borrowed time"]


def test_the_seed_misquote_is_surfaced_against_the_demo_corpus(seeds_dir: Path, repo_dir: Path, tmp_path: Path):
    from claims.pipeline import check
    from retrieval.loaders import load_paths
    from retrieval.store import open_store

    corpus = repo_dir / "app" / "demo" / "corpus"
    if not corpus.is_dir():
        pytest.skip("demo corpus not present")
    store = open_store(str(tmp_path / "store"))
    store.ingest(list(load_paths([corpus])))
    for name, phrase in (("004", "existence crisis situation"), ("000", "existential threat")):
        text = next(seeds_dir.glob(f"{name}_*.txt")).read_text(encoding="utf-8")
        report = check(text, store=store, as_of=date(2026, 1, 20))
        misquotes = [f for f in report.flags if f.kind == "misquote"]
        assert [phrase in text[f.spans[0][0]:f.spans[0][1]] for f in misquotes] == [True], [f.message for f in misquotes]
        (citation,) = misquotes[0].citations
        assert citation.quote == "survival-threatening situation"
        assert store.document_text(citation.source)[citation.start:citation.end] == citation.quote


def test_a_quote_s_sentence_is_the_splitters_sentence_not_cut_at_an_abbreviation():
    """The speech verb after "U.S." is in the quote's sentence (the old rule cut the sentence at any ". ")."""
    from datetime import date

    from claims.extract import RuleExtractor

    text = 'The talks stalled on Monday. "The plan is a reckless gamble," the U.S. envoy Ana Ruiz said. She left early.'
    quotes = find_quotes(text, RuleExtractor().extract(text, date(2026, 1, 1)))
    assert [(q.phrase, q.speaker) for q in quotes] == [("The plan is a reckless gamble,", "Ana Ruiz")]


def _quote_results(draft: str):
    from claims.pipeline import check

    report = check(draft, evidence=passages(DEBATE), as_of=AS_OF)
    return [r for r in report.claims if r.claim.kind == "statement" and '"' in r.claim.text]


def test_a_statement_quoting_the_speaker_verbatim_is_supported_citing_the_corpus_sentence():
    (result,) = _quote_results("Opposition spokesman Rafael Quint called the plan \"an act of vandalism\".")
    verdict = result.verdict
    assert verdict.method == "comparator:quote" and verdict.label.value == "supported"
    assert verdict.tier == "suggestion"  # too few measured quotes to earn findings
    (citation,) = verdict.citations
    assert citation.quote.startswith("Rafael Quint, for the opposition") and "an act of vandalism" in citation.quote
    assert DEBATE[citation.start - 40:citation.end - 40] == citation.quote


def test_a_misquoted_statement_is_contradicted_with_the_corpus_wording():
    (result,) = _quote_results("Transport Minister Elin Marsh said the network was \"living on borrowed time\".")
    verdict = result.verdict
    assert verdict.method == "comparator:quote" and verdict.label.value == "contradicted"
    assert "running on borrowed money" in verdict.rationale and "running on borrowed money" in verdict.citations[0].quote


def test_the_quote_checker_does_not_decide_for_another_speaker_or_a_figure_beside_the_quote():
    (other,) = _quote_results("Transport Minister Elin Marsh said the plan was \"an act of vandalism\".")
    assert other.verdict.method != "comparator:quote"  # Quint's words, not hers
    figure = _quote_results("Rafael Quint called the plan \"an act of vandalism\" that would save £50 million a year.")
    assert all(r.verdict.method != "comparator:quote" or r.verdict.label.value != "supported" for r in figure)
