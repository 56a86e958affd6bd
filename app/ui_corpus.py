"""Corpus page: search the corpus (scores, and "no good match" when nothing fits), open a document,
ingest files (uploaded: the good ones go in, the bad ones are listed by their own names; or a folder on
the server) with progress; list, remove, statistics."""
from __future__ import annotations

import logging

import streamlit as st

from app import ui_backend as backend
from app.exports import escape_markdown
from app.ui_render import STYLESHEET, e, text_with_quote
from claims.errors import CopydeskError


def _progress_bar():
    bar = st.progress(0.0, text="Starting\u2026")

    def progress(done: int, total: int, what: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{what} ({done} of {total})")

    return bar, progress


def _ingest(action, *args) -> None:
    bar, progress = _progress_bar()
    try:
        stats = action(*args, progress=progress)
    except (CopydeskError, OSError) as exc:  # every copydesk user error (LoadError, StoreError, ...)
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - a bug: one line here, the traceback in the server log
        bar.empty()
        logging.getLogger("copydesk.ui").exception("ingest failed")
        st.error(escape_markdown(f"Ingest failed ({type(exc).__name__}: {exc})"))
        return
    bar.empty()
    st.success(f"Ingested: {stats}")


def _ingest_uploads(files: list[tuple[str, bytes]]) -> None:
    bar, progress = _progress_bar()
    try:
        stats, bad = backend.ingest_each(files, progress=progress)
    except (CopydeskError, ValueError, OSError) as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - one line here, the traceback in the server log
        bar.empty()
        logging.getLogger("copydesk.ui").exception("ingest failed")
        st.error(escape_markdown(f"Ingest failed ({type(exc).__name__}: {exc})"))
        return
    bar.empty()
    if stats is not None:
        st.success(escape_markdown(f"Ingested {len(files) - len(bad)} of {len(files)} files: {stats}"))
    if bad:
        st.error(escape_markdown(f"{len(bad)} file(s) not ingested:\n" + "\n".join(f"- {line}" for line in bad)))


@st.dialog("Document", width="large")
def _open_document(source: str) -> None:
    text = backend.document_text(source)
    if text is None:
        st.error(escape_markdown(f"{source} is not in the store"))
        return
    st.html(STYLESHEET + f"<div><b>{e(source)}</b></div>" + text_with_quote(text, 0, 0, max_height_px=640))


def _search() -> None:
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    query = left.text_input("Search the corpus", key="corpus_query", placeholder="e.g. rare earth mining costs")
    right.button("Search", key="corpus_search_button")
    if not query.strip():
        return
    try:
        hits, good = backend.search_corpus(query.strip())
    except (CopydeskError, ValueError) as exc:
        st.error(escape_markdown(str(exc)))
        return
    if not hits:
        st.info("No document in the corpus yet: add some below.")
        return
    if not good:
        st.warning("No good match: nothing in the corpus is close to this query. The nearest passages are below.")
    for i, hit in enumerate(hits):
        similarity = f" \u00b7 similarity {hit['similarity']:.2f}" if hit.get("similarity") is not None else ""
        with st.container(border=True, key=f"hit-{i}"):
            st.html(STYLESHEET + f"<div><b>{e(hit.get('title') or hit['source'])}</b> "
                    f"<span class='cd-small'>({e(hit['source'])}) \u00b7 score {float(hit.get('score') or 0):.3f}"
                    f"{e(similarity)}</span></div><div class='cd-small'>{e(hit['text'][:600])}</div>")
            if st.button("Open the document", key=f"open-hit-{i}", type="tertiary"):
                _open_document(hit["source"])


def _add_documents() -> None:
    with st.expander("Add documents", expanded=True):
        files = st.file_uploader("Upload files (txt, md, html, pdf, jsonl)", accept_multiple_files=True,
                                 type=[s.lstrip(".") for s in backend.UPLOAD_SUFFIXES], key="corpus_upload",
                                 max_upload_size=backend.MAX_CORPUS_UPLOAD_BYTES // 1_000_000)
        if st.button("Ingest uploaded files", disabled=not files):
            _ingest_uploads([(f.name, f.getvalue()) for f in files])
        folder = st.text_input("\u2026or a file or folder path on the server", key="corpus_folder")
        if st.button("Ingest folder", disabled=not folder.strip()):
            _ingest(backend.ingest_folder, folder.strip())


def page() -> None:
    st.title("Corpus")
    st.caption("The reference documents claims are checked against.")
    _search()
    _add_documents()
    try:
        documents, stats = backend.corpus_overview()
    except CopydeskError as exc:
        st.error(escape_markdown(str(exc)))
        return
    if stats:
        cols = st.columns(max(1, min(len(stats), 4)))
        for i, (name, value) in enumerate(list(stats.items())[:8]):
            if isinstance(value, (int, float, str)):
                cols[i % len(cols)].metric(name.replace("_", " ").capitalize(), value)
    if not documents:
        st.info(escape_markdown(f"No documents yet in {backend.store_dir()}: add some above."))
        return
    st.dataframe(documents, use_container_width=True, hide_index=True, key="corpus_table")
    sources = [str(d.get("source")) for d in documents]
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    source = left.selectbox("Remove a document", sources, key="remove_source", index=None,
                            placeholder="choose a document")
    if st.button("Open", disabled=source is None, key="open_source"):
        _open_document(source)
    if right.button("Remove", disabled=source is None, type="secondary"):
        if backend.remove_document(source):
            st.success(escape_markdown(f"Removed {source}"))
            st.rerun()
        else:
            st.error(escape_markdown(f"{source} is not in the store"))
