"""The passage store: Chroma (embedded on disk, or a Chroma server), with content-hash identity.

Two collections: `copydesk_passages` (one record per passage: text, embedding, offsets, metadata) and
`copydesk_documents` (one record per document: full text and metadata, plus one meta record holding the
embedder's name and a revision that changes with every write). A document's row is written only after
all its passages were added, so a failure mid-ingest never leaves half a document visible.

Locks: Chroma's embedded client waits without limit on an SQLite file that another process holds locked
(an open write transaction: `BEGIN EXCLUSIVE`, or just `BEGIN IMMEDIATE`: its reads take the write lock
too). Before each read and each write batch, `_LockProbe` asks the kernel whether another process holds
SQLite's write locks, waits up to `lock_wait_s` seconds (default 2) for them to go, and raises
`StoreBusy` instead of hanging, before anything was changed. A lock taken after the probe, in the middle
of a Chroma call, still makes that call wait.
"""
from __future__ import annotations

import functools
import hashlib
import math
import os
import struct
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from retrieval.chunking import DEFAULT_MAX_TOKENS, chunk_document
from retrieval.errors import CopydeskError
from retrieval.settings import DEFAULT_LOCK_WAIT_S, DEFAULT_STORE_DIR
from retrieval.embeddings import CopydeskEmbeddingFunction, Embedder, EmbedderUnavailable, get_embedder
from retrieval.types import Document, Passage

PASSAGES = "copydesk_passages"
DOCUMENTS = "copydesk_documents"
META_ID = "__copydesk_meta__"
TOKEN_ENV = "COPYDESK_CHROMA_TOKEN"  # named in messages: the setting whose bearer token goes to a Chroma server
DEFAULT_BATCH_SIZE = 256  # passages embedded and written per call
CHUNKS_PER_ROUND = 8  # documents are read, checked and committed in rounds of up to 8 batches' worth
_PAGE = 5000
ROW_DIM = 2  # vector width of document rows


class StoreError(CopydeskError, RuntimeError):
    """The store cannot be opened or written; the message says why in one line."""


class StoreBusy(StoreError):
    """Another process holds the store's database locked; nothing was changed."""


# SQLite's lock bytes in a rollback-journal database file (os_unix.c); Chroma's file uses journal_mode=delete.
_PENDING_BYTE = 0x40000000
_RESERVED_BYTE = _PENDING_BYTE + 1
_SHARED_FIRST, _SHARED_SIZE = _PENDING_BYTE + 2, 510
_FLOCK_LAYOUTS = {"linux": ("hhqqi4x", 0, (0, 1, 2, 3, 4)), "darwin": ("qqihh", 3, (3, 4, 0, 1, 2))}


class _LockProbe:
    """Asks the kernel whether another process holds SQLite's locks on a store's chroma.sqlite3 (F_GETLK).

    It only looks: no lock is taken or released, so Chroma's own locks in this process are never touched (a
    second SQLite connection could drop them: POSIX locks belong to the process, not to a connection). The
    file descriptor stays open for the life of the process for the same reason: closing it would drop them.
    Where fcntl's lock query is unavailable (Windows, other systems) there is no probe.
    """

    _probes: dict[Path, "_LockProbe"] = {}
    _probes_guard = threading.Lock()

    def __init__(self, database: Path, layout: tuple[str, int, tuple[int, ...]]) -> None:
        self.descriptor = os.open(database, os.O_RDONLY)
        self.layout, self.type_index, self.order = layout

    @classmethod
    def for_store(cls, directory: Path) -> "_LockProbe | None":
        """The probe of the store in `directory`; None while it has no database file, or on other systems."""
        layout = next((v for k, v in _FLOCK_LAYOUTS.items() if sys.platform.startswith(k)), None)
        database = (directory / "chroma.sqlite3").resolve()
        with cls._probes_guard:
            if database not in cls._probes:
                if layout is None or not database.is_file():
                    return None
                try:
                    cls._probes[database] = cls(database, layout)
                except OSError:
                    return None  # unreadable: Chroma reports its own error
            return cls._probes[database]

    def _conflicts(self, lock_type: int, start: int, length: int) -> bool:
        import fcntl

        fields = (lock_type, os.SEEK_SET, start, length, 0)  # type, whence, start, length, pid
        request = struct.pack(self.layout, *(fields[i] for i in self.order))
        answer = struct.unpack(self.layout, fcntl.fcntl(self.descriptor, fcntl.F_GETLK, request))
        return answer[self.type_index] != fcntl.F_UNLCK

    def held_by_another_process(self) -> bool:
        """A writer's RESERVED, PENDING or EXCLUSIVE lock: Chroma would wait on it, even to read."""
        import fcntl

        return (self._conflicts(fcntl.F_WRLCK, _RESERVED_BYTE, 1) or self._conflicts(fcntl.F_RDLCK, _PENDING_BYTE, 1)
                or self._conflicts(fcntl.F_RDLCK, _SHARED_FIRST, _SHARED_SIZE))

    def check(self, location: str, wait_s: float = DEFAULT_LOCK_WAIT_S) -> None:
        """Raise StoreBusy when another process still holds the store locked after waiting `wait_s` seconds."""
        deadline = time.monotonic() + wait_s
        while self.held_by_another_process():
            if time.monotonic() >= deadline:
                raise StoreBusy(f"store {location} is locked by another process (busy writing?); nothing was "
                                f"changed: try again when it has finished")
            time.sleep(0.02)


Method = TypeVar("Method", bound=Callable[..., Any])


def _reads(method: Method) -> Method:
    """Check for a lock held by another process before a read (see `_LockProbe`)."""
    @functools.wraps(method)
    def checked(self: "Store", *args: Any, **kwargs: Any) -> Any:
        self.check_unlocked()
        return method(self, *args, **kwargs)
    return checked  # type: ignore[return-value]


@dataclass(frozen=True)
class IngestStats:
    added: int = 0  # new documents
    replaced: int = 0  # documents whose text changed
    unchanged: int = 0  # documents already stored with the same content hash
    passages: int = 0  # passages written

    def __str__(self) -> str:
        return (f"{self.added} added, {self.replaced} replaced, {self.unchanged} unchanged, "
                f"{self.passages} passages written")


def document_id(source: str) -> str:
    return "doc:" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:24]


def _row_vector(record_id: str, dim: int) -> list[float]:
    """The documents collection needs a vector per row but is never searched by vector: a cheap, distinct one.

    (Identical or wide dummy vectors make Chroma's HNSW inserts markedly slower.)
    """
    angle = int(hashlib.sha256(record_id.encode()).hexdigest()[:8], 16) / 2**32 * 6.283185307179586
    vector = [math.cos(angle), math.sin(angle)]
    return vector + [0.0] * (dim - 2)


def _date_number(value: date | None) -> int:
    """Dates as YYYYMMDD integers for chroma filters; 0 means undated."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _passage_metadata(p: Passage) -> dict[str, Any]:
    meta: dict[str, Any] = {"source": p.source, "start": p.start, "end": p.end, "doc_hash": p.doc_hash or "",
                            "date_num": _date_number(p.date)}
    if p.title:
        meta["title"] = p.title
    if p.url:
        meta["url"] = p.url
    if p.trust != "normal":
        meta["trust"] = p.trust
    return meta


def index_text(text: str, title: str | None) -> str:
    """What is embedded and keyword-indexed for a passage: its document's title, then its text.

    The title gives context a single sentence lacks (Climate-FEVER keyword recall@5 0.529 -> 0.562).
    """
    return f"{title}.\n{text}" if title and not text.startswith(title) else text


def passage_from_record(passage_id: str, text: str, meta: dict[str, Any], score: float | None = None) -> Passage:
    number = int(meta.get("date_num") or 0)
    day = date(number // 10000, number // 100 % 100, number % 100) if number else None
    return Passage(id=passage_id, source=meta["source"], text=text, start=int(meta["start"]), end=int(meta["end"]),
                   title=meta.get("title"), date=day, url=meta.get("url"), doc_hash=meta.get("doc_hash") or None,
                   trust=meta.get("trust") or "normal", score=score)


class Store:
    """A corpus of documents and their passages in Chroma. Use `open_store` to get one."""

    def __init__(self, client: Any, embedder: Embedder, location: str, local_dir: Path | None,
                 lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> None:
        self.client = client
        self.lock_wait_s = lock_wait_s
        self.embedder = embedder
        self.location = location
        self.local_dir = local_dir  # where caches such as the keyword index live (None: a per-URL cache dir)
        self.function = CopydeskEmbeddingFunction(embedder=embedder)
        try:
            self.passages = client.get_or_create_collection(
                PASSAGES, embedding_function=self.function, configuration={"hnsw": {"space": "cosine"}})
            self.docs = client.get_or_create_collection(
                DOCUMENTS, embedding_function=self.function, configuration={"hnsw": {"space": "l2"}})
            sample = self.docs.get(limit=1, include=["embeddings"])
        except Exception as error:
            raise StoreError(f"cannot open the collections of store {location}: {_one_line(error)}") from None
        embeddings = sample.get("embeddings")
        self.row_dim = len(embeddings[0]) if embeddings is not None and len(embeddings) else ROW_DIM

    def check_unlocked(self) -> None:
        """Raise StoreBusy when another process holds the store's database locked (embedded stores only)."""
        if self.local_dir is not None:
            probe = _LockProbe.for_store(self.local_dir)
            if probe is not None:
                probe.check(self.location, self.lock_wait_s)

    # ----- meta record: embedder name and revision -------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        found = self.docs.get(ids=[META_ID], include=["metadatas"])
        return dict(found["metadatas"][0]) if found["ids"] else {}

    def _bump_revision(self) -> None:
        meta = {"embedder": self.embedder.name, "revision": uuid.uuid4().hex, "kind": "meta"}
        self.docs.upsert(ids=[META_ID], documents=[""], metadatas=[meta], embeddings=[_row_vector(META_ID, self.row_dim)])

    @_reads
    def revision(self) -> str:
        """Changes whenever passages are added or removed (caches key on it)."""
        return str(self._meta().get("revision", "empty"))

    # ----- reading --------------------------------------------------------------------------------
    @_reads
    def count(self) -> int:
        """Number of passages."""
        return self.passages.count()

    @_reads
    def documents(self) -> list[dict[str, Any]]:
        """One row per document: source, title, date, url, hash, passages (count), chars."""
        rows = []
        for _, meta, text in self._iterate(self.docs, include=["metadatas", "documents"], where={"kind": "doc"}):
            rows.append({"source": meta["source"], "title": meta.get("title"), "date": meta.get("date"),
                         "url": meta.get("url"), "hash": meta["hash"], "passages": meta["passages"],
                         "chars": len(text or "")})
        return sorted(rows, key=lambda row: row["source"])

    @_reads
    def document_text(self, source: str) -> str | None:
        """The full text of a stored document (citations quote it and point into it), or None."""
        found = self.docs.get(ids=[document_id(source)], include=["documents"])
        return found["documents"][0] if found["ids"] else None

    @_reads
    def document(self, source: str) -> Document | None:
        found = self.docs.get(ids=[document_id(source)], include=["documents", "metadatas"])
        if not found["ids"]:
            return None
        meta = found["metadatas"][0]
        return Document(source=source, text=found["documents"][0], title=meta.get("title"),
                        date=date.fromisoformat(meta["date"]) if meta.get("date") else None, url=meta.get("url"),
                        trust=meta.get("trust") or "normal")

    @_reads
    def passages_for(self, source: str) -> list[Passage]:
        """A document's passages in text order."""
        found = self.passages.get(where={"source": source}, include=["documents", "metadatas"])
        passages = [passage_from_record(i, t, m) for i, t, m in zip(found["ids"], found["documents"], found["metadatas"])]
        return sorted(passages, key=lambda p: p.start)

    @_reads
    def get_passages(self, ids: Sequence[str]) -> list[Passage]:
        """Passages by id, in the order given (unknown ids skipped)."""
        if not ids:
            return []
        found = self.passages.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {i: passage_from_record(i, t, m) for i, t, m in zip(found["ids"], found["documents"], found["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    def iter_passages(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of every passage, page by page."""
        self.check_unlocked()
        yield from self._iterate(self.passages, include=["documents", "metadatas"], with_text_first=True)

    def _iterate(self, collection: Any, include: list[str], where: dict | None = None,
                 with_text_first: bool = False) -> Iterator[tuple]:
        offset = 0
        while True:
            page = collection.get(include=include, where=where, limit=_PAGE, offset=offset)
            if not page["ids"]:
                return
            for i, record_id in enumerate(page["ids"]):
                meta = page["metadatas"][i] if page.get("metadatas") is not None else {}
                text = page["documents"][i] if page.get("documents") is not None else None
                yield (record_id, text, meta) if with_text_first else (record_id, meta, text)
            offset += len(page["ids"])

    @_reads
    def stats(self) -> dict[str, Any]:
        documents = self.docs.count() - (1 if self._meta() else 0)
        return {"location": self.location, "embedder": self.embedder.name, "documents": documents,
                "passages": self.count()}

    # ----- writing --------------------------------------------------------------------------------
    def ingest(self, docs: Iterable[Document], progress: bool = False, batch_size: int = DEFAULT_BATCH_SIZE,
               max_tokens: int = DEFAULT_MAX_TOKENS) -> IngestStats:
        """Add documents; unchanged ones (same source and content hash) are skipped, changed ones replaced."""
        from tqdm import tqdm

        totals = {"added": 0, "replaced": 0, "unchanged": 0, "passages": 0}
        limit = self._max_write()  # Chroma refuses larger writes; a round writes its documents' rows at once
        batch_size = max(1, min(batch_size, limit))
        round_docs = min(batch_size * CHUNKS_PER_ROUND, limit)
        bar = tqdm(desc="ingest", unit="doc", disable=not progress)
        pending: dict[str, Document] = {}
        pending_chars = 0
        try:
            for doc in docs:
                pending.pop(doc.source, None)
                pending[doc.source] = doc  # a later copy of the same source wins
                pending_chars += len(doc.text)
                if len(pending) >= round_docs or pending_chars > batch_size * CHUNKS_PER_ROUND * 600:
                    self._ingest_batch(list(pending.values()), totals, batch_size, max_tokens)
                    bar.update(len(pending))
                    pending, pending_chars = {}, 0
            if pending:
                self._ingest_batch(list(pending.values()), totals, batch_size, max_tokens)
                bar.update(len(pending))
        finally:
            bar.close()
            if totals["passages"] or totals["replaced"]:
                self._bump_revision_unless_busy()  # once per call: caches such as the keyword index rebuild after it
        return IngestStats(**totals)

    def _bump_revision_unless_busy(self) -> None:
        """After a partial ingest stopped by another process's lock there is no end bump (the start bump stands)."""
        try:
            self.check_unlocked()
        except StoreBusy:
            return
        self._bump_revision()

    def _max_write(self) -> int:
        """The most records Chroma takes in one write (5,461 for the embedded SQLite store)."""
        try:
            return int(self.client.get_max_batch_size())
        except Exception:
            return 5000

    def _ingest_batch(self, docs: list[Document], totals: dict[str, int], batch_size: int, max_tokens: int) -> None:
        self.check_unlocked()
        ids = [document_id(d.source) for d in docs]
        try:
            existing = self.docs.get(ids=ids, include=["metadatas"])
        except Exception as error:
            raise StoreError(f"cannot read store {self.location}: {_one_line(error)}") from None
        # a document is unchanged when its text and its trust level are (front matter is not in the text)
        stored = {m["source"]: (m["hash"], m.get("trust") or "normal") for m in existing["metadatas"]}
        changed = [d for d in docs if stored.get(d.source) != (d.hash, d.trust)]
        totals["unchanged"] += len(docs) - len(changed)
        if not changed:
            return
        chunks = {d.source: chunk_document(d, max_tokens=max_tokens) for d in changed}
        new_passages = [p for d in changed for p in chunks[d.source]]
        if not (totals["added"] or totals["replaced"]):
            self._bump_revision()  # before this call's first write too: caches never outlive a partial ingest
        added_ids: list[str] = []
        try:
            self._embed_and_write(new_passages, batch_size, added_ids)
            rows = [{"kind": "doc", "source": d.source, "hash": d.hash, "passages": len(chunks[d.source]),
                     **({"title": d.title} if d.title else {}), **({"date": d.date.isoformat()} if d.date else {}),
                     **({"url": d.url} if d.url else {}), **({"trust": d.trust} if d.trust != "normal" else {})}
                    for d in changed]
            self.docs.upsert(ids=[document_id(d.source) for d in changed], documents=[d.text for d in changed],
                             metadatas=rows, embeddings=[_row_vector(d.source, self.row_dim) for d in changed])
        except BaseException as error:
            self._forget(added_ids)
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            raise StoreError(f"ingest into {self.location} failed, batch rolled back: {_one_line(error)}") from None
        replaced = [d for d in changed if d.source in stored]
        for d in replaced:  # old passages go after the new row is written
            self.passages.delete(where={"$and": [{"source": d.source}, {"doc_hash": {"$ne": d.hash}}]})
        totals["replaced"] += len(replaced)
        totals["added"] += len(changed) - len(replaced)
        totals["passages"] += len(new_passages)

    def _embed_and_write(self, passages: list[Passage], batch_size: int, added_ids: list[str]) -> None:
        """Embed and upsert `passages` in batches; a worker thread embeds batch i+1 while Chroma writes batch i.

        onnxruntime and Chroma's writes both run outside the GIL, so on two cores the Chroma write (one thread,
        about a sixth of an ingest's CPU time) hides behind the embedding instead of adding to it. Batches are
        cut from the round's passages sorted by length, so the embedder pads less (Climate-FEVER in rounds of
        2,048 one-sentence documents: 3% padding tokens instead of 13% in batches of 256 in document order).
        """
        by_length = sorted(((index_text(p.text, p.title), p) for p in passages), key=lambda pair: len(pair[0]))
        batches = [by_length[begin:begin + batch_size] for begin in range(0, len(by_length), batch_size)]

        def embed(batch: list[tuple[str, Passage]]) -> Any:
            return self.embedder.embed([text for text, _ in batch])

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="copydesk-embed") as worker:
            upcoming = worker.submit(embed, batches[0]) if batches else None
            for number, pairs in enumerate(batches):
                vectors = upcoming.result()
                upcoming = worker.submit(embed, batches[number + 1]) if number + 1 < len(batches) else None
                batch = [p for _, p in pairs]
                batch_ids = [p.id for p in batch]
                added_ids.extend(batch_ids)
                self.passages.upsert(ids=batch_ids, documents=[p.text for p in batch], embeddings=vectors,
                                     metadatas=[_passage_metadata(p) for p in batch])

    def _forget(self, passage_ids: list[str]) -> None:
        """Best-effort rollback of passages added by a failed batch (old versions are kept)."""
        try:
            if passage_ids:
                self.passages.delete(ids=passage_ids)
        except Exception:
            pass

    def remove(self, source: str) -> bool:
        """Delete a document and its passages; False when it was not stored."""
        self.check_unlocked()
        doc_id = document_id(source)
        if not self.docs.get(ids=[doc_id])["ids"]:
            return False
        try:
            self.docs.delete(ids=[doc_id])
            self.passages.delete(where={"source": source})
            self._bump_revision()
        except Exception as error:
            raise StoreError(f"cannot remove {source!r} from {self.location}: {_one_line(error)}") from None
        return True


def _check_embedder(store: Store, requested: Embedder | None) -> Store:
    recorded = store._meta().get("embedder")
    if recorded and recorded != store.embedder.name:
        if requested is not None:
            raise StoreError(f"store {store.location} was built with embedder {recorded!r}, not "
                             f"{store.embedder.name!r}; re-ingest into a new store or open it with {recorded!r}")
        store.embedder = get_embedder(recorded)
        store.function.embedder = store.embedder
    return store


def _server_settings(url: str, host: str, token: str | None, settings: Any) -> Any:
    """Settings for a Chroma server: a bearer token when one is given; none is refused off loopback.

    Chroma 1.0-1.5.9's server has a pre-authentication remote code execution flaw (CVE-2026-45829), so
    copydesk never talks to a server on another host without credentials."""
    import ipaddress

    if not token:
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise StoreError(f"refusing to use the Chroma server at {url} without credentials: it is not on "
                             f"loopback; set {TOKEN_ENV} (and put the server behind token auth)")
        return settings
    return settings.model_copy(update={
        "chroma_client_auth_provider": "chromadb.auth.token_authn.TokenAuthClientProvider",
        "chroma_client_auth_credentials": token})


def open_store(path: str | os.PathLike | None = None, *, url: str | None = None,
               embedder: Embedder | str | None = None, lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
               token: str | None = None) -> Store:
    """Open (or create) a store: embedded Chroma at `path` (default ~/.local/share/copydesk/store), or the
    Chroma server at `url`, sending `token` as a bearer token (a server off loopback without one is refused).
    `lock_wait_s`: how long to wait for a store another process is writing.
    Nothing here reads the environment: the edges pass their settings in (`RetrievalSettings.open_store()`)."""
    import chromadb
    from chromadb.config import Settings

    try:
        chosen = get_embedder(embedder) if isinstance(embedder, str) or embedder is None else embedder
    except EmbedderUnavailable as error:
        raise StoreError(str(error)) from None
    settings = Settings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url if "://" in url else f"http://{url}")
        host = parsed.hostname or "localhost"
        server_settings = _server_settings(url, host, token, settings)
        try:
            client = chromadb.HttpClient(host=host, port=parsed.port or 8000,
                                         ssl=parsed.scheme == "https", settings=server_settings)
            client.heartbeat()
        except Exception as error:
            raise StoreError(f"cannot reach the Chroma server at {url}: {_one_line(error)}") from None
        store = Store(client, chosen, url, None, lock_wait_s)
    else:
        if lock_wait_s < 0:
            raise StoreError(f"the store lock wait must be a number of seconds >= 0, not {lock_wait_s!r}")
        directory = Path(path if path is not None else DEFAULT_STORE_DIR).expanduser()
        if directory.exists() and not directory.is_dir():
            raise StoreError(f"store path {directory} is a file, not a folder")
        sqlite_file = directory / "chroma.sqlite3"
        if sqlite_file.exists():
            with open(sqlite_file, "rb") as handle:
                if handle.read(16) != b"SQLite format 3\x00":
                    raise StoreError(f"store {directory} is corrupt: chroma.sqlite3 is not an SQLite database")
            probe = _LockProbe.for_store(directory)
            if probe is not None:
                probe.check(str(directory), lock_wait_s)
        try:
            client = chromadb.PersistentClient(path=str(directory), settings=settings)
        except Exception as error:
            raise StoreError(f"cannot open store {directory} (corrupt or locked?): {_one_line(error)}") from None
        store = Store(client, chosen, str(directory), directory, lock_wait_s)
    return _check_embedder(store, embedder if not isinstance(embedder, str) and embedder is not None else None)
