"""A final model trained on all documents, saved and loaded as a bundle, used to score one document.

The final model is made by exactly the procedure that cross-validation evaluates: the same
candidates, inner validation split(s) and early stopping, on all documents instead of a
training fold; the chosen candidate's inner models form the bundle's ensemble (M members).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..config import ExperimentConfig
from ..config_saved import config_from_saved
from ..data import pad_documents
from ..explain.evidence import SegmentEvidence
from ..model import StackedModel, create_network
from ..types import Prediction
from ..version import __version__
from .checkpoint import read_bundle, to_numpy_dict, write_bundle
from .choice import choose_for_members, chooses_probe
from .engine import EpochCallback, Progress, predict_members, train_members
from .oof import OutOfFold, members_oof, probe_oof
from .probe import LinearProbe, fit_linear_probe
from .recipe import candidate_grid, member_specs, prepare, select_candidate

logger = logging.getLogger(__name__)


@dataclass
class Bundle:
    """A trained model with everything needed to use it.

    Attributes:
        config: the experiment config it was trained with.
        classes: class names (columns of the probabilities).
        audio_dim, text_dim: frozen feature widths it expects (0 = modality unused).
        model: the stacked network, one member per ensemble model (None for ``linear``).
        probe: the linear probe (``linear`` only).
        info: free metadata saved with it (task name, encoders and revisions, training summary).
        reference: the training documents' embeddings (``z_audio``, ``z_text``, ``z_joint``: (N, K),
            ensemble member 0), so one new document can be placed against the training set; empty for
            methods without embeddings and for bundles saved before it existed.
        oof: out-of-fold probabilities of its own inner cross-validation (calibration of its
            prediction sets, see :mod:`hilbert_core.training.oof`); None for bundles saved before it.
    """

    config: ExperimentConfig
    classes: list[str]
    audio_dim: int
    text_dim: int
    model: StackedModel | None = None
    probe: LinearProbe | None = None
    info: dict[str, Any] = field(default_factory=dict)
    reference: dict[str, np.ndarray] = field(default_factory=dict)
    oof: OutOfFold | None = None

    @property
    def method(self) -> str:
        return self.config.eval.method

    def save(self, out_dir: str | Path, overwrite: bool = False) -> Path:
        """Write ``model.safetensors`` and ``bundle.json`` to ``out_dir`` (atomically, JSON last)."""
        if self.probe is not None:
            tensors = {
                f"probe.{k}": torch.from_numpy(np.asarray(v, dtype=np.float64))
                for k, v in vars(self.probe).items()
                if k not in ("C", "selection")
            }
        else:
            tensors = {f"model.{k}": v for k, v in self.model.state_dict().items()}
        tensors.update(
            {f"reference.{k}": torch.from_numpy(np.ascontiguousarray(v)) for k, v in self.reference.items()}
        )
        if self.oof is not None:
            for k in ("index", "proba", "y"):
                tensors[f"oof.{k}"] = torch.from_numpy(np.ascontiguousarray(getattr(self.oof, k)))
        meta = {
            "config": self.config.to_dict(),
            "classes": self.classes,
            "audio_dim": self.audio_dim,
            "text_dim": self.text_dim,
            "num_members": 0 if self.model is None else self.model.num_members,
            "probe_C": None if self.probe is None else self.probe.C,
            "info": self.info,
            "oof_source": None if self.oof is None else self.oof.source,
            "package_version": __version__,
        }
        return write_bundle(out_dir, tensors, meta, overwrite=overwrite)

    def _document(self, audio: np.ndarray | None, text: np.ndarray | None):
        """One document padded as the model expects (the modalities it uses), its widths checked."""
        modality = self.config.eval.modality
        docs = pad_documents([audio] if modality != "text" else None, [text] if modality != "audio" else None)
        for name, dim in (("audio", self.audio_dim), ("text", self.text_dim)):
            got = getattr(docs, f"{name}_dim")
            if dim and got != dim:
                raise ValueError(
                    f"{name} features have {got} dimensions but this model was trained on {dim}; "
                    "extract them with the encoder recorded in the bundle."
                )
        return docs

    def predict(self, audio: np.ndarray | None, text: np.ndarray | None) -> Prediction:
        """Score one document: audio (N, Da) and/or text (N, Dt) segment features."""
        modality = self.config.eval.modality
        docs = self._document(audio, text)
        if self.probe is not None:
            proba = self.probe.predict_proba(docs.mean_pooled(modality))[0]
            s = docs.mask.shape[1]
            uniform = {n: np.full(s, 1.0 / s) for n in ("audio", "text") if getattr(docs, n) is not None}
            return Prediction(self.classes, proba, uniform, None, None, None, None)
        return _predict_neural(self.model, docs, self.classes)

    def explain(
        self,
        audio: np.ndarray | None,
        text: np.ndarray | None,
        *,
        ig_steps: int | None = None,
        kinds: list[str] | None = None,
    ) -> SegmentEvidence:
        """Which segments of one document (audio (N, Da) and/or text (N, Dt)) moved its prediction: the
        faithful scores of :mod:`hilbert_core.explain.faithful` (occlusion and integrated gradients, in
        units of the ensemble's class probability) beside the attention weights (none for a probe).
        ``kinds``: only these scores (default: every kind the modalities allow; integrated gradients cost
        about 10x the occlusions)."""
        from ..explain.faithful import IG_STEPS
        from ..explain.scoring import explain_features

        docs = self._document(audio, text)
        features = [None if x is None else x[0] for x in (docs.audio, docs.text)]
        return explain_features(
            *features,
            self.classes,
            model=self.model,
            probe=self.probe,
            ig_steps=ig_steps or IG_STEPS,
            kinds=kinds,
        )


@torch.no_grad()
def _predict_neural(model: StackedModel, docs, classes: list[str]) -> Prediction:
    model.eval()
    audio, text = (None if x is None else torch.from_numpy(x) for x in (docs.audio, docs.text))
    mask = torch.from_numpy(docs.mask)  # (1, S): one document
    ensemble = model(audio, text, mask)  # every member: (M, 1, ...)
    # Embedding spaces and experts of independent members are not aligned: show member 0's.
    first = model.member(0)(audio, text, mask)  # (1, ...)

    def document(t: torch.Tensor | None) -> np.ndarray | None:
        return None if t is None else t.squeeze(0).numpy()

    member_proba = torch.softmax(ensemble.logits, dim=-1)  # (M, 1, C)
    return Prediction(
        classes=classes,
        proba=document(member_proba.mean(0)),  # averaged over the ensemble
        attention={name: document(a.mean(0)) for name, a in ensemble.attn_weights.items()},
        gate_probs=document(first.gate_probs),
        z_audio=document(first.audio_emb),
        z_text=document(first.text_emb),
        z_joint=document(first.joint_emb),
        proba_sd=document(member_proba.std(0)) if model.num_members > 1 else None,
    )


def train_final(
    audio: Sequence[np.ndarray] | None = None,
    text: Sequence[np.ndarray] | None = None,
    labels: Sequence[object] = (),
    method: str | None = None,
    groups: Sequence[object] | None = None,
    seed: int | None = None,
    config: ExperimentConfig | None = None,
    *,
    info: dict[str, Any] | None = None,
    progress: Progress | None = None,
    on_epoch: EpochCallback | None = None,
) -> Bundle:
    """Train the final model of ``method`` on all documents (same procedure as one CV training fold).

    ``on_epoch`` receives one :class:`EpochRecord` (label ``"final"``) per epoch; never for ``linear``.
    """
    cfg = config or ExperimentConfig()
    overrides = {k: v for k, v in (("method", method), ("seed", seed)) if v is not None}
    cfg = cfg.replace(eval=overrides) if overrides else cfg
    data = prepare(audio, text, labels, groups, cfg)
    cfg, all_idx = data.cfg, np.arange(len(data.y))
    summary: dict[str, Any] = {"num_documents": int(len(all_idx))}
    x = data.docs.mean_pooled(cfg.eval.modality)
    probe = None
    if cfg.eval.method == "linear" or cfg.model.anchor == "probe" or chooses_probe(cfg):
        probe = fit_linear_probe(x, data.y, data.groups, cfg.eval.seed, rule=cfg.train.probe_rule)
        summary.update(C=probe.C, probe_selection=probe.selection)
    if cfg.eval.method == "linear":
        return _probe_bundle(cfg, data, probe, info, summary)
    notes: list[str] = []
    c, temperature = (probe.C, probe.selection.get("temperature", 1.0)) if probe else (1.0, 1.0)
    specs, cand_of = member_specs(data, all_idx, cfg.eval.seed, c, notes, temperature)
    final = ["final"] * len(specs)
    out = train_members(
        data.docs, data.y, len(data.classes), specs, cfg, progress=progress, on_epoch=on_epoch, labels=final
    )
    cand_arr = np.array(cand_of)
    best = select_candidate(out, np.arange(len(specs)), cand_arr)
    chosen = np.flatnonzero(cand_arr == best)
    summary.update(candidate_grid(cfg)[best], notes=notes)
    summary.update(best_epoch=out.best_epoch[chosen].tolist(), val_loss=out.best_val_loss[chosen].tolist())
    return _final_bundle(cfg, data, out, specs, chosen, probe, x, info, summary)


def _final_bundle(cfg, data, out, specs, chosen, probe, x, info, summary) -> Bundle:
    """The chosen members as a bundle, or the probe's bundle when ``train.choose_probe`` prefers it."""
    val_proba = predict_members(out.model, data.docs, [s.val_idx for s in specs])
    if chooses_probe(cfg):
        choice = choose_for_members(
            x, data.y, specs, chosen, val_proba, probe.C, cfg.train.probe_rule, data.groups
        )
        summary.update(choice.to_dict())
        if choice.chosen == "probe":
            return _probe_bundle(cfg, data, probe, info, summary)
    model = out.model.select_members(chosen)
    oof = members_oof([val_proba[m] for m in chosen], [specs[m].val_idx for m in chosen], data.y)
    return Bundle(
        cfg,
        data.classes,
        data.docs.audio_dim,
        data.docs.text_dim,
        model=model,
        info={**(info or {}), "training": summary},
        reference=reference_embeddings(model, data.docs),
        oof=oof,
    )


def _probe_bundle(
    cfg: ExperimentConfig, data, probe: LinearProbe, info: dict | None, summary: dict
) -> Bundle:
    """A bundle whose predictions are the linear probe's: ``linear``, or a network that lost to its probe."""
    return Bundle(
        cfg,
        data.classes,
        data.docs.audio_dim,
        data.docs.text_dim,
        probe=probe,
        info={**(info or {}), "training": summary},
        oof=probe_oof(data.docs.mean_pooled(cfg.eval.modality), data.y, data.groups, probe, cfg.eval.seed),
    )


@torch.no_grad()
def reference_embeddings(model: StackedModel, docs, batch_size: int = 64) -> dict[str, np.ndarray]:
    """Ensemble member 0's ``z_audio``, ``z_text``, ``z_joint`` of every document: name -> (N, K)."""
    model.eval()
    first = model.member(0)
    parts: dict[str, list[np.ndarray]] = {}
    for a in range(0, docs.num_documents, batch_size):
        rows = slice(a, a + batch_size)
        audio, text = (None if x is None else torch.from_numpy(x[rows]) for x in (docs.audio, docs.text))
        out = first(audio, text, torch.from_numpy(docs.mask[rows]))  # (B, ...)
        for name, z in (("z_audio", out.audio_emb), ("z_text", out.text_emb), ("z_joint", out.joint_emb)):
            if z is not None:
                parts.setdefault(name, []).append(z.float().numpy())
    return {name: np.concatenate(chunks).astype(np.float32) for name, chunks in parts.items()}


def load_bundle(path: str | Path) -> Bundle:
    """Load a bundle written by :meth:`Bundle.save` (safetensors + JSON; nothing is unpickled)."""
    tensors, meta = read_bundle(path)
    try:
        cfg = config_from_saved(meta["config"])  # fields it lacks: as the version that saved it
        classes, audio_dim, text_dim = list(meta["classes"]), int(meta["audio_dim"]), int(meta["text_dim"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{path}/bundle.json is missing or has a bad field ({exc}); re-save the bundle."
        ) from None
    if not meta.get("num_members"):  # linear, or a network whose training chose its probe
        arrays = to_numpy_dict(tensors, "probe.")
        probe = LinearProbe(C=float(meta.get("probe_C") or 1.0), **arrays)
        return Bundle(
            cfg, classes, audio_dim, text_dim, probe=probe, info=meta.get("info", {}), oof=_oof(tensors, meta)
        )
    model = create_network(
        cfg.model,
        cfg.eval.method,
        cfg.eval.modality,
        audio_dim,
        text_dim,
        len(classes),
        int(meta["num_members"]),
    )
    state = {k[len("model.") :]: v for k, v in tensors.items() if k.startswith("model.")}
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise ValueError(
            f"{path}/model.safetensors does not match bundle.json ({str(exc).splitlines()[0]}); "
            "re-save the bundle."
        ) from None
    reference = to_numpy_dict(tensors, "reference.")
    return Bundle(
        cfg, classes, audio_dim, text_dim, model=model.eval(), info=meta.get("info", {}), reference=reference,
        oof=_oof(tensors, meta),
    )  # fmt: skip


def _oof(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> OutOfFold | None:
    arrays = to_numpy_dict(tensors, "oof.")
    if not {"index", "proba", "y"} <= set(arrays):
        return None  # saved before bundles kept their out-of-fold predictions
    return OutOfFold(arrays["index"], arrays["proba"], arrays["y"], str(meta.get("oof_source") or ""))
