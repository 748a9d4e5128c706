from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from hilbert_core.config import METHODS
from hilbert_core.data import pad_documents
from hilbert_core.model import HilbertModel, TransferModel
from hilbert_core.training.bundle import load_bundle, train_final

DEMO_BUNDLE = Path(__file__).resolve().parents[1] / "assets" / "demo" / "models" / "demo-spectrum-hilbert"
NETWORK = {
    "transfer": TransferModel,
    "transfer_moe": TransferModel,
    "contrastive_moe": HilbertModel,
    "hilbert": HilbertModel,
}  # the class a loaded bundle's network has (none for linear)


@pytest.mark.parametrize("method", METHODS)
def test_bundle_round_trip_predicts_the_same(tmp_path, tiny_features, tiny_config, method):
    f = tiny_features
    bundle = train_final(
        f.audio, f.text, f.labels, method=method, groups=f.groups, config=tiny_config, info={"task": "label"}
    )
    folder = bundle.save(tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == ["bundle.json", "model.safetensors"]
    meta = json.loads((folder / "bundle.json").read_text())
    assert meta["classes"] == ["class_0", "class_1", "class_2"] and meta["audio_dim"] == 6
    loaded = load_bundle(folder)
    assert type(loaded.model) is NETWORK.get(method, type(None))
    before, after = bundle.predict(f.audio[0], f.text[0]), loaded.predict(f.audio[0], f.text[0])
    np.testing.assert_allclose(before.proba, after.proba, rtol=1e-6)
    assert after.proba.shape == (3,) and abs(after.proba.sum() - 1) < 1e-5
    n_seg = len(f.audio[0])
    for weights in after.attention.values():
        assert weights.shape == (n_seg,) and abs(weights.sum() - 1) < 1e-5
    if method in ("hilbert", "contrastive_moe"):
        assert set(after.attention) == {"audio", "text", "joint"}
        assert after.z_audio.shape == after.z_text.shape == after.z_joint.shape == (8,)
        assert after.gate_probs.shape == (2,)
    json.dumps(after.to_dict())  # JSON-ready


def test_refuses_to_overwrite_and_reports_bad_bundles(tmp_path, tiny_features, tiny_config):
    f = tiny_features
    bundle = train_final(f.audio, f.text, f.labels, method="transfer", config=tiny_config)
    bundle.save(tmp_path / "m")
    with pytest.raises(ValueError, match="already holds a model bundle"):
        bundle.save(tmp_path / "m")
    bundle.save(tmp_path / "m", overwrite=True)
    with pytest.raises(ValueError, match="is not a model bundle"):
        load_bundle(tmp_path / "missing")
    (tmp_path / "m" / "model.safetensors").write_bytes(b"not safetensors at all")
    with pytest.raises(ValueError, match="cannot be read as safetensors"):
        load_bundle(tmp_path / "m")


def test_wrong_feature_width_is_named(tmp_path, tiny_features, tiny_config):
    f = tiny_features
    bundle = train_final(f.audio, f.text, f.labels, method="hilbert", config=tiny_config)
    with pytest.raises(ValueError, match="audio features have 7 dimensions but this model was trained on 6"):
        bundle.predict(np.zeros((3, 7), dtype=np.float32), np.zeros((3, 5), dtype=np.float32))


def test_reference_embeddings_are_member_0s(tiny_features, tiny_config):
    f = tiny_features
    config = tiny_config.replace(train={"num_inner": 2})
    bundle = train_final(f.audio, f.text, f.labels, method="hilbert", groups=f.groups, config=config)
    assert bundle.model.num_members == 2
    docs = pad_documents(f.audio, f.text)
    with torch.no_grad():
        first = bundle.model.member(0)(
            torch.from_numpy(docs.audio), torch.from_numpy(docs.text), torch.from_numpy(docs.mask)
        )
    for name, z in (("z_audio", first.audio_emb), ("z_text", first.text_emb), ("z_joint", first.joint_emb)):
        np.testing.assert_allclose(bundle.reference[name], z.numpy(), rtol=1e-5, atol=1e-6)


def test_the_demo_bundle_still_loads():
    bundle = load_bundle(DEMO_BUNDLE)  # weights saved before the model was split into classes
    assert type(bundle.model) is HilbertModel and not bundle.model.training
