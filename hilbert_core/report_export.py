"""Write report tables as CSV (tidy numbers), Markdown and LaTeX (formatted), atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .io import atomic_write_text

FORMATS = ("csv", "md", "tex")
_LATEX_SPECIAL = {
    "&": r"\&",
    "%": r"\%",
    "_": r"\_",
    "#": r"\#",
    "$": r"\$",
    "±": r"$\pm$",
    "−": "--",
    "|": r"\textbar{}",
}


def to_markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (index as the first column)."""
    header = [str(table.index.name or ""), *map(str, table.columns)]
    lines = [_md_row(header), "|" + "|".join(" --- " for _ in header) + "|"]
    lines += [_md_row([str(idx), *(str(v) for v in row.to_numpy())]) for idx, row in table.iterrows()]
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(table: pd.DataFrame, caption: str) -> str:
    """A ``booktabs`` tabular in a table float."""
    cols = "l" * (len(table.columns) + 1)
    header = [str(table.index.name or ""), *map(str, table.columns)]
    body = [
        " & ".join(_latex_escape(str(c)) for c in (idx, *row.to_numpy())) + r" \\"
        for idx, row in table.iterrows()
    ]
    return "\n".join(
        [
            r"\begin{table}[t]",
            r"\centering",
            rf"\caption{{{_latex_escape(caption)}}}",
            rf"\begin{{tabular}}{{{cols}}}",
            r"\toprule",
            " & ".join(_latex_escape(h) for h in header) + r" \\",
            r"\midrule",
            *body,
            r"\bottomrule",
            r"\end{tabular}",
            r"\end{table}",
            "",
        ]
    )


CAPTIONS = {
    "table": "AUC (%) mean ± sd over outer folds [95 % CI of the mean, by bootstrap within folds]",
    "ablation": "Best AUC (%) over hilbert loss combinations with / without each auxiliary loss (gain)",
    "paired": "Paired comparisons: AUC difference [95 % paired-bootstrap CI], DeLong test, Holm-adjusted p",
}


def write_report(output, out_dir: str | Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write every table of a :class:`~hilbert_core.report.ReportOutput`; returns the files written."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"--format {','.join(unknown)} is unknown; choose from {', '.join(FORMATS)}.")
    out_dir = Path(out_dir)
    written = []
    for name, table in output.tables.items():
        kind, _, corpus = name.partition("_")
        caption = f"{CAPTIONS[kind]}; corpus {corpus}."
        texts = {
            "csv": output.data[name].to_csv(index=False),
            "md": f"**{caption}**\n\n" + to_markdown(table),
            "tex": to_latex(table, caption),
        }
        for fmt in formats:
            path = out_dir / f"{name}.{fmt}"
            atomic_write_text(path, texts[fmt])
            written.append(path)
    return written
