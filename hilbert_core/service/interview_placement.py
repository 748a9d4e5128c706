"""This interview against a model's training set: CKA and InfoNCE MI of the joint embedding with each
modality over the training documents, with this interview added, and this interview's own MI terms with
their percentile among the training documents (see the Glossary page)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def placement(bundle, pred) -> pd.DataFrame | None:
    """CKA and InfoNCE MI of the joint embedding with each modality, over the training documents and
    over the training documents plus this interview, and this interview's own (pointwise) MI terms.

    Returns:
        rows: metric, training set, with this interview, this interview, percentile among training docs
        (None without a joint embedding or without the bundle's stored training-set embeddings).
    """
    import torch
    import torch.nn.functional as F

    from ..losses.cka import linear_cka
    from ..losses.mutual_info import infonce_terms

    ref = bundle.reference
    if pred.z_joint is None or "z_joint" not in ref:
        return None
    tau = float(bundle.config.loss.temperature)
    rows = []
    for name, z_new in (("audio", pred.z_audio), ("text", pred.z_text)):
        if z_new is None or f"z_{name}" not in ref:
            continue
        x = torch.from_numpy(ref[f"z_{name}"]).double()
        j = torch.from_numpy(ref["z_joint"]).double()
        x1 = torch.cat([x, torch.from_numpy(np.asarray(z_new))[None].double()])
        j1 = torch.cat([j, torch.from_numpy(np.asarray(pred.z_joint))[None].double()])
        rows.append(
            {"metric": f"CKA({name}, joint)", "training set": float(linear_cka(x, j)),
             "with this interview": float(linear_cka(x1, j1)), "this interview": np.nan, "percentile": np.nan}
        )  # fmt: skip
        terms = infonce_terms(F.normalize(j1, dim=-1), F.normalize(x1, dim=-1), tau)  # (N + 1,)
        n = len(terms)
        rows.append(
            {"metric": f"MI({name}; joint), nats (ceiling log N = {np.log(n):.2f}, N = {n})",
             "training set": float(infonce_terms(F.normalize(j, dim=-1), F.normalize(x, dim=-1), tau).mean()),
             "with this interview": float(terms.mean()), "this interview": float(terms[-1]),
             "percentile": float(100 * (terms[:-1] < terms[-1]).float().mean())}
        )  # fmt: skip
    return pd.DataFrame(rows) if rows else None


def mi_balance(table: pd.DataFrame | None) -> float | None:
    """MI(audio; joint) - MI(text; joint) of this interview (nats), when both are in ``table``."""
    if table is None:
        return None
    mi = table[table["metric"].str.startswith("MI(")].set_index("metric")["this interview"]
    audio = [v for k, v in mi.items() if k.startswith("MI(audio")]
    text = [v for k, v in mi.items() if k.startswith("MI(text")]
    return float(audio[0] - text[0]) if audio and text else None
