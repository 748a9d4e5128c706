"""The Embeddings page: guard without a trained network; a background t-SNE, shown and cached."""

from __future__ import annotations

import time

from tests.app.pages_helper import open_page

PAGE = "pages/5_Embeddings.py"


def test_empty_workspace_says_to_train_a_model(empty_analysis_workspace):
    at = open_page(PAGE)
    assert not at.exception
    assert "No trained network" in at.info[0].value


def _wait_for_chart(at, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not at.get("plotly_chart") and not at.error:
        time.sleep(0.5)
        at.run()
    return at


def test_tsne_runs_in_the_background_and_is_cached(analysis_workspace):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert not at.get("plotly_chart")  # nothing computed yet: the page says how to start
    assert any("Compute projection" in i.value for i in at.info)
    at.selectbox(key="emb_colour").set_value("fold")
    at.button(key="emb_compute").click().run()
    _wait_for_chart(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == 1
    assert any("In-sample embeddings" in c.value for c in at.caption)
    assert any("cached in the workspace" in c.value for c in at.caption)
    assert len(list((analysis_workspace / "cache" / "embeddings").glob("*.json"))) == 1
    # a new browser session with the same settings gets the cached projection without computing
    again = open_page(PAGE)
    assert len(again.get("plotly_chart")) == 1 and not again.exception


def test_a_missing_embedding_space_is_a_plain_error(analysis_workspace, monkeypatch):
    from hilbert_core.service import embeddings

    outputs = embeddings.document_outputs
    monkeypatch.setattr(
        embeddings,
        "document_outputs",
        lambda *a, **k: embeddings.DocumentOutputs(**{**vars(outputs(*a, **k)), "embeddings": {}}),
    )
    at = open_page(PAGE)
    at.selectbox(key="emb_space").set_value("z_text")
    at.button(key="emb_compute").click().run()
    _wait_for_chart(at, 30)
    assert not at.exception
    assert "has no z_text" in at.error[0].value


def test_a_failed_projection_is_retried_once_per_click(analysis_workspace, monkeypatch):
    from hilbert_core.service import embeddings

    calls = []

    def fail(*args, **kwargs):
        calls.append(1)
        raise ValueError("the model's feature folder is gone; train it again.")

    monkeypatch.setattr(embeddings, "compute_embedding", fail)
    at = open_page(PAGE)
    at.button(key="emb_compute").click().run()
    _wait_for_chart(at, 30)
    for _ in range(3):  # reruns show the error and start nothing
        at.run()
        assert "feature folder is gone" in at.error[0].value and not at.exception
    assert len(calls) == 1
    at.button(key="emb_compute").click().run()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(calls) < 2:
        time.sleep(0.1)
    _wait_for_chart(at.run(), 30)
    assert len(calls) == 2 and "feature folder is gone" in at.error[0].value


def test_demo_workspace(demo_workspace):
    at = open_page(PAGE, timeout=60)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="emb_model").options  # its trained model is offered
