"""The Compare page's views: the AUC tables with exports, the encoder heatmap, paired significance."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from ..service import compare, plots
from ..service.background import TaskState
from .widgets import chart, clicked, follow_task, show_error


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
        show_error(exc)
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
    metrics = st.container()  # filled below, once the family's state (for Holm's p) is known
    state = _family_state(output, run.corpus, run.task)
    family = state.result if state is not None and state.done and not state.error else None
    with metrics:
        _pair_metrics(output, labels[a], labels[b], family)
    if state is not None:
        _family_view(state, run.corpus, run.task)


def _pair_metrics(output: compare.CompareOutput, run_a: str, run_b: str, family: pd.DataFrame | None) -> None:
    try:
        pair = compare.paired_comparison(output, run_a, run_b, family)
    except ValueError as exc:
        st.warning(str(exc))
        return
    cols = st.columns(4)
    cols[0].metric("AUC A − B (points)", f"{100 * pair.delta:+.1f}")
    cols[1].metric("95 % CI", f"[{100 * pair.ci_low:+.1f}, {100 * pair.ci_high:+.1f}]")
    cols[2].metric("DeLong p", _p(pair.p), help=f"z = {pair.z:.2f}")
    cols[3].metric("Holm p", _p(pair.p_holm), help=f"family of {pair.family_size} comparisons")


def _family_state(output: compare.CompareOutput, corpus: str, task: str) -> TaskState | None:
    """The button, and the paired tests of every two rows of the task once it was pressed (a failed
    computation starts again only on the next press). A snapshot: Holm's p above and the table below
    see the task in the same state (while it runs, a fragment reruns the page once it is done)."""
    pressed = clicked(f"Compute every pair of {corpus}/{task}", "pair_family_go")
    flag = f"pairs_{corpus}_{task}"
    if pressed:
        st.session_state[flag] = True
    if not st.session_state.get(flag):
        return None
    return dataclasses.replace(compare.start_paired_family(output, corpus, task, retry=pressed))


def _family_view(state: TaskState, corpus: str, task: str) -> None:
    if not follow_task(state, f"Paired tests of {corpus}/{task}"):
        return
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
