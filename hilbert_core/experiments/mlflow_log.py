"""Optional: log each finished sweep cell to MLflow (when the user has it installed and asks for it)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any


def make_mlflow_hook(
    tracking_uri: str | None, workspace: str | Path, experiment: str
) -> Callable[[str, Any, dict], None]:
    """A sweep hook that logs a cell's parameters and AUCs as one MLflow run.

    Args:
        tracking_uri: MLflow tracking URI; None or ``""`` = ``sqlite:///WORKSPACE/mlflow.db`` (local).
        experiment: MLflow experiment name (the sweep's name).

    Raises:
        ValueError: MLflow is not installed.
    """
    try:
        import mlflow
    except ImportError:
        raise ValueError(
            "--mlflow needs MLflow; install it with `pip install mlflow`, or drop --mlflow."
        ) from None
    uri = tracking_uri or f"sqlite:///{Path(workspace).resolve() / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(experiment)

    def hook(run_id: str, cell: Any, report: dict) -> None:
        params = {k: v for k, v in cell.describe().items() if k != "corpus_root"}
        with mlflow.start_run(run_name=f"{cell.label} ({run_id})"):
            mlflow.set_tag("hilbert_run_id", run_id)
            mlflow.log_params({k: str(v) for k, v in params.items()})
            mlflow.log_metrics(
                {
                    k: float(report[k])
                    for k in ("auc_macro", "auc_mean", "auc_sd")
                    if report.get(k) is not None
                }
            )
            for fold, auc in enumerate(report.get("fold_auc", [])):
                if auc is not None and not math.isnan(auc):
                    mlflow.log_metric("fold_auc", float(auc), step=fold)

    return hook
