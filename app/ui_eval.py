"""Evaluation page: run an eval set (the project's own or a path) with progress; metrics and plots.

Outputs go to a new folder under COPYDESK_EVAL_OUT (default: the system's temporary folder).
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from app import ui_backend as backend
from app.exports import escape_markdown
from app.ui_state import llm_settings
from claims.errors import CopydeskError

HEADLINE = [("accuracy", "Accuracy"), ("macro_f1", "Macro-F1"), ("balanced_accuracy", "Balanced accuracy"),
            ("ece", "ECE (calibration error)")]


def _run(set_path: str, limit: int | None, seed: int) -> None:
    base = backend.eval_out_dir()
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    out_dir = Path(tempfile.mkdtemp(prefix="copydesk-eval-", dir=base))
    bar = st.progress(0.0, text="Starting\u2026")

    def progress(done: int, total: int, what: str = "") -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{what or 'items'}: {done} of {total}")

    try:
        metrics = backend.run_eval(set_path, out_dir=out_dir, limit=limit, seed=seed, settings=llm_settings(),
                                   progress=progress)
    except (CopydeskError, OSError) as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - one line here, the traceback in the server log
        bar.empty()
        logging.getLogger("copydesk.ui").exception("evaluation failed")
        st.error(escape_markdown(f"Evaluation failed ({type(exc).__name__}: {exc})"))
        return
    bar.empty()
    st.session_state["eval_result"] = {"set": set_path, "metrics": metrics, "out_dir": str(out_dir)}


def _show(result: dict[str, Any]) -> None:
    metrics = result["metrics"]
    st.subheader(escape_markdown(f"Results: {Path(result['set']).name}"), anchor=False)
    claims = metrics.get("claims") or {}
    documents = metrics.get("documents") or {}
    st.caption(f"{metrics.get('n_items', '?')} items ({metrics.get('n_claim_items', 0)} claims, "
               f"{metrics.get('n_document_items', 0)} documents), {metrics.get('seconds', '?')} s")
    if claims:
        cols = st.columns(len(HEADLINE))
        for col, (key, name) in zip(cols, HEADLINE):
            value = claims.get(key)
            col.metric(name, "\u2013" if value is None else f"{value:.3f}")
    if documents:
        extraction = documents.get("extraction", {}).get("all", {})
        flags = documents.get("flags", {}).get("all", {})
        verdict = documents.get("verdict", {})
        cols = st.columns(4)
        for col, (name, value) in zip(cols, [("Extraction F1", extraction.get("f1")),
                                              ("Verdict accuracy", verdict.get("accuracy")),
                                              ("Flag precision", flags.get("precision")),
                                              ("Flag recall", flags.get("recall"))]):
            col.metric(name, "\u2013" if value is None else f"{value:.3f}")
        per_kind = {k: v for k, v in documents.get("extraction", {}).items() if k != "all" and isinstance(v, dict)}
        if per_kind:
            st.markdown("**Extraction by kind**")
            st.dataframe([{"kind": k, **{m: v.get(m) for m in ("precision", "recall", "f1", "n_gold")}}
                          for k, v in per_kind.items()], hide_index=True)
    if claims.get("per_class"):
        st.markdown("**Per class**")
        st.dataframe([{"label": k, **v} for k, v in claims["per_class"].items()], hide_index=True)
    try:
        plots = backend.plots_in(Path(result["out_dir"]))
    except (ImportError, KeyError, ValueError) as exc:
        plots = []
        st.caption(escape_markdown(f"No plots: {exc}"))
    cols = st.columns(2)
    for i, plot in enumerate(plots):
        cols[i % 2].image(str(plot), caption=plot.stem.replace("_", " "))
    st.caption(escape_markdown(f"Predictions, metrics, summary and plots: {result['out_dir']}"))
    with st.expander("All metrics (JSON)"):
        st.json(metrics)


def page() -> None:
    st.title("Evaluation")
    sets = backend.eval_sets()
    options = [str(p) for p in sets] + ["Another file\u2026"]
    choice = st.selectbox("Eval set", options, format_func=lambda p: Path(p).name if p in map(str, sets) else p,
                          key="eval_set")
    set_path = choice
    if choice == options[-1]:
        set_path = st.text_input("Path to an eval set (JSONL)", key="eval_path").strip()
    cols = st.columns(2)
    limit = cols[0].number_input("Limit (items, 0 = all)", min_value=0, value=50, step=10, key="eval_limit")
    seed = cols[1].number_input("Sample seed", min_value=0, value=0, key="eval_seed")
    if st.button("Run evaluation", type="primary", disabled=not set_path):
        _run(set_path, int(limit) or None, int(seed))
    if "eval_result" in st.session_state:
        _show(st.session_state["eval_result"])
