"""The performance benchmark's inputs: the composed draft and the store's sentences (no timing here)."""
from __future__ import annotations

import importlib.util

from evals.formats import REPO_ROOT

spec = importlib.util.spec_from_file_location("perf_bench", REPO_ROOT / "bench" / "perf_bench.py")
perf_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(perf_bench)


def test_draft_is_about_a_thousand_words_of_whole_seed_paragraphs(seeds_dir):
    draft = perf_bench.compose_draft(seeds_dir, 1000)
    words = len(draft.split())
    assert 1000 <= words < 1400
    seeds = " ".join(p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt")))
    assert all(para in seeds for para in draft.split("\n\n"))


def test_store_sentences_are_unique_and_named(evaldata_dir):
    pairs = perf_bench.bench_sentences(evaldata_dir, 50)
    assert len(pairs) == 50 and len({text for _, text in pairs}) == 50
    assert all(source.startswith("climate-fever/") for source, _ in pairs)


def test_table_shows_every_mode():
    results = {"machine": {"cpus": 2}, "store": {"passages": 10}, "draft": {"words": 5},
               "runs": {"none": {"cold": {"seconds": 9.5, "peak_rss_mb": 300.0},
                                 "warm": {"first_seconds": 3.0, "warm_seconds": 1.0, "claims": 20,
                                          "claims_per_second": 20.0, "tokens_per_draft": 0, "peak_rss_mb": 400.0}}}}
    table = perf_bench.table(results)
    assert "| none | 9.5 | 3.0 | 1.0 | 20 | 20.0 | 0 | 300.0 / 400.0 |" in table
