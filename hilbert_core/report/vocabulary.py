"""One vocabulary for AUCs: which AUC is the headline, what every AUC is called, and how it is written.

Every page, export and command that shows an AUC takes its label and its formatting from here, so one run
never shows up as two unexplained numbers.

- **Headline**: the *pooled out-of-fold macro AUC*: every document is scored once, by the model of the
  fold that held it out; the scores of all folds are pooled and one one-vs-rest AUC per class is computed,
  then averaged over classes (macro). With small test folds this is the steadier and the honest figure:
  a fold of 20 documents gives an AUC that moves by ten points when two documents change side.
- **Fold mean**: the mean (± sd) of the per-fold macro AUCs, as the paper's tables report it. Its sd is
  the spread *between folds*; the 95 % interval next to it is the uncertainty *of the mean* (much
  narrower: roughly sd / sqrt(folds), estimated by bootstrap), so the two must not be compared.
- Intervals say what they resample: documents (within folds and classes, for the fold mean), or
  documents or subjects (for the pooled AUC and paired differences).

Numbers are shown in percent with one decimal ("81.8 %"); chance level is 50 %.
"""

from __future__ import annotations

import math

HEADLINE = "pooled out-of-fold macro AUC"
HEADLINE_SHORT = "AUC (pooled OOF, %)"
FOLD_MEAN = "fold-mean macro AUC"
FOLD_MEAN_SHORT = "AUC (fold mean ± sd, %)"
CHANCE = 0.5
UNIT = "%"

HEADLINE_HELP = (
    "Pooled out-of-fold macro AUC, in percent (50 % = chance, 100 % = perfect ranking): every document is "
    "scored once by the model that did not train on it, all folds' scores are pooled, and the one-vs-rest "
    "AUC of each class is averaged over classes. This is the headline figure everywhere in the Studio. "
    "See the Glossary page."
)
FOLD_MEAN_HELP = (
    "Mean ± standard deviation of the macro AUCs of the single test folds, in percent (the paper's "
    "tables). The sd is the spread between folds, not the uncertainty of the mean. See the Glossary page."
)


def unit_words(unit: str) -> str:
    """What a bootstrap resamples, in words: ``"subjects"``, ``"documents"``, or for ``"auto"`` both rules."""
    if unit == "auto":
        return "subjects where a subject has several documents (documents otherwise)"
    return f"{unit}s"


def ci_help(unit: str = "document") -> str:
    """What a 95 % interval of a pooled AUC resamples."""
    return (
        f"95 % confidence interval of the pooled AUC, by bootstrap over {unit_words(unit)} (1,000 resamples "
        "by default): the uncertainty of this one number. See the Glossary page."
    )


FOLD_CI_HELP = (
    "95 % confidence interval of the fold mean, by bootstrap over documents within folds and classes. It "
    "is the uncertainty of the mean, roughly sd / sqrt(number of folds), so it is much narrower than the "
    "± sd between folds. See the Glossary page."
)


def pct(value: float | None, digits: int = 1) -> str:
    """``0.8181`` -> ``"81.8"`` (no unit); ``"n/a"`` for a missing or non-finite value."""
    if value is None or not math.isfinite(float(value)):
        return "n/a"
    return f"{100 * float(value):.{digits}f}"


def auc_text(value: float | None, ci: tuple[float, float] | None = None) -> str:
    """``"81.8 %"`` or ``"81.8 % [76.8, 85.3]"`` (an interval when both ends are finite)."""
    text = f"{pct(value)} %" if pct(value) != "n/a" else "n/a"
    if ci is not None and all(v is not None and math.isfinite(float(v)) for v in ci):
        text += f" [{pct(ci[0])}, {pct(ci[1])}]"
    return text


def headline(value: float | None, ci: tuple[float, float] | None = None) -> str:
    """``"pooled out-of-fold macro AUC 81.8 % [76.8, 85.3]"``: the headline with its kind and unit."""
    return f"{HEADLINE} {auc_text(value, ci)}"


def fold_mean_text(mean: float | None, sd: float | None, folds: int | None = None) -> str:
    """``"fold-mean macro AUC 78.3 ± 7.4 % over 5 folds"``."""
    over = f" over {folds} folds" if folds else ""
    return f"{FOLD_MEAN} {pct(mean)} ± {pct(sd)} %{over}"
