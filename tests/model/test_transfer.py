from __future__ import annotations

import pytest
import torch

from hilbert_core.config import ModelConfig
from hilbert_core.model import TransferModel, create_network, init_members

CFG = ModelConfig(num_experts=3, expert_hidden_dim=8, head_hidden_dim=4, input_dropout=0.0, dropout=0.0)
BUFFERS = ["audio_mean", "audio_std", "input_dropout", "text_mean", "text_std"]
HEAD = [
    "classifier.head.fc1.bias",
    "classifier.head.fc1.weight",
    "classifier.head.fc2.bias",
    "classifier.head.fc2.weight",
]
# The keys bundles saved before TransferModel existed hold (after their "model." prefix).
SAVED_KEYS = {
    "transfer": [
        *BUFFERS,
        "classifier.fc1.bias",
        "classifier.fc1.weight",
        "classifier.fc2.bias",
        "classifier.fc2.weight",
        *HEAD,
    ],
    "transfer_moe": [
        *BUFFERS,
        "classifier.expert_hidden",
        "classifier.expert_hidden_bias",
        "classifier.expert_in.bias",
        "classifier.expert_in.weight",
        "classifier.gate.bias",
        "classifier.gate.weight",
        *HEAD,
    ],
}


@pytest.mark.parametrize("method", ["transfer", "transfer_moe"])
def test_state_dict_keys_are_those_of_saved_bundles(method):
    # bundles saved before the probe anchor: the paper network (anchor="none") has exactly their keys
    model = create_network(
        CFG.__class__(**{**vars(CFG), "anchor": "none"}), method, "both", 6, 5, 3, num_members=2
    )
    assert isinstance(model, TransferModel)
    assert sorted(model.state_dict()) == sorted(SAVED_KEYS[method])
    anchored = create_network(CFG.__class__(**{**vars(CFG), "anchor": "probe"}), method, "both", 6, 5, 3, 2)
    probe_keys = {"probe_mean", "probe_scale", "probe_coef", "probe_bias"}
    assert set(anchored.state_dict()) == set(SAVED_KEYS[method]) | probe_keys
    first_layer = "classifier.fc1.weight" if method == "transfer" else "classifier.gate.weight"
    assert model.state_dict()[first_layer].shape[:2] == (2, 6 + 5)  # (M, Da + Dt, ...)


@pytest.mark.parametrize("method", ["transfer", "transfer_moe"])
def test_standardised_mean_pooling_is_the_input(tiny_batch, method):
    audio, text, mask = tiny_batch
    model = create_network(CFG, method, "audio", 6, 5, 3, num_members=2)
    init_members(model, [0, 1])
    mean, std = torch.randn(2, 6), torch.rand(2, 6) + 0.5
    model.set_standardization(audio_mean=mean, audio_std=std)
    model.eval()
    seen = []
    model.classifier.register_forward_hook(lambda mod, args, out: seen.append(args[0]))
    out = model(audio, text, mask)
    pooled = (audio * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)  # (B, Da)
    torch.testing.assert_close(seen[0], (pooled[None] - mean[:, None]) / std[:, None])
    torch.testing.assert_close(
        out.attn_weights["audio"], (mask / mask.sum(1, keepdim=True)).expand(2, -1, -1)
    )
    assert out.audio_emb is None and set(out.attn_weights) == {"audio"}
