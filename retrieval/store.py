"""The passage store: Chroma (embedded on disk, or a Chroma server), with content-hash identity.

Two collections: `copydesk_passages` (one record per passage: text, embedding, offsets, metadata) and
`copydesk_documents` (one record per document: full text and metadata, plus one meta record holding the
embedder's name and a revision that changes with every write). A document's row is written only after
all its passages were added, so a failure mid-ingest never leaves half a document visible.

Locks (embedded stores): one mechanism, bounded by `lock_wait_s` (default 2 s, a setting at the edges):
- the write lock, `copydesk.lock`, an exclusive flock held for a whole write (ingest, remove, repair); its
  holder writes its pid, command and start time into the file, and a second writer gets `StoreBusy` naming
  that holder after the wait. The kernel drops it when the holder dies, however it dies.
- the read lock, `copydesk-read.lock`: shared for each read, exclusive around each single Chroma write call.
- `_LockProbe`: Chroma's embedded client waits without limit on an SQLite file another process holds locked
  (`BEGIN EXCLUSIVE`, or just `BEGIN IMMEDIATE`), so before each read and each write the probe asks the kernel
  whether another process holds SQLite's write locks, waits for them up to the same `lock_wait_s`, and raises
  `StoreBusy` instead of hanging, before anything was changed.
A write is journaled (`copydesk-journal.json`: the sources of the round in progress); a crash leaves the
journal behind and the next write, or opening the store, finishes it (`Store.repair`, `copydesk doctor`).
"""
from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import json
import math
import os
import shutil
import struct
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
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


LOCK_FILE = "copydesk.lock"  # writers: exclusive for the whole write (ingest, remove, repair); names its holder
READ_LOCK_FILE = "copydesk-read.lock"  # readers: shared per read; the writer: exclusive per Chroma write call
JOURNAL_FILE = "copydesk-journal.json"  # the sources of the round being written; left behind only by a crash
_STORE_NAMES = {"chroma.sqlite3", LOCK_FILE, READ_LOCK_FILE, JOURNAL_FILE, "keyword_index.npz"}


def _holder_line(directory: Path) -> str:
    """Who holds a store's write lock, from what its holder wrote into the lock file."""
    try:
        info = json.loads((directory / LOCK_FILE).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info.get("pid"):
        return "another process"
    command = str(info.get("command") or "?")[:120]
    return f"process {info['pid']} ({command}, since {info.get('since', '?')})"


class _FileLock:
    """An advisory lock on a file (fcntl.flock): shared or exclusive, released by the kernel when the process dies.

    One per file per process: the threads of a process share it (counts of shared and exclusive holds), so a
    write in this process never waits on a read in this process. Waits are bounded and end in `StoreBusy`.
    Where the file cannot be opened (a read-only store folder) or on systems without flock there is no lock.
    """

    _locks: dict[Path, "_FileLock"] = {}
    _locks_guard = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.descriptor: int | None = None
        self.shared = 0
        self.exclusive = 0
        self.mutex = threading.RLock()

    @classmethod
    def at(cls, path: Path) -> "_FileLock":
        path = path.resolve()
        with cls._locks_guard:
            return cls._locks.setdefault(path, cls(path))

    def _open(self) -> int | None:
        if self.descriptor is None:
            try:
                import fcntl  # noqa: F401
            except ImportError:
                return None
            for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
                try:
                    self.descriptor = os.open(self.path, flags, 0o644)
                    break
                except OSError:
                    continue
        return self.descriptor

    def _take(self, mode: int, wait_s: float, busy: Callable[[], str]) -> None:
        import fcntl

        descriptor = self._open()
        if descriptor is None:
            return
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(busy()) from None
                time.sleep(0.02)

    def _drop(self) -> None:
        import fcntl

        if self.descriptor is not None:
            fcntl.flock(self.descriptor, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def hold(self, exclusive: bool, wait_s: float, busy: Callable[[], str], note: str | None = None) -> Iterator[None]:
        import fcntl

        with self.mutex:
            if exclusive and not self.exclusive:
                self._take(fcntl.LOCK_EX, wait_s, busy)
                if note is not None and self.descriptor is not None:
                    try:
                        os.ftruncate(self.descriptor, 0)
                        os.pwrite(self.descriptor, note.encode("utf-8"), 0)
                    except OSError:
                        pass
            elif not exclusive and not (self.exclusive or self.shared):
                self._take(fcntl.LOCK_SH, wait_s, busy)
            if exclusive:
                self.exclusive += 1
            else:
                self.shared += 1
        try:
            yield
        finally:
            with self.mutex:
                if exclusive:
                    self.exclusive -= 1
                    if not self.exclusive and note is not None and self.descriptor is not None:
                        try:
                            os.ftruncate(self.descriptor, 0)
                        except OSError:
                            pass
                else:
                    self.shared -= 1
                if not (self.exclusive or self.shared):
                    self._drop()


def _describe_process() -> str:
    return json.dumps({"pid": os.getpid(), "command": " ".join(Path(sys.argv[0]).name if i == 0 else a
                                                               for i, a in enumerate(sys.argv)) or "python",
                       "since": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")})


Method = TypeVar("Method", bound=Callable[..., Any])


def _reads(method: Method) -> Method:
    """Reads hold the store's read lock shared (see `Store.reading`)."""
    @functools.wraps(method)
    def checked(self: "Store", *args: Any, **kwargs: Any) -> Any:
        with self.reading():
            return method(self, *args, **kwargs)
    return checked  # type: ignore[return-value]


@dataclass(frozen=True)
class IngestStats:
    added: int = 0  # new documents
    replaced: int = 0  # documents whose text changed
    unchanged: int = 0  # documents already stored with the same content hash
    passages: int = 0  # passages written
    repaired: int = 0  # documents stored with the same hash whose passages were missing or stale, rewritten
    warnings: tuple[str, ...] = ()  # e.g. a document replaced by one of the same source from another path

    def __str__(self) -> str:
        repaired = f", {self.repaired} repaired" if self.repaired else ""
        return (f"{self.added} added, {self.replaced} replaced, {self.unchanged} unchanged{repaired}, "
                f"{self.passages} passages written")


@dataclass
class RepairReport:
    """What `Store.repair` found (and fixed unless it only looked)."""

    documents: int = 0  # document rows looked at
    orphan_passages: int = 0  # passages whose document has no row (a crash before the row was written)
    stale_passages: int = 0  # passages of another version of their document (a crash before they were deleted)
    incomplete: list[str] | None = None  # documents whose current passages are missing or too many: rebuilt
    repaired: bool = False

    @property
    def healthy(self) -> bool:
        return not (self.orphan_passages or self.stale_passages or self.incomplete)

    def __str__(self) -> str:
        incomplete = self.incomplete or []
        if self.healthy:
            return f"{self.documents} documents, every one with exactly its own passages: healthy"
        verb = "removed" if self.repaired else "found"
        parts = [f"{self.orphan_passages} orphan passages {verb}", f"{self.stale_passages} stale passages {verb}",
                 f"{len(incomplete)} documents with missing passages {'rebuilt' if self.repaired else 'found'}"
                 + (f" ({', '.join(incomplete[:3])}{', ...' if len(incomplete) > 3 else ''})" if incomplete else "")]
        return f"{self.documents} documents: " + "; ".join(parts)


def _generation(passage_id: str) -> str:
    """The content hash of the document version a passage was cut from (the middle part of its id)."""
    parts = passage_id.split(":")
    return parts[1] if len(parts) == 3 else ""


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
        self.lock_wait_s = lock_wait_s  # seconds to wait for another process's lock before StoreBusy
        self.embedder = embedder
        self.location = location
        self.local_dir = local_dir  # where caches such as the keyword index live (None: a per-URL cache dir)
        self.read_only = False  # set by open_store for a folder it cannot write (it then reads a private copy)
        self._revision_cache: tuple[Any, str] | None = None  # (chroma.sqlite3's size and time, the revision read)
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

    # ----- locks: one writer per store, readers never see a write call half done -----------------------
    def _busy(self) -> str:
        holder = _holder_line(self.local_dir) if self.local_dir is not None else "another process"
        return (f"store {self.location} is locked by another process: {holder} is writing it; nothing was "
                f"changed: try again when it has finished")

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """The read lock, shared: waits (bounded) only while a writer's single Chroma write call runs."""
        if self.local_dir is None:
            yield
            return
        with _FileLock.at(self.local_dir / READ_LOCK_FILE).hold(False, self.lock_wait_s, self._busy):
            self.check_unlocked()
            yield

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """The write lock, exclusive, for a whole write (ingest, remove, repair); its holder is named in the lock
        file for whoever waits. The kernel releases it when the process dies, however it dies."""
        if self.read_only:
            raise StoreError(f"store {self.location} is read-only (opened for reading from a private copy): "
                             f"nothing was changed; write to a store folder you can write")
        if self.local_dir is None:
            yield
            return
        with _FileLock.at(self.local_dir / LOCK_FILE).hold(True, self.lock_wait_s, self._busy, note=_describe_process()):
            self.check_unlocked()
            yield

    @contextlib.contextmanager
    def _committing(self) -> Iterator[None]:
        """The read lock, exclusive, around one Chroma write call."""
        if self.local_dir is None:
            yield
            return
        busy = lambda: f"store {self.location} is being read by another process; nothing was changed: try again"
        with _FileLock.at(self.local_dir / READ_LOCK_FILE).hold(True, self.lock_wait_s, busy):
            yield

    # ----- the journal: which sources the round in progress writes (a crash leaves it behind) -----------
    def _journal_path(self) -> Path | None:
        return self.local_dir / JOURNAL_FILE if self.local_dir is not None else None

    def _write_journal(self, sources: list[str]) -> None:
        path = self._journal_path()
        if path is None:
            return
        sources = sorted(set(sources) | set(self._journal()))
        temporary = path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"pid": os.getpid(), "sources": sources}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def _journal(self) -> list[str]:
        path = self._journal_path()
        if path is None or not path.is_file():
            return []
        try:
            return [str(s) for s in json.loads(path.read_text(encoding="utf-8")).get("sources", [])]
        except (OSError, ValueError, AttributeError):
            return []  # a journal cut short by the crash: `doctor --repair` looks at everything

    def _clear_journal(self) -> None:
        path = self._journal_path()
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _repair_journal(self) -> None:
        """After a crashed write: its sources back to the old or the new state (the document row decides)."""
        path = self._journal_path()
        if path is None or not path.is_file():
            return
        sources = self._journal()
        self.repair(sources=sources if sources else None)
        self._clear_journal()

    # ----- meta record: embedder name and revision -------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        found = self.docs.get(ids=[META_ID], include=["metadatas"])
        return dict(found["metadatas"][0]) if found["ids"] else {}

    def _bump_revision(self) -> None:
        meta = {"embedder": self.embedder.name, "revision": uuid.uuid4().hex, "kind": "meta"}
        with self._committing():
            self.docs.upsert(ids=[META_ID], documents=[""], metadatas=[meta], embeddings=[_row_vector(META_ID, self.row_dim)])

    @_reads
    def revision(self) -> str:
        """Changes whenever passages are added or removed (caches key on it).

        An embedded store's revision is read again only when chroma.sqlite3 changed (its size or modification
        time) since a read made well after its last change: every write changes that file, and a read per
        query cost as much as the HNSW search at 100k passages."""
        database = self.local_dir / "chroma.sqlite3" if self.local_dir is not None else None
        try:
            info = database.stat() if database is not None else None
        except OSError:
            info = None
        key = (info.st_mtime_ns, info.st_size, info.st_ino) if info is not None else None
        cached = self._revision_cache
        if key is not None and cached is not None and cached[0] == key:
            return cached[1]
        read_at = time.time_ns()
        revision = str(self._meta().get("revision", "empty"))
        # trusted next time only if the file's last change was long (in clock ticks) before this read
        settled = key is not None and read_at - key[0] > 200_000_000
        self._revision_cache = (key, revision) if settled else None
        return revision

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
        with self.reading():
            pages = list(self._iterate(self.passages, include=["documents", "metadatas"], with_text_first=True))
        yield from pages

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
        """Add documents; unchanged ones (same source and content hash, all their passages stored) are skipped,
        changed ones replaced, damaged ones (passages missing or stale) rewritten.

        The whole call holds the store's write lock. Documents are written in rounds; a crash at any point
        leaves each document in its old or its new state (see `_ingest_batch`). Callers that want a bad input
        file to commit nothing validate all of it first (the CLI loads every file before the first write).
        """
        from tqdm import tqdm

        with self.writing():
            self._repair_journal()
            totals: dict[str, Any] = {"added": 0, "replaced": 0, "unchanged": 0, "passages": 0, "repaired": 0}
            warnings: list[str] = []
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
                        self._ingest_batch(list(pending.values()), totals, warnings, batch_size, max_tokens)
                        bar.update(len(pending))
                        pending, pending_chars = {}, 0
                if pending:
                    self._ingest_batch(list(pending.values()), totals, warnings, batch_size, max_tokens)
                    bar.update(len(pending))
            finally:
                bar.close()
                if totals["passages"] or totals["replaced"]:
                    self._bump_revision_unless_busy()  # once per call: caches such as the keyword index rebuild
            return IngestStats(**totals, warnings=tuple(warnings))

    def _bump_revision_unless_busy(self) -> None:
        """After a partial ingest stopped by another process's lock there is no end bump (the start bump stands)."""
        try:
            self.check_unlocked()
            self._bump_revision()
        except (StoreBusy, KeyboardInterrupt):
            return

    def _max_write(self) -> int:
        """The most records Chroma takes in one write (5,461 for the embedded SQLite store)."""
        try:
            return int(self.client.get_max_batch_size())
        except Exception:
            return 5000

    def _passage_ids(self, sources: Sequence[str]) -> dict[str, list[str]]:
        """The ids of the stored passages of each source (any version), by source."""
        found: dict[str, list[str]] = {}
        for begin in range(0, len(sources), 1000):
            part = list(sources[begin:begin + 1000])
            where = {"source": part[0]} if len(part) == 1 else {"source": {"$in": part}}
            page = self.passages.get(where=where, include=["metadatas"])
            for passage_id, meta in zip(page["ids"], page["metadatas"]):
                found.setdefault(str(meta.get("source")), []).append(passage_id)
        return found

    def _delete_ids(self, ids: Sequence[str]) -> None:
        """Delete passages by id, in as few Chroma calls as it takes (one per `_max_write` ids)."""
        step = self._max_write()
        for begin in range(0, len(ids), step):
            with self._committing():
                self.passages.delete(ids=list(ids[begin:begin + step]))

    def _ingest_batch(self, docs: list[Document], totals: dict[str, Any], warnings: list[str], batch_size: int,
                      max_tokens: int) -> None:
        """One round: 1. the round's sources go into the journal; 2. the new versions' passages are written (their
        ids carry the new content hash, so they never overwrite the old version's); 3. the document rows flip to
        the new versions in one Chroma write; 4. the old versions' passages are deleted in one batched write;
        5. the journal is cleared. A crash before 3 leaves the old state, after it the new one; either way the
        journal names the sources whose leftover passages the next write (or `repair`) deletes."""
        self.check_unlocked()
        ids = [document_id(d.source) for d in docs]
        try:
            existing = self.docs.get(ids=ids, include=["metadatas"])
            stored = self._passage_ids([d.source for d in docs])
        except StoreError:
            raise
        except Exception as error:
            raise StoreError(f"cannot read store {self.location}: {_one_line(error)}") from None
        rows = {m["source"]: m for m in existing["metadatas"]}
        changed: list[Document] = []
        repaired = 0
        for d in docs:
            row = rows.get(d.source)
            if row is not None and row.get("origin") and d.origin and row["origin"] != d.origin:
                warnings.append(f"{d.source}: replaces the document of that source ingested from {row['origin']}")
            if row is not None and row.get("hash") == d.hash:
                have = stored.get(d.source, [])
                intact = len(have) == int(row.get("passages") or -1) and all(_generation(i) == d.hash for i in have)
                # unchanged: same text, same trust level (front matter is not in the text), all its passages
                if intact and (row.get("trust") or "normal") == d.trust:
                    totals["unchanged"] += 1
                    continue
                if not intact:
                    repaired += 1  # listed with its hash but passages missing or stale: written again
            changed.append(d)
        if not changed:
            return
        chunks = {d.source: chunk_document(d, max_tokens=max_tokens) for d in changed}
        new_passages = [p for d in changed for p in chunks[d.source]]
        if not (totals["added"] or totals["replaced"] or totals["repaired"]):
            self._bump_revision()  # before this call's first write too: caches never outlive a partial ingest
        self._write_journal([d.source for d in changed])
        try:
            self._embed_and_write(new_passages, batch_size)
            rows_out = [{"kind": "doc", "source": d.source, "hash": d.hash, "passages": len(chunks[d.source]),
                         "max_tokens": max_tokens, **({"title": d.title} if d.title else {}),
                         **({"date": d.date.isoformat()} if d.date else {}), **({"url": d.url} if d.url else {}),
                         **({"origin": d.origin} if d.origin else {}),
                         **({"trust": d.trust} if d.trust != "normal" else {})} for d in changed]
            with self._committing():
                self.docs.upsert(ids=[document_id(d.source) for d in changed], documents=[d.text for d in changed],
                                 metadatas=rows_out, embeddings=[_row_vector(d.source, self.row_dim) for d in changed])
        except BaseException as error:
            self._settle([d.source for d in changed])
            if isinstance(error, (KeyboardInterrupt, SystemExit, StoreBusy)):
                raise
            raise StoreError(f"ingest into {self.location} failed, batch rolled back: {_one_line(error)}") from None
        new_ids = {p.id for p in new_passages}
        self._delete_ids([i for d in changed for i in stored.get(d.source, ()) if i not in new_ids])
        self._clear_journal()
        replaced = sum(1 for d in changed if d.source in rows)
        totals["repaired"] += repaired
        totals["replaced"] += replaced - repaired
        totals["added"] += len(changed) - replaced
        totals["passages"] += len(new_passages)

    def _settle(self, sources: list[str]) -> None:
        """After a failed round: passages that no document row points to are deleted (best effort; the journal
        stays behind when this fails too, and the next write finishes it)."""
        try:
            self.repair(sources=sources, rebuild=False)
            self._clear_journal()
        except BaseException:
            pass

    def _embed_and_write(self, passages: list[Passage], batch_size: int) -> None:
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
                with self._committing():
                    self.passages.upsert(ids=[p.id for p in batch], documents=[p.text for p in batch],
                                         embeddings=vectors, metadatas=[_passage_metadata(p) for p in batch])

    def remove(self, source: str) -> bool:
        """Delete a document and every passage stored under its source (orphans too); False when neither was."""
        with self.writing():
            self._repair_journal()
            doc_id = document_id(source)
            try:
                has_row = bool(self.docs.get(ids=[doc_id])["ids"])
                ids = self._passage_ids([source]).get(source, [])
                if not has_row and not ids:
                    return False
                self._write_journal([source])
                if has_row:
                    with self._committing():
                        self.docs.delete(ids=[doc_id])
                self._delete_ids(ids)
                self._bump_revision()
                self._clear_journal()
            except StoreError:
                raise
            except Exception as error:
                raise StoreError(f"cannot remove {source!r} from {self.location}: {_one_line(error)}") from None
            return True

    # ----- checking and repairing ----------------------------------------------------------------------
    def repair(self, sources: Sequence[str] | None = None, *, apply: bool = True, rebuild: bool = True,
               progress: bool = False) -> RepairReport:
        """Find (and with `apply`, fix) what a crashed write can leave: passages without a document row
        (deleted), passages of another version than the row's (deleted), and rows whose own passages are
        missing (re-cut from the row's stored text and embedded again, with `rebuild`). `sources`: only these
        (the journal's); None: the whole store."""
        with self.writing():
            try:
                return self._repair(sources, apply, rebuild)
            except StoreError:
                raise
            except Exception as error:
                raise StoreError(f"cannot check store {self.location}: {_one_line(error)}") from None

    def _repair(self, sources: Sequence[str] | None, apply: bool, rebuild: bool) -> RepairReport:
        rows: dict[str, tuple[dict[str, Any], str]] = {}
        by_source: dict[str, list[str]] = {}
        if sources is None:
            for _, meta, text in self._iterate(self.docs, include=["metadatas", "documents"], where={"kind": "doc"}):
                rows[meta["source"]] = (meta, text or "")
            for passage_id, _, meta in self._iterate(self.passages, include=["metadatas"], with_text_first=True):
                by_source.setdefault(str(meta.get("source")), []).append(passage_id)
        else:
            sources = sorted(set(sources))
            if not sources:
                return RepairReport(repaired=apply)
            found = self.docs.get(ids=[document_id(s) for s in sources], include=["metadatas", "documents"])
            rows = {m["source"]: (m, t or "") for m, t in zip(found["metadatas"], found["documents"])}
            by_source = self._passage_ids(sources)
        orphans: list[str] = []
        stale: list[str] = []
        incomplete: list[str] = []
        for source, ids in by_source.items():
            row = rows.get(source)
            if row is None:
                orphans += ids
                continue
            stale += [i for i in ids if _generation(i) != row[0]["hash"]]
        for source, (meta, _) in rows.items():
            current = [i for i in by_source.get(source, []) if _generation(i) == meta["hash"]]
            if len(current) != int(meta.get("passages") or 0):
                incomplete.append(source)
        report = RepairReport(documents=len(rows), orphan_passages=len(orphans), stale_passages=len(stale),
                              incomplete=sorted(incomplete), repaired=apply)
        if not apply or report.healthy:
            return report
        self._delete_ids(orphans + stale)
        if rebuild and incomplete:
            for source in incomplete:
                meta, text = rows[source]
                doc = Document(source=source, text=text, title=meta.get("title"), url=meta.get("url"),
                               date=date.fromisoformat(meta["date"]) if meta.get("date") else None,
                               trust=meta.get("trust") or "normal")
                passages = chunk_document(doc, max_tokens=int(meta.get("max_tokens") or DEFAULT_MAX_TOKENS))
                wanted = {p.id for p in passages}
                have = [i for i in by_source.get(source, []) if _generation(i) == meta["hash"]]
                self._delete_ids([i for i in have if i not in wanted])
                self._embed_and_write([p for p in passages if p.id not in set(have)], DEFAULT_BATCH_SIZE)
                if len(passages) != int(meta.get("passages") or 0):
                    with self._committing():
                        self.docs.update(ids=[document_id(source)], metadatas=[{**meta, "passages": len(passages)}])
        self._bump_revision()
        return report


def _check_embedder(store: Store, requested: Embedder | None) -> Store:
    recorded = store._meta().get("embedder")
    if recorded and recorded != store.embedder.name:
        if requested is not None:
            raise StoreError(f"store {store.location} was built with embedder {recorded!r}, not "
                             f"{store.embedder.name!r}; re-ingest into a new store or open it with {recorded!r}")
        store.embedder = get_embedder(recorded)
        store.function.embedder = store.embedder
    return store


def _foreign_files(directory: Path) -> list[str]:
    """What a folder holds besides a store's own files (Chroma's segment folders are named by UUID)."""
    if not directory.is_dir():
        return []
    foreign = []
    for entry in sorted(directory.iterdir()):
        name = entry.name
        if name in _STORE_NAMES or name.endswith(".tmp") and name.startswith("copydesk"):
            continue
        if entry.is_dir():
            try:
                uuid.UUID(name)
                continue
            except ValueError:
                pass
        foreign.append(name)
    return foreign


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


def _writable(directory: Path) -> bool:
    """Whether this process can create files in the store folder (False on a read-only mount or folder)."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            return os.access(directory / "chroma.sqlite3", os.W_OK)
    except OSError:
        return False


def _read_only_copy(directory: Path) -> Path:
    """A private, writable copy of a store folder this process may only read (removed at exit): Chroma
    cannot open a store without writing to it, and search and check must still work on a read-only store."""
    copy = Path(tempfile.mkdtemp(prefix="copydesk-readonly-store-"))
    atexit.register(shutil.rmtree, copy, True)
    try:
        shutil.copytree(directory, copy, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(LOCK_FILE, READ_LOCK_FILE, JOURNAL_FILE))
    except OSError as error:
        raise StoreError(f"store {directory} is read-only and could not be copied for reading: "
                         f"{error.strerror or error}") from None
    return copy


def open_store(path: str | os.PathLike | None = None, *, url: str | None = None,
               embedder: Embedder | str | None = None, lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
               token: str | None = None, create: bool = True) -> Store:
    """Open (or create) a store: embedded Chroma at `path` (default ~/.local/share/copydesk/store), or the
    Chroma server at `url`, sending `token` as a bearer token (a server off loopback without one is refused).

    `lock_wait_s`: seconds to wait for another process's lock (its write lock, a read in progress, or SQLite's
    own locks) before `StoreBusy`. `create=False`: a folder that holds no store is an error instead of a new
    store. A new store is only created in a missing or empty folder, under the write lock (two processes
    creating it: one creates, the other opens it). A store left behind by a crashed write is repaired on
    opening when no one writes it. Nothing here reads the environment: the edges pass their settings in
    (`RetrievalSettings.open_store()`).
    """
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
        if not sqlite_file.exists():
            foreign = _foreign_files(directory)
            if foreign:
                raise StoreError(f"{directory} is not a copydesk store and holds other files ({foreign[0]}"
                                 f"{f' and {len(foreign) - 1} more' if len(foreign) > 1 else ''}); a store needs a "
                                 f"new or empty folder: to add these files to a store, run "
                                 f"`copydesk ingest --store NEW_STORE_FOLDER {directory}`")
            if not create:
                raise StoreError(f"no store at {directory}: run `copydesk ingest --store {directory} FILES` first")
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create store folder {directory}: {error.strerror or error}") from None
        wait = lock_wait_s
        creating = not sqlite_file.exists()
        guard = _FileLock.at(directory / LOCK_FILE)
        busy = lambda: (f"store {directory} is locked by another process: {_holder_line(directory)} is writing "
                        f"it; nothing was changed: try again when it has finished")
        with guard.hold(creating, max(wait, 30.0), busy, note=_describe_process() if creating else None) if creating \
                else contextlib.nullcontext():
            if sqlite_file.exists():
                with open(sqlite_file, "rb") as handle:
                    if handle.read(16) not in (b"SQLite format 3\x00", b""):
                        raise StoreError(f"store {directory} is corrupt: chroma.sqlite3 is not an SQLite database")
                probe = _LockProbe.for_store(directory)
                if probe is not None:
                    probe.check(str(directory), wait)
            opened = directory
            if sqlite_file.exists() and not _writable(directory):
                opened = _read_only_copy(directory)  # Chroma writes on opening: read a private copy instead
            try:
                client = chromadb.PersistentClient(path=str(opened), settings=settings)
            except Exception as error:
                raise StoreError(f"cannot open store {directory} (corrupt or locked?): {_one_line(error)}") from None
            with _FileLock.at(opened / READ_LOCK_FILE).hold(False, wait, busy):
                store = Store(client, chosen, str(directory), opened, lock_wait_s)
            store.read_only = opened != directory
        if not store.read_only and (directory / JOURNAL_FILE).is_file():
            try:  # a crashed write: finish it now unless someone is writing (then it is theirs)
                store.lock_wait_s, saved = 0.0, store.lock_wait_s
                with store.writing():
                    store._repair_journal()
            except StoreError:
                pass
            finally:
                store.lock_wait_s = saved
    return _check_embedder(store, embedder if not isinstance(embedder, str) and embedder is not None else None)
