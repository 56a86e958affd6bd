"""The Chroma store: content-hash identity, replace, remove, rollback, corrupt stores, a real server."""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from retrieval.store import IngestStats, StoreError, open_store
from retrieval.types import Document
from e2e.server import free_port, stop

DOCS = [
    Document(source="ports.md", title="Ports", date=date(2025, 6, 1),
             text="The harbour handled 4.2 million containers in 2024. Volumes rose by 8% on the year."),
    Document(source="rail.txt", text="Rail fares rise by 2.5% in April. Operators blame energy costs."),
    Document(source="dams.txt", text="The northern dam holds 38 billion cubic metres of water."),
]


class HashEmbedder:
    """A fast deterministic stand-in for a model: bag of hashed words, L2-normalised."""

    name = "hash-test"
    dim = 64

    def __init__(self, fail_after_calls: int | None = None) -> None:
        self.calls = 0
        self.fail_after_calls = fail_after_calls

    def embed(self, texts):
        self.calls += 1
        if self.fail_after_calls is not None and self.calls > self.fail_after_calls:
            raise RuntimeError("embedding backend crashed")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def embed_queries(self, texts):
        return self.embed(texts)


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "store")


def test_ingest_is_idempotent(store):
    first = store.ingest(DOCS)
    assert first == IngestStats(added=3, replaced=0, unchanged=0, passages=first.passages) and first.passages >= 3
    count = store.count()
    assert store.ingest(DOCS) == IngestStats(unchanged=3)
    assert store.count() == count
    assert store.stats()["documents"] == 3


def test_changed_document_replaces_its_passages(store):
    store.ingest(DOCS)
    changed = Document(source="rail.txt", text="Rail fares fall by 1% in May.")
    assert store.ingest([changed]) == IngestStats(replaced=1, passages=1)
    [passage] = store.passages_for("rail.txt")
    assert passage.text == "Rail fares fall by 1% in May." and passage.doc_hash == changed.hash
    assert store.document_text("rail.txt") == changed.text
    assert {row["source"]: row["hash"] for row in store.documents()}["rail.txt"] == changed.hash


def test_remove_deletes_document_and_passages(store):
    store.ingest(DOCS)
    assert store.remove("dams.txt") is True
    assert store.passages_for("dams.txt") == [] and store.document_text("dams.txt") is None
    assert store.remove("dams.txt") is False
    assert sorted(row["source"] for row in store.documents()) == ["ports.md", "rail.txt"]


def test_documents_table_keeps_metadata_and_full_text(store):
    store.ingest(DOCS)
    rows = {row["source"]: row for row in store.documents()}
    assert rows["ports.md"]["title"] == "Ports" and rows["ports.md"]["date"] == "2025-06-01"
    text = store.document_text("ports.md")
    for p in store.passages_for("ports.md"):
        assert text[p.start:p.end] == p.text and p.date == date(2025, 6, 1)


def test_store_reopens_with_its_content(tmp_path):
    open_store(tmp_path / "s").ingest(DOCS)
    reopened = open_store(tmp_path / "s")
    assert reopened.stats()["documents"] == 3 and reopened.ingest(DOCS).unchanged == 3


def test_failure_mid_ingest_leaves_no_half_document(tmp_path):
    store = open_store(tmp_path / "s", embedder=HashEmbedder())
    store.ingest(DOCS[:1])
    before = store.count()
    many = [Document(source=f"doc{i}.txt", text=" ".join(f"Sentence {j} of document {i}." for j in range(30)))
            for i in range(3)]
    store.embedder.fail_after_calls = store.embedder.calls + 1  # the second embedding call of the batch fails
    with pytest.raises(StoreError, match="rolled back"):
        store.ingest(many, batch_size=8)
    assert store.count() == before
    assert [row["source"] for row in store.documents()] == ["ports.md"]


def test_embedder_mismatch_is_refused(tmp_path):
    open_store(tmp_path / "s", embedder=HashEmbedder()).ingest(DOCS[:1])

    class Other(HashEmbedder):
        name = "other-model"

    with pytest.raises(StoreError, match="built with embedder 'hash-test'"):
        open_store(tmp_path / "s", embedder=Other())


def test_corrupt_store_gives_a_clear_error_and_is_left_alone(tmp_path):
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    before = sorted(p.name for p in directory.iterdir())
    with pytest.raises(StoreError, match="corrupt") as caught:
        open_store(directory)
    assert "\n" not in str(caught.value)
    assert sorted(p.name for p in directory.iterdir()) == before
    assert (directory / "chroma.sqlite3").read_bytes() == b"this is not a database" * 100


def test_store_path_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        open_store(tmp_path / "file")


@pytest.fixture
def chroma_server(tmp_path):
    binary = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if binary is None:
        pytest.skip("the chroma CLI is not installed (pip install chromadb provides it)")
    port = free_port()
    log = open(tmp_path / "chroma.log", "wb")
    process = subprocess.Popen([binary, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"chroma server exited early: {(tmp_path / 'chroma.log').read_text()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start within 30 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        log.close()


def test_store_on_a_chroma_server(chroma_server):
    from retrieval.search import Searcher

    store = open_store(url=chroma_server, embedder=HashEmbedder())
    assert store.ingest(DOCS).added == 3
    assert store.ingest(DOCS).unchanged == 3
    assert store.document_text("dams.txt") == DOCS[2].text
    hits = Searcher(store).search("dam cubic metres water", k=1)
    assert hits[0].source == "dams.txt"
    assert store.remove("dams.txt") and store.stats()["documents"] == 2


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(StoreError, match="cannot reach the Chroma server"):
        open_store(url=f"http://127.0.0.1:{free_port()}", embedder=HashEmbedder())
