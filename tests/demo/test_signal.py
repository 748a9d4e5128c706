"""Signal sanity without audio: the words carry spectrum information, but not all of it."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline

from hilbert_core.demo import DemoPlan


def test_bag_of_words_separates_spectrum_above_chance_not_perfectly(plan120: DemoPlan) -> None:
    texts = [" ".join(s.text for s in d.segments) for d in plan120.documents]
    y = np.array([d.observed["spectrum"] for d in plan120.documents])
    groups = [d.subject_id for d in plan120.documents]
    classes = sorted(set(y))
    proba = np.zeros((len(y), len(classes)))
    for train, test in StratifiedGroupKFold(5, shuffle=True, random_state=0).split(texts, y, groups):
        model = make_pipeline(CountVectorizer(min_df=2), LogisticRegression(C=0.5, max_iter=2000))
        model.fit([texts[i] for i in train], y[train])
        proba[test] = model.predict_proba([texts[i] for i in test])
    auc = roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes)
    assert 0.6 < auc < 0.97
