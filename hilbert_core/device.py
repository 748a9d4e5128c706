"""Choosing the device and the matrix-multiply precision."""

from __future__ import annotations

import functools
import logging

import torch

logger = logging.getLogger(__name__)


def resolve_device(name: str) -> torch.device:
    """``"auto"`` -> the first CUDA GPU when present, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"train.device={name!r} asks for a GPU but torch sees none; use 'auto' or 'cpu'.")
    return device


@functools.cache
def cpu_has_bf16_units() -> bool:
    """True when the CPU multiplies bf16 matrices natively (Intel AMX or AVX512-BF16)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve_compute_dtype(name: str, device: torch.device) -> str:
    """``"auto"`` -> ``"bfloat16"`` where the hardware has bf16 matrix units, else ``"float32"``."""
    if name != "auto":
        return name
    if device.type == "cuda":
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
    return "bfloat16" if cpu_has_bf16_units() else "float32"
