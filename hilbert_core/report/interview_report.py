"""The report of one scored interview a clinician can file: what it holds (:class:`InterviewReport`), its
fixed wording (what the numbers do not mean) and its HTML form (self-contained, inline CSS, prints on A4).
The PDF form is :mod:`hilbert_core.report.interview_pdf`; the service that fills a report from the
Interview page's result is :mod:`hilbert_core.service.interview_report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from ..evaluation.novelty import NoveltyOutput
from ..evaluation.verdict import RULES, Verdict
from .vocabulary import HEADLINE, auc_text

RESEARCH_USE = (
    "Research use only. This report is not a diagnosis and must not be used as one; it does not replace "
    "a clinical assessment."
)
NOT_MEANT = [
    "A class probability is this model's score for the interview, not the chance that the person has "
    "the condition; it is only as good as the training corpus is like this person.",
    "The cross-validated AUC says how well the model ranked interviews of its training corpus that it had "
    "not seen, not how accurate it is for this person.",
    "The answer scores say which answers moved this model's output, not which answers are clinically "
    "meaningful; a model can rely on cues that are irrelevant or biased.",
    "The prediction set holds the true class for the stated share of interviews like the training ones, "
    "on average; not for every interview, and not for interviews unlike them.",
]
DEMO_NOTE = (
    "Demo model: trained on synthetic speech (made-up interviews written from a script and voiced by "
    "espeak-ng). Its numbers show how the tool works, not how well anything works on real speech."
)


@dataclass(frozen=True)
class CVSummary:
    """How well the model did in cross-validation: its pooled out-of-fold macro AUC with a bootstrap
    interval, the corpus, and how many documents and subjects (None: not recorded)."""

    auc: float
    low: float
    high: float
    level: float
    corpus: str
    num_documents: int
    num_subjects: int | None
    source: str

    def sentence(self) -> str:
        who = f"{self.num_documents} interviews"
        if self.num_subjects is not None:
            who += f" of {self.num_subjects} subjects"
        unit = "subjects" if self.num_subjects is not None else "interviews"
        return (
            f"{HEADLINE} {auc_text(self.auc, (self.low, self.high))} ({self.level:.0%} bootstrap interval "
            f"over {unit}; chance 50 %) on the corpus {self.corpus}, {who}; {self.source}."
        )


@dataclass(frozen=True)
class InterviewReport:
    """Everything the filed report says about one scored interview (plain data; see the module doc).

    Attributes:
        answers: the answers that pushed toward / away from the predicted class, rows with direction,
            #, start_s, end_s, text, score, sentence.
        probabilities: (class, probability, sd or None), most probable first.
    """

    recording: str
    created: str
    task: str
    model: str
    method: str
    encoders: dict[str, str]
    package_version: str
    duration_s: float
    num_segments: int
    segments_from: str
    probabilities: list[tuple[str, float, float | None]]
    verdict: Verdict
    novelty: NoveltyOutput
    coverage: float | None = None
    prediction_set: list[str] = field(default_factory=list)
    cv: CVSummary | None = None
    evidence_kind: str = ""
    agreement: str = ""
    answers: list[dict] = field(default_factory=list)
    demo: bool = False
    true_labels: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """``"Inconclusive"`` or ``"depression (41 %)"``."""
        v = self.verdict
        return "Inconclusive" if v.inconclusive else f"{v.top} ({v.probability:.0%})"

    def cv_sentence(self) -> str:
        if self.cv is None:
            return (
                "Not available: this model keeps no out-of-fold predictions and the workspace holds no "
                "cross-validation of its recipe."
            )
        return self.cv.sentence()

    def set_sentence(self) -> str:
        if self.coverage is None or not self.prediction_set:
            return "No prediction set (no calibration documents for this model)."
        return f"{self.coverage:.0%} prediction set: {{{', '.join(self.prediction_set)}}}."


CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1a1a1a;max-width:52rem;
margin:2rem auto;padding:0 1rem;line-height:1.45;font-size:14px}
h1{font-size:1.5rem;margin:0 0 .2rem} h2{font-size:1.1rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #ccc}
.meta{color:#555;font-size:.9rem} .box{border:2px solid #b00020;background:#fff4f4;padding:.6rem .8rem;
margin:.8rem 0;border-radius:4px} .demo{border-color:#a15c00;background:#fff8e6}
.headline{font-size:1.4rem;font-weight:700} .inconclusive{color:#8a4b00}
table{border-collapse:collapse;width:100%;margin:.4rem 0} th,td{border:1px solid #ccc;padding:.25rem .45rem;
text-align:left;vertical-align:top} th{background:#f2f2f2} td.num{text-align:right;white-space:nowrap}
.toward{color:#b2182b} .away{color:#2166ac} .ood{font-weight:700;color:#b00020}
@page{size:A4;margin:15mm} @media print{body{margin:0;max-width:none;font-size:11pt}
.box{break-inside:avoid} tr{break-inside:avoid} h2{break-after:avoid} a{color:inherit;text-decoration:none}}
"""


def _rows(cells: list[list[str]], header: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cells_row) + "</tr>" for cells_row in cells)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value: str, cls: str = "") -> str:
    return f'<td class="{cls}">{escape(value)}</td>' if cls else f"<td>{escape(value)}</td>"


def _prediction_html(rep: InterviewReport) -> str:
    v = rep.verdict
    head = (
        f'<p class="headline inconclusive">Inconclusive</p><p>Leading class {escape(v.top)} '
        f"({v.probability:.0%}), but: {escape('; '.join(v.reasons))}.</p>"
        if v.inconclusive
        else f'<p class="headline">{escape(v.top)} ({v.probability:.0%})</p>'
    )
    has_sd = any(sd is not None for _, _, sd in rep.probabilities)
    rows = [
        [_td(c), _td(f"{p:.1%}", "num"), *([_td("" if sd is None else f"± {sd:.1%}", "num")] * has_sd),
         _td("yes" if c in rep.prediction_set else "")]
        for c, p, sd in rep.probabilities
    ]  # fmt: skip
    header = ["class", "probability", *(["ensemble sd"] * has_sd), "in prediction set"]
    table = _rows(rows, header)
    rules = "".join(f"<li>{escape(r)}</li>" for r in RULES)
    return (
        f"<h2>Prediction: {escape(rep.task)}</h2>{head}{table}<p>{escape(rep.set_sentence())}</p>"
        f'<div class="meta">A result is marked inconclusive when any of these holds: <ul>{rules}</ul></div>'
    )


def _answers_html(rep: InterviewReport) -> str:
    if not rep.answers:
        return "<h2>Answers that drove the prediction</h2><p>No segment scores for this interview.</p>"
    rows = [
        [_td(a["direction"], a["direction"]), _td(f"#{a['#']}"),
         _td(f"{a['start_s']:.1f}–{a['end_s']:.1f} s", "num"), _td(f"{a['score']:+.3f}", "num"),
         _td(a["text"]), _td(a["sentence"])]
        for a in rep.answers
    ]  # fmt: skip
    return (
        f"<h2>Answers that drove the prediction</h2><p>Score: {escape(rep.evidence_kind)}, the change in "
        f"the probability of the leading class ({escape(rep.verdict.top)}). {escape(rep.agreement)}</p>"
        + _rows(rows, ["pushed", "segment", "time", "score", "transcript", "reading"])
    )


def report_html(rep: InterviewReport) -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no external resources); every
    text that comes from the recording, the transcript or a name is escaped."""
    encoders = ", ".join(f"{k}: {v}" for k, v in rep.encoders.items()) or "none recorded"
    demo = f'<div class="box demo"><strong>{escape(DEMO_NOTE)}</strong></div>' if rep.demo else ""
    ood_cls = ' class="ood"' if rep.novelty.is_outside else ""
    labels = ", ".join(f"{k} = {v}" for k, v in rep.true_labels.items())
    truth = f"<p>True labels of this sample (its script): {escape(labels)}</p>" if labels else ""
    not_meant = "".join(f"<li>{escape(n)}</li>" for n in NOT_MEANT)
    notes = "".join(f"<li>{escape(n)}</li>" for n in rep.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Interview report · {escape(rep.recording)}</title>
<style>{CSS}</style></head><body>
<h1>Interview report</h1>
<p class="meta">{escape(rep.recording)} · {rep.duration_s / 60:.1f} min · {rep.num_segments} segments (from
{escape(rep.segments_from)}) · created {escape(rep.created)}</p>
<div class="box"><strong>{escape(RESEARCH_USE)}</strong></div>{demo}
{_prediction_html(rep)}{truth}
<h2>Is this interview like the training documents?</h2><p{ood_cls}>{escape(rep.novelty.sentence())}</p>
<h2>How well this model did in cross-validation</h2><p>{escape(rep.cv_sentence())}</p>
{_answers_html(rep)}
<h2>Model</h2><table><tbody>
<tr><th>model</th><td>{escape(rep.model)} ({escape(rep.method)})</td></tr>
<tr><th>encoders</th><td>{escape(encoders)}</td></tr>
<tr><th>software</th><td>HILBERT Studio {escape(rep.package_version)}</td></tr></tbody></table>
<h2>What these numbers do not mean</h2><ul>{not_meant}</ul>
{f"<h2>How the answer scores were computed</h2><ul>{notes}</ul>" if notes else ""}
</body></html>
"""
