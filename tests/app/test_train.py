"""The Train page: guard without data; start a tiny cross-validation job, see it listed and its loss
curves once done; watch a long one's curves grow, and cancel it."""

from __future__ import annotations

import time

from hilbert_core.experiments.curves import read_curves
from hilbert_core.experiments.jobs import get_job, list_jobs, wait_job
from tests.app.pages_helper import open_page
from tests.tiny import TINY_SET

PAGE = "pages/3_Train.py"


def test_empty_workspace_says_to_import_a_corpus(empty_analysis_workspace):
    at = open_page(PAGE)
    assert not at.exception
    assert "no corpus or feature folder" in at.info[0].value


def _start(at, method: str, overrides: list[str]):
    at.radio(key="train_kind").set_value("cv").run()
    at.selectbox(key="train_method").set_value(method)
    at.number_input(key="train_folds").set_value(3)
    at.number_input(key="train_epochs").set_value(3)
    at.selectbox(key="train_device").set_value("cpu")
    at.text_area(key="train_overrides").set_value("\n".join(overrides))
    return at.button(key="train_start").click().run()


def test_a_cv_job_runs_in_the_background_and_lands_in_the_registry(analysis_workspace):
    # the page's own epochs field (set to 3 by _start) decides the epochs: leave TINY_SET's out
    at = _start(open_page(PAGE), "hilbert", [o for o in TINY_SET if not o.startswith("train.epochs")])
    assert not at.exception and not at.error, [e.value for e in at.error]
    (job,) = list_jobs(analysis_workspace)
    assert at.dataframe[0].value["job"].tolist() == [job.id]
    assert job.spec["set"][:4] == [
        "loss.contrastive_weight=0.1",
        "loss.cka_weight=0.1",
        "loss.mi_weight=0.1",
        "train.device=cpu",
    ]
    done = wait_job(analysis_workspace, job.id, timeout_s=120)
    assert done.status == "done", open(done.log_path).read()
    # a new browser session lists the job again and shows its loss curves
    again = open_page(PAGE)
    assert not again.exception
    assert again.dataframe[0].value["status"].tolist() == ["done"]
    charts = again.get("plotly_chart")
    assert charts and "(live)" not in charts[0].proto.spec


def test_live_curves_then_cancel_a_running_job(analysis_workspace):
    # still training when it is cancelled: many epochs, and no early stop
    slow = [*TINY_SET, "train.epochs=400", "train.patience=400"]
    at = _start(open_page(PAGE), "hilbert", slow)
    (job,) = list_jobs(analysis_workspace)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not read_curves(analysis_workspace, job.id):
        time.sleep(0.2)
    at.run()
    assert get_job(analysis_workspace, job.id).status == "running"
    (fig,) = at.get("plotly_chart")
    assert "(live)" in fig.proto.spec
    at.button(key="train_cancel").click().run()
    assert not at.exception
    assert wait_job(analysis_workspace, job.id, timeout_s=60).status == "cancelled"


def test_a_bad_setting_is_one_plain_sentence(analysis_workspace):
    at = _start(open_page(PAGE), "hilbert", ["train.lr"])
    assert not at.exception
    assert "is not 'section.field=value'" in at.error[0].value
    assert list_jobs(analysis_workspace) == []


def test_demo_workspace(demo_workspace):
    at = open_page(PAGE, timeout=60)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(s.startswith("corpus: ") for s in at.selectbox(key="train_source").options)


def _first_epoch_time(workspace, job_id: str) -> float | None:
    import json

    from hilbert_core.workspace import job_curves

    path = job_curves(workspace, job_id)
    lines = path.read_text().splitlines() if path.is_file() else []
    return json.loads(lines[0])["time"] if lines else None


def test_the_jobs_table_shows_a_running_jobs_fold_and_epoch_within_5_s(analysis_workspace):
    slow = [*TINY_SET, "train.epochs=400", "train.patience=400"]
    at = _start(open_page(PAGE), "hilbert", slow)
    (job,) = list_jobs(analysis_workspace)
    deadline, shown = time.monotonic() + 90, None
    while time.monotonic() < deadline:
        at.run()  # what the page's 2-second refresh does
        row = at.dataframe[0].value.iloc[0]
        if row["epoch"]:
            shown = time.time()
            break
        time.sleep(0.5)
    first = _first_epoch_time(analysis_workspace, job.id)
    assert shown is not None and first is not None, "no epoch was shown while the job ran"
    assert shown - first <= 5.0, f"the table showed the first epoch {shown - first:.1f} s after it ended"
    assert row["status"] == "running" and row["folds"] == "folds 1–3 of 3 (trained together)"
    assert row["epoch"].startswith("epoch ") and row["epoch"].endswith("of at most 400")  # the last override
    assert (
        "folds 1–3 of 3" in at.get("progress")[0].proto.text and "epoch" in at.get("progress")[0].proto.text
    )
    at.button(key="train_cancel").click().run()
    assert wait_job(analysis_workspace, job.id, timeout_s=60).status == "cancelled"


def test_a_new_job_is_the_one_followed(analysis_workspace):
    fast = [o for o in TINY_SET if not o.startswith("train.epochs")]
    at = _start(open_page(PAGE), "linear", fast)
    first = at.selectbox(key="train_follow").value
    at.number_input(key="train_seed").set_value(1)  # another cell: a second job that does work
    at.button(key="train_start").click().run()
    assert not at.exception
    jobs = list_jobs(analysis_workspace)
    assert len(jobs) == 2 and at.selectbox(key="train_follow").value == jobs[0].id != first
    for job in jobs:
        wait_job(analysis_workspace, job.id, timeout_s=120)
