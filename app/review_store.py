"""Reviewer decisions (accept / override / not check-worthy / note / evidence / mark for the editor),
every check kept as a version, and an audit trail of who changed what — persisted in SQLite.

Decisions are keyed by a *document id* the reviewer keeps (by default the draft's headline or file
name, so a re-check after edits finds the same document; a *different* draft with the same headline
gets its own id, never merged: `resolve_document_id`) and by a *claim fingerprint* that survives edits
elsewhere in the draft: the normalised claim text, its sentence and its kind. When an edit touched
the claim's own sentence, a fuzzy fallback re-attaches the decision to the claim of the same kind
and text whose sentence is most similar and whose relative position is nearby.

The database runs in WAL mode with synchronous=FULL and one transaction per write (the decision and
its audit row together), so a decision survives a crash (kill -9) or a restart as soon as `save` returns.
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

Status = Literal["accepted", "overridden", "pending", "not_check_worthy"]
STATUSES = ("accepted", "overridden", "pending", "not_check_worthy")
SAME_DOCUMENT_OVERLAP = 0.5  # share of lines two drafts must have in common to be one document

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
CREATE TABLE IF NOT EXISTS versions (
    doc_id      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    draft       TEXT NOT NULL,
    report      TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    corpus      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (doc_id, version)
);
CREATE TABLE IF NOT EXISTS added_claims (
    doc_id      TEXT NOT NULL,
    number      INTEGER NOT NULL,
    text        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    position    REAL NOT NULL,
    reviewer    TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      TEXT NOT NULL,
    claim_key   TEXT NOT NULL,
    claim_text  TEXT NOT NULL,
    reviewer    TEXT NOT NULL,
    before      TEXT NOT NULL,
    after       TEXT NOT NULL,
    at          TEXT NOT NULL
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
    evidence: tuple[dict[str, str], ...] = ()  # attached by hand: {"source", "quote", "url"}

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


def document_id(draft: str, filename: str | None = None) -> str:
    """A default document id the reviewer can keep across edits: the uploaded file's name, else the
    draft's headline (its first line of at least two words, Markdown '#' dropped), else its first line."""
    if filename:
        stem = Path(filename).name.rsplit(".", 1)[0].strip()
        if stem:
            return stem[:DOCUMENT_ID_CHARS]
    lines = [re.sub(r"\s+", " ", line).strip().lstrip("#").strip() for line in draft.splitlines()]
    lines = [line for line in lines if line]
    for line in lines[:10]:
        if len(line.split()) >= 2:
            return line[:DOCUMENT_ID_CHARS]
    return lines[0][:DOCUMENT_ID_CHARS] if lines else "untitled draft"


def _lines(draft: str) -> set[str]:
    return {_normalise(line) for line in re.split(r"\n|(?<=[.!?])\s+", draft) if len(line.strip()) > 20}


def same_document(old: str, new: str) -> bool:
    """Whether `new` is an edit of `old` (they share at least SAME_DOCUMENT_OVERLAP of their sentences)."""
    a, b = _lines(old), _lines(new)
    if a and b and len(a & b) / min(len(a), len(b)) >= SAME_DOCUMENT_OVERLAP:
        return True
    return SequenceMatcher(None, _normalise(old)[:3000], _normalise(new)[:3000]).ratio() >= 0.85


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
                columns = {row[1] for row in conn.execute("PRAGMA table_info(decisions)")}
                if "evidence" not in columns:
                    conn.execute("ALTER TABLE decisions ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]'")
        except (OSError, sqlite3.Error) as exc:
            raise ReviewStoreError(f"cannot open the review database {self.path}: {exc}") from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def save(self, doc_id: str, draft: str, claim: Claim, decision: Decision, *, key: str | None = None) -> Decision:
        """Record a decision for the claim (replacing any earlier one) and its audit row, in one
        transaction: committed when this returns.

        `key` is the claim's entry in `claim_keys(draft, claims)` (needed when a claim is repeated);
        by default its plain fingerprint.
        """
        return self.save_many(doc_id, draft, [(claim, key)], decision)[0]

    def save_many(self, doc_id: str, draft: str, claims: Iterable[tuple[Claim, str | None]],
                  decision: Decision) -> list[Decision]:
        """The same decision for several claims (every mention, or a bulk accept), in one transaction."""
        if decision.status not in STATUSES:
            raise ReviewStoreError(f"unknown review status {decision.status!r}")
        if decision.status == "overridden" and decision.override is None:
            raise ReviewStoreError("an override needs a verdict")
        if not doc_id.strip():
            raise ReviewStoreError("the document id is empty")
        stamped = Decision(status=decision.status, override=decision.override if decision.status == "overridden" else None,
                           note=decision.note, for_editor=decision.for_editor, reviewer=decision.reviewer,
                           updated_at=_now(), evidence=tuple(dict(x) for x in decision.evidence))
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            with conn:  # one transaction for all the rows and their audit trail
                for claim, key in claims:
                    key = key or claim_fingerprint(draft, claim)
                    old = conn.execute("SELECT * FROM decisions WHERE doc_id=? AND claim_key=?", (doc_id, key)).fetchone()
                    row = (doc_id, key, _normalise(claim.text), _normalise(sentence_of(draft, claim)), claim.kind,
                           claim.start / max(len(draft), 1), stamped.status,
                           stamped.override.value if stamped.override else None, stamped.note,
                           int(stamped.for_editor), stamped.reviewer, stamped.updated_at,
                           json.dumps(list(stamped.evidence), ensure_ascii=False))
                    conn.execute("INSERT OR REPLACE INTO decisions (doc_id, claim_key, claim_text, sentence, kind, "
                                 "position, status, override, note, for_editor, reviewer, updated_at, evidence) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
                    conn.execute("INSERT INTO audit (doc_id, claim_key, claim_text, reviewer, before, after, at) "
                                 "VALUES (?,?,?,?,?,?,?)",
                                 (doc_id, key, claim.text, stamped.reviewer,
                                  _describe(_decision(old)) if old is not None else "pending",
                                  _describe(stamped), stamped.updated_at))
        except sqlite3.Error as exc:
            raise ReviewStoreError(f"cannot save the decision to {self.path}: {exc}") from None
        finally:
            conn.close()
        return [stamped]

    def add_claim(self, doc_id: str, draft: str, text: str, kind: str = "other", *, reviewer: str = "",
                  near: int = 0) -> Claim:
        """A claim the machine missed (or a claim's corrected words): `text` must appear in the draft; the
        occurrence nearest `near` is taken. Kept with the document and found again after edits."""
        text = text.strip()
        if not text:
            raise ReviewStoreError("the claim's words are empty")
        if kind not in ("quantity", "date", "official", "statement", "other"):
            raise ReviewStoreError(f"unknown claim kind {kind!r}")
        start = _nearest(draft, text, near)
        if start < 0:
            raise ReviewStoreError(f"\u201c{text}\u201d is not in the draft: copy the claim's words exactly")
        conn = self._connect()
        try:
            with conn:
                number = (conn.execute("SELECT MAX(number) FROM added_claims WHERE doc_id=?", (doc_id,)).fetchone()[0]
                          or 0) + 1
                conn.execute("INSERT INTO added_claims VALUES (?,?,?,?,?,?,?)",
                             (doc_id, number, text, kind, start / max(len(draft), 1), reviewer, _now()))
                conn.execute("INSERT INTO audit (doc_id, claim_key, claim_text, reviewer, before, after, at) "
                             "VALUES (?,?,?,?,?,?,?)", (doc_id, f"added-{number}", text, reviewer, "absent",
                                                         f"added a {kind} claim", _now()))
        except sqlite3.Error as exc:
            raise ReviewStoreError(f"cannot save the claim to {self.path}: {exc}") from None
        finally:
            conn.close()
        return _added_claim(draft, number, text, kind, start)

    def added_claims(self, doc_id: str, draft: str) -> list[Claim]:
        """The reviewer's claims of this document, located in this draft (those whose words are gone are left out)."""
        conn = self._connect()
        try:
            rows = conn.execute("SELECT number, text, kind, position FROM added_claims WHERE doc_id=? ORDER BY number",
                                (doc_id,)).fetchall()
        finally:
            conn.close()
        out = []
        for number, text, kind, position in rows:
            start = _nearest(draft, text, int(position * len(draft)))
            if start >= 0:
                out.append(_added_claim(draft, number, text, kind, start))
        return out

    def audit(self, doc_id: str) -> list[dict[str, str]]:
        """Who changed what, when, for this document (oldest first)."""
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute("SELECT claim_text, reviewer, before, after, at FROM audit WHERE doc_id=? ORDER BY id",
                                (doc_id,)).fetchall()
        finally:
            conn.close()
        return [dict(row) for row in rows]

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

    def resolve_document_id(self, doc_id: str, draft: str) -> str:
        """`doc_id`, or `doc_id (2)`, `(3)`... when a *different* draft already holds it (never merged)."""
        candidate, n = doc_id, 1
        while True:
            saved = self._latest(candidate)
            if saved is None or same_document(saved[0], draft):
                return candidate
            n += 1
            candidate = f"{doc_id} ({n})"

    def save_check(self, doc_id: str, draft: str, report: Report, *, corpus: str = "") -> int:
        """Keep this check as a new version (draft, report, as-of, corpus state); returns its number."""
        conn = self._connect()
        try:
            with conn:
                last = conn.execute("SELECT MAX(version) FROM versions WHERE doc_id=?", (doc_id,)).fetchone()[0] or 0
                conn.execute("INSERT INTO versions VALUES (?,?,?,?,?,?,?)",
                             (doc_id, last + 1, draft, json.dumps(report.to_json(), ensure_ascii=False),
                              report.as_of.isoformat(), corpus, _now()))
        except sqlite3.Error as exc:
            raise ReviewStoreError(f"cannot save the checked draft to {self.path}: {exc}") from None
        finally:
            conn.close()
        return last + 1

    def versions(self, doc_id: str) -> list[dict[str, str | int]]:
        """Every saved check of the document, newest first: version, created_at, as_of, corpus."""
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute("SELECT version, created_at, as_of, corpus FROM versions WHERE doc_id=? "
                                "ORDER BY version DESC", (doc_id,)).fetchall()
        finally:
            conn.close()
        return [dict(row) for row in rows]

    def _latest(self, doc_id: str, version: int | None = None) -> tuple[str, str] | None:
        conn = self._connect()
        try:
            if version is None:
                row = conn.execute("SELECT draft, report FROM versions WHERE doc_id=? ORDER BY version DESC LIMIT 1",
                                   (doc_id,)).fetchone()
                if row is None:  # a database from before versions
                    row = conn.execute("SELECT draft, report FROM checks WHERE doc_id=?", (doc_id,)).fetchone()
            else:
                row = conn.execute("SELECT draft, report FROM versions WHERE doc_id=? AND version=?",
                                   (doc_id, version)).fetchone()
        finally:
            conn.close()
        return (row[0], row[1]) if row else None

    def last_check(self, doc_id: str, version: int | None = None) -> tuple[str, Report] | None:
        """The latest (or the given version's) checked draft and report saved under this id, if any."""
        row = self._latest(doc_id, version)
        return (row[0], Report.from_json(json.loads(row[1]))) if row else None

    def documents(self) -> list[tuple[str, int, str]]:
        """(document id, number of decisions, last update) for every reviewed document, newest first."""
        conn = self._connect()
        try:
            return conn.execute(
                "WITH docs AS (SELECT doc_id, MAX(created_at) AS at FROM versions GROUP BY doc_id "
                "UNION ALL SELECT doc_id, updated_at FROM checks WHERE doc_id NOT IN (SELECT doc_id FROM versions) "
                "UNION ALL SELECT doc_id, MAX(updated_at) FROM decisions GROUP BY doc_id) "
                "SELECT doc_id, (SELECT COUNT(*) FROM decisions d WHERE d.doc_id = docs.doc_id), MAX(at) "
                "FROM docs GROUP BY doc_id ORDER BY 3 DESC").fetchall()
        finally:
            conn.close()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _decision(row: sqlite3.Row) -> Decision:
    evidence = tuple(json.loads(row["evidence"] or "[]")) if "evidence" in row.keys() else ()
    return Decision(status=row["status"], override=Label(row["override"]) if row["override"] else None,
                    note=row["note"], for_editor=bool(row["for_editor"]), reviewer=row["reviewer"],
                    updated_at=row["updated_at"], evidence=evidence)


def _describe(decision: Decision) -> str:
    """A decision in a few words, for the audit trail."""
    words = f"override: {decision.override.value}" if decision.status == "overridden" and decision.override else decision.status
    if decision.note:
        words += f"; note: {decision.note}"
    if decision.for_editor:
        words += "; for the editor"
    if decision.evidence:
        words += f"; {len(decision.evidence)} source(s) attached"
    return words


def mentions(claims: Iterable[Claim], claim: Claim) -> list[Claim]:
    """Every claim that mentions the same thing as `claim` (same kind, same normalised text)."""
    return [c for c in claims if c.kind == claim.kind and _normalise(c.text) == _normalise(claim.text)]


def bulk_accept_candidates(results: Iterable, decisions: dict[str, Decision]) -> list:
    """The pending findings from the roster or a comparator: what a reviewer may accept in one go."""
    return [r for r in results if r.verdict.tier == "finding" and decisions.get(r.claim.id, Decision()).status == "pending"
            and (r.verdict.method.startswith("roster") or r.verdict.method.startswith("comparator"))]


def _nearest(draft: str, text: str, near: int) -> int:
    """The start of the occurrence of `text` in the draft nearest offset `near`, or -1."""
    best, at = -1, draft.find(text)
    while at >= 0:
        if best < 0 or abs(at - near) < abs(best - near):
            best = at
        at = draft.find(text, at + 1)
    return best


def _added_claim(draft: str, number: int, text: str, kind: str, start: int) -> Claim:
    end = start + len(text)
    left = max(draft.rfind(". ", 0, start) + 2, draft.rfind("\n", 0, start) + 1, 0)
    stops = [i for i in (draft.find(". ", end), draft.find("\n", end)) if i >= 0]
    right = min(stops) + 1 if stops else len(draft)
    return Claim(id=f"r{number}", text=text, start=start, end=end, kind=kind, statement=draft[left:right].strip(),
                 sentence_start=left, sentence_end=right, extractor="given")


def with_added(report: Report, claims: Iterable[Claim]) -> Report:
    """The report with the reviewer's claims added (unchecked: "needs a human"), in the report's order: the
    value claims in draft order, then the statement claims in draft order (claims.pipeline.extract)."""
    from claims.models import ClaimResult, Verdict

    added = [ClaimResult(claim=c, verdict=Verdict(label=Label.not_enough_evidence, confidence=0.0, method="reviewer",
                                                  rationale="added by the reviewer", tier="suggestion"))
             for c in claims]
    if not added:
        return report
    results = sorted([*report.claims, *added], key=lambda r: (r.claim.kind == "statement", r.claim.start, r.claim.end))
    return report.model_copy(update={"claims": results})
