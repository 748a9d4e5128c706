"""The Compare page's views: the AUC tables with exports, the encoder heatmap, paired significance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..service import compare, plots
from ..service.background import TaskState
from .views_analysis import chart, task_progress


def render_main_table(output: compare.CompareOutput, name: str) -> None:
    corpus = name.partition("_")[2]
    st.subheader(f"AUC by backbone pair x method x task: {corpus}")
    st.caption(
        "Fold-mean macro AUC (%) ± sd over the outer folds [95 % CI of the fold mean, bootstrap over "
        "documents within folds and classes]; rows sorted by their average over tasks."
    )
    st.dataframe(output.report.tables[name], key=f"table_{corpus}")
    left, right = st.columns(2)
    left.download_button(
        "CSV (tidy numbers)", compare.table_csv(output, name), file_name=compare.export_name(name, "csv"),
        mime="text/csv", key=f"csv_{corpus}", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        "LaTeX table", compare.table_latex(output, name), file_name=compare.export_name(name, "tex"),
        mime="text/x-tex", key=f"tex_{corpus}", on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def render_heatmap(runs: pd.DataFrame) -> None:
    st.subheader("Text encoder x audio encoder")
    corpus_col, task_col, method_col = st.columns(3)
    corpus = corpus_col.selectbox("Corpus", sorted(runs.corpus.unique()), key="heat_corpus")
    part = runs[runs.corpus == corpus]
    task = task_col.selectbox("Task", sorted(part.task.unique()), key="heat_task")
    method = method_col.selectbox(
        "Method", sorted(part[part.task == task].method.unique()), key="heat_method"
    )
    try:
        matrix = compare.heatmap_matrix(runs, corpus, task, method)
    except ValueError as exc:
        st.error(str(exc))
        return
    title = f"Fold-mean AUC (%) of {method} on {corpus}/{task}"
    chart(plots.heatmap(matrix, title), f"heatmap_{corpus}_{task}_{method}".replace(" ", "_"), "heatmap")


def render_paired(output: compare.CompareOutput) -> None:
    st.subheader("Paired significance between two rows")
    st.caption(
        "On the pooled out-of-fold predictions of two runs scored on the same documents and folds: AUC "
        "difference with its 95 % paired-bootstrap CI and DeLong's test; Holm's p once every pair of the "
        "task is computed (below)."
    )
    labels = dict(zip(output.runs.label, output.runs.run_id, strict=True))
    names = sorted(labels)
    col_a, col_b = st.columns(2)
    a = col_a.selectbox("Row A", names, index=0, key="pair_a")
    b = col_b.selectbox("Row B", names, index=min(1, len(names) - 1), key="pair_b")
    run = output.results[labels[a]]
    state = _family_state(output, run.corpus, run.task)
    family = state.result if state is not None and state.done and not state.error else None
    try:
        pair = compare.paired_comparison(output, labels[a], labels[b], family)
    except ValueError as exc:
        st.warning(str(exc))
    else:
        cols = st.columns(4)
        cols[0].metric("AUC A − B (points)", f"{100 * pair.delta:+.1f}")
        cols[1].metric("95 % CI", f"[{100 * pair.ci_low:+.1f}, {100 * pair.ci_high:+.1f}]")
        cols[2].metric("DeLong p", _p(pair.p), help=f"z = {pair.z:.2f}")
        cols[3].metric("Holm p", _p(pair.p_holm), help=f"family of {pair.family_size} comparisons")
    if st.button(f"Compute every pair of {run.corpus}/{run.task}", key="pair_family_go"):
        st.session_state[f"pairs_{run.corpus}_{run.task}"] = True
    if st.session_state.get(f"pairs_{run.corpus}_{run.task}"):
        _family_fragment(output, run.corpus, run.task)


def _family_state(output: compare.CompareOutput, corpus: str, task: str) -> TaskState | None:
    if not st.session_state.get(f"pairs_{corpus}_{task}"):
        return None
    return compare.start_paired_family(output, corpus, task)


@st.fragment(run_every=1.0)
def _family_fragment(output: compare.CompareOutput, corpus: str, task: str) -> None:
    state = compare.start_paired_family(output, corpus, task)
    if not task_progress(state, f"Paired tests of {corpus}/{task}"):
        return
    shown = f"pairs_shown_{corpus}_{task}"
    if not st.session_state.get(shown):  # once: rerun the whole page so the Holm p above is filled in
        st.session_state[shown] = True
        st.rerun(scope="app")
    if state.result.empty:
        st.info(f"No two rows of {corpus}/{task} share documents and folds: nothing to pair.")
        return
    st.dataframe(compare.family_table(state.result), hide_index=True, key="pair_family_table")
    st.download_button(
        "CSV (tidy numbers)", state.result.to_csv(index=False), file_name=f"paired_{corpus}_{task}.csv",
        mime="text/csv", key="pair_family_csv", on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def _p(p: float) -> str:
    return "n/a" if p != p else ("<0.001" if p < 0.001 else f"{p:.3f}")


def render_notes(notes: list[str]) -> None:
    if notes:
        with st.expander(f"Notes on the report ({len(notes)})"):
            st.markdown("\n".join(f"- {n}" for n in notes))
