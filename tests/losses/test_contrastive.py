from __future__ import annotations

import numpy as np
import pytest
import torch

from hilbert_core.losses import contrastive_loss, dual_contrastive_loss, nt_xent_loss


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def numpy_nt_xent(anchor: np.ndarray, positive: np.ndarray, tau: float) -> float:
    """GMC NT-Xent written as docs/method.md §4.2 states it: 2B anchors, each against the other 2B - 1
    embeddings."""
    z = _unit(np.concatenate([anchor, positive]))
    b = anchor.shape[0]
    total = 0.0
    for u in range(2 * b):
        partner = (u + b) % (2 * b)
        others = [v for v in range(2 * b) if v != u]
        denom = sum(np.exp(z[u] @ z[v] / tau) for v in others)
        total += np.log(np.exp(z[u] @ z[partner] / tau) / denom)
    return -total / (2 * b)


def numpy_clip(x: np.ndarray, y: np.ndarray, tau: float) -> float:
    s = _unit(x) @ _unit(y).T / tau

    def ce(m):
        return -np.mean([m[i, i] - np.log(np.exp(m[i]).sum()) for i in range(len(m))])

    return 0.5 * (ce(s) + ce(s.T))


def test_nt_xent_matches_numpy(rng):
    a, p = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    got = nt_xent_loss(torch.from_numpy(a), torch.from_numpy(p), 0.3).item()
    assert got == pytest.approx(numpy_nt_xent(a, p, 0.3), rel=1e-9)


def test_clip_matches_numpy(rng):
    a, p = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    assert contrastive_loss(torch.from_numpy(a), torch.from_numpy(p), 0.2).item() == pytest.approx(
        numpy_clip(a, p, 0.2), rel=1e-9
    )


@pytest.mark.parametrize("negatives", ["gmc", "clip"])
def test_dual_is_sum_over_modalities_and_never_contrasts_audio_with_text(rng, negatives):
    za, zt, zj = (torch.from_numpy(rng.normal(size=(7, 4))) for _ in range(3))
    pair = nt_xent_loss if negatives == "gmc" else contrastive_loss
    expected = pair(zj, za, 0.1) + pair(zj, zt, 0.1)
    torch.testing.assert_close(dual_contrastive_loss(za, zt, zj, 0.1, negatives), expected)
    # Changing how audio relates to text, with each one's relation to joint fixed, changes nothing.
    torch.testing.assert_close(dual_contrastive_loss(zt, za, zj, 0.1, negatives), expected)


@pytest.mark.parametrize("negatives", ["gmc", "clip"])
def test_aligned_pairs_score_lower_than_shuffled(rng, negatives):
    zj = torch.from_numpy(rng.normal(size=(16, 8)))
    za = zj + 0.1 * torch.from_numpy(rng.normal(size=(16, 8)))
    zt = zj + 0.1 * torch.from_numpy(rng.normal(size=(16, 8)))
    perm = torch.randperm(16, generator=torch.Generator().manual_seed(1))
    aligned = dual_contrastive_loss(za, zt, zj, 0.1, negatives)
    shuffled = dual_contrastive_loss(za[perm], zt[perm], zj, 0.1, negatives)
    assert aligned < shuffled - 1.0


def test_unknown_negatives_is_an_error(rng):
    z = torch.zeros(2, 2)
    with pytest.raises(ValueError, match="negatives"):
        dual_contrastive_loss(z, z, z, 0.1, "all")
