"""Figures of the analysis pages and their PNG/SVG export."""

from __future__ import annotations

import pandas as pd
import pytest

from hilbert_core.service import plots


def test_heatmap_labels_every_finite_cell():
    matrix = pd.DataFrame([[60.0, float("nan")], [70.0, 80.0]], index=["t1", "t2"], columns=["a1", "a2"])
    fig = plots.heatmap(matrix, "AUC")
    assert fig.data[0].text[0] == ["60.0", ""] and list(fig.data[0].x) == ["a1", "a2"]


def test_svg_and_png_export():
    if plots.image_export_problem():
        pytest.skip("kaleido is not installed")
    fig = plots.bars(pd.DataFrame({"e": ["x", "y"], "v": [1, 2]}), "e", "v", "t", "v")
    assert plots.figure_bytes(fig, "svg").lstrip().startswith(b"<svg")
    assert plots.figure_bytes(fig, "png").startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="image format 'gif'"):
        plots.figure_bytes(fig, "gif")
