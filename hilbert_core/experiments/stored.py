"""Find features a sweep already stored in a workspace, by the content of the corpus's documents table."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..data.features import FeatureSet, load_features
from ..workspace import encoder_folder, features_dir, store_matches
from .tasks import check_same_documents


def stored_features(
    workspace: str | Path, corpus_root: str | Path, audio_encoder: str = "", text_encoder: str = ""
) -> FeatureSet | None:
    """The features sweeps stored in ``workspace`` for this corpus and these encoders, or None.

    The corpus is matched by the content of its documents.csv (as sweep keys are), whatever the name
    or folder the sweep gave it; None when any requested encoder's features are not all there.
    """
    table = Path(corpus_root) / "documents.csv"
    stores = features_dir(workspace)
    if not table.is_file() or not stores.is_dir():
        return None
    fingerprint = hashlib.sha256(table.read_bytes()).hexdigest()[:16]
    for store in sorted(stores.iterdir()):
        if not store_matches(store, fingerprint):
            continue
        wanted = [(role, enc) for role, enc in (("audio", audio_encoder), ("text", text_encoder)) if enc]
        folders = {role: encoder_folder(store, role, enc) for role, enc in wanted}
        if wanted and all((f / "documents.csv").is_file() for f in folders.values()):
            parts = {role: load_features(folder) for role, folder in folders.items()}
            if len(parts) == 2:
                check_same_documents(parts["audio"], parts["text"])
            first = next(iter(parts.values()))
            return FeatureSet(
                table=first.table,
                audio=parts["audio"].audio if "audio" in parts else None,
                text=parts["text"].text if "text" in parts else None,
            )
    return None
