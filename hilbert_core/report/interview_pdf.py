"""The PDF form of :class:`~hilbert_core.report.interview_report.InterviewReport` (fpdf2, A4).

DejaVu Sans is embedded when the system has it (any script prints); otherwise the PDF core font
Helvetica is used and characters outside Latin-1 are replaced by ``?``.
"""

from __future__ import annotations

from pathlib import Path

from ..evaluation.verdict import RULES
from .interview_report import DEMO_NOTE, NOT_MEANT, RESEARCH_USE, InterviewReport

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
RED, AMBER, GREY = (176, 0, 32), (138, 75, 0), (85, 85, 85)


class _Writer:
    """fpdf2 with the few moves the report needs: headings, paragraphs, boxes, tables."""

    def __init__(self) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, margin=15)
        self.font, self.unicode = "helvetica", False
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.is_file() and bold.is_file():
                self.pdf.add_font("dejavu", "", str(regular))
                self.pdf.add_font("dejavu", "B", str(bold))
                self.font, self.unicode = "dejavu", True
                break
        self.pdf.add_page()

    def text(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def para(self, value: str, size: float = 10, bold: bool = False, color=(0, 0, 0)) -> None:
        self.pdf.set_font(self.font, "B" if bold else "", size)
        self.pdf.set_text_color(*color)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1.5)
        self.pdf.set_text_color(0, 0, 0)

    def heading(self, value: str) -> None:
        self.pdf.ln(2)
        self.para(value, 12.5, bold=True)

    def box(self, value: str, color) -> None:
        self.pdf.set_draw_color(*color)
        self.pdf.set_line_width(0.6)
        self.pdf.set_font(self.font, "B", 10)
        self.pdf.set_text_color(*color)
        self.pdf.multi_cell(0, 5.5, self.text(value), border=1, padding=2, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.ln(2)

    def table(self, header: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        self.pdf.set_font(self.font, "", 8.5)
        with self.pdf.table(col_widths=widths, line_height=4.5, text_align="LEFT") as table:
            for row in [header, *rows]:
                cells = table.row()
                for value in row:
                    cells.cell(self.text(value))
        self.pdf.ln(2)


def report_pdf(rep: InterviewReport) -> bytes:
    """The report as PDF bytes (starts with ``%PDF``)."""
    w = _Writer()
    w.para("Interview report", 18, bold=True)
    w.para(
        f"{rep.recording} · {rep.duration_s / 60:.1f} min · {rep.num_segments} segments (from "
        f"{rep.segments_from}) · created {rep.created}",
        9, color=GREY,
    )  # fmt: skip
    w.box(RESEARCH_USE, RED)
    if rep.demo:
        w.box(DEMO_NOTE, AMBER)
    _prediction(w, rep)
    w.heading("Is this interview like the training documents?")
    w.para(
        rep.novelty.sentence(),
        bold=rep.novelty.is_outside,
        color=RED if rep.novelty.is_outside else (0, 0, 0),
    )
    w.heading("How well this model did in cross-validation")
    w.para(rep.cv_sentence())
    _answers(w, rep)
    w.heading("Model")
    encoders = ", ".join(f"{k}: {v}" for k, v in rep.encoders.items()) or "none recorded"
    w.para(f"{rep.model} ({rep.method}); encoders {encoders}; HILBERT Studio {rep.package_version}.")
    w.heading("What these numbers do not mean")
    for line in NOT_MEANT:
        w.para(f"• {line}", 9.5)
    if rep.notes:
        w.heading("How the answer scores were computed")
        for line in rep.notes:
            w.para(f"• {line}", 9)
    return bytes(w.pdf.output())


def _prediction(w: _Writer, rep: InterviewReport) -> None:
    v = rep.verdict
    w.heading(f"Prediction: {rep.task}")
    if v.inconclusive:
        w.para("Inconclusive", 15, bold=True, color=AMBER)
        w.para(f"Leading class {v.top} ({v.probability:.0%}), but: {'; '.join(v.reasons)}.")
    else:
        w.para(f"{v.top} ({v.probability:.0%})", 15, bold=True)
    has_sd = any(sd is not None for _, _, sd in rep.probabilities)
    rows = [
        [
            c,
            f"{p:.1%}",
            *(["" if sd is None else f"± {sd:.1%}"] * has_sd),
            "yes" if c in rep.prediction_set else "",
        ]
        for c, p, sd in rep.probabilities
    ]
    header = ["class", "probability", *(["ensemble sd"] * has_sd), "in prediction set"]
    w.table(header, rows, (50, 30, 30, 40) if has_sd else (60, 40, 50))
    w.para(rep.set_sentence())
    if rep.true_labels:
        w.para(
            "True labels of this sample (its script): "
            + ", ".join(f"{k} = {v}" for k, v in rep.true_labels.items())
        )
    w.para(
        "A result is marked inconclusive when any of these holds: " + "; ".join(RULES) + ".", 8.5, color=GREY
    )


def _answers(w: _Writer, rep: InterviewReport) -> None:
    w.heading("Answers that drove the prediction")
    if not rep.answers:
        w.para("No segment scores for this interview.")
        return
    w.para(
        f"Score: {rep.evidence_kind}, the change in the probability of the leading class "
        f"({rep.verdict.top}). {rep.agreement}"
    )
    rows = [
        [a["direction"], f"#{a['#']}", f"{a['start_s']:.1f}–{a['end_s']:.1f} s", f"{a['score']:+.3f}",
         a["text"], a["sentence"]]
        for a in rep.answers
    ]  # fmt: skip
    w.table(["pushed", "segment", "time", "score", "transcript", "reading"], rows, (16, 18, 26, 15, 56, 49))
