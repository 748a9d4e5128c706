"""Service tests share the analysis workspace of the app tests."""

from tests.app.conftest_analysis import (  # noqa: F401  (fixtures)
    analysis_template_fixture,
    analysis_workspace_fixture,
)
