"""Corpus page: ingest files (uploaded, or a folder on the server) with progress; list, remove, statistics."""
from __future__ import annotations

import logging

import streamlit as st

from app import ui_backend as backend
from app.exports import escape_markdown
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


def _add_documents() -> None:
    with st.expander("Add documents", expanded=True):
        files = st.file_uploader("Upload files (txt, md, html, pdf, jsonl)", accept_multiple_files=True,
                                 type=[s.lstrip(".") for s in backend.UPLOAD_SUFFIXES], key="corpus_upload",
                                 max_upload_size=backend.MAX_CORPUS_UPLOAD_BYTES // 1_000_000)
        if st.button("Ingest uploaded files", disabled=not files):
            _ingest(backend.ingest_uploads, [(f.name, f.getvalue()) for f in files])
        folder = st.text_input("\u2026or a file or folder path on the server", key="corpus_folder")
        if st.button("Ingest folder", disabled=not folder.strip()):
            _ingest(backend.ingest_folder, folder.strip())


def page() -> None:
    st.title("Corpus")
    st.caption("The reference documents claims are checked against.")
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
    if right.button("Remove", disabled=source is None, type="secondary"):
        if backend.remove_document(source):
            st.success(escape_markdown(f"Removed {source}"))
            st.rerun()
        else:
            st.error(escape_markdown(f"{source} is not in the store"))
