"""Configuration: one frozen dataclass per concern, gathered in :class:`ExperimentConfig`.

Defaults follow the paper where it states a value (``num_experts=8``, expert MLPs of 32 units,
projector output 128) and the choices marked in docs/method.md where it does not. Every value is checked in
``__post_init__`` so that a bad setting fails before any data is touched.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, fields
from typing import Any

METHODS = (
    "linear",
    "transfer",
    "transfer_moe",
    "contrastive_moe",
    "hilbert",
)
MODALITIES = ("both", "audio", "text")
AUX_LOSSES = ("contrastive", "cka", "mi")
ANCHORS = ("probe", "none")
POOLINGS = ("attention", "gated")


def _check_range(name: str, value: float, low: float, high: float, fix: str) -> None:
    if not (low <= value <= high):
        raise ValueError(f"{name}={value!r} is outside [{low}, {high}]; {fix}.")


def _check_positive_int(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer; set it to 1 or more.")


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of docs/method.md §2-5.

    Attributes:
        dim: width ``d`` of the projected segments (paper silent; design note 128). Default 128 with weight
            decay 0.2: with the probe-or-network choice, d 128 reached 0.860 pooled macro AUC on the demo
            spectrum task against 0.831 at d 64 (linear 0.829; docs/method.md §9.6). Without the choice,
            on RAVDESS emotion (whisper-tiny-en + MiniLM) d=64 had fitted better (0.982 vs 0.975).
        num_heads: heads of the segment self-attention and cross-modal attention (paper silent;
            choice 2: head width 64 keeps bf16 matrix units busy, 4 heads made a step 30 % slower).
        num_layers: self-attention blocks per modality before attention pooling.
        proj_dim: output ``k`` of the shared projector ``g`` (paper: 128).
        num_experts: experts of the MoE classifier (paper: 8).
        expert_hidden_dim: width of both hidden layers of each expert (paper: 32).
        head_hidden_dim: hidden width of the classification head, expert_hidden_dim -> head_hidden_dim -> C
            (paper: 16).
        gating: ``"dense"`` (paper) or ``"topk"`` (sparse, with a load-balancing loss).
        top_k: experts kept per document when ``gating="topk"``.
        input_dropout: dropout on the frozen segment features (regularises small corpora).
        dropout: dropout on each attention block's output and on hidden activations (never on the
            attention probabilities).
        anchor: ``"none"`` (default): the paper's network (post-norm blocks, random initialisation, no
            probe). ``"probe"``: the class logits are a linear probe's logits (fitted on the member's
            training documents) plus a learned correction whose last layer starts at zero, attention
            pooling starts as mean pooling and each self-attention block as the identity (pre-norm
            residual), so at epoch 0 the network is the probe. An option: it holds the network at the
            probe where the label sits in a few segments (0.909 vs 0.988 without it; §9.6).
        pooling: how the segments are weighted into a document embedding (docs/method.md §2.2).
            ``"gated"`` (default): gated attention MIL pooling (Ilse et al. 2018), scored on each
            segment's own projections (before self-attention), pooling the self-attention output: level
            AUC, attention nearer the evidence (§9.6). ``"attention"``: the paper's, scored on the latter.
        speaker_relative: pooling scores and values also see each segment's deviation from its interview's
            mean, so answers that stand out from the speaker's own usual are found (docs/method.md §2.2):
            sparse-deviation corpus 0.870 vs 0.601 without (linear 0.431), demo level (§9.6).
    """

    dim: int = 128
    num_heads: int = 2
    num_layers: int = 1
    proj_dim: int = 128
    num_experts: int = 8
    expert_hidden_dim: int = 32
    head_hidden_dim: int = 16
    gating: str = "dense"
    top_k: int = 2
    input_dropout: float = 0.2
    dropout: float = 0.1
    anchor: str = "none"
    pooling: str = "gated"
    speaker_relative: bool = True

    def __post_init__(self) -> None:
        if self.anchor not in ANCHORS:
            raise ValueError(f"model.anchor={self.anchor!r} is not one of {', '.join(ANCHORS)}.")
        if self.pooling not in POOLINGS:
            raise ValueError(f"model.pooling={self.pooling!r} is not one of {', '.join(POOLINGS)}; pick one.")
        for name in (
            "dim",
            "num_heads",
            "num_layers",
            "proj_dim",
            "num_experts",
            "expert_hidden_dim",
            "head_hidden_dim",
            "top_k",
        ):
            _check_positive_int(f"model.{name}", getattr(self, name))
        if self.dim % self.num_heads:
            raise ValueError(
                f"model.dim={self.dim} is not divisible by model.num_heads={self.num_heads}; "
                "pick a dim that is a multiple of num_heads."
            )
        if self.gating not in ("dense", "topk"):
            raise ValueError(f"model.gating={self.gating!r} is not one of 'dense', 'topk'.")
        if self.top_k > self.num_experts:
            raise ValueError(
                f"model.top_k={self.top_k} exceeds model.num_experts={self.num_experts}; lower top_k."
            )
        _check_range("model.input_dropout", self.input_dropout, 0.0, 0.95, "use a rate such as 0.2")
        _check_range("model.dropout", self.dropout, 0.0, 0.95, "use a rate such as 0.1")


@dataclass(frozen=True)
class LossConfig:
    """Weights of eq. 14, ``L = L_CE + λ1 L_con + λ2 L_CKA + λ3 L_MI`` (paper silent on values).

    Attributes:
        temperature: ``τ`` of the scaled cosine similarity and of the InfoNCE critic.
        contrastive_weight: ``λ1``.
        cka_weight: ``λ2``.
        mi_weight: ``λ3``.
        moe_aux_weight: weight of the top-k load-balancing term (unused with dense gating).
        class_weighted: weight cross-entropy by inverse class frequency of the training fold.
        contrastive_negatives: ``"gmc"`` (NT-Xent over the 2B stacked embeddings) or ``"clip"``
            (cross-set negatives only).
        cka_estimator: ``"debiased"`` (unbiased HSIC, Song et al. 2012: near 0 for independent
            batches) or ``"biased"`` (the paper's linear CKA, which two independent random batches of
            32 documents already put near 0.8 at 128 dimensions).
    """

    temperature: float = 0.1
    contrastive_weight: float = 0.1
    cka_weight: float = 0.1
    mi_weight: float = 0.1
    moe_aux_weight: float = 0.01
    class_weighted: bool = True
    contrastive_negatives: str = "gmc"
    cka_estimator: str = "debiased"

    def __post_init__(self) -> None:
        if self.cka_estimator not in ("debiased", "biased"):
            raise ValueError(f"loss.cka_estimator={self.cka_estimator!r} is not 'debiased' or 'biased'.")
        if not self.temperature > 0:
            raise ValueError(
                f"loss.temperature={self.temperature!r} must be > 0; the paper's range is 0.05-0.5."
            )
        for name in ("contrastive_weight", "cka_weight", "mi_weight", "moe_aux_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"loss.{name}={getattr(self, name)!r} must be >= 0.")
        if self.contrastive_negatives not in ("gmc", "clip"):
            raise ValueError(
                f"loss.contrastive_negatives={self.contrastive_negatives!r} is not 'gmc' or 'clip'."
            )


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation and the small-data recipe.

    Attributes:
        epochs: maximum epochs per model.
        batch_size: documents per step (also the contrastive batch ``B``).
        lr: AdamW learning rate.
        weight_decay: decoupled weight decay (used when ``tune`` is off).
        patience: epochs without improvement of the inner validation loss before stopping.
        val_fraction: share of each training fold held out (grouped, stratified) for early stopping
            when ``num_inner == 1``.
        num_inner: 1 = one inner validation split per training fold; k >= 2 = k-fold inner
            cross-validation, whose k models (each stopped on its own inner fold) are averaged.
            Default 5: on RAVDESS emotion (log-mel, audio-only, grouped 5-fold, d 128) it lifted
            ``hilbert`` from 0.852 to 0.876 macro AUC, level with the linear probe (0.877).
        tune: also choose ``input_dropout`` and ``weight_decay`` from the grids below by the inner
            folds' mean validation loss (never the test fold). Off by default: on the same data it
            cost 3.5x the time for no gain (0.873 vs 0.876).
        input_dropout_grid: candidates for ``model.input_dropout`` when tuning.
        weight_decay_grid: candidates for ``weight_decay`` when tuning.
        cka_weight_grid, mi_weight_grid: candidates for ``loss.cka_weight`` / ``loss.mi_weight``, searched
            on the inner folds like the grids above (every combination is one candidate; the one whose
            inner models reach the lowest mean validation cross-entropy is kept). Empty (default): the
            weight of ``loss`` is used, nothing is searched. Independent of ``tune``.
        standardize: z-score the frozen features with statistics of the training documents only.
        compute_dtype: ``"auto"`` (bf16 matrix units where the hardware has them), ``"float32"``
            or ``"bfloat16"``.
        batched_folds: train the models of all folds together as one stacked model (fast); off
            trains them one after another (the plain way, same results up to noise).
        device: ``"auto"``, ``"cpu"`` or a torch device string such as ``"cuda:0"``.
        probe_rule: how the linear probe's C is chosen on inner folds: ``"1se"`` (the strongest
            regularisation within one standard error of the best inner AUC) or ``"best"``.
        choose_probe: for ``hilbert``, choose per training set between the linear probe and the
            network by their inner-fold AUCs, with the one-standard-error rule in favour of the probe
            (the report says which was chosen, per fold, and why).
    """

    epochs: int = 150
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 0.2
    patience: int = 20
    val_fraction: float = 0.2
    num_inner: int = 5
    tune: bool = False
    input_dropout_grid: tuple[float, ...] = (0.1, 0.3)
    weight_decay_grid: tuple[float, ...] = (0.01, 0.1)
    cka_weight_grid: tuple[float, ...] = ()
    mi_weight_grid: tuple[float, ...] = ()
    standardize: bool = True
    compute_dtype: str = "auto"
    batched_folds: bool = True
    device: str = "auto"
    probe_rule: str = "1se"
    choose_probe: bool = True

    def __post_init__(self) -> None:
        if self.probe_rule not in ("1se", "best"):
            raise ValueError(f"train.probe_rule={self.probe_rule!r} is not '1se' or 'best'.")
        for name in ("epochs", "batch_size", "patience", "num_inner"):
            _check_positive_int(f"train.{name}", getattr(self, name))
        if not self.lr > 0:
            raise ValueError(f"train.lr={self.lr!r} must be > 0; try 1e-3.")
        if self.weight_decay < 0:
            raise ValueError(f"train.weight_decay={self.weight_decay!r} must be >= 0.")
        _check_range("train.val_fraction", self.val_fraction, 0.05, 0.5, "use 0.2")
        if self.tune and (not self.input_dropout_grid or not self.weight_decay_grid):
            raise ValueError("train.tune=True needs non-empty input_dropout_grid and weight_decay_grid.")
        for p in self.input_dropout_grid:
            _check_range("train.input_dropout_grid entry", p, 0.0, 0.95, "use rates such as 0.1, 0.3")
        for name in ("cka_weight_grid", "mi_weight_grid"):
            for w in getattr(self, name):
                if not isinstance(w, int | float) or w < 0:
                    raise ValueError(
                        f"train.{name} entry {w!r} must be a number >= 0, e.g. --set train.{name}=0,0.1,1."
                    )
        if self.compute_dtype not in ("auto", "float32", "bfloat16"):
            raise ValueError(
                f"train.compute_dtype={self.compute_dtype!r} is not 'auto', 'float32' or 'bfloat16'."
            )


@dataclass(frozen=True)
class EvalConfig:
    """Cross-validation protocol of docs/method.md §7.

    Attributes:
        method: one of :data:`METHODS`.
        modality: ``"both"``, ``"audio"`` (audio-only) or ``"text"`` (text-only).
        losses: auxiliary losses for ``hilbert`` (any subset of :data:`AUX_LOSSES`; the ablations of
            Table 4; empty = the HILBERT architecture trained on cross-entropy only, the paper's
            control). Ignored by the other methods.
        n_splits: outer folds (paper: 25).
        seed: seed of folds, initialisation and batches.
    """

    method: str = "hilbert"
    modality: str = "both"
    losses: tuple[str, ...] = AUX_LOSSES
    n_splits: int = 25
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r} is unknown; choose one of {', '.join(METHODS)}.")
        if self.modality not in MODALITIES:
            raise ValueError(f"modality={self.modality!r} is unknown; choose one of {', '.join(MODALITIES)}.")
        unknown = [name for name in self.losses if name not in AUX_LOSSES]
        if unknown:
            raise ValueError(
                f"losses={list(self.losses)!r} contains {unknown}; allowed: {', '.join(AUX_LOSSES)}."
            )
        if not isinstance(self.n_splits, int) or self.n_splits < 2:
            raise ValueError(f"n_splits={self.n_splits!r} must be an integer >= 2.")


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything one cross-validation or training run needs."""

    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExperimentConfig:
        parts = {}
        for f in fields(cls):
            sub_cls = f.default_factory  # type: ignore[misc]
            given = dict(data.get(f.name, {}))
            known = {g.name: g for g in fields(sub_cls)}
            unknown = sorted(set(given) - set(known))
            if unknown:
                raise ValueError(
                    f"config section '{f.name}' has unknown keys {unknown}; allowed: {sorted(known)}."
                )
            for key, value in given.items():
                if isinstance(value, list):
                    given[key] = tuple(value)
            parts[f.name] = sub_cls(**given)
        return cls(**parts)

    def replace(self, **sections: Any) -> ExperimentConfig:
        """Return a copy with fields of sections replaced: ``cfg.replace(train={"epochs": 5})``."""
        data = self.to_dict()
        for section, values in sections.items():
            if section not in data:
                raise ValueError(f"unknown config section {section!r}; allowed: {sorted(data)}.")
            data[section].update(values)
        return ExperimentConfig.from_dict(data)

    def apply_overrides(self, overrides: list[str]) -> ExperimentConfig:
        """Apply ``["train.lr=3e-4", "eval.losses=cka,mi"]`` style overrides (values parsed as JSON)."""
        data = self.to_dict()
        for item in overrides:
            key, sep, raw = item.partition("=")
            section, dot, name = key.partition(".")
            if not sep or not dot or section not in data or name not in data[section]:
                raise ValueError(
                    f"override {item!r} is not 'section.field=value' with a known field; "
                    f"sections: {sorted(data)}."
                )
            data[section][name] = _parse_value(raw, data[section][name])
        try:
            return ExperimentConfig.from_dict(data)
        except TypeError as exc:  # e.g. a word where a number belongs: "train.epochs=many"
            raise ValueError(
                f"overrides {list(overrides)} give a value of the wrong type ({exc}); check each value."
            ) from None


def _parse_value(raw: str, current: Any) -> Any:
    if isinstance(current, (tuple, list)):
        items = [s for s in raw.split(",") if s]
        return tuple(_parse_value(s, "") for s in items)
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw
