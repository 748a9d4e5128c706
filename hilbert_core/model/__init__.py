"""The HILBERT networks and their parts: :func:`create_network` picks the class of a method."""

from __future__ import annotations

from .base import MemberView, StackedModel
from .factory import NEURAL_METHODS, create_network
from .hilbert import ENCODER_METHODS, HilbertModel
from .members import decayed_parameters, init_members, set_compute_dtype, where_members
from .transfer import TRANSFER_METHODS, TransferModel

__all__ = [
    "ENCODER_METHODS",
    "NEURAL_METHODS",
    "TRANSFER_METHODS",
    "HilbertModel",
    "MemberView",
    "StackedModel",
    "TransferModel",
    "create_network",
    "decayed_parameters",
    "init_members",
    "set_compute_dtype",
    "where_members",
]
