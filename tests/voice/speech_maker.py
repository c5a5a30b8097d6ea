"""Test speech made on the machine: espeak-ng says a known text at a known rate; silences of known
length are joined in between parts (Python's wave module, no sox)."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (make test installs it)")


def _spoken(text: str, rate: int, path: Path) -> tuple[np.ndarray, int]:
    subprocess.run([ESPEAK, "-s", str(rate), "-w", str(path), text], check=True, capture_output=True)
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate()


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples, dtype=np.int16).tobytes())
    return path


def speak(path: Path, parts: list[str], rate: int = 150, gaps: list[float] | None = None) -> tuple[Path, list[float]]:
    """Say `parts` one after the other with `gaps[i]` seconds of silence after part i; returns the
    file and the time (s) at which each gap starts."""
    gaps = gaps or [0.0] * (len(parts) - 1)
    pieces, starts, at, sample_rate = [], [], 0, 22050
    for i, text in enumerate(parts):
        samples, sample_rate = _spoken(text, rate, path.with_suffix(f".part{i}.wav"))
        nonzero = np.flatnonzero(np.abs(samples) > 200)
        samples = samples[: nonzero[-1] + 1] if len(nonzero) else samples  # espeak's own tail of silence
        pieces.append(samples)
        at += len(samples)
        if i < len(gaps):
            starts.append(at / sample_rate)
            gap = np.zeros(int(gaps[i] * sample_rate), dtype=np.int16)
            pieces.append(gap)
            at += len(gap)
    return write_wav(path, np.concatenate(pieces), sample_rate), starts


CODECS = {"mp3": ("mp3", "libmp3lame", 44100), "m4a": ("ipod", "aac", 44100), "webm": ("webm", "libopus", 48000),
          "ogg": ("ogg", "libopus", 48000)}


def encode(wav: Path, suffix: str) -> Path:
    """The wav re-encoded as a phone or browser would save it (PyAV, which faster-whisper ships with)."""
    import av

    fmt, codec, rate = CODECS[suffix]
    out = wav.with_suffix(f".{suffix}")
    with av.open(str(wav)) as src, av.open(str(out), "w", format=fmt) as dst:
        stream = dst.add_stream(codec, rate=rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.format.name if stream.format else "fltp", layout="mono", rate=rate)
        for frame in src.decode(audio=0):
            for f in resampler.resample(frame):
                for packet in stream.encode(f):
                    dst.mux(packet)
        for f in resampler.resample(None):
            for packet in stream.encode(f):
                dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return out
