"""Training stacked models: every fold (and tuning candidate) of a cross-validation at once.

Shape legend: M members, B documents per step, S segments, C classes.

A *member* is one model with its own training documents, validation documents, seed, input
dropout and weight decay. :func:`train_members` trains any number of members as one stacked
network (:class:`~hilbert_core.model.StackedModel`); with ``batched=False`` it trains them one
after another (the plain way).
Both give the same models up to floating-point noise: a member's initial weights, batch order
and early-stopping decisions depend only on its own spec.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from ..config import ExperimentConfig
from ..data.dataset import PaddedDocuments
from ..device import resolve_compute_dtype, resolve_device
from ..losses import balanced_class_weight, compute_objective, weighted_cross_entropy
from ..model import StackedModel, set_compute_dtype
from ..model.members import decayed_parameters, where_members
from ..types import EpochRecord
from .members import MemberSpec, build_members_model, member_loss_weights

logger = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
EpochCallback = Callable[[EpochRecord], None]
_MemberEpoch = Callable[[int, dict[str, np.ndarray]], None]  # (epoch, name -> (M,) values)
_STACK_BUDGET_BYTES = 3e9  # activation memory one stacked pass may use before members are chunked


@dataclass
class TrainOutput:
    """Trained members (weights restored to each member's best validation epoch).

    Attributes:
        model: the stacked model, in eval mode, on the CPU.
        best_epoch: (M,) epoch (1-based) of the lowest validation loss.
        best_val_loss: (M,) that loss.
        history: per epoch, name -> (M,) means over the epoch's steps (``*_loss`` terms, CKA, MI,
            ``mi_ceiling``) plus ``val_loss``.
        seconds: wall time of training.
        model_steps: training steps summed over members (M x epochs run x steps per epoch).
    """

    model: StackedModel
    best_epoch: np.ndarray
    best_val_loss: np.ndarray
    history: list[dict[str, np.ndarray]] = field(default_factory=list)
    seconds: float = 0.0
    model_steps: int = 0


def _epoch_batches(
    specs: list[MemberSpec], rngs: list[np.random.Generator], batch_size: int, steps: int
) -> np.ndarray:
    """(steps, M, B) document indices: each member walks shuffled passes over its training docs."""
    out = np.empty((steps, len(specs), batch_size), dtype=np.int64)
    for m, (spec, rng) in enumerate(zip(specs, rngs, strict=True)):
        need = steps * batch_size
        passes = [rng.permutation(spec.train_idx) for _ in range(math.ceil(need / len(spec.train_idx)))]
        out[:, m, :] = np.concatenate(passes)[:need].reshape(steps, batch_size)
    return out


class _Tensors:
    """The corpus on the training device; ``take`` gathers (M, B) documents trimmed to their longest."""

    def __init__(
        self, docs: PaddedDocuments, y: np.ndarray, device: torch.device, dtype: torch.dtype
    ) -> None:
        # Stored once in the compute dtype: bf16 halves the bytes every step gathers.
        self.audio = None if docs.audio is None else torch.from_numpy(docs.audio).to(device, dtype)
        self.text = None if docs.text is None else torch.from_numpy(docs.text).to(device, dtype)
        self.mask = torch.from_numpy(docs.mask).to(device)
        self.lengths = torch.from_numpy(docs.mask.sum(1)).to(device)
        self.y = torch.from_numpy(y).to(device)
        self.device = device

    def take(
        self, idx: np.ndarray
    ) -> tuple[torch.Tensor | None, torch.Tensor | None, torch.Tensor, torch.Tensor]:
        index = torch.from_numpy(idx).to(self.device)
        s = int(self.lengths[index].max())
        audio = None if self.audio is None else self.audio[index, :s]
        text = None if self.text is None else self.text[index, :s]
        return audio, text, self.mask[index, :s], self.y[index]


def _stack_chunk_size(docs: PaddedDocuments, cfg: ExperimentConfig) -> int:
    s = docs.mask.shape[1]
    per_member = cfg.train.batch_size * s * (docs.audio_dim + docs.text_dim + 24 * cfg.model.dim) * 4 * 3
    return max(1, int(_STACK_BUDGET_BYTES // per_member))


def train_members(
    docs: PaddedDocuments,
    y: np.ndarray,
    num_classes: int,
    specs: list[MemberSpec],
    cfg: ExperimentConfig,
    *,
    batched: bool | None = None,
    progress: Progress | None = None,
    on_epoch: EpochCallback | None = None,
    labels: Sequence[str] | None = None,
) -> TrainOutput:
    """Train ``specs`` (stacked when ``batched``, else one by one) and return the best-epoch models.

    Members beyond what fits in memory at once are trained in consecutive stacked chunks.

    Args:
        progress: ``progress(fraction, message)`` after every epoch.
        on_epoch: called after every epoch with one :class:`EpochRecord` per label (members of a
            chunk trained separately report their epochs again, with their own ``num_members``).
        labels: the group of each spec in ``on_epoch`` records (default: ``"all"`` for every member).
    """
    labels = ["all"] * len(specs) if labels is None else list(labels)
    if len(labels) != len(specs):
        raise ValueError(f"labels has {len(labels)} entries for {len(specs)} members; give one per member.")
    batched = cfg.train.batched_folds if batched is None else batched
    chunk = _stack_chunk_size(docs, cfg) if batched else 1
    groups = [specs[i : i + chunk] for i in range(0, len(specs), chunk)]
    outs = []
    for g, group in enumerate(groups):

        def sub_progress(frac: float, msg: str, g: int = g) -> None:
            if progress is not None:
                progress((g + frac) / len(groups), msg)

        group_labels = labels[g * chunk : g * chunk + len(group)]
        report = None if on_epoch is None else _group_reporter(on_epoch, group_labels)
        outs.append(_train_stack(docs, y, num_classes, group, cfg, sub_progress, report))
    return outs[0] if len(outs) == 1 else _concat_outputs(outs)


def _group_reporter(on_epoch: EpochCallback, labels: list[str]) -> _MemberEpoch:
    """Turns one epoch's per-member values into one :class:`EpochRecord` per label (mean over its members)."""
    names = np.asarray(labels)

    def report(epoch: int, record: dict[str, np.ndarray]) -> None:
        for label in dict.fromkeys(labels):
            sel = names == label
            values = {name: float(np.mean(v[sel])) for name, v in record.items()}
            on_epoch(EpochRecord(label=label, epoch=epoch, values=values, num_members=int(sel.sum())))

    return report


def _concat_outputs(outs: list[TrainOutput]) -> TrainOutput:
    """The members of consecutive chunks as one output (one stacked model, per-member histories)."""
    model = outs[0].model.concat_members([o.model for o in outs[1:]])
    epochs = max(len(o.history) for o in outs)
    history = []
    for e in range(epochs):
        keys = set().union(*(o.history[e].keys() for o in outs if e < len(o.history)))
        history.append({k: np.concatenate([_epoch_values(o, e, k) for o in outs]) for k in keys})
    return TrainOutput(
        model=model,
        best_epoch=np.concatenate([o.best_epoch for o in outs]),
        best_val_loss=np.concatenate([o.best_val_loss for o in outs]),
        history=history,
        seconds=sum(o.seconds for o in outs),
        model_steps=sum(o.model_steps for o in outs),
    )


def _epoch_values(out: TrainOutput, epoch: int, key: str) -> np.ndarray:
    """(M,) values of ``key`` in ``out``'s epoch ``epoch`` (0-based); NaN where it has none."""
    if epoch < len(out.history) and key in out.history[epoch]:
        return out.history[epoch][key]
    return np.full(out.model.num_members, np.nan)


def _train_stack(
    docs: PaddedDocuments,
    y: np.ndarray,
    num_classes: int,
    specs: list[MemberSpec],
    cfg: ExperimentConfig,
    progress: Progress,
    on_epoch: _MemberEpoch | None = None,
) -> TrainOutput:
    """Train one stack of members together; see :func:`train_members`."""
    start = time.perf_counter()
    tc, m = cfg.train, len(specs)
    device = resolve_device(tc.device)
    model = build_members_model(docs, y, num_classes, specs, cfg).to(device)
    dtype_name = resolve_compute_dtype(tc.compute_dtype, device)
    set_compute_dtype(model, dtype_name)
    data = _Tensors(docs, y, device, getattr(torch, dtype_name))
    class_weight = _class_weight(y, specs, num_classes).to(device) if cfg.loss.class_weighted else None
    # fused=True: one kernel for all parameters (5x faster than the foreach path on CPU).
    optimizer = torch.optim.AdamW(model.parameters(), lr=tc.lr, weight_decay=0.0, fused=True)
    decay = torch.tensor([s.weight_decay for s in specs], device=device)
    member_weights = {k: v.to(device) for k, v in member_loss_weights(specs, cfg).items()}
    val_idx, val_weight = _pad_validation(specs, device)
    batch_size = min(tc.batch_size, min(len(s.train_idx) for s in specs))
    steps = math.ceil(max(len(s.train_idx) for s in specs) / batch_size)
    rngs = [np.random.default_rng(s.seed) for s in specs]
    torch.manual_seed(specs[0].seed)
    best_loss, best_epoch = np.full(m, np.inf), np.zeros(m, dtype=np.int64)
    best_state = copy.deepcopy(model.state_dict())
    if cfg.model.anchor == "probe":  # epoch 0 is the probe itself: training must beat it to be kept
        best_loss = _validation_loss(model, data, val_idx, val_weight, class_weight)
    history: list[dict[str, np.ndarray]] = []
    for epoch in range(1, tc.epochs + 1):
        batches = _epoch_batches(specs, rngs, batch_size, steps)
        record = _train_epoch(model, optimizer, data, batches, cfg, class_weight, decay, member_weights)
        record["val_loss"] = _validation_loss(model, data, val_idx, val_weight, class_weight)
        history.append(record)
        if on_epoch is not None:
            on_epoch(epoch, record)
        improved = _improved(record["val_loss"], best_loss)
        if improved.any():
            best_loss = np.where(improved, record["val_loss"], best_loss)
            best_epoch = np.where(improved, epoch, best_epoch)
            best_state = where_members(torch.from_numpy(improved).to(device), model.state_dict(), best_state)
        progress(
            epoch / tc.epochs, f"epoch {epoch}/{tc.epochs}, validation loss {np.mean(record['val_loss']):.4f}"
        )
        if (epoch - best_epoch >= tc.patience).all():
            logger.info("all %d members stopped early at epoch %d", m, epoch)
            break
    model.load_state_dict(best_state)
    return TrainOutput(
        model=model.eval().cpu(),
        best_epoch=best_epoch,
        best_val_loss=best_loss,
        history=history,
        seconds=time.perf_counter() - start,
        model_steps=m * len(history) * steps,
    )


def _improved(val_loss: np.ndarray, best_loss: np.ndarray) -> np.ndarray:
    """(M,) members whose validation loss improved on their best by a margin worth having: 0.1 % of the
    best (plus 1e-4), so a loss creeping towards zero on an easy task does not train to the last epoch."""
    margin = 1e-3 * np.where(np.isfinite(best_loss), best_loss, 0) + 1e-4
    return val_loss < best_loss - margin


def _class_weight(y: np.ndarray, specs: list[MemberSpec], num_classes: int) -> torch.Tensor:
    """(M, C) balanced class weights of each member's training documents."""
    train_y = [torch.from_numpy(y[s.train_idx]) for s in specs]
    return torch.stack([balanced_class_weight(t, num_classes) for t in train_y])


def _train_epoch(
    model: StackedModel,
    optimizer: torch.optim.Optimizer,
    data: _Tensors,
    batches: np.ndarray,
    cfg: ExperimentConfig,
    class_weight: torch.Tensor | None,
    decay: torch.Tensor,
    member_weights: dict[str, torch.Tensor] | None = None,
) -> dict[str, np.ndarray]:
    """One pass over ``batches`` (steps, M, B); returns name -> (M,) means of the loss parts.
    ``member_weights``: loss weight name -> (M,) per-member weights (searched aux weights)."""
    lr, m = cfg.train.lr, model.num_members
    decay_params = decayed_parameters(model)
    model.train()
    sums: dict[str, torch.Tensor] = {}
    for batch in batches:
        audio, text, mask, target = data.take(batch)
        loss = compute_objective(
            model(audio, text, mask),
            target,
            cfg.eval.method,
            cfg.eval.losses,
            cfg.loss,
            class_weight,
            member_weights,
        )
        optimizer.zero_grad(set_to_none=True)
        loss.total.sum().backward()  # members share no parameter: each gets its own gradient
        optimizer.step()
        with torch.no_grad():
            for p in decay_params:  # decoupled weight decay, one rate per member
                p.mul_((1 - lr * decay).reshape((m,) + (1,) * (p.dim() - 1)))
            for name, value in loss.parts.items():
                sums[name] = sums.get(name, 0) + value.detach()
    return {name: (value / len(batches)).float().cpu().numpy() for name, value in sums.items()}


def _pad_validation(specs: list[MemberSpec], device: torch.device) -> tuple[np.ndarray, torch.Tensor]:
    """(M, V) validation indices padded by repeating the first, with (M, V) 0/1 weights."""
    v = max(len(s.val_idx) for s in specs)
    idx = np.stack([np.pad(s.val_idx, (0, v - len(s.val_idx)), constant_values=s.val_idx[0]) for s in specs])
    weight = np.stack([np.arange(v) < len(s.val_idx) for s in specs]).astype(np.float32)
    return idx, torch.from_numpy(weight).to(device)


@torch.no_grad()
def _validation_loss(
    model: StackedModel,
    data: _Tensors,
    idx: np.ndarray,
    weight: torch.Tensor,
    class_weight: torch.Tensor | None,
) -> np.ndarray:
    model.eval()
    audio, text, mask, target = data.take(idx)
    logits = model(audio, text, mask).logits
    return weighted_cross_entropy(logits, target, class_weight, weight).float().cpu().numpy()


@torch.no_grad()
def predict_members(model: StackedModel, docs: PaddedDocuments, idx: list[np.ndarray]) -> list[np.ndarray]:
    """Class probabilities of member ``m`` for its own documents ``idx[m]``, in one stacked pass.

    Returns a list of (len(idx[m]), C) arrays.
    """
    model.eval()
    device = next(model.parameters()).device
    width = max(len(i) for i in idx)
    padded = np.stack([np.pad(i, (0, width - len(i)), mode="edge") for i in idx])  # (M, T)
    s = int(docs.mask[padded].sum(-1).max())
    tensors = [
        None if x is None else torch.from_numpy(x[padded, :s]).to(device) for x in (docs.audio, docs.text)
    ]
    mask = torch.from_numpy(docs.mask[padded, :s]).to(device)
    proba = torch.softmax(model(tensors[0], tensors[1], mask).logits.float(), dim=-1).cpu().numpy()
    return [proba[m, : len(i)] for m, i in enumerate(idx)]
