"""create_network: the network class of each neural method."""

from __future__ import annotations

from ..config import ModelConfig
from .base import StackedModel
from .hilbert import ENCODER_METHODS, HilbertModel
from .transfer import TRANSFER_METHODS, TransferModel

_NETWORKS: dict[str, type[StackedModel]] = {
    **{method: TransferModel for method in TRANSFER_METHODS},
    **{method: HilbertModel for method in ENCODER_METHODS},
}
NEURAL_METHODS = tuple(_NETWORKS)  # ("transfer", "transfer_moe", "contrastive_moe", "hilbert")


def create_network(
    cfg: ModelConfig,
    method: str,
    modality: str,
    audio_dim: int,
    text_dim: int,
    num_classes: int,
    num_members: int = 1,
) -> StackedModel:
    """The (uninitialised) network of ``method``: M stacked members; see :class:`StackedModel`.

    Raises:
        ValueError: ``method`` has no neural network (``linear``) or is unknown.
    """
    if method not in _NETWORKS:
        raise ValueError(f"method={method!r} has no neural model; choose one of {', '.join(NEURAL_METHODS)}.")
    return _NETWORKS[method](cfg, method, modality, audio_dim, text_dim, num_classes, num_members)
