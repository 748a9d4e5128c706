"""The Interview page's timeline: every segment a bar over its time span, the top row coloured by its
faithful evidence for the predicted class (diverging: red pushed toward it, blue pushed away), the rows
below by each modality's attention weight relative to uniform."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .figures import MODALITIES

EVIDENCE_ROW = "evidence"
_LAYOUT = {"template": "plotly_white", "margin": {"l": 70, "r": 20, "t": 50, "b": 40}}


def _bars(segments: pd.DataFrame, row: str, values: np.ndarray, axis: str, template: str) -> go.Bar:
    return go.Bar(
        base=segments["start_s"],
        x=segments["end_s"] - segments["start_s"],
        y=[row] * len(segments),
        orientation="h",
        name=row,
        showlegend=False,
        marker={"color": values, "coloraxis": axis, "line": {"width": 0.5, "color": "white"}},
        customdata=np.stack([segments["#"], values], axis=1),
        hovertext=[t[:120] for t in segments["text"].astype(str)],
        hovertemplate="segment %{customdata[0]} · %{base:.1f} s<br>" + template + "<br>%{hovertext}"
        f"<extra>{row}</extra>",
    )


def evidence_timeline(segments: pd.DataFrame, cls: str, selected: int | None = None) -> go.Figure:
    """The timeline of ``segments`` (columns #, start_s, end_s, text, ``evidence`` and any
    ``attn_<modality>``); ``cls`` names the predicted class; ``selected`` is outlined.

    Clicking a bar selects its point: ``customdata[0]`` is the segment number.
    """
    s = max(len(segments), 1)
    fig = go.Figure()
    rows = []
    if EVIDENCE_ROW in segments:
        values = segments[EVIDENCE_ROW].to_numpy(dtype=float)
        top = max(float(np.abs(values).max()) if len(values) else 0.0, 1e-6)
        fig.add_trace(
            _bars(segments, EVIDENCE_ROW, values, "coloraxis", f"Δ p({cls}) %{{customdata[1]:+.3f}}")
        )
        fig.update_layout(
            coloraxis={"colorscale": "RdBu", "reversescale": True, "cmin": -top, "cmax": top,
                       "colorbar": {"title": f"Δ p({cls})", "thickness": 12, "x": 1.02, "y": 1.0,
                                    "yanchor": "top", "len": 0.48}}
        )  # fmt: skip
        rows.append(EVIDENCE_ROW)
    attn = [m for m in MODALITIES if f"attn_{m}" in segments]  # joint last: at chance on the demo (§9.6)
    high = max((float(segments[f"attn_{m}"].max()) * s for m in attn), default=1.0)
    for m in attn:
        rel = segments[f"attn_{m}"].to_numpy(dtype=float) * s
        fig.add_trace(
            _bars(segments, f"attention {m}", rel, "coloraxis2", "attention ×%{customdata[1]:.2f} of uniform")
        )
        rows.append(f"attention {m}")
    if attn:
        fig.update_layout(
            coloraxis2={"colorscale": "Viridis", "cmin": 0, "cmax": max(high, 1.0),
                        "colorbar": {"title": "attention × uniform", "thickness": 12, "x": 1.02, "y": 0.0,
                                     "yanchor": "bottom", "len": 0.48}}
        )  # fmt: skip
    if selected is not None and 0 <= selected < len(segments):
        row = segments.iloc[selected]
        fig.add_vrect(x0=row["start_s"], x1=row["end_s"], line_width=2, line_color="black", opacity=0.2)
    fig.update_layout(
        title=f"Evidence and attention over the interview (red: pushed toward {cls}; click a segment)",
        barmode="overlay",
        xaxis_title="time (s)",
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(rows))},
        height=130 + 55 * len(rows),
        clickmode="event+select",
        **_LAYOUT,
    )
    return fig
