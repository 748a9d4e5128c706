"""Words for every number: the Glossary page's definitions and the help texts of fields and metrics.

One place: the pages' ``help=`` tooltips come from :data:`HELP` and end by pointing to the Glossary page,
whose entries are :data:`GLOSSARY`. AUC wording comes from :mod:`hilbert_core.report.vocabulary`.
"""

from __future__ import annotations

from ..report.vocabulary import (  # noqa: F401  (re-exported: the ui package speaks through the service layer)
    FOLD_CI_HELP,
    FOLD_MEAN,
    FOLD_MEAN_HELP,
    FOLD_MEAN_SHORT,
    HEADLINE,
    HEADLINE_HELP,
    HEADLINE_SHORT,
    auc_text,
    ci_help,
    fold_mean_text,
    headline,
    pct,
    unit_words,
)

SEE = " See the Glossary page."

GLOSSARY: list[tuple[str, str]] = [
    ("AUC (pooled out-of-fold macro AUC): the headline",
     "Area under the ROC curve: the chance that the model ranks a random document of a class above a "
     "random document of another class (50 % = chance, 100 % = perfect). *Out-of-fold*: every document "
     "is scored by the model of the cross-validation fold that held it out, so no score comes from a "
     "model that saw the document. *Pooled*: the scores of all folds are put together and one AUC is "
     "computed. *Macro*: one one-vs-rest AUC per class, averaged over classes (rare classes count as much "
     "as common ones). This is the number every page, export and command shows first."),
    ("Fold-mean AUC (mean ± sd over folds)",
     "The macro AUC of each test fold separately, then their mean and standard deviation, as the paper's "
     "tables report it. With small folds (20 documents) a single fold's AUC is noisy, so the sd is large; "
     "it measures the spread between folds, not the uncertainty of the mean. Kept for the paper tables "
     "(Compare → Paper table)."),
    ("95 % confidence interval (CI)",
     "The range that holds the true value in 95 % of repetitions of the study, estimated by bootstrap: "
     "the documents (or subjects) are resampled with replacement 1,000 times and the AUC recomputed. The "
     "interval of a fold mean resamples documents within folds and classes and is about sd / √folds wide, "
     "so it is much narrower than the ± sd between folds. The interval of a pooled AUC resamples "
     "documents, or subjects when chosen (stricter when a subject has several interviews)."),
    ("Paired test, DeLong p, Holm",
     "Two rows scored on the same documents and folds are compared on their pooled out-of-fold "
     "predictions: the AUC difference with a paired-bootstrap CI, and DeLong's test (p = how surprising "
     "the difference would be if both rows were equally good). Holm's correction adjusts p for the number "
     "of pairs compared within a task; a row is marked significant when its Holm p is below 0.05."),
    ("Prediction set (conformal, at 90 % coverage)",
     "The classes a prediction cannot rule out: a set that contains the true class for at least 90 % of "
     "new interviews like the training ones. It is calibrated on the out-of-fold predictions of the "
     "model's own cross-validation (split conformal prediction with the LAC score, library crepes). One "
     "class = a confident prediction; all classes = the model cannot tell for this interview."),
    ("Chance level and base rate",
     "Chance for an AUC is 50 %. For a class probability, chance is 1 / (number of classes), and the "
     "base rate is the share of that class among the training interviews: a probability near the base "
     "rate says little."),
    ("Ensemble spread",
     "A final model averages several inner models; the ± next to a probability is their standard "
     "deviation (shown when the model has more than one)."),
    ("CKA (centred kernel alignment)",
     "How similar two sets of document embeddings are (0 = unrelated, 1 = the same up to rotation and "
     "scale), here the audio or text embedding against the joint embedding over the training documents. "
     "It describes a set of documents, not one interview."),
    ("MI (InfoNCE mutual information) and its ceiling",
     "A lower bound on the mutual information (in nats) between a modality's embedding and the joint "
     "embedding, estimated by InfoNCE over a batch. It can never exceed log(batch size), the ceiling "
     "shown next to it (log 32 = 3.47 in training; log N for N documents on the Interview page). For one "
     "interview, its own term can be negative: its joint embedding is closer to another document's "
     "modality embedding than to its own."),
    ("MI balance",
     "MI(audio; joint) − MI(text; joint), in nats: 0 when the joint embedding draws on both modalities "
     "equally, positive when it leans on audio, negative when on text. HILBERT's MI loss pushes it to 0."),
    ("Percentile (this interview among the training documents)",
     "The share of training documents whose own value is below this interview's, in percent: 50 % is "
     "typical, 2 % is lower than almost all."),
    ("ECE (expected calibration error)",
     "How far the top-class probability is from the observed accuracy, averaged over probability bins "
     "(0 = calibrated; 0.10 = 10 points off on average)."),
    ("Experts and gate weights (Mixture of Experts)",
     "The classifier is a set of small networks (experts, numbered 0–7; the numbers carry no meaning) and "
     "a gate that weighs them for each interview. Gate weights sum to 1; a mean gate weight of 1/8 = 0.125 "
     "for every expert means the experts are used evenly. 'Top expert share' is the share of documents "
     "for which an expert gets the largest weight."),
    ("Loss terms",
     "Cross-entropy (the classification loss), the audio–text contrastive loss, the CKA loss, the "
     "MI-balancing loss and the experts' load-balancing term, each multiplied by its weight and summed; "
     "the validation loss is the cross-entropy on the held-out inner fold that decides early stopping. "
     "When the validation loss rises while the training loss falls, the model overfits: early stopping "
     "keeps the weights of the best validation epoch."),
]  # fmt: skip

HELP = {
    "auc_pooled": HEADLINE_HELP,
    "auc_fold_mean": FOLD_MEAN_HELP,
    "auc_fold_ci": FOLD_CI_HELP,
    "auc_pooled_ci": ci_help("auto"),
    "documents": "Documents (interviews) scored out of fold: each exactly once.",
    "ece": "Expected calibration error of the top-class probability (0 = calibrated)." + SEE,
    "delta": "Pooled out-of-fold AUC of row A minus row B, in percentage points." + SEE,
    "delta_ci": "95 % paired-bootstrap interval of the difference (same resamples for both rows)." + SEE,
    "delong": "DeLong's test of equal AUCs on the pooled out-of-fold predictions (p-value)." + SEE,
    "holm": "DeLong p adjusted by Holm's method for every pair of the task (computed below)." + SEE,
    "prediction_set": "Classes the model cannot rule out at the stated coverage (conformal)." + SEE,
    "probability": "Probability of the top class, averaged over the model's ensemble members." + SEE,
    "cv_auc": "The model recipe's cross-validated, pooled out-of-fold macro AUC (50 % = chance)." + SEE,
    "contrastive_weight": "Weight of the audio–text contrastive loss (λ_c; 0.1 in the paper's setting)."
    + SEE,
    "cka_weight": "Weight of the CKA alignment loss (λ_CKA; 0.1)." + SEE,
    "mi_weight": "Weight of the MI-balancing loss (λ_MI; 0.1)." + SEE,
    "folds": "Outer cross-validation folds: each document is scored once by a model that never saw it.",
    "seed": "Random seed of folds, initial weights and batches: the same seed gives the same numbers.",
    "device": "auto uses a GPU when there is one, else the CPU.",
    "epochs": "Most training epochs; early stopping usually ends sooner (patience 20, 5 in the quick check).",
    "preset": "Quick check: 3 folds, one inner model, ≤ 20 epochs (about a minute, rough AUC). Standard: the "
    "paper's recipe.",
    "losses": "HILBERT's auxiliary losses to use (all three = the full method; fewer = an ablation).",
    "method": "linear: the honest baseline; transfer(_moe): pooled features + MLP (or experts); "
    "contrastive_moe and hilbert: segment attention with auxiliary losses." + SEE,
    "modality": "both, or audio only / text only (an ablation).",
    "percentile": "Share of training documents whose own MI term is below this interview's (50 % = typical)."
    + SEE,
    "mean_gate": "Mean gate weight of an expert over the documents (1 / experts = even use)." + SEE,
    "top_share": "Share of documents for which this expert gets the largest gate weight." + SEE,
}
