"""Audio reading: durations, 16 kHz mono output, span reads, streamed windows, PyAV containers, errors."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import soundfile as sf
import torch

import hilbert_core.audio.reader as audio_module
from hilbert_core.audio.reader import (
    SAMPLE_RATE,
    AudioReadError,
    audio_sha256,
    iter_windows,
    load_audio,
    probe_audio,
)

DURATION_S = 3.3
# (sample rate, channels, sine frequency): 44.1 kHz stereo is downsampled, 8 kHz mono upsampled.
SOURCES = [(44100, 2, 1000.0), (8000, 1, 440.0)]
FORMATS = ["wav", "flac", "ogg"]


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Resampling small test signals on 2 busy cores is ~50x slower with 2 OpenMP threads than with 1."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _write(path, rate: int, channels: int, freq: float, duration_s: float = DURATION_S) -> np.ndarray:
    t = np.arange(round(rate * duration_s)) / rate
    sine = 0.5 * np.sin(2 * np.pi * freq * t)
    noise = 0.05 * np.random.default_rng(0).standard_normal(len(t))
    data = np.stack([sine, sine + noise][:channels], axis=1).astype(np.float32)
    sf.write(path, data, rate)
    return data


def _peak_hz(x: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[spectrum.argmax()])


@pytest.fixture(params=[(s, f) for s in SOURCES for f in FORMATS], ids=lambda p: f"{p[0][0]}Hz-{p[1]}")
def audio_file(request, tmp_path):
    (rate, channels, freq), fmt = request.param
    path = tmp_path / f"tone.{fmt}"
    _write(path, rate, channels, freq)
    return path, rate, channels, freq


def test_probe_reports_header_facts(audio_file):
    path, rate, channels, _ = audio_file
    info = probe_audio(path)
    assert (info.sample_rate, info.channels, info.backend) == (rate, channels, "soundfile")
    assert info.duration_s == pytest.approx(DURATION_S, abs=1e-3)


def test_load_is_mono_16k_and_keeps_the_tone(audio_file):
    path, _, _, freq = audio_file
    x = load_audio(path)
    assert x.dtype == np.float32 and x.ndim == 1
    assert abs(len(x) - DURATION_S * SAMPLE_RATE) <= DURATION_S + 1
    assert _peak_hz(x) == pytest.approx(freq, abs=2.0)


def test_upsampling_adds_no_images(tmp_path):
    path = tmp_path / "low.wav"
    _write(path, 8000, 1, 440.0)
    x = load_audio(path)
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    # 8 kHz audio holds nothing above 4 kHz; the resampler must not invent an image at 16000 - 440 Hz.
    assert spectrum[freqs > 4200].sum() < 1e-3 * spectrum.sum()


def test_downmix_averages_channels(tmp_path):
    rate = SAMPLE_RATE  # no resampling: the average is exact
    left = np.linspace(-0.5, 0.5, rate, dtype=np.float32)
    right = np.full(rate, 0.25, dtype=np.float32)
    sf.write(tmp_path / "two.wav", np.stack([left, right], axis=1), rate, subtype="FLOAT")
    np.testing.assert_allclose(load_audio(tmp_path / "two.wav"), (left + right) / 2, atol=1e-7)


@pytest.mark.parametrize("start_s,end_s", [(1.234, 2.5), (0.05, None), (2.9, 10.0)])
def test_span_equals_slice_of_full_load(audio_file, start_s, end_s):
    path = audio_file[0]
    full = load_audio(path)
    span = load_audio(path, start_s, end_s)
    ref = full[round(start_s * SAMPLE_RATE) : None if end_s is None else round(end_s * SAMPLE_RATE)]
    assert len(span) == len(ref)
    np.testing.assert_allclose(span, ref, atol=1e-4)


def test_span_after_the_end_is_empty(tmp_path):
    path = tmp_path / "short.wav"
    _write(path, 8000, 1, 440.0, duration_s=1.0)
    assert load_audio(path, 5.0, 6.0).shape == (0,)


@pytest.mark.parametrize("start_s,end_s", [(-1.0, None), (2.0, 1.0), (1.0, 1.0)])
def test_bad_span_is_rejected(tmp_path, start_s, end_s):
    path = tmp_path / "short.wav"
    _write(path, 8000, 1, 440.0, duration_s=1.0)
    with pytest.raises(ValueError, match="start_s|end_s"):
        load_audio(path, start_s, end_s)


def test_windows_tile_the_full_load(audio_file):
    window_s = 0.7  # off the 44.1 kHz / 16 kHz shared grid: windows start between grid points
    path = audio_file[0]
    full = load_audio(path)
    windows = list(iter_windows(path, window_s=window_s))
    win = round(window_s * SAMPLE_RATE)
    assert len(windows) == -(-len(full) // win)
    assert [s for s, _ in windows] == pytest.approx([i * window_s for i in range(len(windows))])
    assert all(len(w) == win for _, w in windows[:-1]) and 0 < len(windows[-1][1]) <= win
    np.testing.assert_allclose(np.concatenate([w for _, w in windows]), full, atol=1e-3)


def test_overlapping_windows_match_slices(tmp_path):
    path = tmp_path / "tone.flac"
    _write(path, 44100, 2, 1000.0)
    full = load_audio(path)
    windows = list(iter_windows(path, window_s=1.0, hop_s=0.4))
    starts = [s for s, _ in windows]
    assert starts == pytest.approx([0.4 * i for i in range(len(windows))])
    assert starts[-1] + 1.0 >= DURATION_S > starts[-2] + 1.0  # stops at the first window reaching the end
    for start, w in windows:
        k = round(start * SAMPLE_RATE)
        np.testing.assert_allclose(w, full[k : k + len(w)], atol=1e-3)


def test_windows_stream_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(audio_module, "_BLOCK_FRAMES", 4096)  # small reads keep this test fast
    rate, peaks = SAMPLE_RATE, {}  # no resampling: this test is about reading, and stays fast
    for seconds in (12, 96):
        path = tmp_path / f"long{seconds}.wav"
        sf.write(path, np.zeros((rate * seconds, 2), dtype=np.float32), rate, subtype="PCM_16")
        tracemalloc.start()
        try:
            count = sum(1 for _ in iter_windows(path, window_s=2.0))
            peaks[seconds] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert count == seconds // 2
    full_bytes = rate * 96 * 2 * 4  # the long file decoded as float32
    assert peaks[96] < full_bytes / 10
    assert peaks[96] < 1.5 * peaks[12]  # 8x the length, about the same peak


@pytest.mark.parametrize("kwargs", [{"window_s": 0.0}, {"window_s": 1.0, "hop_s": -1.0}])
def test_bad_window_is_rejected(tmp_path, kwargs):
    path = tmp_path / "short.wav"
    _write(path, 8000, 1, 440.0, duration_s=1.0)
    with pytest.raises(ValueError, match="window_s"):
        iter_windows(path, **kwargs)


def _write_aac(path, rate: int, freq: float, duration_s: float) -> None:
    av = pytest.importorskip("av")
    t = np.arange(round(rate * duration_s)) / rate
    data = np.tile(0.4 * np.sin(2 * np.pi * freq * t).astype(np.float32), (2, 1))
    try:
        with av.open(str(path), "w", format="mp4") as container:
            stream = container.add_stream("aac", rate=rate, layout="stereo")
            frame = av.AudioFrame.from_ndarray(data, format="fltp", layout="stereo")
            frame.sample_rate = rate
            for packet in [*stream.encode(frame), *stream.encode(None)]:
                container.mux(packet)
    except (av.FFmpegError, ValueError) as exc:  # no AAC encoder in this FFmpeg build
        pytest.skip(f"PyAV cannot encode AAC here: {exc}")


@pytest.mark.parametrize("suffix", ["m4a", "mp4"])
def test_aac_container_reads_through_av(tmp_path, suffix):
    path = tmp_path / f"talk.{suffix}"
    _write_aac(path, 22050, 660.0, 3.0)
    info = probe_audio(path)
    assert (info.backend, info.sample_rate, info.channels) == ("av", 22050, 2)
    assert info.duration_s == pytest.approx(3.0, abs=0.1)  # AAC adds up to ~2 frames of padding
    full = load_audio(path)
    assert abs(len(full) - 3.0 * SAMPLE_RATE) < 0.1 * SAMPLE_RATE
    assert _peak_hz(full[4000:-4000]) == pytest.approx(660.0, abs=2.0)
    span = load_audio(path, 1.5, 2.5)  # starts past the seek slack: exercises the seek path
    np.testing.assert_allclose(span, full[24000:40000], atol=1e-3)
    windows = list(iter_windows(path, window_s=1.0))
    np.testing.assert_allclose(np.concatenate([w for _, w in windows]), full, atol=1e-3)


def test_mp3_reads_through_av_consistently(tmp_path):
    path = tmp_path / "talk.mp3"
    _write(path, 44100, 2, 1000.0)
    info = probe_audio(path)
    assert (info.backend, info.sample_rate, info.channels) == ("av", 44100, 2)
    full = load_audio(path)
    assert _peak_hz(full) == pytest.approx(1000.0, abs=2.0)
    # libsndfile returns silence for MP3 read in pieces; these would differ by about 0.5 through it
    np.testing.assert_allclose(load_audio(path, 1.234, 2.5), full[19744:40000], atol=1e-3)
    windows = list(iter_windows(path, window_s=0.7))
    np.testing.assert_allclose(np.concatenate([w for _, w in windows]), full, atol=1e-3)


@pytest.mark.parametrize(
    "content,reason", [(None, "not found"), (b"", "empty"), (b"this is not audio at all" * 20, "")]
)
def test_bad_file_names_the_path(tmp_path, content, reason):
    path = tmp_path / "broken.wav"
    if content is not None:
        path.write_bytes(content)
    for call in (probe_audio, load_audio, iter_windows):
        with pytest.raises(ValueError, match=f"broken.wav: cannot read audio.*{reason}") as info:
            call(path)
        assert isinstance(info.value, AudioReadError)


def test_sha256_depends_on_bytes_only(tmp_path):
    a, b, c = tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"
    _write(a, 8000, 1, 440.0, duration_s=0.5)
    b.write_bytes(a.read_bytes())
    _write(c, 8000, 1, 441.0, duration_s=0.5)
    assert audio_sha256(a) == audio_sha256(b) != audio_sha256(c)
    assert audio_sha256(a, chunk_size=7) == audio_sha256(a)
    assert len(audio_sha256(a)) == 64
