from __future__ import annotations

import pytest

from hilbert_core.encoders import AUDIO_ENCODERS, TEXT_ENCODERS, Registry
from hilbert_core.encoders.hub import resolve_layer, split_layer


def _registry() -> Registry:
    reg = Registry("audio encoder", "--audio-encoder")

    @reg.register("plain")
    def plain(**kw):
        return ("plain", None, kw)

    @reg.register("hf:")
    def hf(argument, **kw):
        return ("hf", argument, kw)

    return reg


def test_exact_name_and_prefix_dispatch():
    reg = _registry()
    assert reg.build("plain", device="cpu") == ("plain", None, {"device": "cpu"})
    assert reg.build("hf:facebook/wav2vec2-base") == ("hf", "facebook/wav2vec2-base", {})
    assert reg.build("hf:/models/w2v:v2@9") == ("hf", "/models/w2v:v2@9", {})  # split on the first colon
    assert reg.names() == ["plain", "hf:<hub id or folder>"]


@pytest.mark.parametrize("spec", ["nope", "xx:abc", "plain:extra", "", "   "])
def test_unknown_spec_lists_names_and_prefixes(spec):
    with pytest.raises(ValueError, match="audio encoder") as info:
        _registry().build(spec)
    if spec.strip():
        assert "plain" in str(info.value) and "hf:" in str(info.value)


def test_prefix_without_argument():
    with pytest.raises(ValueError, match="no argument after 'hf:'"):
        _registry().build("hf:")


def test_duplicate_registration_is_refused():
    reg = _registry()
    with pytest.raises(ValueError, match="already registered"):
        reg.register("plain")(lambda: None)


def test_builtin_registries():
    assert {"logmel", "egemaps", "whisper-tiny-en"} <= set(AUDIO_ENCODERS.names())
    assert any(n.startswith("hf:") for n in AUDIO_ENCODERS.names())
    assert any(n.startswith("clap:") for n in AUDIO_ENCODERS.names())
    assert "minilm-l6" in TEXT_ENCODERS.names()
    assert {n.split(":")[0] for n in TEXT_ENCODERS.names() if ":" in n} == {"st", "hf", "clap"}
    with pytest.raises(ValueError, match="--text-encoder"):
        TEXT_ENCODERS.build("bert")


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("facebook/hubert-base-ls960@9", ("facebook/hubert-base-ls960", 9)),
        ("facebook/wav2vec2-base", ("facebook/wav2vec2-base", None)),
        ("/models/w2v@-1", ("/models/w2v", -1)),
        ("/models/user@host/w2v", ("/models/user@host/w2v", None)),
    ],
)
def test_split_layer(argument, expected):
    assert split_layer(argument) == expected


def test_resolve_layer():
    assert resolve_layer(None, 12, "m") == 12
    assert resolve_layer(9, 12, "m") == 9
    assert resolve_layer(-1, 12, "m") == 12
    assert resolve_layer(0, 12, "m") == 0
    with pytest.raises(ValueError, match="@13 is out of range"):
        resolve_layer(13, 12, "m")
