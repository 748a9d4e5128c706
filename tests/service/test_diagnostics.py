"""Diagnostics service: per-epoch series, MI balance, expert usage."""

from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.service import diagnostics

NAN = float("nan")


def _record(ce, cka_a, cka_t, mi_a, mi_t, ceiling=2.0):
    return {"ce_loss": ce, "cka_audio_joint": cka_a, "cka_text_joint": cka_t, "mi_audio": mi_a,
            "mi_text": mi_t, "mi_ceiling": ceiling}  # fmt: skip


def _report():
    fold0 = [_record(1.0, 0.2, 0.4, 1.0, 0.5), _record(0.8, 0.3, 0.5, 1.2, 0.6)]
    fold1 = [_record(1.2, 0.4, 0.6, 1.0, 1.0), _record(NAN, NAN, NAN, NAN, NAN, NAN)]  # stopped early
    return {"diagnostics": [fold0, fold1]}


def test_epoch_series_average_folds_and_drop_stopped_members():
    summary = diagnostics.epoch_summary(diagnostics.epoch_frame(_report()))
    cka = summary[summary.name == "cka_audio_joint"].set_index("epoch")
    assert cka.loc[1, "mean"] == pytest.approx(0.3) and cka.loc[1, "folds"] == 2
    assert cka.loc[2, "mean"] == pytest.approx(0.3) and cka.loc[2, "folds"] == 1  # fold 1 stopped early
    balance = diagnostics.mi_balance(summary).set_index("epoch")
    assert balance.loc[1, "balance"] == pytest.approx(1.0 - 0.75)
    assert balance.loc[1, "balance_share"] == pytest.approx(1.0 / 1.75)
    assert balance.loc[2, "mi_ceiling"] == pytest.approx(2.0)


def test_linear_probe_has_no_epochs():
    frame = diagnostics.epoch_frame({"diagnostics": [[], []]})
    assert frame.empty and diagnostics.epoch_summary(frame).empty
    assert diagnostics.mi_balance(diagnostics.epoch_summary(frame)).empty


def test_expert_usage_means_and_top_shares():
    gates = np.array([[0.7, 0.3], [0.6, 0.4], [0.2, 0.8]])
    usage = diagnostics.expert_usage(gates)
    np.testing.assert_allclose(usage["mean gate weight"], [0.5, 0.5])
    np.testing.assert_allclose(usage["top expert share (%)"], [200 / 3, 100 / 3])
    with pytest.raises(ValueError, match="no mixture of experts"):
        diagnostics.expert_usage(np.empty((0, 0)))


def test_registry_runs_and_their_recorded_series(analysis_template):
    runs = diagnostics.list_cv_runs(analysis_template)
    assert len(runs) == 6 and {r.method for r in runs} == {"linear", "hilbert", "transfer_moe"}
    hilbert = next(r for r in runs if r.method == "hilbert")
    summary = diagnostics.epoch_summary(
        diagnostics.epoch_frame(diagnostics.load_report(analysis_template, hilbert.run_id))
    )
    assert set(diagnostics.CKA_TERMS) | set(diagnostics.MI_TERMS) <= set(summary.name)
    cka = summary[summary.name.isin(diagnostics.CKA_TERMS)]["mean"]
    assert ((cka >= 0) & (cka <= 1 + 1e-6)).all()
    assert list(diagnostics.moe_models(analysis_template)) == ["label-hilbert-tiny"]


def test_an_old_report_without_its_numbers_is_one_sentence_naming_the_run():
    old = {"labels": ["a", "b"], "classes": ["a", "b"], "auc_macro": 0.7, "auc_mean": 0.7}
    with pytest.raises(ValueError, match="run r42's report has no auc_sd"):
        diagnostics.run_summary(old, "r42")
    with pytest.raises(ValueError, match="run r42's report has no oof_proba"):
        diagnostics.report_calibration(old, 10, "r42")
    bad_label = {**old, "labels": ["a", "c"], "oof_proba": [[0.6, 0.4], [0.2, 0.8]]}
    with pytest.raises(ValueError, match="run r42: label 'c' is not one of the classes"):
        diagnostics.report_calibration(bad_label, 10, "r42")
    summary = diagnostics.run_summary({**old, "auc_sd": 0.05}, "r42")
    assert summary.auc_sd == pytest.approx(0.05) and summary.num_documents == 2


def test_a_bundle_without_its_method_is_not_offered_for_expert_usage(tmp_path):
    for name, meta in {"old": '{"config": {}}', "moe": '{"config": {"eval": {"method": "hilbert"}}}'}.items():
        (tmp_path / "models" / name).mkdir(parents=True)
        (tmp_path / "models" / name / "bundle.json").write_text(meta, encoding="utf-8")
    assert list(diagnostics.moe_models(tmp_path)) == ["moe"]


def test_a_failed_expert_usage_is_retried_only_when_asked(tmp_path, monkeypatch):
    from hilbert_core.service import embeddings

    calls = []

    def gone(*args, **kwargs):
        calls.append(1)
        raise ValueError("the model's feature folder is gone; train it again.")

    monkeypatch.setattr(embeddings, "document_outputs", gone)
    model = tmp_path / "models" / "m"
    model.mkdir(parents=True)
    (model / "bundle.json").write_text('{"config": {"eval": {"method": "hilbert"}}}', encoding="utf-8")
    assert diagnostics.task_state(tmp_path, model) is None
    state = diagnostics.start_expert_usage(tmp_path, model, retry=True)
    _wait(state)
    assert diagnostics.task_state(tmp_path, model) is state and "feature folder is gone" in state.error
    assert diagnostics.start_expert_usage(tmp_path, model) is state and len(calls) == 1  # a rerun
    _wait(diagnostics.start_expert_usage(tmp_path, model, retry=True))  # a click
    assert len(calls) == 2


def _wait(state, seconds: float = 10):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not state.done:
        time.sleep(0.01)
    assert state.done
