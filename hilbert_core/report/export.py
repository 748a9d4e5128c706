"""Write report tables as CSV (tidy numbers), Markdown and LaTeX (formatted), atomically.

File names are ``{kind}_{corpus}.{csv,md,tex}`` with every character of the corpus name outside
``[A-Za-z0-9._-]`` replaced by ``_`` (two corpora that clash after that get ``-2``, ``-3``, ...).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from ..io import atomic_write_text

logger = logging.getLogger(__name__)

FORMATS = ("csv", "md", "tex")
# Every character LaTeX treats specially in text mode, and the non-ASCII ones the tables use.
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
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
    """``text`` as LaTeX text: one character at a time, so no replacement is escaped twice."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def safe_file_stem(name: str) -> str:
    """``name`` with every character outside ``[A-Za-z0-9._-]`` replaced by ``_`` (never empty)."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return "_" if stem.strip(".") == "" else stem


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
    "table": (
        "Fold-mean macro AUC (%) ± sd over outer folds [95 % CI of the fold mean, by bootstrap over "
        "documents "
        "within folds and classes]; the headline pooled out-of-fold macro AUC and its CI are in the CSV "
        "(auc_pooled, auc_pooled_ci_low/high)"
    ),
    "ablation": (
        "Best fold-mean macro AUC (%) over hilbert loss combinations with / without each auxiliary loss "
        "(gain)"
    ),
    "paired": (
        "Paired comparisons on pooled out-of-fold predictions: AUC difference [95 % paired-bootstrap CI], "
        "DeLong test, Holm-adjusted p (family: all comparisons of one task)"
    ),
}


def write_report(output, out_dir: str | Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write every table of a :class:`~hilbert_core.report.tables.ReportOutput`; returns the files written."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"--format {','.join(unknown)} is unknown; choose from {', '.join(FORMATS)}.")
    out_dir = Path(out_dir)
    written: list[Path] = []
    stems: set[str] = set()
    for name, table in output.tables.items():
        kind, _, corpus = name.partition("_")
        caption = f"{CAPTIONS[kind]}; corpus {corpus}."
        stem = _unique(f"{kind}_{safe_file_stem(corpus)}", stems)
        if stem != name:
            logger.info("report table %r is written as %s.*", name, stem)
        texts = {
            "csv": output.data[name].to_csv(index=False),
            "md": f"**{caption}**\n\n" + to_markdown(table),
            "tex": to_latex(table, caption),
        }
        for fmt in formats:
            path = out_dir / f"{stem}.{fmt}"
            atomic_write_text(path, texts[fmt])
            written.append(path)
    return written


def _unique(stem: str, used: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``, ... when taken; records the result in ``used``."""
    out, k = stem, 1
    while out.lower() in used:  # case-insensitive file systems
        k += 1
        out = f"{stem}-{k}"
    used.add(out.lower())
    return out
