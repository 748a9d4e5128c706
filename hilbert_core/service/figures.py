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
