"""The Compare page's views: the ranking per task by the headline AUC, the paper table (fold mean) with
exports, the encoder heatmap with intervals, and paired significance sortable by p."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from ..service import compare, plots, ranking
from ..service.background import TaskState
from ..service.glossary import HEADLINE, HEADLINE_SHORT, HELP, ci_help, unit_words
from .state import StateKeys
from .widgets import chart, clicked, follow_task, show_error


def render_ranking(output: compare.CompareOutput, corpus: str, first_task: str) -> None:
    """One tab per task, the headline task first: rows ranked by the pooled out-of-fold AUC."""
    st.subheader(f"Ranking per task: {corpus}")
    st.caption(
        f"Ranked by the {HEADLINE} (%, 50 = chance) within each task, so rows are only ranked against rows "
        f"of the same task; the 95 % CI resamples {unit_words(output.config.unit)}. The fold mean ± sd "
        "(the paper's figure) is next to it; the sd is the spread between folds. Notes mark rows with "
        "identical predictions. See the Glossary page."
    )
    tasks = sorted(
        output.runs[output.runs.corpus == corpus].task.unique(), key=lambda t: (t != first_task, t)
    )
    config = {
        "rank": st.column_config.NumberColumn("rank", help="1 = highest pooled AUC within this task."),
        HEADLINE_SHORT: st.column_config.NumberColumn(HEADLINE_SHORT, help=HELP["auc_pooled"], format="%.1f"),
        ranking.CI_COLUMN: st.column_config.TextColumn(ranking.CI_COLUMN, help=ci_help(output.config.unit)),
        ranking.FOLD_COLUMN: st.column_config.TextColumn(ranking.FOLD_COLUMN, help=HELP["auc_fold_mean"]),
        "settings": st.column_config.TextColumn("settings", help="Seed, outer folds and config overrides."),
        "note": st.column_config.TextColumn("note", width="large"),
    }
    for tab, task in zip(st.tabs(tasks), tasks, strict=True):
        with tab:
            st.dataframe(
                ranking.ranking(output, corpus, task),
                hide_index=True,
                column_config=config,
                key=f"rank_{corpus}_{task}",
            )


def render_main_table(output: compare.CompareOutput, name: str) -> None:
    corpus = name.partition("_")[2]
    with st.expander(f"Paper table (fold mean ± sd, as in the paper's Tables 2–3): {corpus}"):
        st.caption(
            "Fold-mean macro AUC (%) ± sd over the outer folds [95 % CI of the fold mean, bootstrap over "
            "documents within folds and classes: the uncertainty of the mean, about sd / √folds, hence much "
            "narrower than the sd]. Avg is the mean over tasks, given only for rows that have every task."
        )
        st.dataframe(output.report.tables[name], key=f"table_{corpus}")
        left, right = st.columns(2)
        left.download_button(
            "CSV (tidy numbers)",
            compare.table_csv(output, name),
            file_name=compare.export_name(name, "csv"),
            mime="text/csv",
            key=f"csv_{corpus}",
            on_click="ignore",
            icon=":material/download:",
            help="Every number: pooled AUC with its CI (auc_pooled*), fold mean and sd (auc_mean, auc_sd) "
            "with "
            "its CI (auc_mean_ci*), documents, run id.",
        )
        right.download_button(
            "LaTeX table",
            compare.table_latex(output, name),
            file_name=compare.export_name(name, "tex"),
            mime="text/x-tex",
            key=f"tex_{corpus}",
            on_click="ignore",
            icon=":material/download:",
        )


def render_heatmap(runs: pd.DataFrame, view: tuple[str, str, str]) -> None:
    st.subheader("Text encoder × audio encoder")
    corpus_col, task_col, method_col = st.columns(3)
    corpora = sorted(runs.corpus.unique())
    corpus = corpus_col.selectbox(
        "Corpus",
        corpora,
        index=corpora.index(view[0]),
        key="heat_corpus",
        help="Whose runs the heatmap shows.",
    )
    part = runs[runs.corpus == corpus]
    tasks = sorted(part.task.unique())
    task = task_col.selectbox(
        "Task",
        tasks,
        index=tasks.index(view[1]) if view[1] in tasks else 0,
        key="heat_task",
        help="Opens on spectrum, the headline task.",
    )
    methods = sorted(part[part.task == task].method.unique())
    method = method_col.selectbox(
        "Method",
        methods,
        index=methods.index(view[2]) if view[2] in methods else 0,
        key="heat_method",
        help="Opens on hilbert, the headline method; each cell is its pooled AUC on one encoder pair.",
    )
    try:
        values, cells = ranking.heatmap_cells(runs, corpus, task, method)
    except ValueError as exc:
        show_error(exc)
        return
    title = f"{HEADLINE} (%) [95 % CI] of {method} on {corpus}/{task}"
    fig = plots.heatmap(values, title, "AUC (%)", cells)
    chart(fig, f"heatmap_{corpus}_{task}_{method}".replace(" ", "_"), "heatmap")


def render_paired(output: compare.CompareOutput, view: tuple[str, str, str]) -> None:
    st.subheader("Paired significance between two rows")
    st.caption(
        "On the pooled out-of-fold predictions of two runs scored on the same documents and folds: AUC "
        "difference with its 95 % paired-bootstrap CI and DeLong's test; Holm's p once every pair of the "
        "task is computed (below). See the Glossary page."
    )
    labels = dict(zip(output.runs.label, output.runs.run_id, strict=True))
    first = f"{view[0]}/{view[1]}: "  # the rows of the task the page opened on come first
    names = sorted(labels, key=lambda n: (not n.startswith(first), n))
    col_a, col_b = st.columns(2)
    pick = "Two rows of one task, scored on the same documents and folds, can be paired."
    a = col_a.selectbox("Row A", names, index=0, key="pair_a", help=pick)
    b = col_b.selectbox("Row B", names, index=min(1, len(names) - 1), key="pair_b", help=pick)
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
    cols[0].metric("Pooled AUC A − B (points)", f"{100 * pair.delta:+.1f}", help=HELP["delta"])
    cols[1].metric("95 % CI", f"[{100 * pair.ci_low:+.1f}, {100 * pair.ci_high:+.1f}]", help=HELP["delta_ci"])
    cols[2].metric("DeLong p", _p(pair.p), help=f"{HELP['delong']} z = {pair.z:.2f}.")
    holm = "press the button below" if pair.family_size == 0 else f"family of {pair.family_size} comparisons"
    cols[3].metric("Holm p", _p(pair.p_holm), help=f"{HELP['holm']} ({holm}).")


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
    table = ranking.paired_numbers(state.result)
    st.caption(
        f"{len(table)} pairs, most significant first; click a column to sort. ✓ = Holm-adjusted p < "
        f"{ranking.ALPHA} within the task."
    )
    p_col = st.column_config.NumberColumn(format="%.4f", help=HELP["delong"])
    config = {
        "DeLong p": p_col,
        "Holm p": st.column_config.NumberColumn(format="%.4f", help=HELP["holm"]),
        "A − B (AUC points)": st.column_config.NumberColumn(format="%+.1f", help=HELP["delta"]),
    }
    st.dataframe(table, hide_index=True, key="pair_family_table", column_config=config)
    st.download_button(
        "CSV (tidy numbers)",
        state.result.to_csv(index=False),
        file_name=f"paired_{corpus}_{task}.csv",
        mime="text/csv",
        key="pair_family_csv",
        on_click="ignore",
        icon=":material/download:",
    )


def _p(p: float) -> str:
    return "n/a" if p != p else ("<0.001" if p < 0.001 else f"{p:.3f}")


def render_notes(notes: list[str]) -> None:
    if notes:
        with st.expander(f"Notes on the report ({len(notes)})"):
            st.markdown("\n".join(f"- {n}" for n in notes))


def focus_run() -> str | None:
    """The run a finished Train job asked this page to open on (once)."""
    return st.session_state.pop(StateKeys.COMPARE_FOCUS, None)
