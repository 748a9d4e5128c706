"""Plotly figures of the analysis pages (plain objects: the pages only display them) and their export."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

logger = logging.getLogger(__name__)
IMAGE_FORMATS = ("png", "svg")
MIME = {"png": "image/png", "svg": "image/svg+xml"}
_LAYOUT = {"template": "plotly_white", "margin": {"l": 50, "r": 20, "t": 50, "b": 40}}


def epoch_lines(summary: pd.DataFrame, names: list[str], title: str, y_title: str) -> go.Figure:
    """Mean over folds per epoch (with a ± sd band) of each quantity in ``names``.

    Args:
        summary: columns ``epoch``, ``name``, ``mean``, ``sd`` (see ``diagnostics.epoch_summary``).
    """
    fig = go.Figure()
    colours = px.colors.qualitative.Plotly
    for i, name in enumerate(n for n in names if n in set(summary["name"])):
        part = summary[summary["name"] == name].sort_values("epoch")
        colour = colours[i % len(colours)]
        sd = part["sd"].fillna(0.0)
        fig.add_trace(_sd_band(part["epoch"], part["mean"], sd, colour))
        label = TERM_NAMES.get(name, name)
        fig.add_trace(go.Scatter(x=part["epoch"], y=part["mean"], name=label, line={"color": colour}))
    fig.update_layout(title=title, xaxis_title="epoch", yaxis_title=y_title, **_LAYOUT)
    return fig


TERM_NAMES = {
    "ce_loss": "cross-entropy (training)",
    "val_loss": "validation loss",
    "contrastive_loss": "contrastive",
    "cka_loss": "CKA loss",
    "mi_loss": "MI-balancing loss",
    "moe_aux_loss": "experts' load balancing",
    "cka_audio_joint": "CKA(audio, joint)",
    "cka_text_joint": "CKA(text, joint)",
    "mi_audio": "MI(audio; joint)",
    "mi_text": "MI(text; joint)",
    "mi_ceiling": "MI ceiling log(batch)",
    "balance": "MI balance audio − text",
}


def loss_panels(summary: pd.DataFrame, names: list[str], title: str) -> go.Figure:
    """One small panel per loss term (each on its own y scale, so a large term never flattens the others):
    the mean over folds per epoch with a ± sd band."""
    from plotly.subplots import make_subplots

    from .palette import sequence

    names = [n for n in names if n in set(summary["name"])]
    cols = min(3, max(len(names), 1))
    rows = max(1, -(-len(names) // cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[TERM_NAMES.get(n, n) for n in names])
    for i, (name, colour) in enumerate(zip(names, sequence(len(names)), strict=True)):
        part = summary[summary["name"] == name].sort_values("epoch")
        sd, where = part["sd"].fillna(0.0), {"row": i // cols + 1, "col": i % cols + 1}
        fig.add_trace(_sd_band(part["epoch"], part["mean"], sd, colour), **where)
        line = go.Scatter(
            x=part["epoch"], y=part["mean"], name=TERM_NAMES.get(name, name), line={"color": colour}
        )
        fig.add_trace(line, **where)
    fig.update_layout(title=title, height=60 + 230 * rows, showlegend=False, **_LAYOUT)
    fig.update_xaxes(title_text="epoch")
    return fig


def heatmap(
    matrix: pd.DataFrame, title: str, value_title: str = "AUC (%)", cells: pd.DataFrame | None = None
) -> go.Figure:
    """Rows x columns of a matrix (NaN cells left blank), each cell labelled with its value, or with the
    text of ``cells`` (e.g. the value and its interval) when given."""
    values = matrix.to_numpy(dtype=float)
    text = [[("" if not np.isfinite(v) else f"{v:.1f}") for v in row] for row in values]
    if cells is not None:
        text = cells.to_numpy(dtype=object).tolist()
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=[str(c) for c in matrix.columns],
            y=[str(i) for i in matrix.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            colorbar={"title": value_title},
            hovertemplate="%{y} x %{x}: %{z:.1f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=matrix.columns.name or "",
        yaxis_title=matrix.index.name or "",
        **_LAYOUT,
    )
    return fig


def reliability(bins: pd.DataFrame, ece: float) -> go.Figure:
    """Reliability curve: accuracy against mean confidence per bin (marker size = documents)."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect", line={"dash": "dash", "color": "grey"})
    )
    filled = bins[bins["count"] > 0]
    fig.add_trace(
        go.Scatter(
            x=filled["confidence"],
            y=filled["accuracy"],
            mode="lines+markers",
            name="model",
            marker={"size": 6 + 14 * filled["count"] / max(int(filled["count"].max() or 1), 1)},
            customdata=filled["count"],
            hovertemplate="confidence %{x:.2f}, accuracy %{y:.2f}, %{customdata} documents<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Reliability of the top-class probability (ECE {ece:.3f})",
        xaxis_title="mean predicted probability of the chosen class",
        yaxis_title="fraction correct",
        xaxis_range=[0, 1],
        yaxis_range=[0, 1],
        **_LAYOUT,
    )
    return fig


def bars(frame: pd.DataFrame, x: str, y: str, title: str, y_title: str) -> go.Figure:
    fig = px.bar(frame, x=x, y=y, title=title)
    fig.update_layout(yaxis_title=y_title, **_LAYOUT)
    return fig


def scatter_embedding(frame: pd.DataFrame, colour: str, title: str) -> go.Figure:
    """2-D projection of documents; hover shows the document id and its label and prediction. Coloured by
    label or prediction, a class has the same colour in both (the task's fixed palette)."""
    from .palette import class_colours, sequence

    values = frame[colour].astype(str)
    if colour in ("label", "prediction"):
        colours = class_colours(pd.concat([frame["label"], frame["prediction"]]).astype(str))
    else:
        colours = dict(zip(sorted(values.unique()), sequence(values.nunique()), strict=True))
    fig = px.scatter(
        frame.assign(**{colour: values}),
        x="x",
        y="y",
        color=colour,
        color_discrete_map=colours,
        category_orders={colour: sorted(values.unique())},
        hover_name="document_id",
        hover_data={"label": True, "prediction": True, "fold": True, "subject": True, "x": False, "y": False},
        title=title,
    )
    fig.update_traces(marker={"size": 9, "line": {"width": 0.5, "color": "white"}})
    fig.update_layout(xaxis_title="", yaxis_title="", **_LAYOUT)
    return fig


def image_export_problem() -> str | None:
    """None when PNG/SVG export works here, else a sentence saying what to install."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return (
            "PNG/SVG export needs the kaleido package (`pip install kaleido`; it uses the installed "
            "Chromium); "
            "meanwhile the camera icon above each chart saves a PNG."
        )
    return None


def figure_bytes(fig: go.Figure, fmt: str) -> bytes:
    """``fig`` as a PNG or SVG file (through plotly's kaleido and the local Chromium; no network).

    Raises:
        ValueError: unknown format, or kaleido/Chromium missing (the message says what to install).
    """
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format {fmt!r} is unknown; choose one of {', '.join(IMAGE_FORMATS)}.")
    problem = image_export_problem()
    if problem:
        raise ValueError(problem)
    try:
        return fig.to_image(format=fmt, scale=2 if fmt == "png" else 1)
    except Exception as exc:  # noqa: BLE001  (kaleido raises several types when Chromium is missing)
        logger.warning("image export failed: %s", exc)
        raise ValueError(
            f"image export failed ({type(exc).__name__}); install Chromium (e.g. `apt-get install "
            "chromium`) or use the camera icon above the chart for a PNG."
        ) from None


def _sd_band(epoch, mean, sd, colour: str) -> go.Scatter:
    """A filled band mean ± sd over the epochs (no legend, no hover)."""
    return go.Scatter(
        x=np.concatenate([epoch, epoch[::-1]]),
        y=np.concatenate([mean + sd, (mean - sd)[::-1]]),
        fill="toself",
        line={"width": 0},
        fillcolor=colour,
        opacity=0.15,
        hoverinfo="skip",
        showlegend=False,
    )
