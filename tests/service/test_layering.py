"""The analysis services never import Streamlit (pages -> ui -> service)."""

from __future__ import annotations

import subprocess
import sys


def test_services_leave_streamlit_out():
    code = (
        "import sys; import hilbert_core.service.train, hilbert_core.service.compare, "
        "hilbert_core.service.embeddings, hilbert_core.service.diagnostics, hilbert_core.service.plots; "
        "assert 'streamlit' not in sys.modules, 'streamlit imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
