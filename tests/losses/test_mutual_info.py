from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hilbert_core.losses import infonce_mi, mi_balance_loss


def numpy_infonce(x: np.ndarray, y: np.ndarray, tau: float) -> float:
    b = x.shape[0]
    total = 0.0
    for i in range(b):
        scores = np.array([x[i] @ y[k] / tau for k in range(b)])
        total += scores[i] - np.log(np.exp(scores).sum())
    return math.log(b) + total / b


def test_matches_numpy_reference(rng):
    x, y = rng.normal(size=(9, 4)), rng.normal(size=(9, 4))
    got = infonce_mi(torch.from_numpy(x), torch.from_numpy(y), 0.5).item()
    assert got == pytest.approx(numpy_infonce(x, y, 0.5), rel=1e-9)


@pytest.mark.parametrize("tau", [0.05, 0.1, 1.0])
def test_never_above_log_batch(rng, tau):
    x = torch.from_numpy(rng.normal(size=(16, 8)))
    for y in (x, x * 100, torch.from_numpy(rng.normal(size=(16, 8)))):
        assert infonce_mi(x, y, tau).item() <= math.log(16) + 1e-9


def test_aligned_pairs_carry_more_information_than_shuffled(rng):
    x = torch.nn.functional.normalize(torch.from_numpy(rng.normal(size=(32, 8))), dim=-1)
    y = x + 0.05 * torch.from_numpy(rng.normal(size=(32, 8)))
    shuffled = y[torch.randperm(32, generator=torch.Generator().manual_seed(0))]
    assert infonce_mi(x, y, 0.1) > infonce_mi(x, shuffled, 0.1) + 1.0


def test_balance_loss_is_absolute_difference(rng):
    a, t, j = (torch.from_numpy(rng.normal(size=(6, 3))) for _ in range(3))
    expected = abs(numpy_infonce(j.numpy(), a.numpy(), 0.2) - numpy_infonce(j.numpy(), t.numpy(), 0.2))
    assert mi_balance_loss(a, t, j, 0.2).item() == pytest.approx(expected, rel=1e-9)
    assert mi_balance_loss(a, a, j, 0.2).item() == pytest.approx(0.0, abs=1e-12)


def test_temperature_must_be_positive():
    with pytest.raises(ValueError, match="temperature"):
        infonce_mi(torch.zeros(2, 2), torch.zeros(2, 2), 0.0)
