"""Batch page: upload or paste several drafts and check them in one go, with one "As of" (or each draft's
dateline date). Shows one row per draft, where the drafts disagree with each other (claims.cross_draft,
as `copydesk check a.txt b.txt`), the drafts that could not be read (by their own names, with the reason),
and a button per draft that opens its report on the Check page (each draft is saved as a version of its
own document, as a single check is).
"""
from __future__ import annotations

import streamlit as st

from app import ui_backend as backend
from app.exports import escape_markdown
from app.ui_check import dateline_date, open_version
from app.ui_render import FLAG_MARK, STYLESHEET, e, flag_box, span_excerpt
from app.ui_state import llm_settings, review_store

MAX_PASTED = 10


def _inputs() -> list[tuple[str, bytes | str]]:
    uploads = st.file_uploader("Upload drafts (txt, md or html; several at once)", accept_multiple_files=True,
                               key="batch_uploads")
    count = st.number_input("Pasted drafts", min_value=0, max_value=MAX_PASTED, value=2, step=1,
                            key="batch_paste_count", help="How many boxes to paste drafts into (empty ones are skipped)")
    pasted = []
    cols = st.columns(2)
    for i in range(int(count)):
        text = cols[i % 2].text_area(f"Pasted draft {i + 1}", key=f"batch_paste_{i + 1}", height=160,
                                     placeholder="Paste a draft here")
        if text.strip():
            pasted.append((f"pasted draft {i + 1}", text))
    return [(f.name, f.getvalue()) for f in uploads or []] + pasted


def _run(inputs: list[tuple[str, bytes | str]], as_of) -> None:
    bar = st.progress(0.0, text="Starting\u2026")

    def progress(done: int, total: int, what: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"Draft {min(done + 1, total)} of {total}: {what}")

    try:
        result = backend.check_batch(inputs, as_of=as_of, reviews=review_store(), settings=llm_settings(),
                                     dateline=dateline_date, progress=progress)
    except Exception as exc:  # noqa: BLE001 - comparing the drafts failed: one line; the log has the rest
        bar.empty()
        import logging

        logging.getLogger("copydesk.ui").exception("batch failed")
        st.error(escape_markdown(f"The batch failed ({type(exc).__name__}: {exc})"))
        return
    bar.empty()
    st.session_state["batch_result"] = result


def _open(doc_id: str, version: int) -> None:
    """Callback of a row's Open button: the draft's report on the Check page."""
    if open_version(doc_id, version):
        st.session_state["page"] = "Check"
    else:
        st.session_state["toast"] = f"{doc_id}: this check is no longer saved"


def _rows(result: backend.BatchResult) -> list[dict]:
    crossing: dict[int, int] = {}
    for found in result.disagreements:
        for place in found.places:
            crossing[place.draft] = crossing.get(place.draft, 0) + 1
    rows = []
    for index, item in enumerate(result.checked):
        claims = item.report.claims
        rows.append({"draft": item.number, "document": item.doc_id, "file": item.name,
                     "as of": f"{item.report.as_of.isoformat()} ({'dateline' if item.as_of_from != 'the batch' else 'batch'})",
                     "claims": len(claims), "findings": sum(1 for r in claims if r.verdict.tier == "finding"),
                     "suggestions": sum(1 for r in claims if r.verdict.tier != "finding"),
                     "flags": sum(len(r.flags) for r in claims) + len(item.report.flags),
                     "disagreements": crossing.get(index, 0), "version": item.version})
    return rows


def _disagreements(result: backend.BatchResult) -> None:
    found = result.disagreements
    st.subheader(f"{FLAG_MARK} Where the drafts disagree ({len(found)})", anchor=False)
    if not found:
        st.caption("No two drafts give one thing two different values or dates.")
        return
    for flag in found:
        places = []
        for place in flag.places:
            item = result.checked[place.draft]
            line = item.draft.count("\n", 0, place.start) + 1
            places.append(f"<li><b>Draft {item.number}: {e(item.doc_id)}</b> <span class='cd-small'>({e(item.name)}, "
                          f"line {line})</span><br>{span_excerpt(item.draft, place.start, place.end)}</li>")
        st.html(f'<div class="cd-crossdraft">{flag_box(flag.flag.kind, flag.flag.message)}<ul>{"".join(places)}</ul></div>')


def _results(result: backend.BatchResult) -> None:
    if result.rejected:
        st.error(f"{len(result.rejected)} draft(s) not checked:\n\n"
                 + "\n".join(f"- {escape_markdown(r.line)}" for r in result.rejected))
    if not result.checked:
        return
    st.subheader(f"Checked {len(result.checked)} draft(s)", anchor=False)
    st.dataframe(_rows(result), hide_index=True, use_container_width=True)
    _disagreements(result)
    st.subheader("Open a draft's report", anchor=False)
    cols = st.columns(min(len(result.checked), 3))
    for index, item in enumerate(result.checked):
        cols[index % len(cols)].button(f"Open draft {item.number}: {item.doc_id}", key=f"batch-open-{index}",
                                       on_click=_open, args=(item.doc_id, item.version), use_container_width=True,
                                       help=f"check {item.version} of {item.doc_id}, as of {item.report.as_of.isoformat()}")


def page() -> None:
    st.html(STYLESHEET)
    toast = st.session_state.pop("toast", None)
    if toast:
        st.toast(toast)
    st.title("Check a batch of drafts")
    inputs = _inputs()
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    as_of = left.date_input("As of (for drafts without a dateline)", value=None, key="batch_as_of",
                            format="YYYY-MM-DD",
                            help="A draft with a dateline ('TOKYO, Nov. 24, 2025') is checked as of that date.")
    if right.button("Check all drafts", type="primary"):
        if not inputs:
            st.error("Upload or paste at least one draft first.")
        else:
            _run(inputs, as_of)
    result = st.session_state.get("batch_result")
    if result is None:
        st.caption("Each draft gets a row here, then where the drafts disagree with each other.")
        return
    _results(result)
