"""The probe anchor: at initialisation the network is its linear probe, and pooling is the mean."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hilbert_core as hc
from hilbert_core.data import pad_documents
from hilbert_core.model import init_members
from hilbert_core.training.probe import fit_linear_probe


def _corpus(num_classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    audio = [rng.normal(size=(rng.integers(3, 7), 8)).astype(np.float32) for _ in range(48)]
    text = [rng.normal(size=(len(a), 5)).astype(np.float32) for a in audio]
    y = np.array(
        [int(a[:, 0].mean() > 0) + (num_classes > 2) * int(t[:, 0].mean() > 0) for a, t in zip(audio, text)]
    )
    return pad_documents(audio, text), y


@pytest.mark.parametrize("method", ["transfer", "transfer_moe", "contrastive_moe", "hilbert"])
@pytest.mark.parametrize("num_classes", [2, 3])
@pytest.mark.parametrize("pooling", ["attention", "gated"])
def test_an_anchored_network_starts_as_its_probe(method, num_classes, pooling):
    docs, y = _corpus(num_classes)
    x = docs.mean_pooled("both")
    probes = [fit_linear_probe(x[:30], y[:30], None, 0), fit_linear_probe(x[18:], y[18:], None, 1)]
    model_cfg = {"pooling": pooling, "anchor": "probe"}
    cfg = hc.ExperimentConfig().replace(eval={"method": method}, model=model_cfg)
    model = hc.create_model(cfg, 8, 5, int(y.max()) + 1, 2)
    init_members(model, [3, 4])
    model.set_probes(probes)
    model.eval()
    with torch.no_grad():
        out = model(torch.from_numpy(docs.audio), torch.from_numpy(docs.text), torch.from_numpy(docs.mask))
    for m, probe in enumerate(probes):
        np.testing.assert_allclose(
            torch.softmax(out.logits[m], -1).numpy(), probe.predict_proba(x), atol=1e-5
        )
    uniform = docs.mask / docs.mask.sum(1, keepdims=True)
    for weights in out.attn_weights.values():  # attention pooling starts as mean pooling
        np.testing.assert_allclose(weights.numpy(), np.broadcast_to(uniform, weights.shape), atol=1e-6)


def test_the_default_network_has_no_anchor():
    cfg = hc.ExperimentConfig()
    model = hc.create_model(cfg, 8, 5, 3, 1)
    assert not any(name.startswith("probe_") for name in model.state_dict())
