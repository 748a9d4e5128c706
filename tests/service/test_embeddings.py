"""Embeddings service: document outputs of a bundle, seeded projections, the disk cache, background."""

from __future__ import annotations

import time

import numpy as np
import pytest

from hilbert_core.service import background, embeddings


def test_config_checks_its_values():
    with pytest.raises(ValueError, match="space='z_x'"):
        embeddings.EmbeddingConfig(space="z_x")
    with pytest.raises(ValueError, match="projection='pca'"):
        embeddings.EmbeddingConfig(projection="pca")


def test_tsne_is_seeded_and_needs_five_points():
    points = np.random.default_rng(0).normal(size=(20, 6))
    cfg = embeddings.EmbeddingConfig(perplexity=30)  # capped below the number of documents
    a, b = embeddings.project(points, cfg), embeddings.project(points, cfg)
    assert a.shape == (20, 2)
    np.testing.assert_allclose(a, b)
    with pytest.raises(ValueError, match="only 4 documents"):
        embeddings.project(points[:4], cfg)


@pytest.mark.slow
def test_umap_projection():
    points = np.random.default_rng(0).normal(size=(30, 6))
    xy = embeddings.project(points, embeddings.EmbeddingConfig(projection="umap", n_neighbors=5))
    assert xy.shape == (30, 2) and np.isfinite(xy).all()


def test_document_outputs_of_a_trained_bundle(analysis_workspace):
    model = embeddings.model_choices(analysis_workspace)["label-hilbert-tiny"]
    out = embeddings.document_outputs(model, analysis_workspace)
    assert len(out.document_ids) == 30 and set(out.embeddings) == set(embeddings.SPACES)
    assert out.embeddings["z_joint"].shape == (30, 8)  # proj_dim=8
    np.testing.assert_allclose(out.gate_probs.sum(axis=1), 1.0, atol=1e-5)
    assert sorted(set(out.folds)) == ["0", "1", "2"]  # the bundle's own 3-fold split
    assert set(out.predictions) <= set(out.labels)
    fold_of = {}
    for subject, fold in zip(out.subjects, out.folds, strict=True):
        assert fold_of.setdefault(subject, fold) == fold  # subjects never span folds


def test_projection_is_cached_by_content_and_settings(analysis_workspace):
    model = embeddings.model_choices(analysis_workspace)["label-hilbert-tiny"]
    cfg = embeddings.EmbeddingConfig(space="z_audio")
    assert embeddings.cached_embedding(analysis_workspace, model, cfg) is None
    out = embeddings.compute_embedding(analysis_workspace, model, cfg)
    assert list(out.frame.columns) == ["document_id", "x", "y", "label", "prediction", "fold", "subject"]
    cached = embeddings.cached_embedding(analysis_workspace, model, cfg)
    np.testing.assert_allclose(cached.frame[["x", "y"]], out.frame[["x", "y"]])
    other = embeddings.EmbeddingConfig(space="z_audio", seed=1)
    assert embeddings.cache_key(model, other) != embeddings.cache_key(model, cfg)
    assert embeddings.start_embedding(analysis_workspace, model, cfg).result is not None  # from disk


def test_background_tasks_report_results_and_plain_errors():
    def fail(progress):
        raise ValueError("the corpus folder is gone; import it again.")

    ok = background.submit("test-ok", lambda progress: progress(0.5, "half") or 42)
    bad = background.submit("test-bad", fail)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (ok.done and bad.done):
        time.sleep(0.05)
    assert ok.result == 42 and ok.error is None and ok.progress == 1.0
    assert bad.error == "the corpus folder is gone; import it again." and bad.result is None
    assert background.submit("test-ok", lambda progress: 0) is ok  # a finished task is reused
    background.forget("test-ok")
    assert background.get("test-ok") is None


def test_a_failed_projection_is_retried_only_when_asked(analysis_workspace, monkeypatch):
    calls = []

    def fail(*args, **kwargs):
        calls.append(1)
        raise ValueError("this model has no z_text; choose another embedding.")

    monkeypatch.setattr(embeddings, "compute_embedding", fail)
    model = embeddings.model_choices(analysis_workspace)["label-hilbert-tiny"]
    cfg = embeddings.EmbeddingConfig(seed=7)
    state = embeddings.start_embedding(analysis_workspace, model, cfg, retry=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not state.done:
        time.sleep(0.01)
    assert embeddings.task_state(analysis_workspace, model, cfg) is state and "no z_text" in state.error
    assert embeddings.start_embedding(analysis_workspace, model, cfg) is state and len(calls) == 1
    again = embeddings.start_embedding(analysis_workspace, model, cfg, retry=True)
    while time.monotonic() < deadline and not again.done:
        time.sleep(0.01)
    assert again is not state and len(calls) == 2
