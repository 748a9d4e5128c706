"""Views of the Interview page's evidence: the timeline (faithful evidence, then attention), the segment
picker and player, the answers that pushed toward and away from the predicted class, and the report
downloads. Widget keys carry the interview's token, so a new upload gets a new picker."""

from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from ..report.interview_report import DEMO_NOTE, RESEARCH_USE
from ..service import interview_evidence as evidence_service
from ..service import interview_report as report_service
from ..service.figures_evidence import evidence_timeline

AUDIO_MIME = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
}


def picker_key(token: str) -> str:
    """The segment picker's widget key for the interview ``token`` (its upload folder's name)."""
    return f"interview_seg_{token}"


def _apply_click(chart_key: str, picker: str) -> None:
    """A segment clicked on the timeline (a new one since the last run) becomes the picker's value."""
    event = st.session_state.get(chart_key)
    points = ((event or {}).get("selection") or {}).get("points") or []
    if not points:
        return
    clicked = int(points[0].get("point_index", points[0].get("point_number", 0)))
    seen = f"{chart_key}_seen"
    if st.session_state.get(seen) != clicked:
        st.session_state[seen] = clicked
        st.session_state[picker] = clicked


def _player(audio_path: Path, start_s: float, end_s: float | None = None) -> None:
    mime = AUDIO_MIME.get(audio_path.suffix.lower(), "audio/wav")
    end = None if end_s is None else int(math.ceil(end_s))
    st.audio(str(audio_path), format=mime, start_time=int(start_s), end_time=end)


def render_evidence(result, audio_path: Path, token: str) -> None:
    """The evidence of the first model: timeline, picker, player, top answers and the segment table."""
    seg, ev = result.segments, result.evidence
    picker, chart_key = picker_key(token), f"interview_timeline_{token}"
    _apply_click(chart_key, picker)
    st.subheader("Which answers drove this prediction")
    if ev is None:
        st.info("This interview was scored without segment evidence; score it again to see it.")
        cls, default = "", 0
    else:
        cls = ev.classes[ev.predicted]
        toward = ev.top_segments(1)
        default = toward[0] if toward else 0
        kind = evidence_service.KIND_NAMES.get(ev.default_kind, ev.default_kind)
        st.markdown(
            f"**Evidence** ({kind}): how much removing each answer changes the probability of the leading "
            f"class, **{cls}** ({ev.proba[ev.predicted]:.0%}). Red answers pushed toward it, blue away. "
            + evidence_service.agreement_sentence(ev)
        )
    if not [c for c in seg.columns if c.startswith("attn_")]:
        st.info("This model has no segment attention (a linear probe scores mean-pooled features).")
    labels = [f"#{i} · {r.start_s:.1f} s · {r.text[:70]}" for i, r in seg.iterrows()]
    index = int(
        st.selectbox(
            "Segment",
            range(len(seg)),
            index=min(default, len(seg) - 1),
            format_func=labels.__getitem__,
            key=picker,
            help="Opens on the answer that pushed most toward the leading class; click a segment on the "
            "timeline to select it. The player starts there.",
        )
    )
    if "evidence" in seg or any(c.startswith("attn_") for c in seg.columns):
        fig = evidence_timeline(seg, cls, index)
        st.plotly_chart(fig, key=chart_key, on_select="rerun", selection_mode="points")
    left, right = st.columns([2, 3])
    row = seg.iloc[index]
    with left:
        _player(audio_path, float(row["start_s"]))
    with right:
        score = "" if "evidence" not in seg else f" · evidence {row['evidence']:+.3f}"
        st.markdown(
            f"**#{int(row['#'])} · {row['start_s']:.1f}–{row['end_s']:.1f} s{score}**\n\n> {row['text']}"
        )
    if ev is not None:
        _render_top_answers(ev, seg, audio_path, cls)
    _render_segment_table(seg)


def _render_top_answers(ev, seg, audio_path: Path, cls: str) -> None:
    answers = evidence_service.top_answers(ev, seg)
    cols = st.columns(2)
    for col, direction, title in (
        (cols[0], "toward", f"Answers that pushed toward {cls}"),
        (cols[1], "away", f"Answers that pushed away from {cls}"),
    ):
        part = answers[answers["direction"] == direction]
        with col:
            st.markdown(f"**{title}**")
            if part.empty:
                st.caption("None: no answer moved the prediction this way.")
            for a in part.itertuples(index=False):
                with st.container(border=True):
                    head = f"**#{a[1]} · {a.start_s:.1f}–{a.end_s:.1f} s** · evidence {a.score:+.3f}"
                    st.markdown(f"{head}\n\n> {a.text}")
                    st.caption(a.sentence[0].upper() + a.sentence[1:] + ".")
                    _player(audio_path, a.start_s, a.end_s)


def _render_segment_table(seg) -> None:
    attn = [c for c in seg.columns if c.startswith("attn_")]
    bar = st.column_config.ProgressColumn
    config = {c: bar(c, min_value=0.0, max_value=float(seg[c].max()), format="%.3f") for c in attn}
    if "evidence" in seg:
        config["evidence"] = st.column_config.NumberColumn(
            "evidence", format="%+.3f", help="Change in the leading class's probability when removed."
        )
    st.dataframe(seg, hide_index=True, column_config=config, height=min(38 + 35 * len(seg), 400))


def render_novelty(result) -> None:
    """Whether the interview is like the explained model's training documents (outside: an error box)."""
    novelty = result.novelty
    if novelty is None:
        return
    if novelty.level == "outside":
        st.error(novelty.sentence(), icon=":material/travel_explore:")
    elif novelty.level == "unusual":
        st.warning(novelty.sentence(), icon=":material/travel_explore:")
    else:
        st.caption(novelty.sentence())


def render_downloads(result, coverage: float, true_labels, workspace) -> None:
    """The report of this interview, as HTML (prints on A4) and as PDF, built when a button is pressed."""
    st.subheader("Report")
    demo = any(score.demo for score in result.scores)
    st.caption(RESEARCH_USE + (" " + DEMO_NOTE if demo else ""))
    report = report_service.build_report(result, coverage, true_labels, workspace)
    left, right = st.columns(2)
    for col, fmt, label in (
        (left, "html", "Download the report (HTML, prints well)"),
        (right, "pdf", "Download the report (PDF)"),
    ):
        col.download_button(
            label,
            data=lambda fmt=fmt: report_service.report_bytes(report, fmt),
            file_name=report_service.report_name(report, fmt),
            mime=report_service.FORMATS[fmt],
            key=f"interview_report_{fmt}",
            on_click="ignore",
            icon=":material/download:",
            help="The prediction per class (or 'inconclusive' and why), the model's cross-validated AUC, "
            "the answers that drove it, whether the interview is like the training documents, the model, "
            "encoders, version and date, and what the numbers do not mean.",
        )
