from __future__ import annotations

import json

from hilbert_core.cli import main
from tests.tiny import TINY_ARGS


def test_cv_train_predict_end_to_end(tmp_path, capsys):
    feats = tmp_path / "feats"
    assert (
        main(
            [
                "synth-features",
                str(feats),
                "--documents",
                "30",
                "--min-segments",
                "3",
                "--max-segments",
                "5",
                "--audio-dim",
                "6",
                "--text-dim",
                "4",
            ]
        )
        == 0
    )
    report = tmp_path / "r.json"
    assert (
        main(
            [
                "cv",
                "--features",
                str(feats),
                "--task",
                "label",
                "--folds",
                "3",
                "--out",
                str(report),
                *TINY_ARGS,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "pooled out-of-fold macro AUC" in out and "(headline)" in out and "fold-mean macro AUC" in out
    data = json.loads(report.read_text())
    assert len(data["oof_proba"]) == 30 and data["method"] == "hilbert"
    model = tmp_path / "model"
    assert main(["train", "--features", str(feats), "--task", "label", "--out", str(model), *TINY_ARGS]) == 0
    capsys.readouterr()
    assert main(["predict", str(model), "--features", str(feats), "--document", "doc0002", "--json"]) == 0
    pred = json.loads(capsys.readouterr().out)
    assert abs(sum(pred["proba"]) - 1) < 1e-5 and set(pred["attention"]) == {"audio", "text", "joint"}


def test_user_mistakes_print_one_line_and_exit_2(tmp_path, capsys):
    assert main(["cv", "--features", str(tmp_path), "--task", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "documents.csv" in err
    feats = tmp_path / "f"
    main(["synth-features", str(feats), "--documents", "12"])
    assert main(["cv", "--features", str(feats), "--task", "label", "--set", "train.lr=-1"]) == 2
    assert "train.lr=-1" in capsys.readouterr().err
    (feats / "audio.npy").write_bytes(b"\x93NUMPY garbage")
    assert main(["cv", "--features", str(feats), "--task", "label"]) == 2
    assert "audio.npy" in capsys.readouterr().err


def test_cli_start_up_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, hilbert_core.cli.entry; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
