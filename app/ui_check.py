"""Check page: paste or upload a draft, check it, and review every claim beside the highlighted draft.

After a check the results come first (the draft form folds away): the exports, the counters (findings
by verdict, and the suggestions that need a human), then the sticky highlighted draft beside compact
claim cards. A mark links to its card and each card back to its mark. Keyboard: j / k next and previous
claim, f next pending finding, a accept (then on to the next pending finding when a finding was accepted,
else the next claim), n not check-worthy, o override (opens the card's Review list).
"""
from __future__ import annotations

import logging
import re
import time
from datetime import date

import streamlit as st
import streamlit.components.v1 as components

from app import ui_backend as backend
from app.exports import (ExportError, Publisher, claim_review_text, escape_markdown, report_csv, report_html,
                         report_json_text, report_markdown)
from app.report_diff import ReportDiff, diff_reports
from app.review_store import (Decision, ReviewStore, ReviewStoreError, bulk_accept_candidates, claim_keys,
                              document_id, mentions, sentence_of, with_added)
from app.ui_render import (FLAG_MARK, HUMAN_ICON, ICONS, STYLESHEET, WORDS, Marked, certainty_words,
                           citation_context, citation_header, draft_window, e, flag_box, highlighted_draft,
                           locate_quote, span_excerpt, summary_counts, text_with_quote, verdict_badge)
from app.ui_state import llm_settings, publisher, review_store, reviewer
from claims.errors import CopydeskError
from claims.models import Citation, ClaimResult, Label, Report

LOG = logging.getLogger("copydesk.ui")
CARDS_PER_PAGE = 50
WHOLE_DRAFT_CHARS = 30_000  # longer drafts show the part around the current page of cards (toggle for all)
REVIEW_CHOICES = ["pending", "accepted", "not check-worthy", "override: supported", "override: contradicted",
                  "override: not enough evidence"]
OVERRIDES = {"override: supported": Label.supported, "override: contradicted": Label.contradicted,
             "override: not enough evidence": Label.not_enough_evidence}
MONTHS = ("january february march april may june july august september october november december").split()
PAGE_CSS = """<style>
div[data-testid="stColumn"]:has(.st-key-draft-pane){position:sticky;top:3.75rem;align-self:flex-start;
  max-height:calc(100vh - 4.5rem);overflow-y:auto}
div[class*="st-key-card-"]{scroll-margin-top:4rem}
div[class*="st-key-card-"].cd-current{outline:3px solid #1a73e8;outline-offset:2px;border-radius:8px}
.st-key-card-head p{margin:0}
</style>"""
KEYS_JS = """<script>
(function () {
  const doc = window.parent.document;
  if (doc.__copydeskKeys) return;
  doc.__copydeskKeys = true;
  const code = `
  (function () {
    let current = 0;
    const cards = () => [...document.querySelectorAll('div[class*="st-key-card-"]')]
      .filter(c => [...c.classList].some(x => /^st-key-card-\\\\d+$/.test(x)));
    const number = c => +[...c.classList].find(x => /^st-key-card-\\\\d+$/.test(x)).slice(12);
    function show(i) {
      const all = cards(); if (!all.length) return;
      current = Math.max(0, Math.min(i, all.length - 1));
      all.forEach(c => c.classList.remove('cd-current'));
      all[current].classList.add('cd-current');
      all[current].scrollIntoView({block: 'start'});
      const mark = document.getElementById('mark-' + number(all[current]));
      if (mark) mark.scrollIntoView({block: 'center'});
    }
    const head = c => c.querySelector('.copydesk-card-head');
    const pendingFinding = c => { const h = head(c); return h && h.dataset.tier === 'finding' && h.dataset.review === 'pending'; };
    function nextFinding(from, skip) {
      const all = cards();
      for (let step = 1; step <= all.length; step++) {
        const i = (from + step) % all.length;
        if (i !== skip && pendingFinding(all[i])) return i;
      }
      return -1;
    }
    function press(label) {
      const card = cards()[current]; if (!card) return;
      const b = [...card.querySelectorAll('button')].find(x => x.innerText.trim().startsWith(label));
      if (b) { b.click(); }
    }
    document.addEventListener('click', ev => {
      const link = ev.target.closest && ev.target.closest('a.cd-link');
      if (!link) return;
      const i = cards().findIndex(c => number(c) === +link.hash.slice(6));
      if (i >= 0) { ev.preventDefault(); show(i); }
    });
    document.addEventListener('keydown', ev => {
      const t = ev.target;
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      const k = ev.key;
      if (k === 'j' || k === 'ArrowDown' && ev.shiftKey) { show(current + 1); }
      else if (k === 'k' || k === 'ArrowUp' && ev.shiftKey) { show(current - 1); }
      else if (k === 'f') { const i = nextFinding(current - 1, -1); if (i >= 0) show(i); }
      else if (k === 'a') {
        const card = cards()[current]; if (!card) return;
        const wasFinding = pendingFinding(card), at = current;
        press('Accept');
        setTimeout(() => {
          const i = wasFinding ? nextFinding(at, at) : -1;
          show(i >= 0 ? i : at + 1);
        }, 600);
      }
      else if (k === 'n') { press('Not check-worthy'); setTimeout(() => show(current + 1), 600); }
      else if (k === 'o') {
        const card = cards()[current]; if (!card) return;
        const box = card.querySelector('input[aria-label^="Review"]') || card.querySelector('[data-baseweb="select"] input');
        if (box) { box.focus(); box.click(); }
      } else { return; }
      ev.preventDefault();
    });
    window.__copydeskShow = show;
  })();`;
  const s = doc.createElement('script');
  s.textContent = code;
  doc.head.appendChild(s);
})();
</script>"""


def _choice_of(decision: Decision) -> str:
    if decision.status == "overridden" and decision.override is not None:
        return f"override: {WORDS[decision.override]}"
    if decision.status == "not_check_worthy":
        return "not check-worthy"
    return decision.status


def _decision_of(choice: str, note: str, for_editor: bool, evidence=()) -> Decision:
    if choice in OVERRIDES:
        return Decision(status="overridden", override=OVERRIDES[choice], note=note, for_editor=for_editor,
                        reviewer=reviewer(), evidence=tuple(evidence))
    status = {"accepted": "accepted", "not check-worthy": "not_check_worthy"}.get(choice, "pending")
    return Decision(status=status, note=note, for_editor=for_editor, reviewer=reviewer(), evidence=tuple(evidence))


def dateline_date(draft: str) -> date | None:
    """The date in the draft's dateline (its first few lines), e.g. 'TOKYO, Nov. 24, 2025' or '2025-11-24'."""
    head = draft[:400]
    found = re.search(r"\b(20\d\d|19\d\d)-(\d\d)-(\d\d)\b", head)
    if found:
        try:
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            pass
    month = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    for pattern, order in ((month + r"\s+(\d{1,2}),?\s+(\d{4})", "mdy"), (r"(\d{1,2})\s+" + month + r",?\s+(\d{4})", "dmy")):
        found = re.search(pattern, head, re.IGNORECASE)
        if found:
            groups = found.groups()
            name, day, year = (groups[0], groups[1], groups[2]) if order == "mdy" else (groups[1], groups[0], groups[2])
            number = next(i for i, m in enumerate(MONTHS, 1) if m.startswith(name.lower()[:3]))
            try:
                return date(int(year), number, int(day))
            except ValueError:
                return None
    return None


@st.cache_data(max_entries=64, show_spinner=False)
def _document_text(source: str, store: str) -> str | None:
    return backend.document_text(source)


def _open_check(doc_id: str, draft: str, report: Report, version: int | None = None) -> None:
    """Show this check; `version` None: the document's latest saved version."""
    if version is None:
        versions = review_store().versions(doc_id)
        version = int(versions[0]["version"]) if versions else None
    st.session_state.update(report=report, checked_draft=draft, doc_id=doc_id, page_number=1, open_version=version)
    st.query_params["doc"] = doc_id


def open_version(doc_id: str, version: int | None = None) -> bool:
    """Open a saved check (the latest when `version` is None) on this page, its draft in the form; for a
    callback (the Batch page's "Open" buttons). False when there is no such check."""
    saved = review_store().last_check(doc_id, version=version)
    if saved is None:
        return False
    _open_check(doc_id, *saved, version=version)
    st.session_state["draft_text"] = saved[0]
    st.session_state["doc_id_input"] = doc_id
    st.session_state["as_of"] = saved[1].as_of
    return True


def run_check(draft: str, doc_id: str | None, as_of: date) -> None:
    """Check the draft with a progress bar; on success it is saved as a new version of its document.

    `doc_id` None: the headline's (or file name's) id, or a new one when a different draft holds it.
    """
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
    store = review_store()
    if doc_id is None:
        base = document_id(draft, st.session_state.get("uploaded_name"))
        doc_id = store.resolve_document_id(base, draft)
        if doc_id != base:
            st.session_state["id_notice"] = (f"A different draft is already saved as \u201c{base}\u201d: this one is "
                                             f"kept separately as \u201c{doc_id}\u201d.")
    version = store.save_check(doc_id, draft, report, corpus=backend.corpus_state())
    _open_check(doc_id, draft, report, version)


def _reopen() -> None:
    """Callback of the 'Reopen a reviewed draft' box: load the saved draft and report."""
    doc_id = st.session_state.get("reopen_doc")
    saved = review_store().last_check(doc_id) if doc_id else None
    if saved is not None:
        _open_check(doc_id, *saved)
        st.session_state["draft_text"] = saved[0]
        st.session_state["doc_id_input"] = doc_id
        st.session_state["as_of"] = saved[1].as_of


def _reopen_version() -> None:
    doc_id = st.session_state.get("doc_id")
    version = st.session_state.get("version_choice")
    saved = review_store().last_check(doc_id, version=version) if doc_id and version else None
    if saved is not None:
        _open_check(doc_id, *saved, version=version)
        st.session_state["draft_text"] = saved[0]
        st.session_state["as_of"] = saved[1].as_of


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
        if dateline_date(st.session_state["draft_text"]) is None:
            st.session_state["as_of"] = date.today()  # the demo only: a real draft needs its date
    upload = st.file_uploader("Upload a draft (txt, md or html)", type=list(backend.DRAFT_SUFFIXES),
                              key="draft_upload", max_upload_size=backend.MAX_DRAFT_UPLOAD_BYTES // 1_000_000)
    if upload is not None and st.session_state.get("uploaded_name") != upload.name:
        try:
            st.session_state["draft_text"] = backend.decode_draft_upload(upload.getvalue(), upload.name)
            st.session_state["uploaded_name"] = upload.name
        except CopydeskError as exc:
            st.error(escape_markdown(str(exc)))
    draft = st.text_area("Draft", key="draft_text", height=220, placeholder="Paste the draft to check here")
    dateline = dateline_date(draft) if draft.strip() else None
    if st.session_state.get("as_of") is None and dateline is not None:
        st.session_state["as_of"] = dateline
        st.session_state["as_of_from"] = "the draft's dateline"
    st.session_state.setdefault("as_of", None)
    left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    guess = document_id(draft, st.session_state.get("uploaded_name")) if draft.strip() else ""
    doc_id = left.text_input("Document id (keeps your review decisions across edits; blank: the headline or file name)",
                             key="doc_id_input", placeholder=guess)
    as_of = middle.date_input("As of (required)", key="as_of", format="YYYY-MM-DD",
                              help="The date the draft speaks from: relative dates ('last year') are read against it. "
                                   "Taken from the draft's dateline when it has one.")
    clicked = right.button("Check draft", type="primary", use_container_width=True)
    if st.session_state.get("as_of_from") and as_of == dateline:
        middle.caption("from the draft's dateline")
    if clicked or st.session_state.pop("auto_check", False):
        if not draft.strip():
            st.error("The draft is empty: paste a draft or upload a file first.")
        elif as_of is None:
            st.error("Set the \u201cAs of\u201d date: the draft has no dateline to take it from.")
        else:
            run_check(draft, doc_id.strip() or None, as_of)
            if st.session_state.get("checked_draft") == draft and st.session_state.get("report") is not None:
                st.rerun()  # draw the results first, the draft form folded away


def _restore_from_url() -> None:
    reopen = st.query_params.get("doc")
    if reopen and "report" not in st.session_state:
        saved = review_store().last_check(reopen)
        if saved is not None:
            _open_check(reopen, *saved)
            st.session_state.setdefault("draft_text", saved[0])
            st.session_state.setdefault("as_of", saved[1].as_of)


def _summary(report: Report, labels: dict[str, Label], tiers: dict[str, str]) -> None:
    counts = summary_counts(labels, tiers)
    flagged = sum(1 for r in report.claims if r.flags)
    cols = st.columns(6)
    cols[0].metric("Claims", len(report.claims))
    cols[1].metric(f"{ICONS[Label.supported]} Supported", counts[Label.supported])
    cols[2].metric(f"{ICONS[Label.contradicted]} Contradicted", counts[Label.contradicted])
    cols[3].metric(f"{ICONS[Label.not_enough_evidence]} Not enough evidence", counts[Label.not_enough_evidence])
    cols[4].metric(f"{HUMAN_ICON} Needs a human", counts["human"],
                   help="The machine's guesses (suggestions): each card says which way it leans")
    cols[5].metric(f"{FLAG_MARK} Flags", flagged + len(report.flags))
    for note in report.notes:
        st.caption(escape_markdown(note))


def _draft_flags(report: Report, draft: str) -> None:
    if not report.flags:
        return
    with st.expander(f"{FLAG_MARK} Across the draft ({len(report.flags)})", expanded=True):
        for flag in report.flags:
            spans = "".join(f'<li>{span_excerpt(draft, a, b)}</li>' for a, b in flag.spans)
            st.html(f"{flag_box(flag.kind, flag.message)}<ul>{spans}</ul>")


def _filters(report: Report, labels: dict[str, Label], tiers: dict[str, str],
             decisions: dict[str, Decision]) -> list[tuple[int, ClaimResult]]:
    cols = st.columns(4)
    verdicts = cols[0].multiselect("Verdict", list(Label), format_func=lambda x: WORDS[x], key="filter_verdict",
                                   placeholder="all verdicts")
    kinds = cols[1].multiselect("Kind", ["quantity", "date", "official", "statement", "other"], key="filter_kind",
                                placeholder="all kinds")
    flag_kinds = sorted({f.kind for r in report.claims for f in r.flags})
    flag_filter = cols[2].selectbox("Flags", ["any", "flagged only", *flag_kinds], key="filter_flag")
    review = cols[3].selectbox("Review", ["any", "not reviewed", "reviewed", "needs a human", "for the editor"],
                               key="filter_review")
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
        if review == "needs a human" and tiers[result.claim.id] == "finding":
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


def _found_words(result: ClaimResult) -> str:
    """What was found, in which source, in plain words (HTML)."""
    v = result.verdict
    if not v.citations:
        return "Nothing in the corpus settles this claim: no source found."
    cite = v.citations[0]
    name = e(cite.title or cite.source)
    when = f" ({e(cite.date.isoformat())})" if cite.date else ""
    if v.method.startswith("roster") or cite.source.lower().endswith(".csv"):
        return f"Checked against the officials roster ({name})."
    verb = {Label.supported: "agrees", Label.contradicted: "says otherwise",
            Label.not_enough_evidence: "is related but does not settle it"}[v.label]
    more = f" and {len(v.citations) - 1} more" if len(v.citations) > 1 else ""
    quote = e(cite.quote[:240]) + ("\u2026" if len(cite.quote) > 240 else "")
    return f"<b>{name}</b>{when}{more} {verb}: \u201c{quote}\u201d"


def _save(doc_id: str, draft: str, result: ClaimResult, decision: Decision, key: str, claims: list,
          keys: dict[str, str], every_mention: bool) -> None:
    targets = mentions(claims, result.claim) if every_mention else [result.claim]
    review_store().save_many(doc_id, draft, [(c, keys[c.id]) for c in targets], decision)


def _quick(doc_id: str, draft: str, result: ClaimResult, key: str, status: str, claims: list,
           keys: dict[str, str], decision: Decision) -> None:
    """Callback of a card's Accept / Not check-worthy button."""
    new = Decision(status=status, note=decision.note, for_editor=decision.for_editor, reviewer=reviewer(),
                   evidence=decision.evidence)
    review_store().save(doc_id, draft, result.claim, new, key=key)
    st.session_state[f"choice-{key}"] = _choice_of(new)  # the card's Review list follows the quick action
    st.session_state["toast"] = f"Saved: {status.replace('_', ' ')}"


def _review_form(result: ClaimResult, number: int, draft: str, doc_id: str, decision: Decision, key: str,
                 claims: list, keys: dict[str, str]) -> None:
    same = mentions(claims, result.claim)
    with st.form(key=f"review-{key}", border=False):
        cols = st.columns([4, 5, 3], vertical_alignment="bottom")
        choice = cols[0].selectbox("Review", REVIEW_CHOICES, index=REVIEW_CHOICES.index(_choice_of(decision)),
                                   key=f"choice-{key}")
        note = cols[1].text_input("Note", value=decision.note, key=f"note-{key}")
        for_editor = cols[2].checkbox("For the editor", value=decision.for_editor, key=f"editor-{key}")
        every = st.checkbox(f"Apply to all {len(same)} mentions of \u201c{result.claim.text}\u201d",
                            key=f"every-{key}") if len(same) > 1 else False
        if st.form_submit_button(f"Save review of claim {number}"):
            _save(doc_id, draft, result, _decision_of(choice, note, for_editor, decision.evidence), key, claims,
                  keys, every)
            st.toast(f"Saved your review of claim {number}")
            st.rerun()


def _evidence_form(result: ClaimResult, number: int, draft: str, doc_id: str, decision: Decision, key: str) -> None:
    with st.form(key=f"evidence-{key}", border=False, clear_on_submit=True):
        cols = st.columns([3, 5, 3])
        source = cols[0].text_input("Source", key=f"ev-source-{key}", placeholder="e.g. Ministry release")
        quote = cols[1].text_input("Quote", key=f"ev-quote-{key}")
        url = cols[2].text_input("URL", key=f"ev-url-{key}", placeholder="https://")
        if st.form_submit_button(f"Attach evidence to claim {number}"):
            if not source.strip() and not url.strip():
                st.error("Give at least a source or a URL.")
                return
            item = {k: v.strip() for k, v in (("source", source), ("quote", quote), ("url", url)) if v.strip()}
            new = Decision(status=decision.status, override=decision.override, note=decision.note,
                           for_editor=decision.for_editor, reviewer=reviewer(), evidence=(*decision.evidence, item))
            review_store().save(doc_id, draft, result.claim, new, key=key)
            st.toast(f"Evidence attached to claim {number}")
            st.rerun()


def _card(number: int, result: ClaimResult, draft: str, doc_id: str, decision: Decision, label: Label,
          key: str, claims: list, keys: dict[str, str]) -> None:
    c, v = result.claim, result.verdict
    reviewed = decision.status in ("accepted", "overridden")
    tier = "finding" if reviewed else v.tier
    with st.container(border=True, key=f"card-{number}"):
        status = ""
        if decision.status == "overridden":
            status = f" <span>(reviewer override; machine said {e(WORDS[v.label])})</span>"
        elif decision.status == "accepted":
            status = " <span>(accepted)</span>"
        elif decision.status == "not_check_worthy":
            status = " <span>(not check-worthy)</span>"
        who = f" <span class='cd-small'>by {e(decision.reviewer)}</span>" if decision.reviewer and decision.status != "pending" else ""
        editor = ' <span title="marked for the editor" aria-label="for the editor">\U0001F4CC</span>' if decision.for_editor else ""
        line = draft.count("\n", 0, c.start) + 1
        sentence = e(re.sub(r"\s+", " ", sentence_of(draft, c)).strip())
        badge = ('<span class="cd-badge cd-box">\u2013 not check-worthy</span>' if decision.status == "not_check_worthy"
                 else verdict_badge(label, None if reviewed else v.confidence, tier))
        if decision.status == "not_check_worthy":
            status = ""
        st.html(f'<div class="copydesk-card-head" id="card-{number}" data-tier="{e(tier)}" '
                f'data-review="{e(decision.status)}"><b>[{number}]</b> <code>{e(c.text)}</code> '
                f"{badge}{status}{who}{editor}</div>"
                f"<div>\u201c{sentence}\u201d "
                f"<span class='cd-small'>line {line} \u00b7 <a href=\"#mark-{number}\">back to the draft</a></span></div>"
                f"<div class='cd-small'>{_found_words(result)}</div>")
        for flag in result.flags:
            st.html(flag_box(flag.kind, flag.message, flag.suggestion))
        for item in decision.evidence:
            link = f' <a href="{e(item["url"])}" rel="noopener noreferrer">{e(item["url"])}</a>' \
                if item.get("url", "").startswith(("http://", "https://")) else ""
            st.html(f"<div class='cd-small'>Attached by the reviewer: <b>{e(item.get('source', ''))}</b> "
                    f"{e(item.get('quote', ''))}{link}</div>")
        if decision.note:
            st.caption(escape_markdown(f"Note: {decision.note}"))
        buttons = st.columns([1, 2, 2])
        buttons[0].button("Accept", key=f"accept-{key}", on_click=_quick,
                          args=(doc_id, draft, result, key, "accepted", claims, keys, decision),
                          help="a: accept the verdict as shown")
        buttons[1].button("Not check-worthy", key=f"skip-{key}", on_click=_quick,
                          args=(doc_id, draft, result, key, "not_check_worthy", claims, keys, decision),
                          help="n: leave this claim out of the report")
        _review_form(result, number, draft, doc_id, decision, key, claims, keys)
        with st.expander("Details"):
            st.caption(escape_markdown(f"Machine: {WORDS[v.label]}, {certainty_words(v.confidence)} "
                                       f"({v.confidence:.0%}); {v.tier}; method {v.method}"))
            values = _values_line(result)
            if values:
                st.caption(escape_markdown(values))
            if c.statement and c.statement != c.text:
                st.caption(escape_markdown(f"Checked as: {c.statement}"))
            if v.rationale and v.citations:
                st.caption(escape_markdown(f"Why: {v.rationale}"))
            for index in range(len(v.citations)):
                _citation(result, index, key)
            _evidence_form(result, number, draft, doc_id, decision, key)
            _edit_form(result, number, draft, doc_id, decision, key)


def _add_claim_form(draft: str, doc_id: str) -> None:
    with st.expander("Add a missed claim"), st.form("add-claim", border=False, clear_on_submit=True):
        cols = st.columns([4, 2], vertical_alignment="bottom")
        words = cols[0].text_input("Words of the claim, exactly as in the draft", key="add-claim-text")
        kind = cols[1].selectbox("Kind", ["quantity", "date", "official", "other", "statement"], index=3,
                                 key="add-claim-kind")
        if st.form_submit_button("Add claim"):
            try:
                review_store().add_claim(doc_id, draft, words, kind, reviewer=reviewer())
            except ReviewStoreError as exc:
                st.error(escape_markdown(str(exc)))
                return
            st.session_state["toast"] = "Claim added: review it in its card"
            st.rerun()


def _edit_form(result: ClaimResult, number: int, draft: str, doc_id: str, decision: Decision, key: str) -> None:
    with st.form(key=f"edit-{key}", border=False):
        cols = st.columns([4, 2], vertical_alignment="bottom")
        words = cols[0].text_input("The claim's words (edit the span)", value=result.claim.text, key=f"span-{key}")
        if cols[1].form_submit_button(f"Replace claim {number}"):
            if words.strip() == result.claim.text:
                return
            try:
                review_store().add_claim(doc_id, draft, words, result.claim.kind, reviewer=reviewer(),
                                         near=result.claim.start)
            except ReviewStoreError as exc:
                st.error(escape_markdown(str(exc)))
                return
            review_store().save(doc_id, draft, result.claim, Decision(
                status="not_check_worthy", note=f"replaced by \u201c{words.strip()}\u201d", reviewer=reviewer()), key=key)
            st.session_state["toast"] = f"Claim {number} replaced"
            st.rerun()


def _publisher_for(doc_id: str) -> Publisher:
    base = publisher()
    claimant = st.session_state.get(f"claimant-{doc_id}", base.claimant)
    url = st.session_state.get(f"review-url-{doc_id}", base.url)
    return Publisher(organisation=base.organisation, url=url, claimant=claimant, draft_url=base.draft_url,
                     logo=base.logo)


def _exports(report: Report, draft: str, doc_id: str, decisions: dict[str, Decision]) -> None:
    """Download buttons at the top; each file is built only when its button is pressed (deferred data)."""
    base = "".join(ch if ch.isalnum() else "-" for ch in doc_id.lower())[:40].strip("-") or "report"
    pub = _publisher_for(doc_id)
    cols = st.columns([1, 1, 1, 1, 1.3, 2], vertical_alignment="center")
    cols[0].download_button("JSON", lambda: report_json_text(report, decisions), f"{base}.json", "application/json")
    cols[1].download_button("Markdown", lambda: report_markdown(report, draft, decisions, title=doc_id),
                            f"{base}.md", "text/markdown")
    cols[2].download_button("CSV", lambda: report_csv(report, draft, decisions), f"{base}.csv", "text/csv")
    cols[3].download_button("HTML", lambda: report_html(report, draft, decisions, title=doc_id, publisher=pub),
                            f"{base}.html", "text/html", help="a static report to share read-only")
    reviewed = any(d.status in ("accepted", "overridden") for d in decisions.values())
    if reviewed:
        cols[4].download_button("ClaimReview", lambda: claim_review_text(report, draft, decisions, publisher=pub,
                                                                          reviewed_only=True),
                                f"{base}.claimreview.jsonld", "application/ld+json",
                                help="schema.org ClaimReview for the claims you accepted or overrode")
    else:
        cols[4].button("ClaimReview", disabled=True, key="claimreview-disabled",
                       help="accept or override at least one claim first: only reviewed claims are published")
    with cols[5].popover("Publishing details"):
        st.text_input("Claimant (who made these claims)", key=f"claimant-{doc_id}", value=pub.claimant)
        st.text_input("Review URL (the published fact-check)", key=f"review-url-{doc_id}", value=pub.url)
        if not pub.organisation:
            st.caption("Set your newsroom's name on the Settings page: ClaimReview names it as the author.")


def _bulk(report: Report, draft: str, doc_id: str, decisions: dict[str, Decision], keys: dict[str, str]) -> None:
    candidates = bulk_accept_candidates(report.claims, decisions)
    if candidates and st.button(f"Accept all {len(candidates)} roster and comparator findings", key="bulk-accept"):
        review_store().save_many(doc_id, draft, [(r.claim, keys[r.claim.id]) for r in candidates],
                                 Decision(status="accepted", reviewer=reviewer()))
        for r in candidates:
            st.session_state[f"choice-{keys[r.claim.id]}"] = "accepted"
        st.toast(f"Accepted {len(candidates)} findings")
        st.rerun()


def _header(report: Report, doc_id: str) -> None:
    st.subheader(f"Report: {escape_markdown(doc_id)}", anchor=False)
    versions = review_store().versions(doc_id)
    left, right = st.columns([2, 3], vertical_alignment="center")
    left.markdown(f"**As of {report.as_of.isoformat()}**")
    if len(versions) > 1:
        labels = {v["version"]: f"check {v['version']} \u00b7 {v['created_at'][:16].replace('T', ' ')} \u00b7 as of "
                                f"{v['as_of']}" for v in versions}
        right.selectbox("Saved checks", list(labels), format_func=labels.get, key="version_choice", index=None,
                        placeholder=f"{len(versions)} saved checks: reopen one", on_change=_reopen_version,
                        label_visibility="collapsed")
    notice = st.session_state.pop("id_notice", None)
    if notice:
        st.info(escape_markdown(notice))
    _compare(doc_id, versions)


def _version_words(version: dict) -> str:
    return (f"check {version['version']} \u00b7 {str(version['created_at'])[:16].replace('T', ' ')} \u00b7 as of "
            f"{version['as_of']} \u00b7 corpus: {version.get('corpus') or 'not recorded'}")


def _compare(doc_id: str, versions: list[dict]) -> None:
    """'Compare with' an earlier check of this document: claims added, removed, verdict or tier changed."""
    current = st.session_state.get("open_version")
    earlier = [v for v in versions if v["version"] != current]
    if not earlier or current is None:
        return
    labels = {int(v["version"]): _version_words(v) for v in earlier}
    choice = st.selectbox("Compare with", list(labels), format_func=labels.get, index=None,
                          key=f"compare-{doc_id}-{current}", placeholder="compare with another saved check")
    if choice is None:
        return
    saved = review_store().last_check(doc_id, version=choice)
    if saved is None:
        st.error(escape_markdown(f"check {choice} of {doc_id} is no longer saved"))
        return
    this = next((v for v in versions if v["version"] == current), None)
    diff = diff_reports(saved[1], st.session_state["report"], old_draft=saved[0],
                        new_draft=st.session_state["checked_draft"])
    st.html(diff_html(diff, labels[choice], _version_words(this) if this else "this check",
                      saved[0], st.session_state["checked_draft"]))


def _diff_claim(result: ClaimResult, draft: str) -> str:
    line = draft.count("\n", 0, result.claim.start) + 1 if draft else None
    where = f" <span class='cd-small'>line {line}</span>" if line else ""
    return f"<q>{e(result.claim.text)}</q>{where}"


def diff_html(diff: ReportDiff, old_words: str, new_words: str, old_draft: str, new_draft: str) -> str:
    """The comparison as HTML (escaped text only): both checks named, then what changed."""
    def badge(result: ClaimResult) -> str:
        return verdict_badge(result.verdict.label, None, result.verdict.tier)

    parts = [f"<div><b>From</b> {e(old_words)}</div><div><b>To</b> {e(new_words)} (shown)</div>"]
    if diff.old_as_of != diff.new_as_of:
        parts.append(f"<div class='cd-small'>The as-of date changed: {diff.old_as_of.isoformat()} \u2192 "
                     f"{diff.new_as_of.isoformat()}; relative dates are read against it.</div>")
    if diff.changed:
        arrow = " \u2192 "
        rows = "".join(f"<li>{_diff_claim(c.old, old_draft) + arrow if c.text_changed else ''}"
                       f"{_diff_claim(c.new, new_draft)}: {badge(c.old)}{arrow}{badge(c.new)}</li>"
                       for c in diff.changed)
        parts.append(f"<div><b>Changed ({len(diff.changed)})</b></div><ul>{rows}</ul>")
    if diff.added:
        rows = "".join(f"<li>{_diff_claim(r, new_draft)} {badge(r)}</li>" for r in diff.added)
        parts.append(f"<div><b>Added ({len(diff.added)})</b></div><ul>{rows}</ul>")
    if diff.removed:
        rows = "".join(f"<li>{_diff_claim(r, old_draft)} {badge(r)}</li>" for r in diff.removed)
        parts.append(f"<div><b>Removed ({len(diff.removed)})</b></div><ul>{rows}</ul>")
    same = f"{diff.unchanged} claim{'s' if diff.unchanged != 1 else ''} kept the same verdict and tier."
    parts.append(f"<div class='cd-small'>{'No claim changed. ' if diff.empty else ''}{same}</div>")
    return f'<div class="cd-box cd-diff" role="region" aria-label="comparison of two checks">{"".join(parts)}</div>'


def _results(report: Report, draft: str, doc_id: str) -> None:
    started = time.perf_counter()
    store: ReviewStore = review_store()
    report = with_added(report, store.added_claims(doc_id, draft))
    claims = [r.claim for r in report.claims]
    decisions = store.attach(doc_id, draft, claims)
    keys = claim_keys(draft, claims)
    labels = {r.claim.id: decisions.get(r.claim.id, Decision()).verdict(r.verdict.label) for r in report.claims}
    tiers = {r.claim.id: "finding" if decisions.get(r.claim.id, Decision()).status in ("accepted", "overridden")
             else r.verdict.tier for r in report.claims}
    _header(report, doc_id)
    _exports(report, draft, doc_id, decisions)
    _summary(report, labels, tiers)
    _bulk(report, draft, doc_id, decisions, keys)
    _draft_flags(report, draft)
    shown = _filters(report, labels, tiers, decisions)
    pages = max(1, -(-len(shown) // CARDS_PER_PAGE))
    page = 1
    if pages > 1:
        page = st.selectbox(f"{len(shown)} claims: page", range(1, pages + 1), key="page_number",
                            format_func=lambda p: f"{p} of {pages} (claims {(p - 1) * CARDS_PER_PAGE + 1}\u2013"
                                                  f"{min(p * CARDS_PER_PAGE, len(shown))})")
    on_page = shown[(page - 1) * CARDS_PER_PAGE: page * CARDS_PER_PAGE]
    draft_col, cards_col = st.columns([1, 1], gap="medium")
    with draft_col, st.container(key="draft-pane"):
        marks = [Marked(number, r, labels[r.claim.id], decisions.get(r.claim.id, Decision()).status == "overridden",
                        bool(r.flags), tier=r.verdict.tier, reviewed=tiers[r.claim.id] == "finding" and
                        r.verdict.tier != "finding",
                        skipped=decisions.get(r.claim.id, Decision()).status == "not_check_worthy")
                 for number, r in enumerate(report.claims, 1)]
        window = None
        if len(draft) > WHOLE_DRAFT_CHARS and on_page and not st.toggle("Show the whole draft", key="whole_draft"):
            window = draft_window(draft, on_page[0][1].claim.start, on_page[-1][1].claim.end)
            st.caption(f"The part of the draft around claims {on_page[0][0]}\u2013{on_page[-1][0]} "
                       f"(characters {window[0]:,}\u2013{window[1]:,} of {len(draft):,}).")
        st.html(highlighted_draft(draft, marks, max_height_px=None, window=window))
        st.caption("Keys: j / k next and previous claim \u00b7 f next pending finding \u00b7 a accept "
                   "\u00b7 n not check-worthy \u00b7 o override")
        _add_claim_form(draft, doc_id)
    with cards_col:
        if not shown:
            st.info("No claim matches these filters." if report.claims else "No checkable claim found in this draft.")
        for number, result in on_page:
            _card(number, result, draft, doc_id, decisions.get(result.claim.id, Decision()), labels[result.claim.id],
                  keys[result.claim.id], claims, keys)
    with st.expander("History of this document's reviews"):
        trail = store.audit(doc_id)
        if trail:
            st.dataframe(trail[::-1], hide_index=True, use_container_width=True)
        else:
            st.caption("No review decision yet.")
    components.html(KEYS_JS, height=0)
    st.session_state["render_seconds"] = time.perf_counter() - started


def page() -> None:
    st.html(STYLESHEET)
    st.html(PAGE_CSS)
    toast = st.session_state.pop("toast", None)
    if toast:
        st.toast(toast)
    st.title("Check a draft")
    _restore_from_url()
    has_report = st.session_state.get("report") is not None
    if has_report:
        # the label names the check shown, so each new check starts with the form folded (results first)
        shown = st.session_state.get("open_version")
        label = f"Draft, document id and as-of date{f' of check {shown}' if shown else ''} (check again)"
        with st.container(key=f"check-form-{shown}"), st.expander(label, expanded=False):
            _input_form()
    else:
        _input_form()
    _reopen_box()  # in the sidebar; drawn after a check so it lists the draft just checked
    report: Report | None = st.session_state.get("report")
    if report is None:
        st.caption("Claims will appear here, each with its verdict, its evidence and your review.")
        return
    draft = st.session_state["checked_draft"]
    if st.session_state.get("draft_text", draft) != draft:
        st.caption("The draft has changed since this check: open \u201cDraft, document id and as-of date\u201d and "
                   "press Check draft to check it again (your review decisions will follow the claims).")
    _results(report, draft, st.session_state["doc_id"])
