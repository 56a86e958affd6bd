"""The `copydesk` command line: ingest, check, search, extract, eval, suite, convert, ui, llm test.

Exit codes: 0 success, 1 a check/eval that ran but found a regression (suite floors), 2 bad input,
with a one-line message on standard error and no traceback.

Settings: `main` reads them once (`claims.settings.Settings.load`: options > COPYDESK_* > config file >
defaults), applies the process-wide ones and hands them to each command as `args.settings`.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "app" / "demo"


from claims.errors import CopydeskError
from claims.settings import Settings
from retrieval.settings import DEFAULT_STORE_DIR


class UsageError(CopydeskError):
    """Bad command-line input."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints usage + message by default)
        raise UsageError(message)


# Exceptions that mean bad input or an unavailable resource: reported as one line, exit 2. Every copydesk
# error subclasses CopydeskError (claims/errors.py shows the tree); the rest are the OS's file errors.
USER_ERRORS: tuple[type[BaseException], ...] = (CopydeskError, FileNotFoundError, IsADirectoryError,
                                                PermissionError, UnicodeDecodeError)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _workers(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a number of worker processes (1 or more): {value!r}")
    return number


def _open_store(settings: Settings, *, must_exist: bool = False):
    """The Chroma server at COPYDESK_CHROMA_URL when set, else the store folder (--store > COPYDESK_STORE > default)."""
    if not settings.chroma_url and must_exist and not settings.store.exists():
        raise UsageError(f"no store at {settings.store}: run `copydesk ingest --store {settings.store} FILES` first")
    return settings.retrieval.open_store(create=not must_exist)


def _settings_from(args) -> Settings:
    """The settings for this command: its options first, then COPYDESK_* variables, the config file, defaults."""
    explicit = {"store": getattr(args, "store", None), "llm_backend": getattr(args, "llm", None),
                "shared": getattr(args, "shared", None)}
    settings = Settings.load(**explicit)
    if explicit["store"] and settings.chroma_url and getattr(args, "command", None) != "serve":
        # an explicit --store names the store this command uses, over a Chroma server set in the environment
        # or the config file (and every message names that folder)
        settings = settings.model_copy(update={"chroma_url": None})
    return settings.apply()


# ---- commands ---------------------------------------------------------------------------------

def cmd_ingest(args) -> int:
    from retrieval.loaders import load_all

    if args.remove:
        store = _open_store(args.settings, must_exist=True)
        for source in args.paths:
            removed = store.remove(source)
            if removed:
                print(f"removed: {source}")
                continue
            name = Path(source).name
            alike = [row["source"] for row in store.documents() if Path(row["source"]).name == name][:3]
            print(f"not in store: {source}" + (f" (stored under: {', '.join(alike)})" if alike else ""))
        return 0
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {missing[0]}")
    notes: list[str] = []
    documents = load_all(args.paths, notes=notes)  # every file read and checked before the first write
    for note in notes:
        print(f"copydesk: note: {note}", file=sys.stderr)
    store = _open_store(args.settings)
    stats = store.ingest(documents, progress=not args.quiet)
    for warning in stats.warnings:
        print(f"copydesk: warning: {warning}", file=sys.stderr)
    print(f"ingested into {store.location}: {stats}")
    return 0


def cmd_doctor(args) -> int:
    store = _open_store(args.settings, must_exist=True)
    report = store.repair(apply=args.repair)
    print(f"store {store.location}: {report}")
    return 0 if report.healthy or args.repair else 1


def _read_draft(path: str) -> str:
    from claims.drafts import read_draft

    if path != "-":
        return read_draft(path)
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError("standard input is closed: pass a draft file, or pipe the draft into `-`")
    try:
        data = sys.stdin.buffer.read()
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read standard input: {error}") from None
    return read_draft(path, data)


def cmd_check(args) -> int:
    from app.render import render_report
    from claims.pipeline import check

    if args.draft.count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    drafts = [_read_draft(path) for path in args.draft]
    for roster in args.roster:
        if not Path(roster).is_file():
            raise UsageError(f"no such roster file: {roster}")
    settings = args.settings
    store = _open_store(settings, must_exist=True) if (args.store or settings.chroma_url) else None
    llm = settings.llm_client()
    if len(drafts) > 1 and llm is None and (store is None or store.local_dir is not None):
        from copydesk import check_many  # several drafts offline: one process per core, the same reports

        reports = check_many(drafts, store=store, as_of=args.as_of, rosters=args.roster,
                             sources_until_as_of=args.sources_until_as_of)
    else:
        reports = [check(draft, store=store, as_of=args.as_of, rosters=args.roster, llm=llm,
                         sources_until_as_of=args.sources_until_as_of) for draft in drafts]
    if len(drafts) == 1:
        text = render_report(reports[0], args.format, draft=drafts[0])
    else:
        text = _render_several(args.draft, drafts, reports, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"report written to {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


def _render_several(paths: list[str], drafts: list[str], reports: list, fmt: str) -> str:
    """Several drafts: each report, then where the drafts disagree with each other (claims.cross_draft)."""
    from app.render import render_report
    from claims.cross_draft import cross_draft_flags

    found = cross_draft_flags([(d, [r.claim for r in report.claims]) for d, report in zip(drafts, reports)])
    if fmt == "json":
        return json.dumps({
            "reports": [{"draft": path, **report.to_json()} for path, report in zip(paths, reports)],
            "cross_draft_flags": [{
                "kind": f.flag.kind, "message": f.flag.message,
                "places": [{"draft": paths[p.draft], "draft_index": p.draft, "claim_id": p.claim_id,
                            "start": p.start, "end": p.end, "text": p.text} for p in f.places]} for f in found],
        }, indent=2, ensure_ascii=False)
    parts = []
    for path, draft, report in zip(paths, drafts, reports):
        parts.append(f"== {path}\n{render_report(report, fmt, draft=draft)}")
    lines = [f"== where the drafts disagree ({len(found)})"]
    for f in found:
        where = "; ".join(f"{paths[p.draft]} {p.start}-{p.end} {p.text!r}" for p in f.places)
        lines.append(f"- cross_draft_inconsistency: {f.flag.message} [{where}]")
    return "\n".join(parts + ["\n".join(lines)])


def cmd_extract(args) -> int:
    from claims.pipeline import extract

    draft = _read_draft(args.draft)
    claims = extract(draft, args.as_of or date.today(), llm=args.settings.llm_client())
    print(json.dumps([c.model_dump(mode="json", exclude_none=True) for c in claims], indent=2, ensure_ascii=False))
    return 0


def cmd_search(args) -> int:
    from retrieval.search import GOOD_MATCH_SIMILARITY, Searcher

    store = _open_store(args.settings, must_exist=True)
    searcher = Searcher(store)
    passages = searcher.search(args.query, k=args.k, as_of=args.as_of)
    best = searcher.best_similarity(args.query, passages)
    weak = (f"no good match: nothing in the store is about this query (best similarity {best:.2f}; "
            f"{GOOD_MATCH_SIMILARITY:.2f} and above usually is)") if passages and best < GOOD_MATCH_SIMILARITY else None
    if args.format == "json":
        print(json.dumps([p.model_dump(mode="json", exclude_none=True) for p in passages], indent=2, ensure_ascii=False))
        if weak:
            print(f"note: {weak}", file=sys.stderr)
        return 0
    if not passages:
        print("no passages found")
    if weak:
        print(weak)
    for rank, p in enumerate(passages, 1):
        when = f" ({p.date})" if p.date else ""
        print(f"{rank}. [{p.score:.4f}] {p.source}{when} @{p.start}-{p.end}\n   {p.text}")
    return 0


def cmd_eval(args) -> int:
    from evals.runner import run_eval

    if not Path(args.set).is_file():
        raise UsageError(f"no such eval set: {args.set}")
    store = _open_store(args.settings, must_exist=True) if args.store else None
    result = run_eval(args.set, store=store, out_dir=args.out, limit=args.limit, seed=args.seed,
                      llm=args.settings.llm_client(), progress=not args.quiet, shared_dir=args.settings.shared,
                      workers=args.workers)
    if args.format == "markdown":
        print(result.summary_markdown)
    else:
        print(json.dumps(result.metrics, indent=2, ensure_ascii=False, default=str))
    return 0


def cmd_suite(args) -> int:
    from evals.suite import main as suite_main

    return suite_main(args.suite_args)


def cmd_convert(args) -> int:
    from evals.converters import main as convert_main

    return convert_main(args.convert_args)


def ensure_demo_store(path: str) -> None:
    """Ingest the demo corpus into `path` (idempotent: unchanged documents add nothing)."""
    from retrieval.loaders import load_paths
    from retrieval.store import open_store

    store = open_store(path)
    stats = store.ingest(load_paths([str(DEMO_DIR / "corpus")]), progress=False)
    print(f"demo corpus in {path}: {stats}", file=sys.stderr)


def cmd_ui(args) -> int:
    import subprocess

    env = dict(os.environ)  # the app reads its settings from this environment (and the config file)
    store = str(args.settings.store)
    if args.demo:
        store = args.store or str(DEFAULT_STORE_DIR.parent / "demo-store")
        ensure_demo_store(store)
        env["COPYDESK_DEMO"] = "1"
    env["COPYDESK_STORE"] = store
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app" / "ui.py"),
           "--server.address", args.host, "--server.port", str(args.port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    shown = args.settings.chroma_url if args.settings.chroma_url and not args.demo else store
    print(f"copydesk UI on http://{args.host}:{args.port}  (store: {shown}; Ctrl-C to stop)", file=sys.stderr)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def cmd_serve(args) -> int:
    from app.api import TOKEN_ENV, serve

    if args.store:
        os.environ["COPYDESK_STORE"] = args.store
    token = os.environ.get(TOKEN_ENV) or None  # read here, at the edge, and passed down
    limits = {"max_concurrency": args.max_concurrency, "max_queue": args.max_queue}
    try:
        serve(args.host, args.port, token=token, log_level=args.log_level, **limits)
    except KeyboardInterrupt:
        pass
    return 0


def cmd_llm(args) -> int:
    from claims.llm import connection_test

    result = connection_test(args.settings.llm_config())
    print(json.dumps(result, indent=2, default=str))
    return 0 if result.get("ok", result.get("reachable")) else 2


# ---- parser -----------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="copydesk", description="Extract and verify checkable claims against your own corpus.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("ingest", help="add files or folders (.txt .md .html .pdf .jsonl) to a store")
    s.add_argument("--store", help="store directory (default: $COPYDESK_STORE, the config file's store, "
                                   "else ~/.local/share/copydesk/store)")
    s.add_argument("--remove", action="store_true", help="remove the named documents (by source) instead")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("doctor", help="check a store for passages a crash left behind (--repair: fix them)")
    s.add_argument("--store", help="store directory (default: $COPYDESK_STORE or ~/.local/share/copydesk/store)")
    s.add_argument("--repair", action="store_true", help="delete orphan and stale passages, rebuild missing ones")
    s.set_defaults(func=cmd_doctor)

    s = sub.add_parser("check", help="check a draft and print the report")
    s.add_argument("--store", help="store directory to retrieve evidence from")
    s.add_argument("--as-of", type=_date, help="the draft's date (default: today)")
    s.add_argument("--roster", action="append", default=[], metavar="CSV", help="extra officials roster (repeatable)")
    s.add_argument("--format", choices=["json", "markdown", "table"], default="table")
    s.add_argument("--sources-until-as-of", action="store_true",
                   help="ignore corpus documents dated after the as-of date (what was knowable then)")
    s.add_argument("--out", help="write the report to this file")
    s.add_argument("--llm", choices=["none", "local", "openai-compatible"], help="override $COPYDESK_LLM")
    s.add_argument("draft", metavar="DRAFT", nargs="+",
                   help="a text, Markdown or HTML file, or - for standard input; several drafts are also "
                        "checked against each other (cross_draft_inconsistency)")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("extract", help="print the claims found in a draft (JSON), without verifying them")
    s.add_argument("--as-of", type=_date)
    s.add_argument("--llm", choices=["none", "local", "openai-compatible"])
    s.add_argument("draft", metavar="DRAFT")
    s.set_defaults(func=cmd_extract)

    s = sub.add_parser("search", help="search a store")
    s.add_argument("--store")
    s.add_argument("--k", type=int, default=5)
    s.add_argument("--as-of", type=_date)
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.add_argument("query")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("eval", help="score an eval set (JSONL)")
    s.add_argument("set", metavar="SET.jsonl")
    s.add_argument("--store", help="store for claim items without evidence")
    s.add_argument("--out", help="write predictions.jsonl, metrics.json, summary.md and plots here")
    s.add_argument("--format", choices=["json", "markdown"], default="json")
    s.add_argument("--limit", type=int)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--shared", help="folder holding the seed articles that items name by text_file "
                                    "(default: $COPYDESK_SHARED or ../shared beside the repository)")
    s.add_argument("--llm", choices=["none", "local", "openai-compatible"])
    s.add_argument("--workers", type=_workers, default=os.cpu_count() or 1,
                   help="processes checking items (default: one per core; 1: in this process; an LLM runs here)")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("suite", help="run the standard eval suite (see `copydesk suite -- --help`)")
    s.add_argument("suite_args", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_suite)

    s = sub.add_parser("convert", help="convert a public eval set from ../shared/evaldata to JSONL")
    s.add_argument("convert_args", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_convert)

    s = sub.add_parser("ui", help="start the Streamlit app")
    s.add_argument("--store")
    s.add_argument("--demo", action="store_true", help="ingest the demo corpus and open the demo draft")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8501)
    s.set_defaults(func=cmd_ui)

    s = sub.add_parser("serve", help="run the HTTP API (FastAPI on uvicorn; docs at /docs)")
    s.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1; any other host needs $COPYDESK_API_TOKEN")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--store", help="store directory (default $COPYDESK_STORE; $COPYDESK_CHROMA_URL wins)")
    s.add_argument("--max-concurrency", type=int, help="checks running at once (default: the number of cores)")
    s.add_argument("--max-queue", type=int, help="checks waiting for a slot before 429 (default 64)")
    s.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("llm", help="LLM backend tools")
    llm_sub = s.add_subparsers(dest="llm_command", required=True, parser_class=_Parser)
    t = llm_sub.add_parser("test", help="check the configured backend's connection and JSON-schema support")
    t.set_defaults(func=cmd_llm)
    return p


PASS_THROUGH = {"suite": cmd_suite, "convert": cmd_convert}  # their own option parsers take every argument


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    settings: Settings | None = None
    try:
        if argv and argv[0] in PASS_THROUGH:
            rest = argv[1:]
            Settings.load().apply()
            return PASS_THROUGH[argv[0]](argparse.Namespace(suite_args=rest, convert_args=rest))
        args = parser.parse_args(argv)
        args.settings = settings = _settings_from(args)
        return args.func(args)
    except KeyboardInterrupt:
        print("copydesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`: the reader left; stop quietly
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - user errors become one line; anything else re-raises
        if isinstance(exc, USER_ERRORS):
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            print(f"copydesk: error: {message}", file=sys.stderr)
            return 2
        failing = _failing_backend(exc, settings.chroma_url if settings is not None else None)
        if failing:
            print(f"copydesk: error: {failing}", file=sys.stderr)
            return 2
        raise


def _failing_backend(exc: BaseException, chroma_url: str | None = None) -> str | None:
    """A one-line message for a store backend that failed under us (a Chroma server that went away, a store
    database that is corrupt or read-only), or None for a real bug (which keeps its traceback)."""
    import sqlite3

    module = type(exc).__module__ or ""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    if module.startswith(("httpx", "httpcore", "chromadb")) or isinstance(exc, (ConnectionError, TimeoutError)):
        where = chroma_url or "the store"
        return f"the Chroma store stopped answering ({where}): {type(exc).__name__}: {text}"
    if isinstance(exc, sqlite3.Error):
        return f"the store's database failed: {text} (run `copydesk doctor --store DIR`)"
    return None


if __name__ == "__main__":
    sys.exit(main())
