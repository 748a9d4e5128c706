"""Loss curves that stream while a job trains: one JSON line per fold and epoch (an :class:`EpochRecord`)
in ``<workspace>/jobs/<job id>.curves.jsonl``, appended by the job and read back live by the Studio."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ..types import EpochRecord
from ..workspace import job_curves


class CurveWriter:
    """Appends each :class:`EpochRecord` as one JSON line, flushed at once so readers see it live."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, record: EpochRecord) -> None:
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(dataclasses.asdict(record)) + "\n")
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
