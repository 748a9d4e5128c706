"""Attack: a viewer (or nobody) calling every workspace-changing service function directly.

Each is refused with one line naming the user and the role, and nothing changes; a researcher doing the
same succeeds (so the refusals are real) and is written to the audit log. The pages' side (no such
widgets for a viewer) is tests/app/test_signin.py.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile

import pytest

from hilbert_core.access import AccessRefused, Actor, acting_as
from hilbert_core.audit import read_audit
from hilbert_core.experiments.jobs import start_job
from hilbert_core.service import data as data_service
from hilbert_core.service import train
from tests.attacks.conftest import add_job_row, write_corpus

SESSION = "0123456789abcdef0123456789abcdef"
DOCUMENTS = "document_id,audio_path,label\nd1,audio/d1.wav,a\nd2,audio/d2.wav,b\nd3,audio/d3.wav,a\n"
VIEWER = Actor("victor", "viewer")


@pytest.fixture
def shared(ws, tmp_path, monkeypatch, sleeper):
    """The workspace, shared; a corpus folder under an import root; one imported corpus; one running job
    (a real process in its own session, which a researcher's cancel may signal)."""
    monkeypatch.setenv("HILBERT_SHARED", "1")
    monkeypatch.setenv("HILBERT_IMPORT_ROOTS", str(tmp_path / "src"))
    source = write_corpus(tmp_path / "src" / "c", DOCUMENTS, ("audio/d1.wav", "audio/d2.wav", "audio/d3.wav"))
    with acting_as(Actor("alice", "researcher")):
        data_service.import_folder(ws, source, "existing")
    add_job_row(ws, "job000000001", {"kind": "cv"}, sleeper.pid)
    return ws, source


def _zip(source) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in source.rglob("*"):
            if path.is_file():
                z.write(path, f"c/{path.relative_to(source)}")
    return buf.getvalue()


def _actions(ws, source):
    request = train.TrainRequest(kind="cv", source="corpus: existing", task="label", folds=2)
    hub = train.TrainRequest(kind="cv", source="corpus: existing", task="label", folds=2,
                             audio_encoders=("hf:facebook/wav2vec2-base",))  # fmt: skip
    return {
        "import a folder": lambda: data_service.import_folder(ws, source, "new"),
        "import a zip": lambda: data_service.import_zip(ws, SESSION, "c.zip", _zip(source), "new"),
        "start a training": lambda: train.start_training(ws.root, request),
        "name a hub model": lambda: train.start_training(ws.root, hub),
        "cancel a job": lambda: train.cancel(ws.root, "job000000001"),
        "delete a corpus": lambda: data_service.delete_corpus(ws, "existing"),
        "start a job (core)": lambda: start_job(
            ws.root, {"kind": "cv", "corpus": str(source), "task": "label"}
        ),
    }


def _state(ws) -> tuple:
    with sqlite3.connect(ws.registry_path) as db:
        jobs = db.execute("SELECT id, status FROM jobs ORDER BY id").fetchall()
    return (
        sorted(p.name for p in ws.corpora_dir.iterdir()),
        jobs,
        sorted(p.name for p in ws.uploads_dir.rglob("*")),
    )


@pytest.mark.parametrize("action", list(_actions(None, None)))
def test_a_viewer_calling_the_service_directly_is_refused(shared, action):
    ws, source = shared
    before = _state(ws)
    with (
        acting_as(VIEWER),
        pytest.raises(AccessRefused, match=r"victor is a viewer and viewers cannot") as info,
    ):
        _actions(ws, source)[action]()
    assert "\n" not in str(info.value) and "hilbert users add victor --role researcher" in str(info.value)
    assert _state(ws) == before


@pytest.mark.parametrize("action", list(_actions(None, None)))
def test_nobody_signed_in_is_refused_on_a_shared_workspace(shared, action):
    ws, source = shared
    before = _state(ws)
    with pytest.raises(AccessRefused, match=r"nobody is signed in, and this workspace is shared"):
        _actions(ws, source)[action]()
    assert _state(ws) == before


def test_a_researcher_doing_the_same_succeeds_and_is_audited(shared, sleeper):
    ws, source = shared
    with acting_as(Actor("alice", "researcher")):
        assert data_service.import_folder(ws, source, "new").path.name == "new"
        train.cancel(ws.root, "job000000001")  # SIGTERM to the job's process group
        assert sleeper.wait(timeout=10) == -15
        data_service.delete_corpus(ws, "new")
    entries = [(e["user"], e["role"], e["action"], e["target"]) for e in read_audit(ws.root)]
    assert entries[-3:] == [
        ("alice", "researcher", "import corpus", "new"),
        ("alice", "researcher", "cancel job", "job000000001"),
        ("alice", "researcher", "delete corpus", "new"),
    ]
    assert all("d1" not in json.dumps(e) for e in read_audit(ws.root))  # no document names in the log
