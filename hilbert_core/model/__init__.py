"""The HILBERT network and its parts."""

from __future__ import annotations

from .hilbert import ENCODER_METHODS, NEURAL_METHODS, HilbertModel
from .layers import init_members, set_compute_dtype

__all__ = ["ENCODER_METHODS", "NEURAL_METHODS", "HilbertModel", "init_members", "set_compute_dtype"]
