"""The README's example and set-up commands stay true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example, use = _blocks("python")[:2]
    namespace: dict = {}
    exec(compile(example + use, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert 0.5 < namespace["report"].auc_macro <= 1.0
    assert (tmp_path / "report.json").is_file() and (tmp_path / "model" / "bundle.json").is_file()


def test_setup_commands_are_the_ones_ci_runs():
    bash = _blocks("bash")
    assert any("streamlit run app.py" in b for b in bash)
    assert any('pip install -e ".[test]" && pytest' in b for b in bash)
    ci = (README.parent / ".ci" / "run").read_text()
    assert 'pip install -q -e ".[test]"' in ci and "pytest" in ci


@pytest.mark.parametrize(
    "command",
    [
        "validate",
        "extract",
        "cv",
        "train",
        "predict",
        "runs",
        "synth-features",
        "bench",
        "sweep",
        "report",
        "jobs",
        "users",
        "corpus",
        "workspace",
    ],
)
def test_readme_commands_exist(command):
    from hilbert_core.cli.entry import build_parser

    assert command in build_parser()._subparsers._group_actions[0].choices
    assert f"hilbert {command}" in README.read_text()


def test_readme_sweep_file_is_the_shipped_one():
    from hilbert_core.experiments.sweep_file import parse_sweep_text

    shipped = (README.parent / "assets" / "sweeps" / "ravdess.yaml").read_text(encoding="utf-8")
    shown = next(b for b in _blocks("yaml") if "ravdess-backbones" in b)
    strip = lambda text: [ln.split("#")[0].rstrip() for ln in text.splitlines() if ln.split("#")[0].strip()]  # noqa: E731
    assert strip(shown) == strip(shipped)
    ravdess = README.parents[1] / "shared" / "data" / "ravdess"  # our integration copy, when present
    if ravdess.is_dir():
        spec = parse_sweep_text(
            shipped.replace("/data/ravdess", str(ravdess)),
            README.parent / "assets" / "sweeps" / "ravdess.yaml",
        )
        assert len(spec.cells()) == 8 and len(spec.extract_jobs()) == 4
