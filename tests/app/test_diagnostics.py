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
    labels = [m.label for m in at.metric][:3]
    assert labels == ["AUC (pooled OOF) [95 % CI]", "Fold-mean AUC ± sd over 3 folds", "Documents"]
    assert all(m.proto.help for m in at.metric)  # every number explained
    assert at.metric[0].value.endswith("]") and " % [" in at.metric[0].value
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


def _model_of_run(workspace, run_id: str):
    """A copy of the workspace's tiny bundle whose bundle.json names the run's encoders: its recipe is the
    run's (same features, task, method, seed and settings)."""
    import json
    import shutil

    from hilbert_core.experiments.registry import RunRegistry
    from hilbert_core.workspace import registry_path

    cell = RunRegistry(registry_path(workspace)).get(run_id).config["cell"]
    src = workspace / "models" / "label-hilbert-tiny"
    dst = workspace / "models" / "label-hilbert-of-run"
    shutil.copytree(src, dst)
    meta = json.loads((dst / "bundle.json").read_text())
    meta["info"].update(audio_encoder=cell["audio_encoder"], text_encoder=cell["text_encoder"])
    (dst / "bundle.json").write_text(json.dumps(meta))
    return dst


def test_the_moe_tab_follows_the_selected_run(analysis_workspace):
    run_id = next(
        r.run_id for r in diagnostics.list_cv_runs(analysis_workspace)
        if r.method == "hilbert" and "egemaps + lexicon" in r.label
    )  # fmt: skip
    _model_of_run(analysis_workspace, run_id)
    at = open_page(PAGE)
    label = next(o for o in at.selectbox(key="diag_run").options if f"(run {run_id})" in o)
    at.selectbox(key="diag_run").set_value(label).run()
    assert at.selectbox(key="diag_moe_model").options == ["label-hilbert-of-run"]  # the run's model only
    at.button(key="diag_moe_go").click().run()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        d.value is not None and "mean gate weight" in getattr(d.value, "columns", []) for d in at.dataframe
    ):
        time.sleep(0.5)
        at.run()
    assert not at.exception
    usage = next(d.value for d in at.dataframe if "mean gate weight" in d.value.columns)
    assert len(usage) == 2 and abs(usage["mean gate weight"].sum() - 1.0) < 1e-5  # 2 experts; gates sum to 1
    # another hilbert run has no trained model of its recipe: the tab says so instead of showing another's
    other = next(o for o in at.selectbox(key="diag_run").options if "| hilbert " in o and run_id not in o)
    at.selectbox(key="diag_run").set_value(other).run()
    assert any("No trained model of this run's recipe" in i.value for i in at.info)


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
