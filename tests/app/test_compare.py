"""The Compare page: guard on an empty workspace; table, heatmap, paired test and exports with runs."""

from __future__ import annotations

import time

from hilbert_core.service import plots
from tests.app.pages_helper import open_page

PAGE = "pages/4_Compare.py"


def test_empty_workspace_says_to_train_first(empty_analysis_workspace):
    at = open_page(PAGE)
    assert not at.exception
    assert "No finished cross-validation" in at.info[0].value


def test_finished_runs_show_table_heatmap_pairs_and_exports(analysis_workspace):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert len(at.dataframe) == 2  # the ranking of the one task, the paper table
    ranked, paper = at.dataframe[0].value, at.dataframe[1].value
    assert len(ranked) == 6 and len(paper) == 6  # 4 pairs x hilbert + linear + transfer_moe
    assert ranked["rank"].tolist() == sorted(ranked["rank"]) and ranked["rank"].iloc[0] == 1
    assert ranked["AUC (pooled OOF, %)"].is_monotonic_decreasing  # ranked by the headline AUC
    assert "|" not in " ".join(ranked["backbone"]) and ranked["settings"].str.contains("3 folds").all()
    assert "label" in paper.columns  # the paper table: fold mean per task
    assert at.selectbox(key="heat_method").value == "hilbert"  # opens on the headline method
    labels = [el.proto.label for el in at.get("download_button")]
    images = [] if plots.image_export_problem() else ["PNG", "SVG"]  # PNG/SVG need kaleido
    assert labels == ["CSV (tidy numbers)", "LaTeX table", *images]  # table, then heatmap exports
    assert at.get("plotly_chart")
    # pick two rows that share folds: linear vs hilbert of one backbone pair
    at.selectbox(key="pair_a").set_value("synth/label: egemaps + lexicon | linear")
    at.selectbox(key="pair_b").set_value("synth/label: egemaps + lexicon | hilbert").run()
    assert not at.exception
    assert [m.label for m in at.metric][:3] == ["Pooled AUC A − B (points)", "95 % CI", "DeLong p"]
    assert all(m.proto.help for m in at.metric[:4])
    assert at.metric[3].value == "n/a"  # Holm's p needs every pair of the task
    at.button(key="pair_family_go").click().run()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any("Holm p" in d.value.columns for d in at.dataframe):
        time.sleep(0.3)
        at.run()
    assert not at.exception
    family = next(d.value for d in at.dataframe if "Holm p" in d.value.columns)
    assert len(family) == 3 and at.metric[3].value != "n/a"
    assert family["Holm p"].is_monotonic_increasing  # numbers, most significant first (sortable)
    assert set(family["Holm-significant"]) <= {"✓", ""}
    assert ((family["Holm-significant"] == "✓") == (family["Holm p"] < 0.05)).all()
    # two rows scored with different folds: a plain warning, no exception
    at.selectbox(key="pair_b").set_value("synth/label: logmel + lexicon | hilbert").run()
    assert not at.exception and "not scored on the same documents" in at.warning[0].value


def test_demo_workspace(demo_workspace):
    at = open_page(PAGE, timeout=60)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe) >= 1 and at.get("plotly_chart")  # the AUC table and the heatmap
