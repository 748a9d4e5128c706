"""Plans shared by the demo-corpus tests (plans are frozen, so sharing them is safe)."""

from __future__ import annotations

import pytest

from hilbert_core.demo import DemoConfig, DemoPlan, make_plan


@pytest.fixture(scope="session")
def plan120() -> DemoPlan:
    return make_plan(DemoConfig(seed=0, num_documents=120))


@pytest.fixture(scope="session")
def plan40() -> DemoPlan:
    return make_plan(DemoConfig(seed=7, num_documents=40))
