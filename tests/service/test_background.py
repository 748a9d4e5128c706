"""Background tasks: a failed task is retried once per click (never once per rerun); a bounded LRU."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

import pytest

from hilbert_core.service import background


@pytest.fixture(autouse=True)
def fresh_tasks(monkeypatch):
    monkeypatch.setattr(background, "_TASKS", OrderedDict())


def _wait(*states, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(s.done for s in states):
        time.sleep(0.01)
    assert all(s.done for s in states)


def test_a_failed_task_is_retried_once_per_click_not_once_per_rerun():
    calls, store = [], {}

    def fail(progress):
        calls.append(1)
        raise ValueError("the corpus folder is gone; import it again.")

    def page_run():  # what a page (or its polling fragment) does on every rerun
        return background.submit("t", fail, retry=background.new_click(store, "go"))

    background.click(store, "go")
    _wait(page_run())
    for _ in range(5):  # reruns without a click keep showing the error
        state = page_run()
        assert state.error == "the corpus folder is gone; import it again." and state.done
    assert len(calls) == 1
    background.click(store, "go")  # the user presses the button again: one new attempt
    _wait(page_run())
    for _ in range(5):
        _wait(page_run())
    assert len(calls) == 2


def test_clicks_are_counted_per_button():
    store = {}
    assert not background.new_click(store, "a")
    background.click(store, "a")
    background.click(store, "a")  # two clicks before the page ran: one new request
    assert background.new_click(store, "a") and not background.new_click(store, "a")
    assert not background.new_click(store, "b")


def test_a_successful_task_is_never_recomputed_even_with_retry():
    calls = []
    state = background.submit("ok", lambda progress: calls.append(1) or 7)
    _wait(state)
    assert background.submit("ok", lambda progress: 0, retry=True) is state and state.result == 7
    assert calls == [1]


def test_tasks_are_capped_least_recently_used_first_and_running_ones_kept(monkeypatch):
    monkeypatch.setattr(background, "MAX_TASKS", 2)
    release = threading.Event()
    slow = background.submit("a", lambda progress: release.wait(10))
    queued = [background.submit(k, lambda progress: k) for k in "bcd"]
    assert list(background._TASKS) == ["a", "b", "c", "d"]  # nothing finished: nothing dropped
    release.set()
    _wait(slow, *queued)
    assert background.get("a") is slow  # used last now
    last = background.submit("e", lambda progress: "e")
    assert list(background._TASKS) == ["a", "e"]  # b, c, d were the least recently used
    _wait(last)
    assert background.get("b") is None and background.get("e").result == "e"
