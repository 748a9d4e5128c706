"""Input checks, padding and fold construction."""

from __future__ import annotations

from .dataset import PaddedDocuments, encode_labels, pad_documents
from .splits import check_foldable, inner_splits, make_folds

__all__ = [
    "PaddedDocuments",
    "check_foldable",
    "encode_labels",
    "inner_splits",
    "make_folds",
    "pad_documents",
]
