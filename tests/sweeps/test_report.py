"""`hilbert report`: tables from hand-made registry entries whose numbers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hilbert_core.cli import main
from hilbert_core.config import ExperimentConfig
from hilbert_core.evaluation.metrics import summarize
from hilbert_core.evaluation.stats import delong_test, holm
from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.report.export import _latex_escape, to_latex, to_markdown, write_report
from hilbert_core.report.results import ReportConfig, ReportOutput
from hilbert_core.report.tables import build_report

N = 60
FOLDS = (np.arange(N) // 3) % 3
Y = np.array([i % 3 for i in range(N)])  # three classes, balanced in every fold


def _proba(signal: float, seed: int, y: np.ndarray = Y) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(len(y), 3))
    logits[np.arange(len(y)), y] += signal
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
    y=Y,
    fold_of=FOLDS,
    corpus="demo",
    modality="both",
    folds=3,
    run_seed=0,
    overrides=None,
    config=None,
    perm=None,
):
    proba = _proba(signal, seed, y)
    classes = ["bipolar", "control", "depression"]
    metrics = summarize(y, proba, [np.flatnonzero(fold_of == f) for f in np.unique(fold_of)], classes)
    order = np.arange(len(y)) if perm is None else np.asarray(perm)  # the stored document order
    docs = np.asarray(docs or [f"d{i}" for i in range(len(y))])
    report = {
        **metrics,
        "classes": classes,
        "labels": [classes[k] for k in y[order]],
        "oof_proba": proba[order].tolist(),
        "fold_of": np.asarray(fold_of)[order].tolist(),
        "document_ids": docs[order].tolist(),
    }
    cell = {
        "corpus": corpus,
        "task": task,
        "audio_encoder": audio,
        "text_encoder": text,
        "method": method,
        "modality": modality,
        "losses": losses if method == "hilbert" else None,
        "seed": run_seed,
        "folds": folds,
        "overrides": overrides or [],
    }
    stored = {**(config or {}), "cell": cell}
    run_id = registry.create("cv", stored, cell_key=f"{stored}" if keyed else None)
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
    assert row.auc_mean_ci_low <= row.auc_mean <= row.auc_mean_ci_high
    assert row.auc_pooled_ci_low <= row.auc_pooled <= row.auc_pooled_ci_high
    assert row.auc_pooled_ci_unit == "document" and row.overrides == ""
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
    assert row.delong_z_pooled_oof == pytest.approx(expected.z)
    assert row.delong_p_pooled_oof == pytest.approx(expected.p_value)
    assert row.auc_pooled_a == pytest.approx(expected.auc_a)
    np.testing.assert_allclose(data.delong_p_holm_pooled_oof, holm(data.delong_p_pooled_oof.to_numpy()))
    assert (data.holm_family_size == 3).all()
    assert row.delta_ci_low < row.delta_auc_pooled < row.delta_ci_high


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
    assert "<" not in (tmp_path / "tables" / "paired_demo.tex").read_text()  # "<0.001" -> \textless{}
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


ALL = ["contrastive", "cka", "mi"]
ROW = "logmel + lexicon"


def test_runs_differing_in_folds_or_overrides_get_their_own_rows(registry):
    _add(registry, method="linear", seed=1, keyed=False)
    _add(registry, method="linear", seed=2, folds=5, keyed=False)
    _add(registry, method="linear", seed=3, overrides=["train.lr=0.001"], keyed=False)
    out = build_report(registry, FAST)
    assert sorted(out.tables["table_demo"].index) == [
        f"{ROW} | linear | 3 folds | default config",
        f"{ROW} | linear | 3 folds | train.lr=0.001",
        f"{ROW} | linear | 5 folds | default config",
    ]
    assert sorted(out.data["table_demo"].overrides) == ["", "", "train.lr=0.001"]
    assert not any("latest run" in note for note in out.notes)  # different settings are not duplicates
    assert len(out.data["paired_demo"]) == 1  # only the two 3-fold runs share a protocol


def test_overrides_of_a_run_come_from_its_stored_config(registry):
    default = ExperimentConfig().to_dict()
    changed = ExperimentConfig().apply_overrides(["train.lr=0.001"]).to_dict()
    changed["train"]["device"] = "cuda"  # where a run ran is not a setting
    _add(registry, method="linear", seed=1, config=default)
    _add(registry, method="linear", seed=2, config=changed)
    rows = sorted(build_report(registry, FAST).tables["table_demo"].index)
    assert rows == [f"{ROW} | linear | default config", f"{ROW} | linear | train.lr=0.001"]


def test_a_degenerate_run_gets_a_note_and_nan_not_a_crash(registry):
    _add(registry, method="linear", seed=1)
    _add(registry, method="transfer", seed=2, fold_of=Y)  # every fold holds one class: no fold AUC
    out = build_report(registry, FAST)
    data = out.data["table_demo"].set_index("method")
    assert np.isnan(data.loc["transfer", "auc_mean"]) and np.isnan(data.loc["transfer", "auc_mean_ci_low"])
    assert np.isfinite(data.loc["transfer", "auc_pooled_ci_low"])
    assert np.isfinite(data.loc["linear", "auc_mean_ci_low"])
    assert out.tables["table_demo"].loc[f"{ROW} | transfer", "spectrum"] == "n/a ± n/a [n/a, n/a]"
    assert list(out.tables["table_demo"].index) == [f"{ROW} | linear", f"{ROW} | transfer"]  # NaN last
    assert any("transfer" in n and "fold-mean CI: no fold of 3 holds two classes" in n for n in out.notes)
    assert any("different fold assignments; not compared" in n for n in out.notes)


def test_a_pair_whose_delong_test_fails_is_nan_and_outside_the_holm_family(registry):
    y = np.where(Y == 2, 0, Y)
    y[5] = 2  # class 2 has one document: no DeLong variance, but a bootstrap CI
    _add(registry, method="linear", seed=1, y=y)
    _add(registry, method="transfer", seed=2, y=y)
    out = build_report(registry, FAST)
    row = out.data["paired_demo"].iloc[0]
    assert np.isnan(row.delong_p_pooled_oof) and np.isnan(row.delong_p_holm_pooled_oof)
    assert row.holm_family_size == 0
    assert np.isfinite(row.delta_ci_low) and np.isfinite(row.delta_auc_pooled)
    assert out.tables["paired_demo"].iloc[0]["DeLong p (pooled OOF)"] == "n/a"
    assert any("DeLong test: class 2 has 1 documents" in n for n in out.notes)


def test_holm_family_is_every_comparison_of_one_task(registry):
    for task in ("spectrum", "mood"):
        _add(registry, method="linear", task=task, signal=0.5, seed=1)
        _add(registry, method="transfer", task=task, signal=0.6, seed=2)
        _add(registry, method="hilbert", task=task, losses=ALL, signal=2.0, seed=3)
    data = build_report(registry, FAST).data["paired_demo"]
    assert len(data) == 6
    for _, part in data.groupby("task"):
        expected = holm(part.delong_p_pooled_oof.to_numpy())
        np.testing.assert_allclose(part.delong_p_holm_pooled_oof, expected)
        assert (part.holm_family_size == 3).all()


def test_pairs_need_the_same_fold_assignment_in_any_document_order(registry):
    _add(registry, method="linear", seed=1)
    _add(registry, method="transfer", seed=1, perm=np.arange(N)[::-1])  # same run, stored reversed
    _add(registry, method="other", seed=1, fold_of=(FOLDS + 1) % 3)  # the same folds, renamed
    _add(registry, method="hilbert", losses=ALL, seed=3, fold_of=np.arange(N) % 3)  # other folds
    out = build_report(registry, FAST)
    data = out.data["paired_demo"].set_index(["row_a", "row_b"])
    assert len(data) == 3
    same = data.loc[(f"{ROW} | linear", f"{ROW} | transfer")]
    assert (same.delta_auc_pooled, same.delong_p_pooled_oof) == (0.0, 1.0)
    assert (f"{ROW} | linear", f"{ROW} | other") in data.index
    skipped = [n for n in out.notes if "different fold assignments; not compared" in n]
    assert len(skipped) == 3 and all("hilbert" in n for n in skipped)


def test_ablation_keeps_modalities_overrides_and_seeds_apart(registry):
    groups = {
        ("both", (), 0): 1.0,
        ("audio", (), 0): 2.0,
        ("both", ("train.lr=0.001",), 0): 3.0,
        ("both", (), 1): 0.5,
    }
    runs = {}
    for i, ((modality, overrides, run_seed), signal) in enumerate(groups.items()):
        for j, losses in enumerate([ALL, ["cka"]]):
            kw = {"modality": modality, "overrides": list(overrides), "run_seed": run_seed}
            runs[(modality, overrides, run_seed, len(losses))] = _add(
                registry, losses=losses, signal=signal + j, seed=10 * i + j, **kw
            )[0]
    out = build_report(registry, FAST)
    data = out.data["ablation_demo"]
    assert len(data) == 8 and sorted(set(data.loss)) == ["contrastive", "mi"]  # cka is in both combos
    for row in data.itertuples():
        overrides = tuple(row.overrides.split("; ")) if row.overrides else ()
        assert row.run_with == runs[(row.modality, overrides, row.seed, 3)]
        assert row.run_without == runs[(row.modality, overrides, row.seed, 1)]
    index = list(out.tables["ablation_demo"].index)
    assert len(index) == len(set(index)) == 8
    assert f"{ROW} (audio only) | seed 0 | default config | mi" in index
    assert f"{ROW} | seed 0 | train.lr=0.001 | contrastive" in index


def test_an_unreadable_run_is_left_out_with_a_note(registry):
    _add(registry, method="linear", seed=1)
    broken = registry.create("cv", {"cell": {"corpus": "demo", "task": "spectrum", "method": "x"}})
    registry.finish(broken, {"classes": ["a", "b"], "labels": ["a", "b"]})
    out = build_report(registry, FAST)
    assert len(out.data["table_demo"]) == 1
    assert any(f"run {broken}: its report is unreadable (KeyError" in n for n in out.notes)


def test_latex_escapes_every_special_character():
    assert _latex_escape("a\\b{c}~^<>_%&#$") == (
        r"a\textbackslash{}b\{c\}\textasciitilde{}\textasciicircum{}\textless{}\textgreater{}\_\%\&\#\$"
    )
    assert _latex_escape("<0.001 ± 1 − 2") == r"\textless{}0.001 $\pm$ 1 -- 2"


def test_file_names_keep_only_safe_characters(tmp_path):
    table = pd.DataFrame({"t": ["x"]}, index=pd.Index(["r"], name="row"))
    out = ReportOutput(
        tables={"table_a/b ü": table, "table_a:b ü": table},
        data={"table_a/b ü": table, "table_a:b ü": table},
    )
    files = write_report(out, tmp_path, ("csv", "md"))
    assert [p.name for p in files] == [
        "table_a_b__.csv",
        "table_a_b__.md",
        "table_a_b__-2.csv",
        "table_a_b__-2.md",
    ]
    assert all(p.parent == tmp_path for p in files)
    assert "corpus a/b ü" in files[1].read_text()
