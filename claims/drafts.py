"""Turning what a user hands us (a file, bytes, pasted text) into draft text, or a clear error."""
from __future__ import annotations

import hashlib
from pathlib import Path

from claims.errors import DraftError

MAX_DRAFT_CHARS = 2_000_000  # about 350,000 words; larger drafts are refused with a message


def decode_draft(data: bytes, name: str = "draft") -> str:
    """Decode uploaded bytes as UTF-8 text, refusing binary files with a one-line message."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):  # UTF-16/32 with a byte-order mark
        from retrieval.loaders import LoadError, decode_text

        try:
            text = decode_text(data, name)
        except LoadError as exc:
            raise DraftError(str(exc)) from None
    elif b"\x00" in data[:8192]:
        raise DraftError(f"{name} looks like a binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DraftError(f"{name} is not UTF-8 text (invalid byte at position {exc.start})") from None
    if name.lower().endswith((".html", ".htm")):
        from retrieval.loaders import html_to_text

        text = html_to_text(text)
    return validate_draft(text, name)


def read_draft(path: str | Path, stdin_bytes: bytes | None = None) -> str:
    """Read a draft from a path, or from standard input when path is '-'."""
    if str(path) == "-":
        return decode_draft(stdin_bytes or b"", "standard input")
    p = Path(path)
    if not p.exists():
        raise DraftError(f"no such file: {p}")
    if p.is_dir():
        raise DraftError(f"{p} is a folder, not a draft file")
    size = p.stat().st_size
    if size > MAX_DRAFT_CHARS * 4:
        raise DraftError(f"{p} is {size / 1e6:.1f} MB; drafts are limited to {MAX_DRAFT_CHARS:,} characters")
    return decode_draft(p.read_bytes(), p.name)


def validate_draft(text: str, name: str = "draft") -> str:
    if not text.strip():
        raise DraftError(f"{name} is empty: nothing to check")
    if len(text) > MAX_DRAFT_CHARS:
        raise DraftError(f"{name} has {len(text):,} characters; drafts are limited to {MAX_DRAFT_CHARS:,}")
    return text


def draft_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
