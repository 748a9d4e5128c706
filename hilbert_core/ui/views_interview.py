"""Views of the Interview page: the upload form, the scores (or "inconclusive"), the model's internals;
the evidence timeline, the player and the report downloads are in :mod:`hilbert_core.ui.views_evidence`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import figures
from ..service import interview as interview_service
from ..service.demo_marks import SAMPLES_NOTE
from ..service.glossary import HELP, pct
from ..service.interview_report import score_verdict
from ..service.samples import sample_interviews, sample_upload
from . import cached
from .notes import demo_banner
from .state import StateKeys, workspace
from .views_evidence import render_downloads, render_evidence, render_novelty
from .widgets import progress_reporter, show_error


def render_form(ws, session_id: str, models) -> None:
    """Upload a recording (and a transcript), or pick a sample; choose models, score; the result goes to
    session state."""
    names = [m.name for m in models]
    labels = {m.name: f"{m.name} · {m.task} · {m.method} · {m.encoders}" for m in models}
    chosen = st.multiselect(
        "Models (the first one's attention and experts are shown)",
        names,
        default=[m.name for m in interview_service.default_models(models)],
        format_func=labels.__getitem__,
        key="interview_models",
        help="Each model scores the interview with its own frozen encoders.",
    )
    paths = [models[names.index(n)].path for n in chosen]
    _render_samples(ws, session_id, paths)
    with st.form("interview_form"):
        audio = st.file_uploader(
            "Recording",
            type=list(interview_service.AUDIO_TYPES),
            key="interview_audio",
            help="One interview; read as 16 kHz mono. It stays in this browser session's upload folder.",
        )
        transcript = st.file_uploader(
            "Transcript (optional: SRT, WebVTT, or CSV/TSV with start, end, text); without one the recording "
            "is transcribed with Whisper",
            type=list(interview_service.TRANSCRIPT_TYPES),
            key="interview_transcript",
            help="Timed text: its segments are used as they are (no transcription).",
        )
        submitted = st.form_submit_button("Score the interview", type="primary")
    if submitted:
        if audio is None:
            st.error(
                "Choose a recording first (wav, flac, ogg, opus, mp3 or m4a), then press the button again."
            )
            return
        upload = None if transcript is None else (transcript.name, transcript.getvalue())
        _score(ws, session_id, (audio.name, audio.getvalue()), upload, paths, None)


def _render_samples(ws, session_id: str, paths) -> None:
    """The shipped sample interviews, scored without an upload (their true labels shown with the result)."""
    samples = sample_interviews()
    if not samples:
        return
    with st.expander("No recording at hand? Try a sample interview", expanded=True):
        st.caption(SAMPLES_NOTE)
        left, right = st.columns([3, 1])
        titles = [s.title for s in samples]
        pick = left.selectbox(
            "Sample interview",
            titles,
            key="interview_sample_pick",
            label_visibility="collapsed",
            help="Held-out synthetic interviews shipped with the demo; their true labels are shown.",
        )
        if right.button("Score this sample", key="interview_sample_go", icon=":material/play_arrow:"):
            sample = samples[titles.index(pick)]
            audio, transcript = sample_upload(sample)
            _score(ws, session_id, audio, transcript, paths, sample.labels)


def _score(ws, session_id: str, audio, transcript, paths, sample_labels) -> None:
    update, clear = progress_reporter("Scoring")
    previous = st.session_state.get(StateKeys.INTERVIEW_UPLOAD)
    try:
        scored = interview_service.score_upload(
            cached.scorer(),
            ws,
            session_id,
            audio,
            transcript,
            paths,
            previous=None if previous is None else Path(previous[0]),
            progress=update,
        )
    except ValueError as exc:
        clear()
        show_error(exc)
        return
    clear()
    st.session_state[StateKeys.INTERVIEW_RESULT] = scored.result
    st.session_state[StateKeys.INTERVIEW_UPLOAD] = (scored.audio_path, scored.transcript_path)
    st.session_state[StateKeys.INTERVIEW_SAMPLE] = sample_labels


def render_scores(result: interview_service.InterviewOutput) -> float:
    """The scores of every model at the coverage chosen here (returned, for the report)."""
    source = "its transcript" if result.segments_from == "transcript" else "a Whisper transcription"
    st.success(
        f"{result.audio_name}: {result.duration_s / 60:.1f} min, {len(result.segments)} segments from "
        f"{source}; scored in {result.seconds['total']:.1f} s."
    )
    sample = st.session_state.get(StateKeys.INTERVIEW_SAMPLE)
    demo_banner(bool(sample) or any(score.demo for score in result.scores))
    if sample:
        st.info(
            "True labels of this sample (its script): " + ", ".join(f"{t} = {v}" for t, v in sample.items())
        )
    coverage = st.select_slider(
        "Coverage of the prediction sets",
        [0.8, 0.9, 0.95],
        0.9,
        format_func=lambda c: f"{c:.0%}",
        key="interview_coverage",
        help=HELP["prediction_set"],
    )
    cols = st.columns(min(len(result.scores), 3))
    for i, score in enumerate(result.scores):
        with cols[i % len(cols)]:
            _render_score(score, float(coverage), i)
    return float(coverage)


def _render_score(score: interview_service.TaskScore, coverage: float, i: int) -> None:
    top, p = score.top
    spread = interview_service.score_uncertainty(score, coverage)
    verdict = score_verdict(score, coverage)
    st.metric(
        f"{score.task} ({score.model})",
        verdict.headline,
        f"leading: {top} {p:.0%}" if verdict.inconclusive else f"{p:.0%} probability",
        "off",
        delta_arrow="off",
        help=HELP["probability"],
    )
    if verdict.inconclusive:
        st.warning(
            f"**Inconclusive.** {top} leads with {p:.0%}, but " + "; ".join(verdict.reasons) + ".",
            icon=":material/help:",
        )
    if spread is None:
        st.caption(
            "No prediction set: this model keeps no out-of-fold predictions and the workspace has no "
            "cross-validation of its recipe; retrain it to get one."
        )
        st.plotly_chart(
            figures.class_probabilities(score.table, f"{score.task}: class probabilities"),
            key=f"interview_proba_{i}",
        )
        return
    num, total = len(spread.prediction_set), len(spread.base_rates)
    a, b = st.columns(2)
    size = f"{num} of {total} classes" if num else "none"
    a.metric(f"{coverage:.0%} prediction set", size, help=HELP["prediction_set"])
    b.metric("Model's AUC (pooled OOF, cross-validated)", f"{pct(spread.auc)} %", help=HELP["cv_auc"])
    members = "**{" + ", ".join(spread.prediction_set) + "}**"
    if not num:
        st.markdown(f"No set: {spread.note}.")
    elif num == total:
        st.markdown(f"{members}: at {coverage:.0%} the model rules out no class for this interview.")
    else:
        st.markdown(f"{members}: the classes it cannot rule out at {coverage:.0%}.")
    rates = ", ".join(f"{c} {r:.0%}" for c, r in spread.base_rates.items())
    sd = " ± ensemble spread (sd over its models)." if spread.proba_sd else "."
    st.caption(
        f"Chance: AUC 50 %; a class probability of {spread.uniform:.0%} (1 of {len(spread.base_rates)} "
        f"classes), base rates {rates}. The set contains the true class for {coverage:.0%} of interviews "
        f"like the training ones, calibrated on {spread.num_calibration} out-of-fold predictions "
        f"({spread.source}){sd} See the Glossary page."
    )
    fig = figures.class_probabilities(
        score.table, f"{score.task}: class probabilities", spread.base_rates, spread.prediction_set
    )
    st.plotly_chart(fig, key=f"interview_proba_{i}")


def render_model_internals(result: interview_service.InterviewOutput) -> None:
    if result.gate is not None:
        st.plotly_chart(figures.gate_weights(result.gate), key="interview_gate", width="content")
        st.caption(
            "How much each expert of the Mixture-of-Experts classifier weighs for this interview (weights "
            f"sum to 1; even use is 1/{len(result.gate)} = {1 / len(result.gate):.2f} each). Experts are "
            "unlabelled "
            "sub-networks: their numbers carry no meaning. See the Glossary page."
        )
    else:
        st.info("This model has no Mixture-of-Experts gate (linear or transfer method).")
    st.subheader("This interview against the training set")
    if result.placement is None:
        st.info(result.note or "This model has no joint embedding (linear or transfer method).")
        return
    table = result.placement
    number = st.column_config.NumberColumn(format="%.3f")
    cka = table[table["metric"].str.startswith("CKA")][["metric", "training set", "with this interview"]]
    st.dataframe(
        cka,
        hide_index=True,
        key="interview_cka",
        column_config={"training set": number, "with this interview": number},
    )
    st.caption(
        "CKA (0 = unrelated, 1 = the same up to rotation and scale) describes a set of documents, not one "
        "interview: it is shown for the training documents, and with this interview added."
    )
    mi = table[table["metric"].str.startswith("MI(")]
    percent = st.column_config.NumberColumn("percentile (%)", format="%.0f %%", help=HELP["percentile"])
    st.dataframe(
        mi,
        hide_index=True,
        key="interview_mi",
        column_config={
            **{c: number for c in mi.columns if c not in ("metric", "percentile")},
            "percentile": percent,
        },
    )
    balance = interview_service.mi_balance(table)
    lean = (
        ""
        if balance is None
        else f" MI balance of this interview: {balance:+.2f} nats "
        f"(leans on {'audio' if balance > 0 else 'text'})."
    )
    st.caption(
        "MI in nats, estimated by InfoNCE over the N documents (training documents plus this interview); "
        "no estimate "
        "can exceed log N (the ceiling on Diagnostics is log of the training batch size instead). 'This "
        "interview' is its own term: negative when its joint embedding sits closer to another document's "
        f"embedding than to its own. Percentile: share of training documents whose own term is lower.{lean}"
    )


def show_result() -> None:
    result = st.session_state.get(StateKeys.INTERVIEW_RESULT)
    upload = st.session_state.get(StateKeys.INTERVIEW_UPLOAD)
    if result is None or upload is None:
        return
    try:
        coverage = render_scores(result)
        render_novelty(result)
        render_evidence(result, Path(upload[0]), Path(upload[0]).parent.name)
        ws = workspace()
        sample = st.session_state.get(StateKeys.INTERVIEW_SAMPLE)
        render_downloads(result, coverage, sample, None if ws is None else ws.root)
        render_model_internals(result)
    except (ValueError, OSError) as exc:
        show_error(exc)
