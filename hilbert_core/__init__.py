"""HILBERT: document-level audio-text representations of long, segmented interviews.

Public API: :class:`ExperimentConfig`, :func:`cross_validate`, :func:`train_final`,
:func:`load_bundle`, :func:`create_model`.

The names that need torch or scikit-learn are imported on first use, so that light commands
(``hilbert validate``, ``hilbert --help``) do not pay several seconds of imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .config import AUX_LOSSES, METHODS, EvalConfig, ExperimentConfig, LossConfig, ModelConfig, TrainConfig
from .version import __version__

_LAZY = {
    "Bundle": "training.bundle",
    "load_bundle": "training.bundle",
    "train_final": "training.bundle",
    "cross_validate": "evaluation.cv",
    "HilbertModel": "model",
    "StackedModel": "model",
    "TransferModel": "model",
    "CVReport": "types",
    "ModelOutput": "types",
    "Prediction": "types",
}

if TYPE_CHECKING:
    from .evaluation.cv import cross_validate
    from .model import HilbertModel, StackedModel, TransferModel
    from .training.bundle import Bundle, load_bundle, train_final
    from .types import CVReport, ModelOutput, Prediction


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'hilbert_core' has no attribute {name!r}")


def create_model(
    config: ExperimentConfig, audio_dim: int, text_dim: int, num_classes: int, num_members: int = 1
) -> StackedModel:
    """Build the (uninitialised) network of ``config.eval.method`` / ``config.eval.modality``.

    A :class:`TransferModel` for ``transfer``/``transfer_moe``, a :class:`HilbertModel` for
    ``contrastive_moe``/``hilbert``; ``linear`` has none (ValueError).
    """
    from .model import create_network

    return create_network(
        config.model, config.eval.method, config.eval.modality, audio_dim, text_dim, num_classes, num_members
    )


__all__ = [
    "AUX_LOSSES",
    "METHODS",
    "Bundle",
    "CVReport",
    "EvalConfig",
    "ExperimentConfig",
    "HilbertModel",
    "LossConfig",
    "ModelConfig",
    "ModelOutput",
    "Prediction",
    "StackedModel",
    "TrainConfig",
    "TransferModel",
    "__version__",
    "create_model",
    "cross_validate",
    "load_bundle",
    "train_final",
]
