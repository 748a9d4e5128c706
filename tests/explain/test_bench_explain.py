from __future__ import annotations

import json

from hilbert_core.cli import main
from hilbert_core.data.features import load_features
from tests.tiny import TINY_ARGS, write_tiny_features


def _with_cues(folder):
    """A tiny feature folder whose cues.csv marks segment 0 of every document (and nothing else)."""
    write_tiny_features(folder)
    fs = load_features(folder)
    rows = ["document_id,segment,cues"]
    for doc, n in zip(fs.table["document_id"], fs.table["num_segments"], strict=True):
        rows += [f"{doc},{s},{'planted' if s == 0 else ''}" for s in range(n)]
    (folder / "cues.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_bench_explain_writes_lifts_and_aucs_per_run(tmp_path, capsys):
    folder = _with_cues(tmp_path / "feats")
    capsys.readouterr()
    out = tmp_path / "explain.json"
    args = ["bench", "explain", "--features", str(folder), "--methods", "linear,hilbert", "--folds", "2"]
    args += [
        "--variant",
        "model.dim=4",
        "--resamples",
        "50",
        "--ig-steps",
        "4",
        "--out",
        str(out),
        *TINY_ARGS,
    ]
    assert main(args) == 0
    result = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == result
    assert result["num_documents"] == result["num_scored_documents"] == 30
    assert result["source"]["cue_kinds"] == "any" and result["source"]["task"] == "label"
    assert set(result["runs"]) == {"linear", "hilbert", "hilbert[model.dim=4]"}
    linear, network = result["runs"]["linear"], result["runs"]["hilbert"]
    assert linear["fold_models"] == [["probe", "probe"]] and network["fold_models"] == [
        ["network", "network"]
    ]
    assert "attention_text" not in linear["scores"] and "attention_joint" in network["scores"]
    for run in result["runs"].values():
        assert 0.0 <= run["auc_macro"]["auc"] <= 1.0 and len(run["auc_macro"]["per_seed"]) == 1
        for kind in ("occlusion_joint", "occlusion_audio", "ig_text", "ig_audio@predicted"):
            lift = run["scores"][kind]["top3_lift"]
            assert lift["num_documents"] == 30 and lift["low"] <= lift["mean"] <= lift["high"]
        assert run["seconds"]["explained"] == 30


def test_predict_explain_prints_and_stores_the_evidence(tmp_path, capsys):
    folder = write_tiny_features(tmp_path / "feats")
    model = tmp_path / "model"
    assert main(["train", "--features", str(folder), "--task", "label", "--out", str(model), *TINY_ARGS]) == 0
    capsys.readouterr()
    predict = ["predict", str(model), "--features", str(folder), "--document", "doc0001", "--explain"]
    assert main(predict) == 0
    text = capsys.readouterr().out
    assert "measured by removing the segment (audio and text)" in text and "pushed away from" in text
    assert "attention vs this score (Spearman rank correlation" in text
    assert main([*predict, "--json"]) == 0
    evidence = json.loads(capsys.readouterr().out)["evidence"]
    assert evidence["default_kind"] == "occlusion_joint" and len(evidence["faithful"]) == 5
    assert set(evidence["attention"]) == {"audio", "text", "joint"}
