"""Check page: paste or upload a draft, check it, and review every claim beside the highlighted draft."""
from __future__ import annotations

import logging
import time
from datetime import date

import streamlit as st

from app import ui_backend as backend
from app.exports import (claim_review_text, escape_markdown, report_csv, report_json_text, report_markdown)
from app.review_store import Decision, ReviewStore, claim_keys, document_id
from app.ui_render import (FLAG_MARK, WORDS, Marked, citation_context, citation_header, draft_window, e,
                           highlighted_draft, locate_quote, span_excerpt, summary_counts, text_with_quote, verdict_badge)
from app.ui_state import llm_settings, review_store
from claims.errors import CopydeskError
from claims.models import Citation, ClaimResult, Label, Report

LOG = logging.getLogger("copydesk.ui")
CARDS_PER_PAGE = 50
WHOLE_DRAFT_CHARS = 30_000  # longer drafts show the part around the current page of cards (toggle for all)
REVIEW_CHOICES = ["pending", "accepted", "override: supported", "override: contradicted",
                  "override: not enough evidence"]
OVERRIDES = {"override: supported": Label.supported, "override: contradicted": Label.contradicted,
             "override: not enough evidence": Label.not_enough_evidence}


def _choice_of(decision: Decision) -> str:
    if decision.status == "overridden" and decision.override is not None:
        return f"override: {WORDS[decision.override]}"
    return decision.status


def _decision_of(choice: str, note: str, for_editor: bool) -> Decision:
    if choice in OVERRIDES:
        return Decision(status="overridden", override=OVERRIDES[choice], note=note, for_editor=for_editor)
    return Decision(status="accepted" if choice == "accepted" else "pending", note=note, for_editor=for_editor)


@st.cache_data(max_entries=64, show_spinner=False)
def _document_text(source: str, store: str) -> str | None:
    return backend.document_text(source)


def _open_check(doc_id: str, draft: str, report: Report) -> None:
    st.session_state.update(report=report, checked_draft=draft, doc_id=doc_id, page_number=1)
    st.query_params["doc"] = doc_id


def run_check(draft: str, doc_id: str, as_of: date) -> None:
    """Check the draft with a progress bar; on success the report and draft are kept for reopening."""
    bar = st.progress(0.0, text="Extracting claims\u2026")

    def progress(done: int, total: int, what: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{what.capitalize()}: {done} of {total} claims")

    started = time.perf_counter()
    try:
        report = backend.check_draft(draft, as_of=as_of, settings=llm_settings(), progress=progress)
    except CopydeskError as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - the page shows one line; the server log keeps the traceback
        bar.empty()
        LOG.exception("checking failed")
        st.error(escape_markdown(f"Checking failed ({type(exc).__name__}: {exc})"))
        return
    bar.empty()
    st.session_state["check_seconds"] = time.perf_counter() - started
    review_store().save_check(doc_id, draft, report)
    _open_check(doc_id, draft, report)


def _reopen() -> None:
    """Callback of the 'Reopen a reviewed draft' box: load the saved draft and report."""
    doc_id = st.session_state.get("reopen_doc")
    saved = review_store().last_check(doc_id) if doc_id else None
    if saved is not None:
        _open_check(doc_id, *saved)
        st.session_state["draft_text"] = saved[0]
        st.session_state["doc_id_input"] = doc_id


def _reopen_box() -> None:
    documents = review_store().documents()
    if documents:
        labels = {doc_id: f"{doc_id} ({n} reviewed)" for doc_id, n, _ in documents}
        st.sidebar.selectbox("Reopen a reviewed draft", list(labels), format_func=labels.get, index=None,
                             key="reopen_doc", on_change=_reopen, placeholder="choose a draft")


def _input_form() -> None:
    if backend.demo_mode() and "demo_loaded" not in st.session_state:
        st.session_state["demo_loaded"] = True
        st.session_state["draft_text"] = backend.demo_draft()
        st.session_state["auto_check"] = True
    reopen = st.query_params.get("doc")
    if reopen and "report" not in st.session_state:
        saved = review_store().last_check(reopen)
        if saved is not None:
            _open_check(reopen, *saved)
            st.session_state.setdefault("draft_text", saved[0])

    upload = st.file_uploader("Upload a draft (txt, md or html)", type=list(backend.DRAFT_SUFFIXES),
                              key="draft_upload", max_upload_size=backend.MAX_DRAFT_UPLOAD_BYTES // 1_000_000)
    if upload is not None and st.session_state.get("uploaded_name") != upload.name:
        try:
            st.session_state["draft_text"] = backend.decode_draft_upload(upload.getvalue(), upload.name)
            st.session_state["uploaded_name"] = upload.name
        except CopydeskError as exc:
            st.error(escape_markdown(str(exc)))
    draft = st.text_area("Draft", key="draft_text", height=220, placeholder="Paste the draft to check here")
    left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    doc_id = left.text_input("Document id (keeps your review decisions across edits; blank: the first line)",
                             key="doc_id_input", placeholder=document_id(draft) if draft.strip() else "")
    as_of = middle.date_input("As of", value=date.today(), key="as_of", format="YYYY-MM-DD")
    clicked = right.button("Check draft", type="primary", use_container_width=True)
    if clicked or st.session_state.pop("auto_check", False):
        if not draft.strip():
            st.error("The draft is empty: paste a draft or upload a file first.")
        else:
            run_check(draft, doc_id.strip() or document_id(draft), as_of)


def _summary(report: Report, labels: dict[str, Label]) -> None:
    counts = summary_counts(labels)
    flagged = sum(1 for r in report.claims if r.flags)
    cols = st.columns(5)
    cols[0].metric("Claims", len(report.claims))
    cols[1].metric("\u2714 Supported", counts[Label.supported])
    cols[2].metric("\u2716 Contradicted", counts[Label.contradicted])
    cols[3].metric("? Not enough evidence", counts[Label.not_enough_evidence])
    cols[4].metric(f"{FLAG_MARK} Flags", flagged + len(report.flags))
    if report.notes:
        for note in report.notes:
            st.caption(escape_markdown(note))


def _draft_flags(report: Report, draft: str) -> None:
    if not report.flags:
        return
    with st.expander(f"{FLAG_MARK} Draft-level flags ({len(report.flags)})", expanded=True):
        for flag in report.flags:
            spans = "".join(f'<li>{span_excerpt(draft, a, b)}</li>' for a, b in flag.spans)
            st.html(f"<div><b>{e(flag.kind.replace('_', ' '))}</b>: {e(flag.message)}<ul>{spans}</ul></div>")


def _filters(report: Report, labels: dict[str, Label], decisions: dict[str, Decision]) -> list[tuple[int, ClaimResult]]:
    cols = st.columns(4)
    verdicts = cols[0].multiselect("Verdict", list(Label), format_func=lambda x: WORDS[x], key="filter_verdict",
                                   placeholder="all verdicts")
    kinds = cols[1].multiselect("Kind", ["quantity", "date", "official", "other"], key="filter_kind",
                                placeholder="all kinds")
    flag_kinds = sorted({f.kind for r in report.claims for f in r.flags})
    flag_filter = cols[2].selectbox("Flags", ["any", "flagged only", *flag_kinds], key="filter_flag")
    review = cols[3].selectbox("Review", ["any", "not reviewed", "reviewed", "for the editor"], key="filter_review")
    shown = []
    for number, result in enumerate(report.claims, 1):
        decision = decisions.get(result.claim.id, Decision())
        if verdicts and labels[result.claim.id] not in verdicts:
            continue
        if kinds and result.claim.kind not in kinds:
            continue
        if flag_filter == "flagged only" and not result.flags:
            continue
        if flag_filter not in ("any", "flagged only") and flag_filter not in {f.kind for f in result.flags}:
            continue
        if review == "not reviewed" and decision.status != "pending":
            continue
        if review == "reviewed" and decision.status == "pending":
            continue
        if review == "for the editor" and not decision.for_editor:
            continue
        shown.append((number, result))
    return shown


def _values_line(result: ClaimResult) -> str:
    parts = []
    for name, value in result.claim.values().items():
        inner = ", ".join(f"{k}={v}" for k, v in value.items())
        parts.append(f"{name}: {inner}")
    return "; ".join(parts)


@st.dialog("Source", width="large")
def _whole_source(citation: Citation, document: str) -> None:
    """The whole source document with the quote highlighted (drawn only when the reviewer asks)."""
    start, end = locate_quote(document, citation)
    st.html(citation_header(citation) + text_with_quote(document, start, end, max_height_px=640))


def _citation(result: ClaimResult, index: int, key: str) -> None:
    citation = result.verdict.citations[index]
    document = _document_text(citation.source, backend.store_dir())
    text, start, end = citation_context(citation, result.retrieved, document)
    st.html(citation_header(citation) + text_with_quote(text, start, end, max_height_px=220))
    if document and st.button("Open the whole source", key=f"source-{key}-{index}", type="tertiary",
                              icon=":material/article:"):
        _whole_source(citation, document)


def _review_form(result: ClaimResult, number: int, draft: str, doc_id: str, decision: Decision, key: str) -> None:
    with st.form(key=f"review-{key}", border=False):
        cols = st.columns([4, 5, 3], vertical_alignment="bottom")
        choice = cols[0].selectbox("Review", REVIEW_CHOICES, index=REVIEW_CHOICES.index(_choice_of(decision)),
                                   key=f"choice-{key}")
        note = cols[1].text_input("Note", value=decision.note, key=f"note-{key}")
        for_editor = cols[2].checkbox("For the editor", value=decision.for_editor, key=f"editor-{key}")
        if st.form_submit_button(f"Save review of claim {number}"):
            review_store().save(doc_id, draft, result.claim, _decision_of(choice, note, for_editor), key=key)
            st.toast(f"Saved your review of claim {number}")
            st.rerun()


def _card(number: int, result: ClaimResult, draft: str, doc_id: str, decision: Decision, label: Label,
          key: str) -> None:
    c, v = result.claim, result.verdict
    with st.container(border=True, key=f"card-{number}"):
        status = ""
        if decision.status == "overridden":
            status = f' <span style="color:#555">(reviewer override; machine said {e(WORDS[v.label])})</span>'
        elif decision.status == "accepted":
            status = ' <span style="color:#2e7d32">(accepted)</span>'
        editor = ' <span title="marked for the editor">\U0001F4CC</span>' if decision.for_editor else ""
        st.html(f'<div class="copydesk-card-head"><b>[{number}]</b> <code>{e(c.text)}</code> \u00b7 {e(c.kind)} '
                f"{verdict_badge(label, None if decision.status == 'overridden' else v.confidence)}{status}{editor}</div>"
                f'<div style="color:#444;font-size:0.9rem">{e(c.statement)}</div>')
        values = _values_line(result)
        if values:
            st.caption(escape_markdown(values))
        if v.rationale:
            st.caption(escape_markdown(f"Why: {v.rationale} ({v.method})"))
        for flag in result.flags:
            suggestion = f" \u2014 did you mean <b>{e(flag.suggestion)}</b>?" if flag.suggestion else ""
            st.html(f'<div style="background:#fff3e0;border-left:4px solid #ef6c00;padding:4px 8px">'
                    f"{FLAG_MARK} <b>{e(flag.kind.replace('_', ' '))}</b>: {e(flag.message)}{suggestion}</div>")
        for index in range(len(v.citations)):
            _citation(result, index, key)
        if not v.citations:
            st.caption("No citation: nothing in the corpus settled this claim.")
        if decision.note:
            st.caption(escape_markdown(f"Note: {decision.note}"))
        _review_form(result, number, draft, doc_id, decision, key)


def _exports(report: Report, draft: str, doc_id: str, decisions: dict[str, Decision]) -> None:
    """Download buttons; each file is built only when its button is pressed (deferred data)."""
    with st.expander("Export the reviewed report"):
        base = "".join(ch if ch.isalnum() else "-" for ch in doc_id.lower())[:40].strip("-") or "report"
        cols = st.columns(4)
        cols[0].download_button("JSON", lambda: report_json_text(report, decisions), f"{base}.json",
                                "application/json")
        cols[1].download_button("Markdown", lambda: report_markdown(report, draft, decisions, title=doc_id),
                                f"{base}.md", "text/markdown")
        cols[2].download_button("CSV", lambda: report_csv(report, draft, decisions), f"{base}.csv", "text/csv")
        cols[3].download_button("ClaimReview", lambda: claim_review_text(report, draft, decisions, reviewed_only=True),
                                f"{base}.claimreview.jsonld", "application/ld+json",
                                help="schema.org ClaimReview for the claims you accepted or overrode")


def _results(report: Report, draft: str, doc_id: str) -> None:
    started = time.perf_counter()
    store: ReviewStore = review_store()
    decisions = store.attach(doc_id, draft, [r.claim for r in report.claims])
    keys = claim_keys(draft, [r.claim for r in report.claims])
    labels = {r.claim.id: decisions.get(r.claim.id, Decision()).verdict(r.verdict.label) for r in report.claims}
    st.subheader(f"Report: {escape_markdown(doc_id)}", anchor=False)
    _summary(report, labels)
    _draft_flags(report, draft)
    shown = _filters(report, labels, decisions)
    pages = max(1, -(-len(shown) // CARDS_PER_PAGE))
    page = 1
    if pages > 1:
        page = st.selectbox(f"{len(shown)} claims: page", range(1, pages + 1), key="page_number",
                            format_func=lambda p: f"{p} of {pages} (claims {(p - 1) * CARDS_PER_PAGE + 1}\u2013"
                                                  f"{min(p * CARDS_PER_PAGE, len(shown))})")
    on_page = shown[(page - 1) * CARDS_PER_PAGE: page * CARDS_PER_PAGE]
    draft_col, cards_col = st.columns([1, 1], gap="medium")
    with draft_col:
        marks = [Marked(number, r, labels[r.claim.id], decisions.get(r.claim.id, Decision()).status == "overridden",
                        bool(r.flags)) for number, r in enumerate(report.claims, 1)]
        window = None
        if len(draft) > WHOLE_DRAFT_CHARS and on_page and not st.toggle("Show the whole draft", key="whole_draft"):
            window = draft_window(draft, on_page[0][1].claim.start, on_page[-1][1].claim.end)
            st.caption(f"The part of the draft around claims {on_page[0][0]}\u2013{on_page[-1][0]} "
                       f"(characters {window[0]:,}\u2013{window[1]:,} of {len(draft):,}).")
        st.html(highlighted_draft(draft, marks, max_height_px=900, window=window))
    with cards_col:
        if not shown:
            st.info("No claim matches these filters." if report.claims else "No checkable claim found in this draft.")
        for number, result in on_page:
            _card(number, result, draft, doc_id, decisions.get(result.claim.id, Decision()), labels[result.claim.id],
                  keys[result.claim.id])
    _exports(report, draft, doc_id, decisions)
    st.session_state["render_seconds"] = time.perf_counter() - started


def page() -> None:
    st.title("Check a draft")
    _input_form()
    _reopen_box()  # in the sidebar; drawn after a check so it lists the draft just checked
    report: Report | None = st.session_state.get("report")
    if report is None:
        st.caption("Claims will appear here, each with its verdict, its evidence and your review.")
        return
    draft = st.session_state["checked_draft"]
    if st.session_state.get("draft_text", draft) != draft:
        st.caption("The draft above has changed since this check: press Check draft to check it again "
                   "(your review decisions will follow the claims).")
    _results(report, draft, st.session_state["doc_id"])
