"""The Interview page and its service: upload, score, explain; uploads stay in their session's folder."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from hilbert_core.losses.mutual_info import infonce_mi
from hilbert_core.report.interview_report import RESEARCH_USE
from hilbert_core.service import interview
from hilbert_core.service.interview_report import build_report, report_bytes
from hilbert_core.training.bundle import load_bundle
from hilbert_core.workspace import open_workspace
from tests.app.pages_helper import open_page

SUBMIT = "FormSubmitter:interview_form-Score the interview"


def _page() -> AppTest:
    at = open_page("pages/2_Interview.py")
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, audio: Path, transcript: Path | None) -> AppTest:
    at.file_uploader(key="interview_audio").set_value((audio.name, audio.read_bytes(), "audio/ogg"))
    if transcript is not None:
        at.file_uploader(key="interview_transcript").set_value(
            (transcript.name, transcript.read_bytes(), "text/plain")
        )
    at.button(key=SUBMIT).click().run(
        timeout=240
    )  # transcription, encoders and evidence on a loaded CI machine
    assert not at.exception, at.exception
    return at


def test_empty_workspace_says_to_train_a_model_first(empty_workspace):
    at = _page()
    assert "No trained model in this workspace yet" in at.info[0].value
    assert not at.get("file_uploader")
    assert "Train a model" in [link.proto.label for link in at.get("page_link")]


def _upload_files(workspace) -> set:
    return {p for p in (workspace / "uploads").rglob("*") if p.is_file()}


def test_upload_and_score_shows_spectrum_attention_and_internals(demo_workspace, sample_interview):
    before = _upload_files(demo_workspace)  # other tests (other sessions) may have uploaded already
    at = _page()
    chosen = at.multiselect(key="interview_models").value
    assert chosen and interview.list_models(open_workspace(demo_workspace, seed=False))[0].task == "spectrum"
    at = _upload(at, *sample_interview)
    assert not at.error, [e.value for e in at.error]
    assert "segments from its transcript" in at.success[0].value
    assert at.metric[0].label.startswith("spectrum")
    charts = at.get("plotly_chart")
    assert len(charts) >= 3  # probabilities, timeline, gate
    segments = at.dataframe[0].value
    assert {"attn_audio", "attn_text", "attn_joint", "evidence"} <= set(segments.columns)
    np.testing.assert_allclose(segments["attn_joint"].sum(), 1.0, atol=1e-4)
    # the evidence: the answers that pushed toward the leading class, each with its player
    assert "Which answers drove this prediction" in [h.value for h in at.subheader]
    assert any("Answers that pushed toward" in m.value for m in at.markdown)
    assert any("removing this answer" in c.value.lower() for c in at.caption)
    players = len(at.get("audio"))
    assert players >= 2  # the picker's player and one per top answer
    token = Path(at.session_state["interview_upload"][0]).parent.name
    at.selectbox(key=f"interview_seg_{token}").set_value(0).run()
    assert not at.exception and len(at.get("audio")) == players
    # the report: both downloads, and the HTML says what the numbers do not mean
    assert {b.key for b in at.get("download_button")} >= {"interview_report_html", "interview_report_pdf"}
    report = build_report(at.session_state["interview_result"], 0.9, None, demo_workspace)
    html = report_bytes(report, "html").decode()
    assert RESEARCH_USE in html and report.answers and report_bytes(report, "pdf").startswith(b"%PDF")
    session = at.session_state["session_id"]
    uploads = _upload_files(demo_workspace) - before
    assert uploads and all(p.relative_to(demo_workspace / "uploads").parts[0] == session for p in uploads)


def test_a_recording_that_cannot_be_read_is_one_sentence(demo_workspace, sample_interview):
    at = _page()
    at.file_uploader(key="interview_audio").set_value(("broken.wav", b"RIFF but not audio", "audio/wav"))
    at.file_uploader(key="interview_transcript").set_value(
        ("t.srt", sample_interview[1].read_bytes(), "text/plain")
    )
    at.button(key=SUBMIT).click().run(
        timeout=240
    )  # transcription, encoders and evidence on a loaded CI machine
    assert not at.exception and len(at.error) == 1 and "broken.wav" in at.error[0].value
    assert "Traceback" not in at.error[0].value and "interview_result" not in at.session_state


def test_uploads_are_checked_and_kept_per_session(tmp_path):
    ws = open_workspace(tmp_path / "ws", seed=False)
    a, _ = interview.save_interview(ws, "a" * 32, ("x.wav", b"1"))
    b, t = interview.save_interview(ws, "b" * 32, ("../../x.wav", b"1"), ("../t.srt", b"2"))
    assert a.parent.parent.name == "a" * 32 and b.parent.parent.name == "b" * 32
    assert t.parent == b.parent and t.name == "t.srt"
    assert all(ws.uploads_dir in p.parents for p in (a, b, t))
    with pytest.raises(ValueError, match="is not a recording this page takes"):
        interview.save_interview(ws, "a" * 32, ("x.exe", b"1"))
    before = sorted(ws.uploads_dir.rglob("*"))
    with pytest.raises(ValueError, match="is not a transcript this page takes"):
        interview.save_interview(ws, "a" * 32, ("x.wav", b"1"), ("t.docx", b"1"))
    assert sorted(ws.uploads_dir.rglob("*")) == before  # both types are checked before any write
    with pytest.raises(ValueError, match="is empty"):
        interview.save_interview(ws, "a" * 32, ("x.wav", b""))
    with pytest.raises(ValueError, match="not a hex id"):
        interview.save_interview(ws, "../../etc", ("x.wav", b"1"))


def test_placement_against_the_training_set(demo_workspace, sample_interview):
    model = interview.list_models(open_workspace(demo_workspace, seed=False))[0]
    bundle = load_bundle(model.path)
    assert bundle.reference, "the demo model must store its training-set embeddings"
    n = len(next(iter(bundle.reference.values())))
    assert set(bundle.reference) == {"z_audio", "z_text", "z_joint"}
    out = interview.InterviewScorer().score(sample_interview[0], [model.path], sample_interview[1])
    table = out.placement.set_index("metric")
    cka = table[table.index.str.startswith("CKA")]
    assert cka[["training set", "with this interview"]].stack().between(0, 1 + 1e-9).all()
    mi = table[table.index.str.startswith("MI")]
    assert (mi["with this interview"] <= math.log(n + 1) + 1e-9).all()
    assert mi["percentile"].between(0, 100).all()
    # the training-set column is the InfoNCE estimate the training diagnostics use
    za, zj = (
        F.normalize(torch.from_numpy(bundle.reference[k]).double(), dim=-1) for k in ("z_audio", "z_joint")
    )
    expected = float(infonce_mi(zj, za, bundle.config.loss.temperature))
    assert abs(mi.loc[mi.index.str.startswith("MI(audio")].iloc[0]["training set"] - expected) < 1e-9
    assert interview.mi_balance(out.placement) == pytest.approx(
        mi.iloc[0]["this interview"] - mi.iloc[1]["this interview"]
    )


def test_an_audio_only_upload_is_transcribed_and_segmented(demo_workspace, sample_interview):
    at = _upload(_page(), sample_interview[0], None)
    assert not at.error, [e.value for e in at.error]
    assert "segments from a Whisper transcription" in at.success[0].value
    segments = at.dataframe[0].value
    assert len(segments) >= 1 and segments["text"].str.len().gt(0).all()
    assert (segments["end_s"] > segments["start_s"]).all()


@pytest.mark.slow
def test_bench_interview_reports_cold_and_warm_times(tmp_path):
    from hilbert_core.bench.interview import BenchInterviewConfig, bench_interview

    out = bench_interview(BenchInterviewConfig(minutes=0.5, repeats=2))
    assert out["audio_seconds"] == pytest.approx(30, abs=0.5) and len(out["warm"]) == 1
    for run in (out["cold"], *out["warm"]):
        assert run["num_segments"] >= 1 and 0 < run["segment_s"] <= run["upload_to_prediction_s"]
        encoders = run["encode_audio_s"] + run["encode_text_s"]
        assert 0 < run["encode_audio_s"] and encoders <= run["encode_and_score_s"]


class _FakeScorer:
    """Scores every upload with a fixed result, or raises the error it was given."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    def score(self, audio_path, models, transcript=None, progress=None, workspace=None):
        if self.error is not None:
            raise self.error
        return f"scored {audio_path.name}"


def test_only_the_shown_upload_is_kept(tmp_path):
    ws = open_workspace(tmp_path / "ws", seed=False)
    session = "c" * 32
    first = interview.score_upload(_FakeScorer(), ws, session, ("a.wav", b"1"), ("a.srt", b"2"), [])
    assert first.result == "scored a.wav" and first.transcript_path.parent == first.audio_path.parent
    second = interview.score_upload(
        _FakeScorer(), ws, session, ("b.wav", b"1"), None, [], previous=first.audio_path
    )
    assert not first.audio_path.parent.exists() and second.audio_path.is_file()
    with pytest.raises(ValueError, match="cannot be read"):
        interview.score_upload(
            _FakeScorer(ValueError("c.wav cannot be read")), ws, session, ("c.wav", b"1"), None, [],
            previous=second.audio_path,
        )  # fmt: skip
    assert [p.parent for p in ws.uploads_dir.rglob("*.wav")] == [second.audio_path.parent]


def test_old_upload_folders_are_removed_at_start(tmp_path):
    import os
    import time

    from hilbert_core.service.uploads import remove_old_uploads

    ws = open_workspace(tmp_path / "ws", seed=False)
    old, _ = interview.save_interview(ws, "d" * 32, ("old.wav", b"1"))
    new, _ = interview.save_interview(ws, "e" * 32, ("new.wav", b"1"))
    stale = time.time() - 25 * 3600  # the default retention is 24 h
    for path in (old, old.parent, old.parent.parent):
        os.utime(path, (stale, stale))
    (ws.uploads_dir / "not-a-session").mkdir()
    assert remove_old_uploads(ws) == 1
    assert not old.parent.parent.exists() and new.is_file() and (ws.uploads_dir / "not-a-session").is_dir()


def test_a_transcript_past_the_recording_end_is_refused(demo_workspace, sample_interview, tmp_path):
    from hilbert_core.audio.reader import probe_audio
    from hilbert_core.data.transcripts import Segment

    duration = probe_audio(sample_interview[0]).duration_s
    late = [Segment(0.0, 1.0, "hello"), Segment(duration + 60, duration + 65, "from another recording")]
    with pytest.raises(ValueError, match=rf"t.srt: segment 1 starts at {duration + 60:.0f} s, after the "):
        interview.check_segments_within(late, duration, "t.srt")
    interview.check_segments_within(late[:1], duration, "t.srt")
    srt = tmp_path / "shifted.srt"
    srt.write_text("1\n00:59:00,000 --> 00:59:05,000\nhello\n", encoding="utf-8")
    model = interview.list_models(open_workspace(demo_workspace, seed=False))[0]
    with pytest.raises(
        ValueError, match="shifted.srt: segment 0 starts at 3540 s.*upload the matching transcript"
    ):
        interview.InterviewScorer().score(sample_interview[0], [model.path], srt)


def test_a_linear_model_shows_no_attention_timeline(demo_workspace, sample_interview):
    from types import SimpleNamespace

    from hilbert_core.data.transcripts import Segment
    from hilbert_core.training.bundle import Prediction

    segments = [Segment(0.0, 2.0, "one"), Segment(2.0, 4.0, "two")]
    uniform = {"audio": np.full(2, 0.5), "text": np.full(2, 0.5)}
    pred = Prediction(["a", "b"], np.array([0.3, 0.7]), uniform, None, None, None, None)
    bundle = SimpleNamespace(probe=object(), reference={}, info={"task": "spectrum"}, method="linear")
    out = interview._output(sample_interview[0], 4.0, segments, [Path("linear")], [bundle], [pred])
    assert not [c for c in out.segments.columns if c.startswith("attn_")]  # uniform is not attention
    out.seconds = {"total": 0.1}
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=30)
    at.switch_page("pages/2_Interview.py")
    at.session_state["interview_result"] = out
    at.session_state["interview_upload"] = (sample_interview[0], None)
    at.run()
    assert not at.exception, at.exception
    assert any("no segment attention" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 1  # the class probabilities only: no timeline, no gate
    assert len(at.get("audio")) == 1


def _fake_output(audio: Path, proba: list[float], pushed: int):
    """A scored interview of 6 segments and 4 classes whose segment ``pushed`` pushed most toward the
    leading class (no model needed)."""
    from types import SimpleNamespace

    from hilbert_core.data.transcripts import Segment
    from hilbert_core.explain.evidence import SegmentEvidence
    from hilbert_core.training.bundle import Prediction

    classes = ["bipolar", "control", "depression", "schizophrenia"]
    segments = [Segment(2.0 * i, 2.0 * i + 1.5, f"answer {i} of interview {pushed}") for i in range(6)]
    attention = {"joint": np.full(6, 1 / 6)}
    pred = Prediction(classes, np.array(proba), attention, None, None, None, None)
    bundle = SimpleNamespace(probe=None, reference={}, info={"task": "spectrum"}, method="hilbert")
    out = interview._output(audio, 12.0, segments, [Path("m")], [bundle], [pred])
    scores = np.zeros((6, 4))
    scores[pushed, int(np.argmax(proba))] = 0.05
    scores[(pushed + 1) % 6, int(np.argmax(proba))] = -0.02
    out.evidence = SegmentEvidence(classes, np.array(proba), {"occlusion_joint": scores}, attention,
                                   "occlusion_joint", {"joint": float("nan")})  # fmt: skip
    out.segments["evidence"] = out.evidence.scores()
    out.seconds = {"total": 0.1}
    return out


def test_a_flat_result_is_inconclusive_and_a_new_upload_gets_a_new_picker(
    demo_workspace, sample_interview, monkeypatch
):
    audio = sample_interview[0]
    outputs = iter(
        [_fake_output(audio, [0.27, 0.24, 0.27, 0.22], 4), _fake_output(audio, [0.1, 0.1, 0.7, 0.1], 2)]
    )
    monkeypatch.setattr(interview.InterviewScorer, "score", lambda self, *a, **k: next(outputs))
    at = _upload(_page(), audio, None)
    assert at.metric[0].value == "inconclusive" and "leading: bipolar" in at.metric[0].delta
    assert any("Inconclusive" in w.value and "of chance" in w.value for w in at.warning)
    first = Path(at.session_state["interview_upload"][0]).parent.name
    picker = at.selectbox(key=f"interview_seg_{first}")
    assert picker.value == 4 and "interview 4" in picker.options[0]  # opens on the answer that pushed most
    picker.set_value(1).run()
    assert at.selectbox(key=f"interview_seg_{first}").value == 1
    at = _upload(at, audio, None)
    second = Path(at.session_state["interview_upload"][0]).parent.name
    assert second != first and at.metric[0].value == "depression"
    picker = at.selectbox(key=f"interview_seg_{second}")
    assert picker.value == 2 and "interview 2" in picker.options[picker.index]
    assert not any("Inconclusive" in w.value for w in at.warning)
