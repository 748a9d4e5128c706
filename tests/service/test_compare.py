"""Compare service: the heatmap matrix, paired tests in either order, exports."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from hilbert_core.experiments.registry import RunRegistry
from hilbert_core.report.tables import build_report
from hilbert_core.service import compare
from hilbert_core.workspace import registry_path


@pytest.fixture(scope="module")
def output(analysis_template):
    return compare.build_comparison(analysis_template, compare.CompareConfig(num_resamples=200))


def test_heatmap_puts_text_encoders_on_rows_and_audio_encoders_on_columns(output):
    matrix = compare.heatmap_matrix(output.runs, "synth", "label", "hilbert")
    assert list(matrix.index) == ["lexicon", "minilm-l6"] and list(matrix.columns) == ["egemaps", "logmel"]
    runs = output.runs.set_index(["text_encoder", "audio_encoder"])
    hilbert = runs[runs.method == "hilbert"]
    for (text, audio), auc in hilbert["auc_mean"].items():
        assert matrix.loc[text, audio] == pytest.approx(100 * auc)


def test_heatmap_leaves_missing_pairs_blank_and_rejects_unknown_methods(output):
    matrix = compare.heatmap_matrix(output.runs, "synth", "label", "linear")
    assert matrix.shape == (1, 1) and np.isfinite(matrix.to_numpy()).all()
    frame = pd.DataFrame(
        {"corpus": ["c"] * 2, "task": ["t"] * 2, "method": ["m"] * 2, "audio_encoder": ["a1", "a2"],
         "text_encoder": ["t1", "t2"], "auc_mean": [0.6, 0.7]}
    )  # fmt: skip
    sparse = compare.heatmap_matrix(frame, "c", "t", "m")
    assert sparse.loc["t1", "a1"] == pytest.approx(60) and np.isnan(sparse.loc["t1", "a2"])
    with pytest.raises(ValueError, match="no finished run of method 'best'"):
        compare.heatmap_matrix(output.runs, "synth", "label", "best")


def test_paired_test_is_antisymmetric(output):
    runs = output.runs.set_index("label")["run_id"]
    a = runs["synth/label: egemaps + lexicon | linear"]
    b = runs["synth/label: egemaps + lexicon | hilbert"]
    ab, ba = compare.paired_comparison(output, a, b), compare.paired_comparison(output, b, a)
    assert ab.delta == pytest.approx(ab.auc_a - ab.auc_b) and ba.delta == pytest.approx(-ab.delta)
    assert (ba.ci_low, ba.ci_high) == pytest.approx((-ab.ci_high, -ab.ci_low))
    assert ab.p == pytest.approx(ba.p) and 0 <= ab.p <= 1 and np.isnan(ab.p_holm)  # no family yet
    with pytest.raises(ValueError, match="same run"):
        compare.paired_comparison(output, a, a)
    other = runs["synth/label: logmel + minilm-l6 | hilbert"]  # other folds (another seed)
    with pytest.raises(ValueError, match="not scored on the same documents"):
        compare.paired_comparison(output, a, other)


def test_family_matches_hilbert_report(output, analysis_template):
    family = compare.paired_family(output, "synth", "label")
    full = build_report(
        RunRegistry(registry_path(analysis_template)), compare.CompareConfig(200).report_config()
    )
    expected = full.data["paired_synth"]
    assert len(family) == len(expected) == 3  # linear, hilbert, transfer_moe of one pair share folds
    mine = family.set_index(["run_a", "run_b"])
    for _, row in expected.iterrows():
        key = (row.run_a, row.run_b) if (row.run_a, row.run_b) in mine.index else (row.run_b, row.run_a)
        sign = 1 if key == (row.run_a, row.run_b) else -1
        got = mine.loc[key]
        assert got.delta_auc_pooled == pytest.approx(sign * row.delta_auc_pooled)
        assert got.delong_p_pooled_oof == pytest.approx(row.delong_p_pooled_oof)
        assert got.delong_p_holm_pooled_oof == pytest.approx(row.delong_p_holm_pooled_oof)
    a, b = family.iloc[0].run_a, family.iloc[0].run_b
    pair = compare.paired_comparison(output, a, b, family)
    assert pair.p_holm == pytest.approx(family.iloc[0].delong_p_holm_pooled_oof)
    assert pair.family_size == len(family)
    shown = compare.family_table(family)  # formatted as the report formats its paired table
    assert list(shown.columns) == list(full.tables["paired_synth"].columns)[1:]  # less its seed
    assert shown.columns[:2].tolist() == ["A", "B"] and len(shown) == 3
    assert all(cell.count("[") == 1 and cell[0] in "+-" for cell in shown["pooled AUC A − B (%)"])


def test_exports(output):
    (name,) = output.main_tables
    csv = pd.read_csv(io.StringIO(compare.table_csv(output, name)))
    assert set(csv.run_id) == set(output.runs.run_id)
    tex = compare.table_latex(output, name)
    assert tex.startswith("\\begin{table}") and "\\toprule" in tex and "egemaps + lexicon" in tex
    assert compare.export_name("table_my corpus", "csv") == "table_my_corpus.csv"


def test_empty_workspace_has_no_rows(tmp_path):
    out = compare.build_comparison(tmp_path)
    assert out.runs.empty and out.main_tables == []
    assert compare.registry_stamp(tmp_path) == "empty"
