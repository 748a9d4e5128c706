"""Every page says what its numbers are: the headline AUC carries its label (kind and unit) where it is
shown, every metric has a help text, fields have help, and demo material carries the synthetic banner."""

from __future__ import annotations

import json
import time

from streamlit.testing.v1 import AppTest

from tests.app.pages_helper import open_page

HEADLINE_LABEL = "AUC (pooled OOF"  # the short label of the pooled out-of-fold macro AUC
BANNER = "Synthetic demo"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _metrics_explained(at: AppTest) -> None:
    assert all(m.proto.help for m in at.metric), [m.label for m in at.metric if not m.proto.help]


def _column_help(at: AppTest, column: str) -> str:
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        if column in config:
            return config[column].get("help", "")
    raise AssertionError(f"no table has a column {column!r}")


def _banner(at: AppTest) -> bool:
    return any(BANNER in w.value for w in at.warning)


def test_home(demo_workspace):
    at = _ok(AppTest.from_file(str(open_page.__globals__["ROOT"] / "app.py"), default_timeout=60).run())
    assert "pooled out-of-fold macro auc" in _column_help(at, "AUC (pooled OOF, %)").lower()
    assert _banner(at) and at.title[0].value == "HILBERT Studio"
    _metrics_explained(at)


def test_data(demo_workspace):
    at = _ok(open_page("pages/1_Data.py", timeout=60))
    assert _banner(at) and len(at.metric) == 4
    _metrics_explained(at)
    assert at.number_input(key="data_folds").proto.help


def test_interview_scores_a_sample_with_its_set_chance_and_auc(demo_workspace):
    at = _ok(open_page("pages/2_Interview.py", timeout=60))
    at.button(key="interview_sample_go").click().run()
    _ok(at)
    labels = [m.label for m in at.metric]
    assert labels[0].startswith("spectrum (") and "90% prediction set" in labels
    assert at.metric[labels.index("90% prediction set")].value.endswith("classes")
    assert "Model's AUC (pooled OOF, cross-validated)" in labels
    auc = next(m for m in at.metric if m.label.startswith("Model's AUC"))
    assert auc.value.endswith(" %") and 50 < float(auc.value.split()[0]) <= 100
    _metrics_explained(at)
    assert _banner(at) and any("True labels of this sample" in i.value for i in at.info)
    captions = " ".join(c.value for c in at.caption)
    assert "Chance: AUC 50 %" in captions and "calibrated on 100 out-of-fold predictions" in captions
    assert "training documents" in _column_help(at, "percentile")  # shown as "percentile (%)"


def test_train_fields_have_help(demo_workspace):
    at = _ok(open_page("pages/3_Train.py", timeout=60))
    widgets = [*at.number_input, *at.selectbox, *at.multiselect, *at.radio]
    assert widgets and all(w.proto.help for w in widgets), [w.label for w in widgets if not w.proto.help]
    assert "loss.cka_weight" not in [w.label for w in at.number_input]  # words, not config keys
    assert "CKA loss weight" in [w.label for w in at.number_input]
    at.selectbox(key="train_preset").set_value("quick").run()
    assert at.number_input(key="train_folds").value == 3 and at.number_input(key="train_epochs").value == 20
    at.radio(key="train_kind").set_value("train").run()
    assert "Outer folds" not in [w.label for w in at.number_input]  # a final model has none
    assert _banner(at)  # the demo corpus is the source


def test_compare(demo_workspace):
    at = _ok(open_page("pages/4_Compare.py", timeout=120))
    assert "pooled out-of-fold macro auc" in _column_help(at, "AUC (pooled OOF, %)").lower()
    assert "spread between folds" in _column_help(at, "fold mean ± sd (%)")
    assert (
        at.selectbox(key="heat_task").value == "spectrum"
        and at.selectbox(key="heat_method").value == "hilbert"
    )
    assert _banner(at)
    _metrics_explained(at)
    assert all(w.proto.help for w in at.selectbox)


def test_embeddings(demo_workspace):
    at = _ok(open_page("pages/5_Embeddings.py", timeout=60))
    assert _banner(at)
    assert all(w.proto.help for w in at.selectbox)


def test_diagnostics(demo_workspace):
    at = _ok(open_page("pages/6_Diagnostics.py", timeout=60))
    assert at.metric[0].label == "AUC (pooled OOF) [95 % CI]" and " % [" in at.metric[0].value
    assert at.metric[1].label.startswith("Fold-mean AUC ± sd")
    assert all(w.proto.help for w in [*at.selectbox, *at.slider])
    assert _banner(at)
    _metrics_explained(at)


def test_glossary_defines_every_kind_of_number(empty_workspace):
    at = _ok(open_page("pages/7_Glossary.py"))
    terms = " ".join(s.value for s in at.subheader)
    for word in ("pooled out-of-fold", "Fold-mean", "confidence interval", "CKA", "MI", "MI balance", "ECE",
                 "Experts", "Prediction set", "Chance level"):  # fmt: skip
        assert word in terms, word


def test_the_sidebar_lists_every_page_home_first():
    from hilbert_core.ui.navigation import PAGES

    assert PAGES[0][1] == "Home"
    root = open_page.__globals__["ROOT"]
    files = sorted(p.relative_to(root).as_posix() for p in (root / "pages").glob("*.py"))
    assert sorted(p[0] for p in PAGES) == files  # st.navigation ignores pages/: every file must be listed


def test_a_finished_job_shows_its_headline_auc_and_links(analysis_workspace):
    """A cross-validation job, once done: its AUC with the CI and buttons to Compare and Diagnostics."""
    from hilbert_core.experiments.jobs import list_jobs, wait_job
    from tests.tiny import TINY_SET

    at = open_page("pages/3_Train.py")
    at.radio(key="train_kind").set_value("cv").run()
    at.number_input(key="train_folds").set_value(3)
    at.selectbox(key="train_device").set_value("cpu")
    at.text_area(key="train_overrides").set_value("\n".join(TINY_SET))
    at.button(key="train_start").click().run()
    (job,) = list_jobs(analysis_workspace)
    assert wait_job(analysis_workspace, job.id, timeout_s=120).status == "done"
    time.sleep(0.1)
    at = _ok(open_page("pages/3_Train.py"))
    row = at.dataframe[0].value.iloc[0]
    assert row["result"].startswith("AUC ") and row["result"].endswith("% (pooled OOF)")
    metric = at.metric[0]
    assert metric.label.startswith("AUC (pooled OOF) · run ") and " % [" in metric.value
    _metrics_explained(at)
    at.button(key="train_to_diag_0").click().run()
    assert not at.exception
    run_id = metric.label.rsplit(" ", 1)[1]
    assert at.session_state["diagnostics_run"] == run_id
