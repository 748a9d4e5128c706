"""Loss curves that stream while a job trains: one JSON line per fold and epoch (an :class:`EpochRecord`)
in ``<workspace>/jobs/<job id>.curves.jsonl``, appended by the job and read back live by the Studio."""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path

from ..types import EpochRecord
from ..workspace import job_curves


class CurveWriter:
    """Appends each :class:`EpochRecord` as one JSON line, flushed at once so readers see it live."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, record: EpochRecord) -> None:
        line = {**dataclasses.asdict(record), "time": time.time()}  # when: the Studio's ETA
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
            out.flush()


def read_curves(workspace: str | Path, job_id: str) -> list[EpochRecord]:
    """The per-epoch records a job streamed so far, in the order written; empty when there are none.
    A line that does not parse (the last one, while the job is writing it) is skipped."""
    path = job_curves(workspace, job_id)
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            d = json.loads(line)
            values = {str(k): float(v) for k, v in d["values"].items()}
            out.append(
                EpochRecord(str(d["label"]), int(d["epoch"]), values, int(d["num_members"]), str(d["run"]))
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
    return out


@dataclass(frozen=True)
class CurveProgress:
    """Where a training job is, from its streamed curves.

    Attributes:
        run: the sweep cell being trained (empty within one training).
        labels: the groups that reported the latest epoch (``"fold 0"``... or ``"final"``).
        epoch: the latest epoch (1-based) of that run.
        seconds_per_epoch: mean wall time per epoch so far (None before the second epoch).
        last_time: when the latest epoch was written (seconds since the epoch).
    """

    run: str
    labels: tuple[str, ...]
    epoch: int
    seconds_per_epoch: float | None
    last_time: float | None


def curve_progress(workspace: str | Path, job_id: str) -> CurveProgress | None:
    """The job's latest epoch and its pace (None before the first epoch or without curves)."""
    path = job_curves(workspace, job_id)
    if not path.is_file():
        return None
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            d = json.loads(line)
            lines.append((str(d.get("run", "")), str(d["label"]), int(d["epoch"]), d.get("time")))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
    if not lines:
        return None
    run = lines[-1][0]
    mine = [x for x in lines if x[0] == run]
    epoch = mine[-1][2]
    labels = tuple(dict.fromkeys(x[1] for x in mine if x[2] == epoch))
    starts = {x[2]: x[3] for x in reversed(mine) if x[3] is not None}  # each epoch's first write
    pace = None
    if len(starts) >= 2 and epoch in starts:
        first = min(starts)
        pace = (starts[epoch] - starts[first]) / max(epoch - first, 1)
    return CurveProgress(run, labels, epoch, pace, mine[-1][3])
