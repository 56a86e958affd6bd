"""Source trust: a low-trust source never supports what a trusted one contradicts (claims.verification.trust).

Through the product path, `claims.pipeline.check`, with the evidence given as passages of known trust,
and through a real store (trust read from front matter / JSONL, kept in Chroma's metadata).
"""
from __future__ import annotations

from datetime import date

from claims.models import Label
from claims.pipeline import check
from retrieval.types import Passage

AS_OF = date(2026, 2, 20)
DRAFT = "Fenwick Water charges will increase by 3.9% from April."
FORUM = "Posted on a customers' forum: heard the water board went for a 3.9% increase in charges from April. Typical."
BOARD = "Fenwick Water board decision, 12 February 2026. Charges will increase by 6.2% from 1 April 2026."


def passage(source: str, text: str, trust: str) -> Passage:
    return Passage(id=f"{source}:0", source=source, text=text, start=0, end=len(text), trust=trust)


def figure(report, text: str = "3.9%"):
    return next(r for r in report.claims if r.claim.text == text)


def test_a_trusted_source_wins_over_a_forum_post_and_the_conflict_is_flagged():
    report = check(DRAFT, as_of=AS_OF, evidence=[passage("forum.md", FORUM, "low"), passage("board.md", BOARD, "high")])
    result = figure(report)
    assert result.verdict.label is Label.contradicted
    sources = [c.source for c in result.verdict.citations]
    assert sources[0] == "board.md" and "forum.md" in sources  # the trusted quote first, the other beside it
    kinds = {f.kind for f in result.flags}
    assert {"number_mismatch", "conflicting_evidence"} <= kinds
    conflict = next(f for f in result.flags if f.kind == "conflicting_evidence")
    assert {c.source for c in conflict.citations} == {"board.md", "forum.md"}


def test_without_trust_levels_the_same_evidence_is_read_as_before():
    # both "normal": no source outranks the other, so the rule does not apply
    report = check(DRAFT, as_of=AS_OF, evidence=[passage("forum.md", FORUM, "normal"), passage("board.md", BOARD, "normal")])
    result = figure(report)
    assert not any(f.kind == "conflicting_evidence" for f in result.flags)


def test_what_only_a_low_trust_source_says_is_never_a_finding():
    report = check(DRAFT, as_of=AS_OF, evidence=[passage("forum.md", FORUM, "low")])
    result = figure(report)
    assert result.verdict.label is Label.supported  # the forum does say 3.9%
    assert result.verdict.tier == "suggestion"
    same = check(DRAFT, as_of=AS_OF, evidence=[passage("forum.md", FORUM, "high")])
    assert figure(same).verdict.tier == "finding"  # the same quote from a trusted source is one


def test_a_trusted_source_that_agrees_is_the_one_cited():
    board = "Fenwick Water board decision, 12 February 2026. Charges will increase by 3.9% from 1 April 2026."
    report = check(DRAFT, as_of=AS_OF, evidence=[passage("forum.md", FORUM, "low"), passage("board.md", board, "high")])
    result = figure(report)
    assert result.verdict.label is Label.supported
    assert [c.source for c in result.verdict.citations] == ["board.md"]
    assert result.verdict.tier == "finding"


def test_trust_travels_from_front_matter_and_jsonl_through_a_real_store(tmp_path):
    from retrieval.loaders import load_paths
    from retrieval.store import open_store

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "forum.md").write_text(f"---\ntrust: low\n---\n{FORUM}\n", encoding="utf-8")
    (corpus / "decisions.jsonl").write_text(
        '{"source": "board.md", "trust": "high", "date": "2026-02-12", "text": "%s"}\n' % BOARD, encoding="utf-8")
    store = open_store(tmp_path / "store")
    store.ingest(list(load_paths([corpus])))
    assert {p.source: p.trust for p in store.passages_for("forum.md") + store.passages_for("board.md")} == \
        {"forum.md": "low", "board.md": "high"}
    result = figure(check(DRAFT, store=store, as_of=AS_OF))
    assert result.verdict.label is Label.contradicted
    assert result.verdict.citations[0].source == "board.md"
    assert any(f.kind == "conflicting_evidence" for f in result.flags)

    # trust is part of what makes a document unchanged: lowering it re-ingests the document
    (corpus / "forum.md").write_text(f"---\ntrust: high\n---\n{FORUM}\n", encoding="utf-8")
    stats = store.ingest(list(load_paths([corpus])))
    assert stats.replaced == 1 and store.passages_for("forum.md")[0].trust == "high"


def test_an_unknown_trust_level_is_a_clear_load_error(tmp_path):
    import pytest

    from retrieval.loaders import LoadError, load_paths

    (tmp_path / "x.md").write_text("---\ntrust: very\n---\nSome text here.\n", encoding="utf-8")
    with pytest.raises(LoadError, match="unknown trust level 'very'"):
        list(load_paths([tmp_path]))
