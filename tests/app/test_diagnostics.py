"""The Diagnostics page: guard on an empty workspace; curves, calibration and expert usage with runs."""

from __future__ import annotations

import time

from hilbert_core.service import diagnostics
from tests.app.pages_helper import open_page

PAGE = "pages/6_Diagnostics.py"


def test_empty_workspace_says_to_train_first(empty_analysis_workspace):
    at = open_page(PAGE)
    assert not at.exception
    assert "No finished cross-validation" in at.info[0].value


def _run_id(workspace, method: str) -> str:
    return next(r.run_id for r in diagnostics.list_cv_runs(workspace) if r.method == method)


def test_hilbert_run_shows_cka_mi_losses_and_calibration(analysis_workspace):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    choice = next(label for label in at.selectbox(key="diag_run").options if "| hilbert " in label)
    at.selectbox(key="diag_run").set_value(choice).run()
    assert not at.exception
    assert [m.label for m in at.metric][:3] == ["Pooled macro AUC", "Fold AUC", "Documents"]
    charts = at.get("plotly_chart")
    assert len(charts) >= 5  # CKA, MI, MI balance, loss terms, reliability
    ece = next(m for m in at.metric if m.label.startswith("Expected calibration error"))
    report = diagnostics.load_report(analysis_workspace, _run_id(analysis_workspace, "hilbert"))
    assert report  # the page read the same registry
    assert float(ece.value) >= 0.0


def test_linear_run_explains_it_has_no_epochs(analysis_workspace):
    at = open_page(PAGE)
    choice = next(label for label in at.selectbox(key="diag_run").options if "| linear " in label)
    at.selectbox(key="diag_run").set_value(choice).run()
    assert not at.exception
    assert any("linear probe" in i.value for i in at.info)


def test_expert_usage_of_a_trained_model(analysis_workspace):
    at = open_page(PAGE)
    at.button(key="diag_moe_go").click().run()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        d.value is not None and "mean_gate" in getattr(d.value, "columns", []) for d in at.dataframe
    ):
        time.sleep(0.5)
        at.run()
    assert not at.exception
    usage = next(d.value for d in at.dataframe if "mean_gate" in d.value.columns)
    assert len(usage) == 2 and abs(usage["mean_gate"].sum() - 1.0) < 1e-5  # 2 experts; gates sum to 1


def test_an_old_report_without_its_numbers_is_a_sentence_naming_the_run(analysis_workspace, monkeypatch):
    load = diagnostics.load_report

    def old_report(workspace, run_id):
        report = load(workspace, run_id)
        return {k: v for k, v in report.items() if k not in ("auc_sd", "oof_proba")}

    monkeypatch.setattr(diagnostics, "load_report", old_report)
    at = open_page(PAGE)
    assert not at.exception, at.exception
    run_id = diagnostics.list_cv_runs(analysis_workspace)[0].run_id
    errors = [e.value for e in at.error]
    assert any(f"run {run_id}'s report has no auc_sd" in e for e in errors)
    assert any(f"run {run_id}'s report has no oof_proba" in e for e in errors)


def test_demo_workspace(demo_workspace):
    at = open_page(PAGE, timeout=60)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="diag_run").options and at.metric
