"""Reviewer decisions (accept / override / note / mark for the editor), persisted in SQLite.

Decisions are keyed by a *document id* the reviewer keeps (by default the draft's first line, so a
re-check after edits finds the same document) and by a *claim fingerprint* that survives edits
elsewhere in the draft: the normalised claim text, its sentence and its kind. When an edit touched
the claim's own sentence, a fuzzy fallback re-attaches the decision to the claim of the same kind
and text whose sentence is most similar and whose relative position is nearby.

The database runs in WAL mode with one transaction per write, so a decision survives a crash or a
restart of the app as soon as `save` returns.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterable, Literal

from claims.errors import CopydeskError
from claims.models import Claim, Label, Report

DEFAULT_REVIEW_DB = Path.home() / ".local" / "share" / "copydesk" / "reviews.sqlite3"
MIN_SENTENCE_SIMILARITY = 0.6  # fuzzy re-attachment: how alike the old and new sentence must be
MAX_POSITION_SHIFT = 0.25  # ... and how far (as a fraction of the draft) the claim may have moved
DOCUMENT_ID_CHARS = 120

Status = Literal["accepted", "overridden", "pending"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    doc_id      TEXT NOT NULL,
    claim_key   TEXT NOT NULL,
    claim_text  TEXT NOT NULL,
    sentence    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    position    REAL NOT NULL,
    status      TEXT NOT NULL,
    override    TEXT,
    note        TEXT NOT NULL DEFAULT '',
    for_editor  INTEGER NOT NULL DEFAULT 0,
    reviewer    TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (doc_id, claim_key)
);
CREATE TABLE IF NOT EXISTS checks (
    doc_id      TEXT PRIMARY KEY,
    draft       TEXT NOT NULL,
    report      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
"""


class ReviewStoreError(CopydeskError):
    """The review database cannot be opened or a decision is malformed."""


@dataclass(frozen=True)
class Decision:
    """What a reviewer decided about one claim."""

    status: Status = "pending"
    override: Label | None = None  # the reviewer's verdict when status == "overridden"
    note: str = ""
    for_editor: bool = False
    reviewer: str = ""
    updated_at: str = ""

    def verdict(self, machine: Label) -> Label:
        """The verdict that stands: the reviewer's override, else the machine's."""
        return self.override if self.status == "overridden" and self.override is not None else machine


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def sentence_of(draft: str, claim: Claim) -> str:
    """The claim's sentence as it stands in the draft (the claim's own text when no sentence is known)."""
    if claim.sentence_end > claim.sentence_start:
        return draft[claim.sentence_start:claim.sentence_end]
    return claim.text


def claim_fingerprint(draft: str, claim: Claim) -> str:
    """A key for the claim that does not change when text elsewhere in the draft changes."""
    material = "\x1f".join((_normalise(claim.text), _normalise(sentence_of(draft, claim)), claim.kind))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]


def claim_keys(draft: str, claims: Iterable[Claim]) -> dict[str, str]:
    """Fingerprints of the claims, keyed by claim id; a repeated claim (same text, sentence and kind,
    e.g. a paragraph pasted twice) gets its occurrence number appended, in draft order."""
    keys: dict[str, str] = {}
    seen: dict[str, int] = {}
    for claim in sorted(claims, key=lambda c: (c.start, c.end)):
        base = claim_fingerprint(draft, claim)
        seen[base] = seen.get(base, 0) + 1
        keys[claim.id] = base if seen[base] == 1 else f"{base}~{seen[base]}"
    return keys


def document_id(draft: str) -> str:
    """A default document id the reviewer can keep across edits: the draft's first non-empty line."""
    for line in draft.splitlines():
        line = re.sub(r"\s+", " ", line).strip()
        if line:
            return line[:DOCUMENT_ID_CHARS]
    return "untitled draft"


def default_review_db(store_dir: str | Path | None = None) -> Path:
    """Next to the store, else ~/.local/share/copydesk/reviews.sqlite3 (the settings' review_db overrides it:
    `Settings.review_db_path()`)."""
    if store_dir:
        return Path(store_dir).expanduser().resolve().parent / f"{Path(store_dir).name}.reviews.sqlite3"
    return DEFAULT_REVIEW_DB


class ReviewStore:
    """Reviewer decisions in one SQLite file; safe to use from several Streamlit sessions."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ReviewStoreError(f"cannot open the review database {self.path}: {exc}") from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def save(self, doc_id: str, draft: str, claim: Claim, decision: Decision, *, key: str | None = None) -> Decision:
        """Record a decision for the claim (replacing any earlier one); committed when this returns.

        `key` is the claim's entry in `claim_keys(draft, claims)` (needed when a claim is repeated);
        by default its plain fingerprint.
        """
        if decision.status == "overridden" and decision.override is None:
            raise ReviewStoreError("an override needs a verdict")
        if not doc_id.strip():
            raise ReviewStoreError("the document id is empty")
        stamped = Decision(status=decision.status, override=decision.override if decision.status == "overridden" else None,
                           note=decision.note, for_editor=decision.for_editor, reviewer=decision.reviewer,
                           updated_at=_now())
        row = (doc_id, key or claim_fingerprint(draft, claim), _normalise(claim.text), _normalise(sentence_of(draft, claim)),
               claim.kind, claim.start / max(len(draft), 1), stamped.status,
               stamped.override.value if stamped.override else None, stamped.note, int(stamped.for_editor),
               stamped.reviewer, stamped.updated_at)
        conn = self._connect()
        try:
            with conn:  # one transaction per write
                conn.execute("INSERT OR REPLACE INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
        except sqlite3.Error as exc:
            raise ReviewStoreError(f"cannot save the decision to {self.path}: {exc}") from None
        finally:
            conn.close()
        return stamped

    def forget(self, doc_id: str, draft: str, claim: Claim, *, key: str | None = None) -> None:
        """Remove the decision on a claim (back to pending)."""
        conn = self._connect()
        try:
            with conn:
                conn.execute("DELETE FROM decisions WHERE doc_id=? AND claim_key=?",
                             (doc_id, key or claim_fingerprint(draft, claim)))
        finally:
            conn.close()

    def _rows(self, doc_id: str) -> list[sqlite3.Row]:
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute("SELECT * FROM decisions WHERE doc_id=?", (doc_id,)).fetchall()
        finally:
            conn.close()

    def attach(self, doc_id: str, draft: str, claims: Iterable[Claim]) -> dict[str, Decision]:
        """The stored decisions that belong to these claims, keyed by claim id.

        Exact fingerprints first; then each left-over decision goes to the unclaimed claim with the same
        kind and text whose sentence is most alike (at least MIN_SENTENCE_SIMILARITY) and which has not
        moved more than MAX_POSITION_SHIFT of the draft.
        """
        claims = list(claims)
        rows = self._rows(doc_id)
        by_key = {row["claim_key"]: row for row in rows}
        attached: dict[str, Decision] = {}
        used_keys: set[str] = set()
        keys = claim_keys(draft, claims)
        for claim in claims:
            key = keys[claim.id]
            if key in by_key and key not in used_keys:
                attached[claim.id] = _decision(by_key[key])
                used_keys.add(key)
        for row in rows:
            if row["claim_key"] in used_keys:
                continue
            best: tuple[float, Claim] | None = None
            for claim in claims:
                if claim.id in attached or claim.kind != row["kind"] or _normalise(claim.text) != row["claim_text"]:
                    continue
                if abs(claim.start / max(len(draft), 1) - row["position"]) > MAX_POSITION_SHIFT:
                    continue
                score = SequenceMatcher(None, _normalise(sentence_of(draft, claim)), row["sentence"]).ratio()
                if score >= MIN_SENTENCE_SIMILARITY and (best is None or score > best[0]):
                    best = (score, claim)
            if best is not None:
                attached[best[1].id] = _decision(row)
                used_keys.add(row["claim_key"])
        return attached

    def save_check(self, doc_id: str, draft: str, report: Report) -> None:
        """Keep the latest checked draft and its report, so the reviewer can reopen them after a restart."""
        row = (doc_id, draft, json.dumps(report.to_json(), ensure_ascii=False), _now())
        conn = self._connect()
        try:
            with conn:
                conn.execute("INSERT OR REPLACE INTO checks VALUES (?,?,?,?)", row)
        except sqlite3.Error as exc:
            raise ReviewStoreError(f"cannot save the checked draft to {self.path}: {exc}") from None
        finally:
            conn.close()

    def last_check(self, doc_id: str) -> tuple[str, Report] | None:
        """The latest checked draft and report saved under this document id, if any."""
        conn = self._connect()
        try:
            row = conn.execute("SELECT draft, report FROM checks WHERE doc_id=?", (doc_id,)).fetchone()
        finally:
            conn.close()
        if row is None:
            return None
        return row[0], Report.from_json(json.loads(row[1]))

    def documents(self) -> list[tuple[str, int, str]]:
        """(document id, number of decisions, last update) for every reviewed document, newest first."""
        conn = self._connect()
        try:
            return conn.execute(
                "SELECT k.doc_id, COUNT(d.claim_key), MAX(k.updated_at, COALESCE(MAX(d.updated_at), '')) FROM checks k "
                "LEFT JOIN decisions d ON d.doc_id = k.doc_id GROUP BY k.doc_id "
                "UNION SELECT doc_id, COUNT(*), MAX(updated_at) FROM decisions "
                "WHERE doc_id NOT IN (SELECT doc_id FROM checks) GROUP BY doc_id ORDER BY 3 DESC").fetchall()
        finally:
            conn.close()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(status=row["status"], override=Label(row["override"]) if row["override"] else None,
                    note=row["note"], for_editor=bool(row["for_editor"]), reviewer=row["reviewer"],
                    updated_at=row["updated_at"])
