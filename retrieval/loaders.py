"""Load a user's corpus into Documents: .txt, .md, .html/.htm, .pdf, .jsonl files and folders of them.

Every failure on bad input is a `LoadError` with a one-line message naming the file.
"""
from __future__ import annotations

import json
import logging
import os
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

from retrieval.errors import CopydeskError
from retrieval.types import TRUST_RANK, Document, Trust

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".jsonl")
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_RE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_RE})\s+(\d{{4}})\b", re.I)
_DATE_HINT = re.compile(r"\b(published|posted|updated|date|dated|on)\b", re.I)
_HEAD_CHARS = 400  # a publication date must appear this close to the top of the text
_HTML_DATE_META = ("article:published_time", "date", "pubdate", "publishdate", "dc.date", "dc.date.issued",
                   "og:published_time", "datepublished", "article:modified_time")


class LoadError(CopydeskError, ValueError):
    """A file could not be loaded; the message is one line and names the file."""


def parse_date(value: object) -> date | None:
    """A date from an ISO string ("2026-01-15", "2026-01-15T09:00Z"), "January 15, 2026" or "15 Jan 2026"."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern, order in ((_ISO_DATE, "ymd"), (_MONTH_DAY_YEAR, "mdy"), (_DAY_MONTH_YEAR, "dmy")):
        match = pattern.search(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups()))
        name = parts["m"].lower().rstrip(".")
        month = int(name) if name.isdigit() else _MONTHS.get(name) or _MONTHS.get(name[:3])
        try:
            return date(int(parts["y"]), month or 0, int(parts["d"]))
        except (TypeError, ValueError):
            return None
    return None


def date_near_top(text: str) -> date | None:
    """A publication date written near the top: "Published 2026-01-15", "January 15, 2026" on its own line."""
    head = text[:_HEAD_CHARS]
    for line in head.splitlines()[:8]:
        found = parse_date(line)
        if found and (_DATE_HINT.search(line) or len(line.strip()) <= 40):
            return found
    return None


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Markdown front matter (`---` / `key: value` lines / `---`) as metadata, and the text with that
    block blanked out (same length, newlines kept), so that offsets still point into the original
    file while the metadata is never indexed or quoted."""
    match = _FRONT_MATTER.match(text)
    if not match or len(match.group(1)) > 4000:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, re.sub(r"[^\n]", " ", text[:match.end()]) + text[match.end():]


def _title_from_markdown(text: str) -> str | None:
    match = re.search(r"(?m)^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", text)
    return match.group(1).strip() if match else None


def _read_text(path: Path, max_bytes: int) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(f"{path}: file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit")
    return decode_text(path.read_bytes(), str(path))


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
         (b"\xfe\xff", "utf-16"))


def decode_text(data: bytes, name: str) -> str:
    """Text from bytes: UTF-16 or UTF-32 when they start with that byte-order mark, else UTF-8 (a UTF-8 BOM is
    dropped). NUL bytes without a BOM mean a binary file."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise LoadError(f"{name}: not valid {codec.upper()} despite its byte-order mark "
                                f"(byte {error.start})") from None
    if b"\x00" in data[:8192]:
        raise LoadError(f"{name}: binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoadError(f"{name}: not valid UTF-8 (byte {error.start}); convert it to UTF-8 first") from None


class _HTMLText(HTMLParser):
    """Visible text of an HTML page, its <title> and its date meta tags."""

    SKIP = {"script", "style", "nav", "noscript", "template", "svg", "header", "footer", "aside", "form"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
             "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "figcaption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: str | None = None
        self.heading: str | None = None
        self.meta_date: date | None = None
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip_depth += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            attributes = {k.lower(): (v or "") for k, v in attrs}
            key = (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "").lower()
            if key in _HTML_DATE_META and self.meta_date is None:
                self.meta_date = parse_date(attributes.get("content"))
        elif tag == "time" and self.meta_date is None:
            self.meta_date = parse_date(dict(attrs).get("datetime"))
        if tag in self.BLOCK:
            self.parts.append("\n\n" if tag.startswith("h") or tag == "p" else "\n")
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "title":
            self._in_title = False
        if tag in self.BLOCK:
            self.parts.append("\n\n" if tag.startswith("h") or tag == "p" else "\n")
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = ((self.title or "") + data).strip() or None
        elif not self._skip_depth:
            self.parts.append(data)
            if self._in_h1 and data.strip() and not self.heading:
                self.heading = data.strip()

    def text(self) -> str:
        joined = "".join(self.parts)
        joined = re.sub(r"[ \t\r\f\v]+", " ", joined)
        joined = re.sub(r" *\n *", "\n", joined)
        return re.sub(r"\n{3,}", "\n\n", joined).strip()


def html_to_text(html: str) -> str:
    """The visible text of an HTML page (scripts, styles and navigation dropped), paragraphs kept."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _load_html(path: Path, source: str, max_bytes: int) -> Document:
    parser = _HTMLText()
    try:
        parser.feed(_read_text(path, max_bytes))
        parser.close()
    except LoadError:
        raise
    except Exception as error:  # html.parser is lenient; this is a last resort
        raise LoadError(f"{path}: cannot parse HTML ({error})") from None
    text = parser.text()
    if not text:
        raise LoadError(f"{path}: HTML page has no visible text")
    return Document(source=source, text=text, title=parser.title or parser.heading,
                    date=parser.meta_date or date_near_top(text))


def _load_pdf(path: Path, source: str, max_bytes: int) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(f"{path}: file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        metadata = reader.metadata
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as error:
        raise LoadError(f"{path}: not a readable PDF ({type(error).__name__}: {error})".splitlines()[0]) from None
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        raise LoadError(f"{path}: no text layer in this PDF (scanned image?); run OCR first")
    title = (metadata.title if metadata and metadata.title else None) or None
    meta_date = None
    if metadata:
        raw = metadata.get("/CreationDate")
        if isinstance(raw, str) and raw.startswith("D:") and len(raw) >= 10:
            meta_date = parse_date(f"{raw[2:6]}-{raw[6:8]}-{raw[8:10]}")
    return Document(source=source, text=text, title=title, date=meta_date or date_near_top(text))


def _load_jsonl(path: Path, max_bytes: int, prefix: str, notes: list[str] | None = None) -> list[Document]:
    documents: list[Document] = []
    seen: dict[str, tuple[int, tuple]] = {}
    for number, line in enumerate(_read_text(path, max_bytes).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise LoadError(f"{path}, line {number}: invalid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise LoadError(f"{path}, line {number}: expected a JSON object")
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise LoadError(f"{path}, line {number}: missing a non-empty \"text\" field")
        source = str(record.get("source") or record.get("id") or f"{prefix}:{number}")
        raw_date = record.get("date")
        parsed_date = parse_date(raw_date)
        if raw_date and parsed_date is None:
            raise LoadError(f"{path}, line {number}: unreadable date {raw_date!r} (use YYYY-MM-DD)")
        trust = _trust(record.get("trust"), f"{path}, line {number}")
        content = (text, record.get("title") or None, parsed_date, record.get("url") or None, trust)
        if source in seen:
            first, first_content = seen[source]
            if first_content != content:
                raise LoadError(f"{path}, line {number}: duplicate source {source!r} (line {first} has another "
                                f"text or metadata under it)")
            message = f"{path}, line {number}: the same document as line {first} ({source!r}), taken once"
            log.info("%s", message)
            if notes is not None:
                notes.append(message)
            continue
        seen[source] = (number, content)
        documents.append(Document(source=source, text=text, title=record.get("title") or None,
                                  date=parsed_date, url=record.get("url") or None, trust=trust,
                                  origin=f"{path.resolve()}:{number}"))
    return documents


def load_file(path: str | Path, *, root: str | Path | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES, notes: list[str] | None = None) -> list[Document]:
    """The documents in one file (several for .jsonl). `source` is the path relative to `root`."""
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"{path}: unsupported file type {suffix or '(none)'} (use {', '.join(SUPPORTED_SUFFIXES)})")
    try:
        source = path.resolve().relative_to(Path(root).resolve()).as_posix() if root else path.name
    except ValueError:
        source = path.as_posix()
    try:
        if suffix == ".jsonl":
            return _load_jsonl(path, max_bytes, source, notes)
        if suffix in (".html", ".htm"):
            return [_load_html(path, source, max_bytes).model_copy(update={"origin": str(path.resolve())})]
        if suffix == ".pdf":
            return [_load_pdf(path, source, max_bytes).model_copy(update={"origin": str(path.resolve())})]
        text = _read_text(path, max_bytes)
    except OSError as error:
        raise LoadError(f"{path}: cannot read ({error.strerror or error})") from None
    if not text.strip():
        raise LoadError(f"{path}: file is empty")
    meta: dict[str, str] = {}
    if suffix in (".md", ".markdown"):
        meta, text = split_front_matter(text)
        if not text.strip():
            raise LoadError(f"{path}: file has front matter but no text")
    title = meta.get("title") or (_title_from_markdown(text) if suffix in (".md", ".markdown") else None)
    if title is None:
        first_line = text.strip().splitlines()[0].strip()
        title = first_line if len(first_line) <= 120 and not first_line.endswith(".") else None
    published = parse_date(meta["date"]) if meta.get("date") else None
    return [Document(source=source, text=text, title=title, date=published or date_near_top(text),
                     url=meta.get("url") or None, trust=_trust(meta.get("trust"), str(path)),
                     origin=str(path.resolve()))]


def _trust(value: object, where: str) -> Trust:
    """A document's trust level from front matter or a JSONL field ("high", "normal", "low"; default normal)."""
    if value is None or value == "":
        return "normal"
    level = str(value).strip().lower()
    if level not in TRUST_RANK:
        raise LoadError(f"{where}: unknown trust level {value!r} (use high, normal or low)")
    return level  # type: ignore[return-value]


def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path


def ingest_root(paths: Iterable[str | Path]) -> Path:
    """What sources are relative to: the deepest folder holding every given path (a folder counts as itself,
    a file as its parent). One folder: paths inside it ("notes/a.txt"); `a/x.txt b/x.txt`: "a/x.txt", "b/x.txt"."""
    bases = [str(p.resolve() if p.is_dir() else p.resolve().parent) for p in map(Path, paths)]
    return Path(os.path.commonpath(bases)) if bases else Path.cwd()


def load_paths(paths: Iterable[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES,
               skip_errors: bool = False, errors: list[LoadError] | None = None,
               notes: list[str] | None = None) -> Iterator[Document]:
    """Documents from files and folders (recursive; hidden and unsupported files skipped).

    Sources are paths relative to `ingest_root(paths)`. A file given by name that cannot be loaded raises
    LoadError; with `skip_errors`, bad files are logged, appended to `errors` when given, and skipped.
    """
    paths = [Path(p) for p in paths]
    for given in paths:
        if not given.exists():
            raise LoadError(f"{given}: no such file or folder")
    root = ingest_root(paths)
    for given in paths:
        files = list(_walk(given)) if given.is_dir() else [given]
        for path in files:
            try:
                yield from load_file(path, root=root, max_bytes=max_bytes, notes=notes)
            except LoadError as error:
                if not skip_errors:
                    raise
                log.warning("%s", error)
                if errors is not None:
                    errors.append(error)


def load_all(paths: Iterable[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES,
             notes: list[str] | None = None) -> list[Document]:
    """Every document of `paths`, all loaded and checked before anything is written (a bad file anywhere
    raises LoadError). Two different documents under one source are refused; the same file given twice (or
    identical JSONL lines) is taken once, with a note."""
    documents: dict[str, Document] = {}
    for doc in load_paths(paths, max_bytes=max_bytes, notes=notes):
        first = documents.get(doc.source)
        if first is None:
            documents[doc.source] = doc
        elif (first.text, first.title, first.date, first.trust) == (doc.text, doc.title, doc.date, doc.trust):
            if notes is not None:
                notes.append(f"{doc.origin or doc.source}: the same document as {first.origin or first.source}, "
                             f"taken once")
        else:
            raise LoadError(f"two different documents would be stored as {doc.source!r}: {first.origin} and "
                            f"{doc.origin}; ingest them in separate calls from different folders, or give "
                            f"distinct \"source\" fields")
    return list(documents.values())
