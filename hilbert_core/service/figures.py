"""Plotly figures of the Data and Interview pages (plain objects; the pages only display them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

_LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 50, "b": 40}}
MODALITIES = ("audio", "text", "joint")


def label_bars(counts: pd.DataFrame, task: str, imbalance: float) -> go.Figure:
    """Documents per class of one task, largest first, one fixed colour per class; the title gives the
    imbalance ratio."""
    from .palette import class_colours

    colours = class_colours(counts["label"])
    fig = go.Figure(
        go.Bar(
            x=counts["label"],
            y=counts["documents"],
            text=counts["documents"],
            marker={"color": [colours[str(c)] for c in counts["label"]]},
        )
    )
    title = f"{task}: documents per class (largest / smallest = {imbalance:.1f})"
    fig.update_layout(title=title, yaxis_title="documents", height=300, **_LAYOUT)
    return fig


def class_probabilities(
    table: pd.DataFrame,
    title: str,
    base_rates: dict[str, float] | None = None,
    in_set: list[str] | None = None,
) -> go.Figure:
    """Horizontal bars of class probabilities (most likely on top), one fixed colour per class; the ensemble
    spread as error bars (column ``sd``), each class's base rate as a black tick, and the classes of the
    prediction set marked in the axis labels."""
    from .palette import class_colours

    colours = class_colours(table["class"])
    marked = set(in_set or [])
    labels = [f"{c} ●" if c in marked else str(c) for c in table["class"]]
    error = {"type": "data", "array": table["sd"], "visible": True} if "sd" in table else None
    fig = go.Figure(
        go.Bar(
            x=table["probability"],
            y=labels,
            orientation="h",
            name="probability",
            error_x=error,
            marker={"color": [colours[str(c)] for c in table["class"]]},
            text=[f"{p:.0%}" for p in table["probability"]],
            textposition="auto",
        )
    )
    if base_rates:
        fig.add_trace(
            go.Scatter(
                x=[base_rates.get(str(c), np.nan) for c in table["class"]],
                y=labels,
                mode="markers",
                name="base rate",
                marker={"symbol": "line-ns-open", "size": 22, "color": "black", "line": {"width": 2}},
                hovertemplate="base rate %{x:.0%}<extra></extra>",
            )
        )
    fig.update_layout(
        title=title,
        xaxis={"range": [0, 1], "title": "probability (tick: base rate; ● in the prediction set)"},
        yaxis={"autorange": "reversed"},
        height=130 + 40 * len(table),
        showlegend=False,
        **_LAYOUT,
    )
    return fig


def attention_timeline(segments: pd.DataFrame, selected: int | None = None) -> go.Figure:
    """One row per modality (audio, text, joint); each segment a bar over its time span, coloured by its
    attention weight relative to uniform (1 = the segment gets 1/S of the attention)."""
    s = max(len(segments), 1)
    rows = [m for m in MODALITIES if f"attn_{m}" in segments]
    fig = go.Figure()
    hover = [t[:120] for t in segments["text"].astype(str)]
    top = max((float(segments[f"attn_{m}"].max()) * s for m in rows), default=1.0)
    for m in rows:
        rel = segments[f"attn_{m}"].to_numpy(dtype=float) * s
        fig.add_trace(
            go.Bar(
                base=segments["start_s"],
                x=segments["end_s"] - segments["start_s"],
                y=[m] * len(segments),
                orientation="h",
                name=m,
                showlegend=False,
                marker={"color": rel, "coloraxis": "coloraxis", "line": {"width": 0.5, "color": "white"}},
                customdata=np.stack([segments["#"], rel], axis=1),
                hovertext=hover,
                hovertemplate="segment %{customdata[0]} · %{base:.1f} s<br>attention ×%{customdata[1]:.2f} "
                "of uniform<br>%{hovertext}<extra>" + m + "</extra>",
            )
        )
    if selected is not None and 0 <= selected < len(segments):
        row = segments.iloc[selected]
        fig.add_vrect(x0=row["start_s"], x1=row["end_s"], line_width=2, line_color="crimson", opacity=0.25)
    fig.update_layout(
        title="Attention over the interview (colour: weight relative to uniform)",
        barmode="overlay",
        coloraxis={
            "colorscale": "Viridis",
            "cmin": 0,
            "cmax": max(top, 1.0),
            "colorbar": {"title": "× uniform", "thickness": 12},
        },
        xaxis_title="time (s)",
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(rows))},
        height=120 + 60 * len(rows),
        **_LAYOUT,
    )
    return fig


def gate_weights(gate: np.ndarray) -> go.Figure:
    """The Mixture-of-Experts gate: weight of each expert for this interview."""
    names = [f"expert {i}" for i in range(len(gate))]
    fig = go.Figure(go.Bar(x=names, y=gate, text=[f"{g:.2f}" for g in gate], textposition="auto"))
    fig.update_layout(
        title="MoE gate weights",
        yaxis={"range": [0, 1], "title": "weight"},
        height=280,
        width=120 + 90 * len(gate),
        **_LAYOUT,
    )
    return fig
