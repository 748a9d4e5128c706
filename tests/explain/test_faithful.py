from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from hilbert_core.config import ExperimentConfig
from hilbert_core.data.synthetic import make_features
from hilbert_core.explain.evidence import FAITHFUL_KINDS, SegmentEvidence
from hilbert_core.explain.faithful import Document, integrated_gradients
from hilbert_core.explain.scoring import network_proba, probe_proba
from hilbert_core.training.bundle import train_final
from tests.tiny import TINY_SET


@pytest.fixture(scope="module")
def planted():
    """Documents of 6 segments in which one segment carries the class (the "cue"), strongly."""
    return make_features(60, 6, audio_dim=6, text_dim=5, num_classes=2, num_cues=1, strength=3.0, seed=3)


@pytest.fixture(scope="module")
def probe_bundle(planted):
    f = planted
    return train_final(f.audio, f.text, f.labels, method="linear", groups=f.groups)


@pytest.fixture(scope="module")
def network_bundle(planted):
    f = planted
    cfg = ExperimentConfig().apply_overrides([*TINY_SET, "train.epochs=40", "train.patience=40"])
    return train_final(f.audio, f.text, f.labels, method="hilbert", groups=f.groups, config=cfg)


@pytest.mark.parametrize("which", ["probe_bundle", "network_bundle"])
def test_occlusion_ranks_the_planted_cue_segment_first(planted, which, request):
    bundle = request.getfixturevalue(which)
    hits = []
    for i in range(20):
        ev = bundle.explain(planted.audio[i], planted.text[i])
        true = ev.classes.index(planted.labels[i])
        hits.append(int(np.argmax(ev.scores("occlusion_joint", true))) == int(planted.cue_segments[i][0]))
    assert np.mean(hits) >= 0.8, hits  # chance is 1/6


def _probe_by_hand(probe, audio, text):
    x = np.concatenate([audio.mean(0), text.mean(0)])[None]
    return probe.predict_proba(x.astype(np.float64))[0]


def test_probe_occlusion_is_p_all_minus_p_without_by_hand(planted, probe_bundle):
    a, t = planted.audio[0], planted.text[0]
    ev = probe_bundle.explain(a, t)
    p_all = _probe_by_hand(probe_bundle.probe, a, t)
    np.testing.assert_allclose(ev.proba, p_all, atol=1e-7)  # features enter as float32
    for s in range(len(a)):
        rest = np.delete(np.arange(len(a)), s)
        joint = _probe_by_hand(probe_bundle.probe, a[rest], t[rest])
        audio_only = _probe_by_hand(probe_bundle.probe, np.concatenate([a[rest], a[rest].mean(0)[None]]), t)
        np.testing.assert_allclose(ev.faithful["occlusion_joint"][s], p_all - joint, atol=1e-7)
        np.testing.assert_allclose(ev.faithful["occlusion_audio"][s], p_all - audio_only, atol=1e-7)
    # for a mean-pooled probe, replacing a modality's segment by the mean of the rest removes it
    np.testing.assert_allclose(ev.faithful["occlusion_joint"].sum(), 0.0, atol=1e-7)  # every class: sums to 0


def test_network_occlusion_is_p_all_minus_p_with_the_segment_masked(planted, network_bundle):
    model = network_bundle.model
    a, t = (torch.from_numpy(x[None]) for x in (planted.audio[1], planted.text[1]))
    ev = network_bundle.explain(planted.audio[1], planted.text[1])
    with torch.no_grad():
        full = torch.ones(1, a.shape[1], dtype=torch.bool)
        p_all = torch.softmax(model(a, t, full).logits, -1).mean(0)[0].numpy()
        for s in range(a.shape[1]):
            mask = full.clone()
            mask[0, s] = False
            p_without = torch.softmax(model(a, t, mask).logits, -1).mean(0)[0].numpy()
            np.testing.assert_allclose(ev.faithful["occlusion_joint"][s], p_all - p_without, atol=1e-5)
    np.testing.assert_allclose(
        ev.proba, network_bundle.predict(planted.audio[1], planted.text[1]).proba, atol=1e-6
    )
    assert set(ev.attention) == {"audio", "text", "joint"} and set(ev.agreement) == set(ev.attention)


@pytest.mark.parametrize("which", ["probe_bundle", "network_bundle"])
def test_integrated_gradients_are_complete(planted, which, request):
    bundle = request.getfixturevalue(which)
    proba = network_proba(bundle.model) if bundle.model is not None else probe_proba(bundle.probe)
    doc = Document.of(planted.audio[2], planted.text[2])
    for modality in ("audio", "text"):
        scores, _ = integrated_gradients(proba, doc, modality, steps=64)
        x = doc.audio if modality == "audio" else doc.text
        base = x.mean(1, keepdim=True).expand_as(x)
        with torch.no_grad():
            p_in = proba(doc.audio, doc.text, doc.mask)[0].double().numpy()
            args = (base, doc.text) if modality == "audio" else (doc.audio, base)
            p_base = proba(*args, doc.mask)[0].double().numpy()
        np.testing.assert_allclose(scores.sum(0), p_in - p_base, atol=2e-3)


@pytest.mark.parametrize("modality", ["audio", "text"])
@pytest.mark.parametrize("method", ["linear", "hilbert"])
def test_one_modality_models_have_only_their_kinds(planted, modality, method):
    f = planted
    cfg = ExperimentConfig().apply_overrides([*TINY_SET, f"eval.modality={modality}"])
    bundle = train_final(f.audio[:30], f.text[:30], f.labels[:30], method=method, config=cfg)
    ev = bundle.explain(f.audio[40], f.text[40])
    other = "text" if modality == "audio" else "audio"
    assert set(ev.faithful) == {k for k in FAITHFUL_KINDS if not k.endswith(other)}
    assert all(v.shape == (6, 2) for v in ev.faithful.values())
    assert (ev.attention == {}) == (method == "linear")


def test_evidence_survives_a_json_round_trip(planted, network_bundle):
    ev = network_bundle.explain(planted.audio[3], planted.text[3])
    back = SegmentEvidence.from_dict(json.loads(json.dumps(ev.to_dict())))
    assert back.classes == ev.classes and back.default_kind == ev.default_kind and back.notes == ev.notes
    np.testing.assert_array_equal(back.proba, ev.proba)
    for kind in ev.faithful:
        np.testing.assert_array_equal(back.faithful[kind], ev.faithful[kind])
    for name in ev.attention:
        np.testing.assert_array_equal(back.attention[name], ev.attention[name])
    assert back.agreement == pytest.approx(ev.agreement, nan_ok=True)
    assert back.top_segments(2) == ev.top_segments(2)


def test_a_single_segment_document_has_undefined_occlusion(planted, probe_bundle):
    ev = probe_bundle.explain(planted.audio[0][:1], planted.text[0][:1])
    assert np.isnan(ev.faithful["occlusion_joint"]).all() and ev.top_segments() == []
    assert any("one segment only" in note for note in ev.notes)
