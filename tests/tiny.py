"""The test suite's one tiny training configuration, plus small helpers (constants and plain functions;
fixtures live in the conftest.py files).

A test that needs something else derives it from ``TINY_SET`` and says why, e.g.
``[*TINY_SET, "train.epochs=400"]`` for a job that must still be running when it is cancelled.
"""

from __future__ import annotations

from pathlib import Path

# Config overrides (``section.field=value``) that make a model tiny and its training a few seconds on CPU.
TINY_SET = [
    "model.dim=8",
    "model.proj_dim=8",
    "model.num_heads=2",
    "model.num_experts=2",
    "model.expert_hidden_dim=8",
    "model.head_hidden_dim=4",
    "train.epochs=2",
    "train.num_inner=1",
    "train.compute_dtype=float32",
    # the networks themselves, not the probe they would fall back to with one inner split this small
    "train.choose_probe=false",
]


def cli_set(overrides: list[str]) -> list[str]:
    """As arguments: ``["a.b=1", "c.d=2"]`` -> ``["--set", "a.b=1", "--set", "c.d=2"]``."""
    return [arg for override in overrides for arg in ("--set", override)]


# TINY_SET as `hilbert cv|train ...` arguments.
TINY_ARGS = cli_set(TINY_SET)


def write_tiny_features(folder: Path) -> Path:
    """Write a synthetic feature folder with ``hilbert synth-features``: 30 documents, 3 classes (task
    ``label``), 3 to 5 segments each, 6-dim audio and 5-dim text features."""
    from hilbert_core.cli import main  # here, so that importing the constants above needs no hilbert_core

    args = ["synth-features", str(folder), "--documents", "30", "--classes", "3", "--seed", "2"]
    assert (
        main([*args, "--audio-dim", "6", "--text-dim", "5", "--min-segments", "3", "--max-segments", "5"])
        == 0
    )
    return folder


# A tiny WordPiece vocabulary for random-weight tokenizers (BERT, CLAP) saved without downloads.
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


def tiny_vocab(folder: Path) -> dict[str, int]:
    """Write ``VOCAB`` to ``folder/vocab.txt`` and return it as a dict (transformers 5 ignores
    ``vocab_file=``: pass the dict)."""
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    return {word: i for i, word in enumerate(VOCAB)}
