"""Sentence splitting (shared with claims/) and chunking with exact offsets."""
from __future__ import annotations

import pytest

from retrieval.chunking import chunk_document, split_sentences
from retrieval.tokens import count_tokens
from retrieval.types import Document


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize("text, expected", [
    ("Dr. Ito met the U.S. envoy on Monday. Talks went well.",
     ["Dr. Ito met the U.S. envoy on Monday.", "Talks went well."]),
    ("Growth was 1.5% last year. It was 2.25% before.", ["Growth was 1.5% last year.", "It was 2.25% before."]),
    ("Route No. 9 is closed. Use the bypass.", ["Route No. 9 is closed.", "Use the bypass."]),
    ("J. R. Tanaka wrote it. Nobody read it.", ["J. R. Tanaka wrote it.", "Nobody read it."]),
    ("Troops left the U.S. The base closed.", ["Troops left the U.S.", "The base closed."]),
    ('He said "it is over." Then he left!', ['He said "it is over."', "Then he left!"]),
    ("Is it true? Yes. Mr. Kim agrees, e.g. on taxes.", ["Is it true?", "Yes.", "Mr. Kim agrees, e.g. on taxes."]),
    ("The vote was no. The law failed.", ["The vote was no.", "The law failed."]),
    ("# Budget\nSpending rose by 3 percent.", ["# Budget", "Spending rose by 3 percent."]),
    ("First paragraph without a stop\n\nSecond one.", ["First paragraph without a stop", "Second one."]),
])
def test_split_sentences(text, expected):
    assert sentences(text) == expected


def test_spans_are_exact_and_stripped():
    text = "  One sentence here.   Another one follows.\n"
    for start, end in split_sentences(text):
        assert text[start:end] == text[start:end].strip() != ""


def test_empty_text_has_no_sentences():
    assert split_sentences("") == [] and split_sentences("   \n\n ") == []


def test_chunks_keep_exact_offsets_and_respect_limits():
    body = " ".join(f"Sentence number {i} reports that the index rose by {i}.5 points in the U.S. market." for i in range(40))
    doc = Document(source="a.txt", text="Title line\n\n" + body + "\n\nLast paragraph stands alone.")
    passages = chunk_document(doc, max_tokens=60, max_sentences=3)
    assert len(passages) > 10
    for p in passages:
        assert doc.text[p.start:p.end] == p.text
        assert p.source == "a.txt" and p.doc_hash == doc.hash
        assert count_tokens(p.text) <= 60 + 3  # sentences joined by single spaces may add a token or two
    assert len({p.id for p in passages}) == len(passages)
    assert passages[-1].text == "Last paragraph stands alone."


def test_an_overlong_sentence_is_cut_into_pieces_with_exact_offsets():
    doc = Document(source="long.txt", text="word " * 500 + "end.")
    passages = chunk_document(doc, max_tokens=50)
    assert len(passages) >= 10
    for p in passages:
        assert doc.text[p.start:p.end] == p.text and count_tokens(p.text) <= 51


def test_split_sentences_is_fast():
    import time

    text = "Dr. Sato said the U.S. budget grew 1.5% to $4.2 trillion in 2025. " * 5000
    started = time.perf_counter()
    spans = split_sentences(text)
    assert len(spans) == 5000
    assert time.perf_counter() - started < 2.0
