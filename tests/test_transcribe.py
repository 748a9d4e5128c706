from __future__ import annotations

import pytest

from hilbert_core.audio.transcribe import SegmentationConfig, Word, segment_words


def _words(
    text: str, start: float = 0.0, step: float = 0.3, pauses: dict[int, float] | None = None
) -> list[Word]:
    out, t = [], start
    for i, w in enumerate(text.split()):
        t += (pauses or {}).get(i, 0.0)
        out.append(Word(t, t + step * 0.8, w))
        t += step
    return out


def test_cuts_at_sentence_ends_once_long_enough():
    words = _words(
        "I feel tired all the time and I cannot sleep at night. Nothing helps me anymore these days."
    )
    segs = segment_words(words, SegmentationConfig(target_words=5, min_words=3))
    assert [s.text for s in segs] == [
        "I feel tired all the time and I cannot sleep at night.",
        "Nothing helps me anymore these days.",
    ]
    assert segs[0].start_s == words[0].start_s and segs[-1].end_s == words[-1].end_s


def test_cuts_at_long_pauses():
    words = _words("so I went to the shop and then I came home", pauses={6: 1.5})
    segs = segment_words(words, SegmentationConfig(target_words=20, min_words=3, pause_s=0.6))
    assert [s.text for s in segs] == ["so I went to the shop", "and then I came home"]


def test_caps_words_and_duration():
    words = _words(" ".join(["word"] * 50))
    segs = segment_words(words, SegmentationConfig(max_words=20, max_s=100))
    assert [len(s.text.split()) for s in segs] == [20, 20, 10]
    segs = segment_words(words, SegmentationConfig(max_words=100, max_s=3.0))
    assert all(s.end_s - s.start_s <= 3.0 + 0.3 for s in segs)


def test_short_fragments_merge_into_previous_segment():
    words = _words("This is a complete first sentence here. Yes.")
    segs = segment_words(words, SegmentationConfig(target_words=3, min_words=3))
    assert len(segs) == 1 and segs[0].text.endswith("Yes.")


def test_segments_are_ordered_and_disjoint():
    words = _words(
        " ".join(f"w{i}." if i % 7 == 6 else f"w{i}" for i in range(80)), pauses={30: 1.0, 55: 2.0}
    )
    segs = segment_words(words)
    assert sum(len(s.text.split()) for s in segs) == 80
    for a, b in zip(segs, segs[1:], strict=False):
        assert a.end_s <= b.start_s


@pytest.mark.slow
def test_bundled_whisper_transcribes_speech(tmp_path):
    import shutil
    import subprocess

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    from hilbert_core.audio.transcribe import transcribe

    wav = tmp_path / "s.wav"
    subprocess.run(
        ["espeak-ng", "-w", str(wav), "I have been feeling very tired. I cannot sleep at night."], check=True
    )
    segs = transcribe(str(wav))
    text = " ".join(s.text for s in segs).lower()
    assert "tired" in text and "sleep" in text
