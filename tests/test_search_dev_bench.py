"""The retrieval tuning harness (bench/retrieval_dev.py): its sets and its scoring."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import retrieval_dev  # noqa: E402


def test_recall_and_mrr_count_the_first_gold_hit():
    queries = [("q1", {"a"}), ("q2", {"z"}), ("q3", {"f"})]
    rankings = [["a", "b"], ["b", "c"], ["b", "c", "d", "e", "x", "f"]]
    row = retrieval_dev.evaluate(lambda i: rankings[i], queries)
    assert row["recall@5"] == pytest.approx(1 / 3)  # q3's gold is at rank 6
    assert row["mrr@10"] == pytest.approx((1 + 0 + 1 / 6) / 3)


def test_matrix_dense_ranks_by_cosine_and_returns_vectors():
    dense = retrieval_dev.MatrixDense(["a", "b", "c"], np.eye(3, dtype=np.float32))
    assert [pid for pid, _ in dense.nearest(np.asarray([0.1, 0.9, 0.3], dtype=np.float32), 2)] == ["b", "c"]
    assert dense.vectors(["c", "a"]).tolist() == [[0, 0, 1], [1, 0, 0]]


@pytest.mark.parametrize("name", ["fm2", "vitaminc"])
def test_dev_sets_pool_every_gold_sentence(evaldata_dir, name):
    data = retrieval_dev.SETS[name]()
    ids = set(data.ids)
    assert len(ids) == len(data.ids) == len(data.texts) > 1000
    assert len(data.queries) > 1000
    assert all(gold and gold <= ids for _, gold in data.queries)
