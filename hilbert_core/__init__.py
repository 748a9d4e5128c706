"""HILBERT: document-level audio-text representations of long, segmented interviews.

Public API: :class:`ExperimentConfig`, :func:`cross_validate`, :func:`train_final`,
:func:`load_bundle`, :func:`create_model`.
"""

from __future__ import annotations

from .bundle import Bundle, load_bundle, train_final
from .config import AUX_LOSSES, METHODS, EvalConfig, ExperimentConfig, LossConfig, ModelConfig, TrainConfig
from .evaluation import cross_validate
from .model import HilbertModel
from .types import CVReport, ModelOutput, Prediction

__version__ = "0.1.0"


def create_model(
    config: ExperimentConfig, audio_dim: int, text_dim: int, num_classes: int, num_members: int = 1
) -> HilbertModel:
    """Build the network of ``config.eval.method`` / ``config.eval.modality`` (not ``linear``)."""
    return HilbertModel(
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
    "TrainConfig",
    "__version__",
    "create_model",
    "cross_validate",
    "load_bundle",
    "train_final",
]
