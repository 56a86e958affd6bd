"""A store whose SQLite file another process holds locked: one-line StoreBusy, nothing changed, no hang."""
from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pytest

from retrieval.search import Searcher
from retrieval.store import StoreBusy
from retrieval.store import open_store as _open_store
from retrieval.types import Document

REPO = Path(__file__).resolve().parents[1]
DOCS = [Document(source="dams.txt", text="The dam holds 4.2 cubic kilometres of water. It was finished in 1994."),
        Document(source="ports.txt", text="The port handled 11 million containers last year."),
        Document(source="rail.txt", text="The rail line is 212 kilometres long and opened in 2019.")]
NEW = Document(source="bridges.txt", text="The bridge spans 1.9 kilometres across the estuary.")

HOLD_LOCK = """
import select, sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute(sys.argv[2])
print("locked", flush=True)
select.select([sys.stdin], [], [], 30)  # hold the lock until the test closes our stdin (a hung test fails after 30 s)
connection.execute("ROLLBACK")
"""


class WordHashEmbedder:
    """Bag of hashed words: fast, deterministic, and passages sharing words with a query rank first."""

    name = "word-hash"
    dim = 64

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)


@contextlib.contextmanager
def locked_by_another_process(store_dir: Path, statement: str = "BEGIN EXCLUSIVE") -> Iterator[None]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(store_dir / "chroma.sqlite3"), statement],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


LOCK_WAIT_ENV = "COPYDESK_STORE_LOCK_WAIT"  # read by the CLI's settings (a subprocess below)


def open_store(path, **kwargs):
    """The store with a short lock wait (the library's parameter; the CLI reads COPYDESK_STORE_LOCK_WAIT)."""
    kwargs.setdefault("lock_wait_s", 0.2)
    return _open_store(path, **kwargs)


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(LOCK_WAIT_ENV, "0.2")
    directory = tmp_path / "store"
    open_store(directory, embedder=WordHashEmbedder()).ingest(DOCS)
    return directory


def snapshot(store) -> tuple:
    found = Searcher(store).search("rail line kilometres", k=3)
    return store.count(), store.documents(), store.revision(), [(p.id, p.score) for p in found]


@pytest.mark.parametrize("statement", ["BEGIN EXCLUSIVE", "BEGIN IMMEDIATE"])
def test_locked_store_refuses_ingest_remove_and_search_and_stays_as_it_was(store_dir, statement):
    store = open_store(store_dir, embedder=WordHashEmbedder())
    before = snapshot(store)
    with locked_by_another_process(store_dir, statement):  # IMMEDIATE: Chroma's reads would wait on it too
        started = time.monotonic()
        for attempt in (lambda: store.ingest([NEW]), lambda: store.remove("dams.txt"),
                        lambda: Searcher(store).search("dam water"), lambda: store.documents(),
                        lambda: open_store(store_dir, embedder=WordHashEmbedder())):
            with pytest.raises(StoreBusy) as caught:
                attempt()
            message = str(caught.value)
            assert "locked by another process" in message and str(store_dir) in message and "\n" not in message
        assert time.monotonic() - started < 10  # each gave up after the short wait instead of hanging
    assert snapshot(store) == before
    assert snapshot(open_store(store_dir, embedder=WordHashEmbedder())) == before
    assert store.ingest([NEW]).added == 1 and store.count() == before[0] + 1
    assert store.remove("dams.txt") is True
    assert sorted(row["source"] for row in store.documents()) == ["bridges.txt", "ports.txt", "rail.txt"]


def test_a_lock_released_within_the_wait_lets_the_ingest_through(store_dir, monkeypatch):
    store = open_store(store_dir, embedder=WordHashEmbedder(), lock_wait_s=5)
    brief_lock = HOLD_LOCK.replace("select.select([sys.stdin], [], [], 30)", "select.select([], [], [], 0.5)")
    holder = subprocess.Popen([sys.executable, "-c", brief_lock, str(store_dir / "chroma.sqlite3"), "BEGIN EXCLUSIVE"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert store.ingest([NEW]).added == 1
    finally:
        holder.wait(timeout=10)
    assert store.count() == 4


def test_cli_reports_a_locked_store_in_one_line_with_exit_2(store_dir, tmp_path):
    draft = tmp_path / "note.txt"
    draft.write_text("The tunnel is 57 kilometres long.", encoding="utf-8")
    with locked_by_another_process(store_dir):
        result = subprocess.run([sys.executable, "-m", "app.cli", "ingest", "--store", str(store_dir), str(draft)],
                                capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "locked by another process" in lines[0], result.stderr


def test_a_lock_taken_between_rounds_stops_the_ingest_with_whole_documents_only(store_dir):
    store = open_store(store_dir, embedder=WordHashEmbedder())
    revision = store.revision()
    first_round = [Document(source=f"early{i}.txt", text=f"Early note {i} about 3{i} tonnes of grain.") for i in range(8)]
    with contextlib.ExitStack() as stack:
        def documents():
            yield from first_round  # batch_size=1: a round is 8 documents
            stack.enter_context(locked_by_another_process(store_dir))
            yield NEW

        with pytest.raises(StoreBusy):
            store.ingest(documents(), batch_size=1)
    sources = {row["source"] for row in store.documents()}
    assert {d.source for d in first_round} <= sources and NEW.source not in sources
    assert all(store.passages_for(d.source) for d in first_round)
    assert store.revision() != revision  # caches built before the partial ingest are out of date
    assert store.ingest([NEW]).added == 1


def test_a_bad_lock_wait_setting_is_a_one_line_error(store_dir):
    from claims.errors import SettingsError
    from claims.settings import Settings
    from retrieval.store import StoreError

    with pytest.raises(SettingsError, match="COPYDESK_STORE_LOCK_WAIT must be a number of seconds, not 'soon'"):
        Settings.load(env={LOCK_WAIT_ENV: "soon"})
    with pytest.raises(StoreError, match="lock wait must be a number of seconds >= 0"):
        open_store(store_dir, embedder=WordHashEmbedder(), lock_wait_s=-1)
    assert Settings.load(env={LOCK_WAIT_ENV: "0.5"}).retrieval.open_store(
        store_dir, embedder=WordHashEmbedder()).lock_wait_s == 0.5
