"""The app's layering (see STYLE.md): pages -> hilbert_core.ui -> hilbert_core.service -> the rest."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "hilbert_core"
PAGES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
MAX_PAGE_LINES = 80


def _imports(path: Path) -> set[str]:
    """Absolute names of everything ``path`` imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = path.relative_to(ROOT).with_suffix("").parts[:-1]
                parent = list(package[: len(package) - node.level + 1])
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _allowed_in_page(name: str) -> bool:
    return name.split(".")[0] in ("__future__", "streamlit") or name.startswith(
        ("hilbert_core.ui", "hilbert_core.service")
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_import_only_streamlit_ui_and_service(page):
    bad = sorted(n for n in _imports(page) if not _allowed_in_page(n))
    assert not bad, f"{page.name} imports {bad}; move that code into hilbert_core.service or hilbert_core.ui"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_are_thin(page):
    lines = len(page.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_PAGE_LINES, f"{page.name} has {lines} lines; move logic into hilbert_core.ui views"


def test_only_the_ui_package_imports_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if "ui" != path.relative_to(PACKAGE).parts[0]
        and any(n.split(".")[0] == "streamlit" for n in _imports(path))
    ]
    assert not offenders, f"{offenders} import streamlit; only hilbert_core/ui may"


def test_the_service_layer_runs_without_streamlit():
    modules = sorted(p.stem for p in (PACKAGE / "service").glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('hilbert_core.service.' + m)\n"
        "assert 'streamlit' not in sys.modules, 'streamlit was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_layering_check_sees_violations(tmp_path):
    assert _imports(PACKAGE / "ui" / "cached.py") >= {"hilbert_core.service.data", "streamlit"}
    page = tmp_path / "9_Bad.py"
    page.write_text(
        "import torch\nfrom hilbert_core.training.bundle import load_bundle\n"
        "from hilbert_core.ui import views\n"
    )
    assert sorted(n for n in _imports(page) if not _allowed_in_page(n)) == [
        "hilbert_core.training.bundle",
        "hilbert_core.training.bundle.load_bundle",
        "torch",
    ]
