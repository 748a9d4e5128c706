"""`hilbert report`: tables from hand-made registry entries whose numbers are known."""

from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.cli import main
from hilbert_core.metrics import summarize
from hilbert_core.report import ReportConfig, build_report
from hilbert_core.report_export import to_latex, to_markdown, write_report
from hilbert_core.runs import RunRegistry
from hilbert_core.stats import delong_test, holm

N = 60
FOLDS = (np.arange(N) // 3) % 3
Y = np.array([i % 3 for i in range(N)])  # three classes, balanced in every fold


def _proba(signal: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(N, 3))
    logits[np.arange(N), Y] += signal
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def _add(
    registry,
    *,
    method="hilbert",
    audio="logmel",
    text="lexicon",
    task="spectrum",
    losses=None,
    signal=1.0,
    seed=0,
    docs=None,
    keyed=True,
):
    proba = _proba(signal, seed)
    classes = ["bipolar", "control", "depression"]
    metrics = summarize(Y, proba, [np.flatnonzero(FOLDS == f) for f in range(3)], classes)
    report = {
        **metrics,
        "classes": classes,
        "labels": [classes[k] for k in Y],
        "oof_proba": proba.tolist(),
        "fold_of": FOLDS.tolist(),
        "document_ids": docs or [f"d{i}" for i in range(N)],
    }
    cell = {
        "corpus": "demo",
        "task": task,
        "audio_encoder": audio,
        "text_encoder": text,
        "method": method,
        "modality": "both",
        "losses": losses if method == "hilbert" else None,
        "seed": 0,
        "folds": 3,
    }
    run_id = registry.create("cv", {"cell": cell}, cell_key=f"{cell}" if keyed else None)
    registry.finish(run_id, report)
    return run_id, proba, metrics


@pytest.fixture
def registry(tmp_path):
    return RunRegistry(tmp_path / "registry.sqlite")


FAST = ReportConfig(num_resamples=200)


def test_main_table_holds_fold_means_and_sorts_rows(registry):
    _, _, weak = _add(registry, method="linear", signal=0.3, seed=1)
    _, _, strong = _add(registry, method="hilbert", losses=["contrastive", "cka", "mi"], signal=2.0, seed=2)
    out = build_report(registry, FAST)
    table, data = out.tables["table_demo"], out.data["table_demo"]
    assert list(table.index) == ["logmel + lexicon | hilbert", "logmel + lexicon | linear"]
    row = data.set_index("method").loc["linear"]
    assert row.auc_mean == pytest.approx(weak["auc_mean"]) and row.auc_sd == pytest.approx(weak["auc_sd"])
    assert row.auc_pooled == pytest.approx(weak["auc_macro"])
    assert row.ci_low <= row.auc_mean <= row.ci_high
    cell = table.loc["logmel + lexicon | hilbert", "spectrum"]
    assert cell.startswith(f"{100 * strong['auc_mean']:.1f} ± {100 * strong['auc_sd']:.1f} [")


def test_paired_tests_match_delong_and_holm(registry):
    _add(registry, method="linear", signal=0.5, seed=1)
    _add(registry, method="transfer", signal=0.6, seed=2)
    _add(registry, method="hilbert", losses=["contrastive", "cka", "mi"], signal=2.0, seed=3)
    data = build_report(registry, FAST).data["paired_demo"]
    assert len(data) == 3
    row = data[
        (data.row_a == "logmel + lexicon | hilbert") & (data.row_b == "logmel + lexicon | linear")
    ].iloc[0]
    expected = delong_test(Y, _proba(2.0, 3), _proba(0.5, 1))
    assert row.z == pytest.approx(expected.z) and row.p == pytest.approx(expected.p_value)
    np.testing.assert_allclose(data.p_holm.to_numpy(), holm(data.p.to_numpy()))
    assert row.ci_low < row.delta < row.ci_high


def test_runs_on_different_documents_are_not_compared(registry):
    _add(registry, method="linear")
    _add(registry, method="transfer", docs=[f"x{i}" for i in range(N)])
    out = build_report(registry, FAST)
    assert "paired_demo" not in out.tables
    assert any("different documents" in note for note in out.notes)


def test_ablation_table_takes_the_best_with_and_without_each_loss(registry):
    signals = {("contrastive", "cka", "mi"): 1.5, ("contrastive",): 1.0, ("cka",): 0.5, ("cka", "mi"): 0.8}
    aucs = {}
    for i, (losses, signal) in enumerate(signals.items()):
        aucs[losses] = _add(registry, losses=list(losses), signal=signal, seed=10 + i)[2]["auc_mean"]
    data = build_report(registry, FAST).data["ablation_demo"].set_index("loss")
    for loss in ("contrastive", "cka", "mi"):
        with_ = max(a for ls, a in aucs.items() if loss in ls)
        without = max(a for ls, a in aucs.items() if loss not in ls)
        assert data.loc[loss, "best_with"] == pytest.approx(with_)
        assert data.loc[loss, "best_without"] == pytest.approx(without)


def test_a_repeated_cell_uses_the_latest_run_and_says_so(registry):
    # (single `hilbert cv` runs have no cell key, so the same cell can be done twice)
    _add(registry, method="linear", signal=0.2, seed=1, keyed=False)
    latest, _, metrics = _add(registry, method="linear", signal=1.0, seed=2, keyed=False)
    out = build_report(registry, FAST)
    assert out.data["table_demo"].run_id.tolist() == [latest]
    assert any("latest run" in note for note in out.notes)


def test_exports_and_the_cli(registry, tmp_path, capsys):
    _add(registry, method="linear", text="my_encoder", signal=0.5, seed=1)
    _add(registry, method="hilbert", losses=["cka"], text="my_encoder", signal=1.5, seed=2)
    out = build_report(registry, FAST)
    files = write_report(out, tmp_path / "tables")
    assert sorted(p.name for p in files) == [
        f"{k}_demo.{e}" for k in ("paired", "table") for e in ("csv", "md", "tex")
    ]
    tex = (tmp_path / "tables" / "table_demo.tex").read_text()
    assert (
        r"my\_encoder" in tex and r"$\pm$" in tex and r"\toprule" in tex and "%" not in tex.replace(r"\%", "")
    )
    md = to_markdown(out.tables["table_demo"])
    assert md.splitlines()[0].count(" | ") == len(out.tables["table_demo"].columns)  # pipes in names escaped
    assert (
        main(["report", "--workspace", str(tmp_path), "--resamples", "200", "--out", str(tmp_path / "o")])
        == 0
    )
    assert "## table_demo" in capsys.readouterr().out
    assert to_latex(out.tables["table_demo"], "c").count(r"\\") == len(out.tables["table_demo"]) + 1


def test_report_errors(tmp_path, capsys):
    assert main(["report", "--workspace", str(tmp_path / "empty")]) == 2
    assert "has no registry.sqlite yet" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unit='patient'"):
        ReportConfig(unit="patient")
