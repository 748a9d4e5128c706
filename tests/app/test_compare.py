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
    assert len(at.dataframe) == 1
    table = at.dataframe[0].value
    assert len(table) == 6 and "label" in table.columns  # 4 pairs x hilbert + linear + transfer_moe
    assert at.selectbox(key="heat_method").options  # heatmap controls
    labels = [el.proto.label for el in at.get("download_button")]
    images = [] if plots.image_export_problem() else ["PNG", "SVG"]  # PNG/SVG need kaleido
    assert labels == ["CSV (tidy numbers)", "LaTeX table", *images]  # table, then heatmap exports
    assert at.get("plotly_chart")
    # pick two rows that share folds: linear vs hilbert of one backbone pair
    at.selectbox(key="pair_a").set_value("synth/label: egemaps + lexicon | linear")
    at.selectbox(key="pair_b").set_value("synth/label: egemaps + lexicon | hilbert").run()
    assert not at.exception
    assert [m.label for m in at.metric][:3] == ["AUC A − B (points)", "95 % CI", "DeLong p"]
    assert at.metric[3].value == "n/a"  # Holm's p needs every pair of the task
    at.button(key="pair_family_go").click().run()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        "DeLong z (pooled OOF)" in d.value.columns for d in at.dataframe
    ):
        time.sleep(0.3)
        at.run()
    assert not at.exception
    family = next(d.value for d in at.dataframe if "DeLong z (pooled OOF)" in d.value.columns)
    assert len(family) == 3 and at.metric[3].value != "n/a"
    # two rows scored with different folds: a plain warning, no exception
    at.selectbox(key="pair_b").set_value("synth/label: logmel + lexicon | hilbert").run()
    assert not at.exception and "not scored on the same documents" in at.warning[0].value


def test_demo_workspace(demo_workspace):
    at = open_page(PAGE, timeout=60)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe) >= 1 and at.get("plotly_chart")  # the AUC table and the heatmap
