"""RuleExtractor: claims with exact spans, statements, sentence offsets; robustness; the seed gold set."""
from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from claims.extract import RuleExtractor, sentence_spans

AS_OF = date(2025, 11, 25)
REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "evals" / "sets" / "seeds.jsonl"

DRAFT = (
    "Dutch Prime Minister Pieter de Wit opened the Harlingen terminal on October 14th.\n"
    "The terminal, which has cost about 2.4 billion euros since 2019, handles 38% of national grain imports.\n"
    "Wit's cabinet says traffic rose 6% last year. She expects 1,200 new jobs by 2027."
)


def claims_of(text: str, as_of: date = AS_OF):
    return RuleExtractor().extract(text, as_of)


def test_claims_have_exact_spans_ids_and_kinds():
    claims = claims_of(DRAFT)
    for claim in claims:
        assert DRAFT[claim.start:claim.end] == claim.text
        assert claim.sentence_start <= claim.start < claim.end <= claim.sentence_end
        assert claim.extractor == "rules"
    assert [c.id for c in claims] == [f"c{i}" for i in range(1, len(claims) + 1)]
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    by_text = {c.text: c for c in claims}
    assert by_text["about 2.4 billion euros"].kind == "quantity"
    assert by_text["since 2019"].kind == "date"  # a date right after a quantity stays its own claim
    assert by_text["38% of national grain imports"].quantity.noun == "national grain imports"
    assert by_text["on October 14th"].date.start == date(2025, 10, 14)
    minister = by_text["Dutch Prime Minister Pieter de Wit"].official
    assert (minister.name, minister.title) == ("Pieter de Wit", "Dutch Prime Minister")
    assert by_text["Wit"].official.full_name == "Pieter de Wit"  # "Wit's cabinet" refers back
    assert [c.kind for c in claims] == ["official", "date", "quantity", "date", "quantity", "official", "quantity",
                                        "date", "quantity", "date"]


def test_sentence_with_several_values_gives_several_claims():
    text = "Exports rose 4% to $310 billion in 2024, while 2,000 workers were hired."
    claims = claims_of(text)
    assert [c.kind for c in claims] == ["quantity", "quantity", "date", "quantity"]
    assert len({c.statement for c in claims}) == 1
    assert all((c.sentence_start, c.sentence_end) == (0, len(text)) for c in claims)


def test_statement_names_the_titled_full_name_and_resolves_relative_dates():
    text = ("Finance Minister Carla Ruiz presented the budget. Ruiz said debt fell to 61% last year. "
            "She also promised 300 new schools.")
    claims = {c.text: c for c in claims_of(text)}
    debt = claims["61%"]
    assert debt.statement.startswith("Finance Minister Carla Ruiz said debt fell to 61% last year.")
    assert "[as of 2025-11-25: last year = 2024]" in debt.statement
    assert claims["Ruiz"].official.full_name == "Carla Ruiz"
    assert claims["300 new schools"].statement.startswith("Finance Minister Carla Ruiz also promised")
    assert debt.subject == "debt"
    assert claims["Ruiz"].subject == "Carla Ruiz"


def test_absolute_dates_get_no_as_of_note():
    claims = claims_of("The canal opened in 1914 with 5,000 workers.")
    assert all("[as of" not in c.statement for c in claims)


def test_quantity_subjects():
    claims = {c.text: c for c in claims_of("The reservoir reached a depth of 40 metres, and 2,500 residents left.")}
    assert claims["40 metres"].subject == "depth"
    assert claims["2,500 residents"].subject == "residents"


def test_publication_metadata_and_furniture_are_not_claims():
    text = "Harbour talks resume\n2024-05-02\n3 min read\n\n1. Background\nThe port handled 12 million tonnes."
    assert [c.text for c in claims_of(text)] == ["12 million tonnes"]


@pytest.mark.parametrize("text", ["", "   \n\t ", "no numbers, dates or names here"])
def test_nothing_to_extract(text):
    assert claims_of(text) == []


def test_html_and_non_english_do_not_crash():
    html = "<p>Costs <b>rose 5%</b> in <i>2023</i>.</p><script>var x = 1e9;</script>"
    for claim in claims_of(html):
        assert html[claim.start:claim.end] == claim.text
    text = "東京で2024年に3万人が集まった。Le président Macron a parlé le 3 mai. Ελλάδα 2019 € 5"
    for claim in claims_of(text):
        assert text[claim.start:claim.end] == claim.text


@pytest.mark.parametrize("chunk", [
    "1,2,3,4,5,6,7,8,9," * 2000,
    "President " * 4000,
    "Aaaa Bbbb Cccc Dddd " * 3000,
    "-9-9-9-9-9" * 3000,
    "in early in early in early " * 2000,
])
def test_pathological_input_finishes_quickly(chunk):
    start = time.perf_counter()
    claims_of(chunk)
    assert time.perf_counter() - start < 5


def test_time_grows_linearly_with_text_length(seeds_dir):
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt")))
    extractor = RuleExtractor()
    extractor.extract(text, AS_OF)  # warm

    def seconds(copies: int) -> float:
        big = "\n\n".join([text] * copies)
        start = time.perf_counter()
        extractor.extract(big, AS_OF)
        return time.perf_counter() - start

    small = min(seconds(1) for _ in range(3))
    large = seconds(8)
    assert large < 24 * max(small, 0.01)  # linear: about 8x; quadratic would be about 64x (margin for noisy CPUs)


def test_sentence_spans_break_at_lines(seeds_dir):
    text = (seeds_dir / sorted(p.name for p in seeds_dir.glob("*.txt"))[0]).read_text(encoding="utf-8")
    for start, end in sentence_spans(text):
        assert "\n" not in text[start:end]
        assert text[start:end] == text[start:end].strip()


def test_seed_articles_give_valid_claims(seeds_dir):
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        claims = claims_of(text, date(2026, 1, 15))
        assert claims, path.name
        for claim in claims:
            assert text[claim.start:claim.end] == claim.text
            assert claim.statement
            assert "min read" not in claim.text


def _gold_span(text: str, quote: str, occurrence: int) -> tuple[int, int]:
    position = -1
    for _ in range(occurrence + 1):
        position = text.find(quote, position + 1)
        assert position >= 0, f"gold quote not found: {quote!r}"
    return position, position + len(quote)


def test_seed_gold_set_precision_and_recall(shared_dir):
    if not GOLD.is_file():
        pytest.skip(f"gold set not found at {GOLD}")
    counts = {kind: [0, 0, 0, 0] for kind in ("quantity", "date", "official")}  # hit, gold, correct, predicted
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        text = (shared_dir / item["text_file"]).read_text(encoding="utf-8")
        claims = claims_of(text, date.fromisoformat(item["as_of"]))
        gold = [(*_gold_span(text, e["quote"], e.get("occurrence") or 0), e["kind"]) for e in item["expected"]]
        for kind, c in counts.items():
            spans = [g for g in gold if g[2] == kind]
            predicted = [x for x in claims if x.kind == kind]
            c[0] += sum(any(p.start < g[1] and g[0] < p.end for p in predicted) for g in spans)
            c[1] += len(spans)
            c[2] += sum(any(p.start < g[1] and g[0] < p.end for g in spans) for p in predicted)
            c[3] += len(predicted)
    for kind, (hit, total, correct, predicted) in counts.items():
        assert total and hit / total >= 0.95, f"{kind} recall {hit}/{total}"
        assert predicted and correct / predicted >= 0.85, f"{kind} precision {correct}/{predicted}"


def test_long_sentences_are_cut_to_the_clause_holding_the_value():
    filler = "the committee, after weeks of debate over drafts and amendments that went nowhere in particular, "
    text = (f"Negotiators say {filler}{filler}agreed on a text; the fund will total $80 billion by 2030 — "
            "a figure critics call modest.")
    claim = next(c for c in claims_of(text) if c.text == "$80 billion")
    assert claim.statement == "the fund will total $80 billion by 2030"
    assert (claim.sentence_start, claim.sentence_end) == (0, len(text))


def test_bad_input_raises_a_clear_error():
    from claims.errors import DraftError

    with pytest.raises(DraftError, match="must be text"):
        RuleExtractor().extract(b"bytes", AS_OF)  # type: ignore[arg-type]
    with pytest.raises(DraftError, match="as_of must be a date"):
        RuleExtractor().extract("In 2020.", "2020-01-01")  # type: ignore[arg-type]
