from __future__ import annotations

import numpy as np
import pytest
import torch

from hilbert_core.losses import cka_loss, debiased_cka, linear_cka


def numpy_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Independent reference: HSIC on Gram matrices with the centring matrix H (Kornblith et al. 2019)."""
    n = x.shape[0]
    h = np.eye(n) - np.ones((n, n)) / n
    k, l_ = x @ x.T, y @ y.T

    def hsic(a, b):
        return np.trace(a @ h @ b @ h)

    return hsic(k, l_) / np.sqrt(hsic(k, k) * hsic(l_, l_))


@pytest.mark.parametrize("d1,d2", [(3, 7), (16, 4), (10, 10)])
def test_matches_numpy_reference(rng, d1, d2):
    x, y = rng.normal(size=(12, d1)), rng.normal(size=(12, d2))
    got = linear_cka(torch.from_numpy(x), torch.from_numpy(y)).item()
    assert got == pytest.approx(numpy_cka(x, y), rel=1e-9)


def test_self_similarity_is_one_and_range(rng):
    x = torch.from_numpy(rng.normal(size=(20, 5)))
    torch.testing.assert_close(linear_cka(x, x), torch.tensor(1.0, dtype=torch.float64))
    for _ in range(5):
        y = torch.from_numpy(rng.normal(size=(20, 3)))
        assert 0.0 <= linear_cka(x, y).item() <= 1.0


def test_invariant_to_rotation_and_isotropic_scaling(rng):
    x = torch.from_numpy(rng.normal(size=(15, 6)))
    y = torch.from_numpy(rng.normal(size=(15, 4)))
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    rotated = x @ torch.from_numpy(q) * 3.7 + 5.0  # rotation, scaling and a shift (removed by centring)
    torch.testing.assert_close(linear_cka(rotated, y), linear_cka(x, y))


def test_not_invariant_to_anisotropic_scaling(rng):
    x = torch.from_numpy(rng.normal(size=(15, 6)))
    y = torch.from_numpy(rng.normal(size=(15, 4)))
    stretched = x * torch.tensor([10.0, 1, 1, 1, 1, 1], dtype=torch.float64)
    assert abs(linear_cka(stretched, y).item() - linear_cka(x, y).item()) > 1e-3


def test_batched_leading_axes_match_loop(rng):
    x = torch.from_numpy(rng.normal(size=(3, 10, 4)))
    y = torch.from_numpy(rng.normal(size=(3, 10, 5)))
    batched = linear_cka(x, y)
    torch.testing.assert_close(batched, torch.stack([linear_cka(x[i], y[i]) for i in range(3)]))


def test_cka_loss_is_zero_for_identical_and_sums_two_terms(rng):
    z = torch.from_numpy(rng.normal(size=(8, 4)))
    assert cka_loss(z, z, z).item() == pytest.approx(0.0, abs=1e-12)
    a, t = torch.from_numpy(rng.normal(size=(8, 4))), torch.from_numpy(rng.normal(size=(8, 4)))
    expected = 2 - numpy_cka(a.numpy(), z.numpy()) - numpy_cka(t.numpy(), z.numpy())
    assert cka_loss(a, t, z).item() == pytest.approx(expected, rel=1e-9)


def test_sample_count_mismatch_is_an_error():
    with pytest.raises(ValueError, match="same number of samples"):
        linear_cka(torch.zeros(4, 2), torch.zeros(5, 2))


def _numpy_debiased_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Kornblith et al.'s debiased linear CKA written out with loops over the U-statistic's sums."""

    def hsic(k: np.ndarray, l_: np.ndarray) -> float:
        n = len(k)
        k, l_ = k.copy(), l_.copy()
        np.fill_diagonal(k, 0)
        np.fill_diagonal(l_, 0)
        ones = np.ones(n)
        value = np.trace(k @ l_) + ones @ k @ ones * (ones @ l_ @ ones) / ((n - 1) * (n - 2))
        value -= 2 / (n - 2) * ones @ k @ l_ @ ones
        return value / (n * (n - 3))

    xc, yc = x - x.mean(0), y - y.mean(0)
    k, l_ = xc @ xc.T, yc @ yc.T
    return hsic(k, l_) / np.sqrt(hsic(k, k) * hsic(l_, l_))


def test_debiased_cka_matches_a_numpy_reference_and_is_one_on_itself():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 6)), rng.normal(size=(20, 9))
    expected = _numpy_debiased_cka(x, y)
    got = debiased_cka(torch.from_numpy(x), torch.from_numpy(y))
    assert float(got) == pytest.approx(expected, rel=1e-9)
    assert float(debiased_cka(torch.from_numpy(x), torch.from_numpy(x))) == pytest.approx(1.0)


def test_debiased_cka_of_independent_batches_is_near_zero_where_the_plain_one_is_not():
    gen = torch.Generator().manual_seed(0)
    plain, debiased = [], []
    for _ in range(20):
        x, y = torch.randn(32, 128, generator=gen), torch.randn(32, 128, generator=gen)
        plain.append(float(linear_cka(x, y)))
        debiased.append(float(debiased_cka(x, y)))
    assert np.mean(plain) > 0.7  # the bias the paper's estimator carries at B=32, 128 dims
    assert abs(np.mean(debiased)) < 0.05


def test_debiased_cka_is_rotation_and_scale_invariant_and_batched():
    gen = torch.Generator().manual_seed(1)
    x, y = (
        torch.randn(3, 16, 5, generator=gen, dtype=torch.float64),
        torch.randn(3, 16, 4, generator=gen, dtype=torch.float64),
    )
    q, _ = torch.linalg.qr(torch.randn(5, 5, generator=gen, dtype=torch.float64))
    torch.testing.assert_close(debiased_cka(2.5 * x @ q, y), debiased_cka(x, y))
    torch.testing.assert_close(debiased_cka(x, y)[1], debiased_cka(x[1], y[1]))
