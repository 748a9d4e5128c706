"""Engines: argument checks, a Ray address that does not answer, and optional MLflow logging."""

from __future__ import annotations

import socket
import sys
import threading
import time
import types

import pytest

from hilbert_core.experiments.engine_checks import check_engine_args
from hilbert_core.experiments.engines import SequentialEngine, create_engine
from hilbert_core.experiments.engines_ray import RayEngine, check_ray_address
from hilbert_core.experiments.sweep import run_sweep
from hilbert_core.experiments.sweep_file import load_sweep


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_ray_address_that_does_not_answer_fails_in_seconds():
    start = time.monotonic()
    with pytest.raises(ValueError, match=r"nothing answers at Ray address 127\.0\.0\.1:\d+ within 5 s"):
        check_ray_address(f"127.0.0.1:{_free_port()}")
    assert time.monotonic() - start < 6
    with pytest.raises(ValueError, match="is not HOST:PORT"):
        check_ray_address("headnode")


def test_a_ray_address_where_something_else_listens_fails_in_seconds():
    pytest.importorskip("ray")
    server = socket.create_server(("127.0.0.1", 0))  # accepts and then says nothing, like a wrong service
    accepted = []
    threading.Thread(target=lambda: accepted.extend(server.accept() for _ in range(100)), daemon=True).start()
    address = f"127.0.0.1:{server.getsockname()[1]}"
    start = time.monotonic()
    try:
        with pytest.raises(
            ValueError, match=rf"answers at Ray address {address}, but no Ray cluster"
        ) as info:
            check_ray_address(address)
    finally:
        server.close()
    assert time.monotonic() - start < 12
    assert "\n" not in str(info.value) and "leave --address out" in str(info.value)


@pytest.mark.parametrize(
    ("name", "workers", "address", "message"),
    [
        ("local", 0, None, "--workers 0 must be a whole number of at least 1"),
        ("local", -2, None, "--workers -2 must be"),
        ("ray", True, None, "--workers True must be"),
        ("ray", None, "head:port", "--address 'head:port' is not HOST:PORT"),
        ("ray", None, 6379, "--address 6379 is not HOST:PORT"),
    ],
)
def test_engine_settings_are_checked_before_anything_starts(name, workers, address, message):
    with pytest.raises(ValueError, match=message):
        check_engine_args(name, workers, address)
    with pytest.raises(ValueError, match=message):
        create_engine(name, workers, address)


def test_ray_engine_puts_each_feature_folder_once(feature_folder, monkeypatch):
    puts = []
    fake = types.ModuleType("ray")
    fake.is_initialized = lambda: False
    fake.init = lambda **kwargs: None
    fake.cluster_resources = lambda: {"CPU": 2.0}
    fake.put = lambda value: puts.append(value) or f"ref{len(puts)}"
    fake.shutdown = lambda: None
    monkeypatch.setitem(sys.modules, "ray", fake)
    engine = RayEngine(workers=2)
    refs = {engine.feature_source(feature_folder) for _ in range(3)}
    refs.add(engine.feature_source(feature_folder / ".." / feature_folder.name))
    assert refs == {"ref1"} and len(puts) == 1 and puts[0].audio is not None
    engine.close()


def test_engine_choices_are_checked():
    with pytest.raises(ValueError, match="--engine 'spark' is unknown; choose one of local, ray, sequential"):
        create_engine("spark")
    with pytest.raises(ValueError, match="--address is for --engine ray"):
        create_engine("local", address="10.0.0.1:6379")


def test_sequential_engine_runs_one_task_per_wait_and_keeps_errors():
    engine = SequentialEngine()
    ok, bad = engine.submit(lambda: 41 + 1), engine.submit(lambda: 1 / 0)
    assert not ok.done() and not bad.done()
    assert engine.wait([ok, bad], timeout=0) == {ok} and ok.result() == 42
    assert engine.wait([bad], timeout=0) == {bad}
    with pytest.raises(ZeroDivisionError):
        bad.result()


def test_mlflow_hook_logs_each_cell(tmp_path, features_sweep, monkeypatch):
    calls = []
    fake = types.ModuleType("mlflow")
    fake.set_tracking_uri = lambda uri: calls.append(("uri", uri))
    fake.set_experiment = lambda name: calls.append(("experiment", name))

    class _Run:
        def __enter__(self):
            calls.append(("start",))

        def __exit__(self, *exc):
            calls.append(("end",))

    fake.start_run = lambda run_name: _Run()
    fake.set_tag = lambda k, v: calls.append(("tag", k, v))
    fake.log_params = lambda p: calls.append(("params", p))
    fake.log_metrics = lambda m: calls.append(("metrics", m))
    fake.log_metric = lambda k, v, step: calls.append(("metric", k, v, step))
    monkeypatch.setitem(sys.modules, "mlflow", fake)
    from hilbert_core.experiments.mlflow_log import make_mlflow_hook

    spec = load_sweep(features_sweep)
    hook = make_mlflow_hook(None, tmp_path / "ws", spec.name)
    out = run_sweep(spec, tmp_path / "ws", engine="sequential", hooks=(hook,))
    assert calls[0] == ("uri", f"sqlite:///{(tmp_path / 'ws').resolve() / 'mlflow.db'}")
    assert calls.count(("start",)) == out.ran == 4
    metrics = [c[1] for c in calls if c[0] == "metrics"]
    assert all(set(m) == {"auc_macro", "auc_mean", "auc_sd"} for m in metrics)
    assert {c[2] for c in calls if c[0] == "tag"} == set(out.run_ids)


def test_mlflow_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)
    from hilbert_core.experiments.mlflow_log import make_mlflow_hook

    with pytest.raises(ValueError, match="--mlflow needs MLflow; install it with `pip install mlflow`"):
        make_mlflow_hook(None, tmp_path, "x")
