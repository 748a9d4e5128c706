"""Shared tiny fixtures: every test runs on CPU in seconds, with no network."""

from __future__ import annotations

import copy
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from hilbert_core.config import ExperimentConfig  # noqa: E402
from hilbert_core.data.synthetic import make_features  # noqa: E402


@pytest.fixture(scope="session")
def _tiny_config() -> ExperimentConfig:
    return ExperimentConfig().replace(
        model={
            "dim": 8,
            "num_heads": 2,
            "proj_dim": 8,
            "num_experts": 2,
            "expert_hidden_dim": 8,
            "head_hidden_dim": 4,
        },
        train={"epochs": 3, "batch_size": 8, "num_inner": 1, "compute_dtype": "float32"},
        eval={"n_splits": 3},
    )


@pytest.fixture
def tiny_config(_tiny_config: ExperimentConfig) -> ExperimentConfig:
    return _tiny_config  # frozen dataclass: safe to share


@pytest.fixture(scope="session")
def _tiny_features():
    return make_features(
        num_documents=36, num_segments=(3, 6), audio_dim=6, text_dim=5, num_classes=3, seed=1
    )


@pytest.fixture
def tiny_features(_tiny_features):
    return copy.deepcopy(_tiny_features)


@pytest.fixture
def tiny_batch():
    """(B=4) documents with ragged masks: audio (4, 5, 6), text (4, 5, 5), mask (4, 5)."""
    gen = torch.Generator().manual_seed(0)
    lengths = torch.tensor([5, 3, 1, 4])
    mask = torch.arange(5)[None, :] < lengths[:, None]
    audio = torch.randn(4, 5, 6, generator=gen) * mask[..., None]
    text = torch.randn(4, 5, 5, generator=gen) * mask[..., None]
    return audio, text, mask


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "i",
    "feel",
    "tired",
    "sleep",
    "well",
    "not",
    "the",
    "a",
]


def tiny_vocab(folder) -> dict[str, int]:
    """The tiny WordPiece vocabulary (transformers 5 ignores ``vocab_file=``: pass the dict)."""
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    return {word: i for i, word in enumerate(VOCAB)}


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory) -> str:
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny_bert")
    tokenizer = BertTokenizerFast(vocab=tiny_vocab(path), model_max_length=32)
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
    )
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)
