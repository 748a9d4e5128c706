"""Views of the Interview page: the upload form, the scores, the attention timeline, the player."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..service import figures
from ..service import interview as interview_service
from . import cached
from .state import StateKeys
from .widgets import progress_reporter, show_error

AUDIO_MIME = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".opus": "audio/ogg",
              ".mp3": "audio/mpeg", ".m4a": "audio/mp4"}  # fmt: skip


def render_form(ws, session_id: str, models) -> None:
    """Upload a recording (and a transcript), choose models, score; the result goes to session state."""
    names = [m.name for m in models]
    labels = {m.name: f"{m.name} · {m.task} · {m.method} · {m.encoders}" for m in models}
    with st.form("interview_form"):
        audio = st.file_uploader("Recording", type=list(interview_service.AUDIO_TYPES), key="interview_audio")
        transcript = st.file_uploader(
            "Transcript (optional: SRT, WebVTT, or CSV/TSV with start, end, text); without one the recording "
            "is transcribed with Whisper",
            type=list(interview_service.TRANSCRIPT_TYPES), key="interview_transcript",
        )  # fmt: skip
        chosen = st.multiselect(
            "Models (the first one's attention and experts are shown)", names,
            default=[m.name for m in interview_service.default_models(models)],
            format_func=labels.__getitem__, key="interview_models",
        )  # fmt: skip
        submitted = st.form_submit_button("Score the interview", type="primary")
    if submitted:
        if audio is None:
            st.error(
                "Choose a recording first (wav, flac, ogg, opus, mp3 or m4a), then press the button again."
            )
            return
        paths = [models[names.index(n)].path for n in chosen]
        _score(ws, session_id, audio, transcript, paths)


def _score(ws, session_id: str, audio, transcript, paths) -> None:
    update, clear = progress_reporter("Scoring")
    previous = st.session_state.get(StateKeys.INTERVIEW_UPLOAD)
    try:
        scored = interview_service.score_upload(
            cached.scorer(), ws, session_id, (audio.name, audio.getvalue()),
            None if transcript is None else (transcript.name, transcript.getvalue()), paths,
            previous=None if previous is None else Path(previous[0]), progress=update,
        )  # fmt: skip
    except ValueError as exc:
        clear()
        show_error(exc)
        return
    clear()
    st.session_state[StateKeys.INTERVIEW_RESULT] = scored.result
    st.session_state[StateKeys.INTERVIEW_UPLOAD] = (scored.audio_path, scored.transcript_path)


def render_scores(result: interview_service.InterviewOutput) -> None:
    source = "its transcript" if result.segments_from == "transcript" else "a Whisper transcription"
    st.success(
        f"{result.audio_name}: {result.duration_s / 60:.1f} min, {len(result.segments)} segments from "
        f"{source}; scored in {result.seconds['total']:.1f} s."
    )
    cols = st.columns(min(len(result.scores), 3))
    for i, score in enumerate(result.scores):
        top, p = score.top
        with cols[i % len(cols)]:
            st.metric(f"{score.task} ({score.model})", top, f"{p:.0%} probability", "off", delta_arrow="off")
            fig = figures.class_probabilities(score.table, f"{score.task}: class probabilities")
            st.plotly_chart(fig, key=f"interview_proba_{i}")


def render_explanation(result: interview_service.InterviewOutput, audio_path: Path) -> None:
    seg = result.segments
    attn = [c for c in seg.columns if c.startswith("attn_")]
    st.subheader("Which segments the model attended to")
    if not attn:
        st.info("This model has no segment attention (a linear probe scores mean-pooled features).")
    labels = [f"#{i} · {r.start_s:.1f} s · {r.text[:70]}" for i, r in seg.iterrows()]
    top = int(seg["attn_joint" if "attn_joint" in seg else attn[-1]].to_numpy().argmax()) if attn else 0
    index = st.selectbox(
        "Segment", range(len(seg)), index=top, format_func=labels.__getitem__, key="interview_seg"
    )
    if attn:
        st.plotly_chart(figures.attention_timeline(seg, int(index)), key="interview_timeline")
    left, right = st.columns([2, 3])
    with left:
        row = seg.iloc[int(index)]
        mime = AUDIO_MIME.get(audio_path.suffix.lower(), "audio/wav")
        st.audio(str(audio_path), format=mime, start_time=int(row["start_s"]))
    with right:
        st.markdown(f"**#{int(row['#'])} · {row['start_s']:.1f}–{row['end_s']:.1f} s**\n\n> {row['text']}")
    bar = st.column_config.ProgressColumn
    weights = {c: bar(c, min_value=0.0, max_value=float(seg[c].max()), format="%.3f") for c in attn}
    st.dataframe(seg, hide_index=True, column_config=weights, height=min(38 + 35 * len(seg), 400))
    _render_model_internals(result)


def _render_model_internals(result: interview_service.InterviewOutput) -> None:
    if result.gate is not None:
        st.plotly_chart(figures.gate_weights(result.gate), key="interview_gate", width="content")
        st.caption("How much each expert of the Mixture-of-Experts classifier weighs for this interview.")
    else:
        st.info("This model has no Mixture-of-Experts gate (linear or transfer method).")
    st.subheader("This interview against the training set")
    if result.placement is None:
        st.info(result.note or "This model has no joint embedding (linear or transfer method).")
        return
    number = st.column_config.NumberColumn(format="%.3f")
    columns = {c: number for c in result.placement.columns if c != "metric"}
    st.dataframe(result.placement, hide_index=True, column_config=columns)
    balance = interview_service.mi_balance(result.placement)
    if balance is not None:
        lean = "audio" if balance > 0 else "text"
        st.caption(
            f"MI balance of this interview: MI(audio; joint) − MI(text; joint) = {balance:+.2f} nats "
            f"(its joint embedding leans on {lean}). CKA is a property of a set of documents: it is shown "
            "for the training documents with and without this interview. Percentile: share of training "
            "documents whose own MI term is below this interview's."
        )


def show_result() -> None:
    result = st.session_state.get(StateKeys.INTERVIEW_RESULT)
    upload = st.session_state.get(StateKeys.INTERVIEW_UPLOAD)
    if result is None or upload is None:
        return
    try:
        render_scores(result)
        render_explanation(result, Path(upload[0]))
    except (ValueError, OSError) as exc:
        show_error(exc)
