"""The report of one scored interview: HTML escapes every user text, PDF is a PDF, the marks and the
disclaimer are always there, and a report is never written in part."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hilbert_core.evaluation.novelty import not_checked, novelty
from hilbert_core.evaluation.verdict import verdict
from hilbert_core.report.interview_pdf import report_pdf
from hilbert_core.report.interview_report import (
    DEMO_NOTE,
    RESEARCH_USE,
    CVSummary,
    InterviewReport,
    report_html,
)
from hilbert_core.service import interview_report as service

CLASSES = ["bipolar", "control", "depression", "schizophrenia"]
EVIL = '<script>alert("x")</script> & ρ'


def _report(proba=(0.27, 0.27, 0.24, 0.22), demo=True, outside=False) -> InterviewReport:
    order = np.argsort(proba)[::-1]
    ref = np.random.default_rng(0).normal(size=(50, 4)) + np.array([4.0, 0, 0, 0])
    z = np.array([-4.0, 0, 0, 0]) if outside else ref[0]
    sentence = "removing this answer lowers the bipolar probability from 0.27 to 0.19"
    answer = {"direction": "toward", "#": 3, "start_s": 1.0, "end_s": 2.5, "text": EVIL, "score": 0.08,
              "sentence": sentence}  # fmt: skip
    return InterviewReport(
        recording=f"{EVIL}.wav", created="2026-01-02 10:00 UTC", task="spectrum", model="demo-model",
        method="hilbert", encoders={"audio": "whisper-tiny-en (revision 1)"}, package_version="0.1.0",
        duration_s=120.0, num_segments=20, segments_from="its transcript",
        probabilities=[(CLASSES[k], proba[k], None) for k in order], verdict=verdict(CLASSES, proba),
        novelty=novelty(ref, z), cv=CVSummary(0.79, 0.7, 0.86, 0.95, "demo", 100, 87, "5-fold run"),
        evidence_kind="leave-one-segment-out", agreement="Joint attention and evidence agree: ρ = 0.60.",
        answers=[answer], demo=demo,
    )  # fmt: skip


def test_html_escapes_user_text_and_carries_the_marks():
    html = report_html(_report(outside=True))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; ρ" in html
    assert RESEARCH_USE in html and DEMO_NOTE in html and "What these numbers do not mean" in html
    assert "Inconclusive" in html and "within 10 points of chance" in html
    assert "OUTSIDE what the model was trained on" in html
    assert "@media print" in html and "http" not in html.split("<body>")[1]  # self-contained
    assert (
        "79.0 % [70.0, 86.0]" in html and "87 subjects" in html and "the corpus demo, 100 interviews" in html
    )


def test_a_clear_result_names_its_class_and_a_real_model_has_no_demo_note():
    html = report_html(_report((0.05, 0.05, 0.85, 0.05), demo=False))
    assert 'class="headline">depression (85%)' in html and DEMO_NOTE not in html
    assert "Inconclusive" not in html.split("<h2>Prediction")[1].split("A result is marked")[0]


def test_pdf_is_a_pdf_with_any_text():
    data = report_pdf(_report())
    assert data.startswith(b"%PDF") and len(data) > 1000
    unchecked = _report()
    object.__setattr__(unchecked, "novelty", not_checked("a linear probe"))
    assert report_pdf(unchecked).startswith(b"%PDF")


def test_write_report_is_atomic_and_checks_the_suffix(tmp_path, monkeypatch):
    rep = _report()
    out = service.write_report(rep, tmp_path / "r.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert service.write_report(rep, tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError, match=r"must end in \.html or \.pdf"):
        service.write_report(rep, tmp_path / "r.docx")

    def broken(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "report_html", broken)
    with pytest.raises(RuntimeError):
        service.write_report(rep, tmp_path / "new.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.pdf"]  # nothing partial left
    assert service.report_name(rep, "pdf").startswith("interview-report-") and "/" not in service.report_name(
        rep, "pdf"
    )
    assert Path(service.report_name(rep, "html")).suffix == ".html"


def test_predict_report_needs_a_recording_and_a_known_suffix(tmp_path, capsys):
    from hilbert_core.cli import main

    assert main(["predict", str(tmp_path), "--features", str(tmp_path), "--report", "r.html"]) == 2
    assert "--report needs a recording" in capsys.readouterr().err
    assert main(["predict", str(tmp_path), "x.wav", "--report", "r.docx"]) == 2
    assert "must end in .html or .pdf" in capsys.readouterr().err
