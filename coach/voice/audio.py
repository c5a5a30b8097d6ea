"""A recording read into 16 kHz mono samples for Whisper, or one line saying why it cannot be.

PyAV (which faster-whisper ships with) opens every container a browser or phone writes: wav,
mp3, m4a, ogg, webm. The header is read first, so a file that is too long or not audio is
refused before anything is decoded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coach.errors import UsageError

SAMPLE_RATE = 16_000  # what Whisper hears
MAX_MB = 25.0
MAX_SECONDS = 300.0  # an interview answer is 30-120 s; five minutes is a speech, not an answer
MIN_SECONDS = 1.0
MIN_RATE = 8_000  # telephone quality: anything below loses the consonants words are told by
SILENT_PEAK = 0.01  # -40 dBFS: nothing louder than this is a muted or unplugged microphone
KINDS = "wav, mp3, m4a, ogg, webm"


def _header(path: Path) -> tuple[int, float | None]:
    """(sample rate, duration in seconds or None when the container doesn't say)."""
    import av

    try:
        with av.open(str(path)) as container:
            streams = container.streams.audio
            if not streams:
                raise UsageError(f"{path.name} holds no sound — give a recording ({KINDS}).")
            stream = streams[0]
            rate = int(stream.sample_rate or stream.codec_context.sample_rate or 0)
            if container.duration:
                seconds = container.duration / av.time_base
            elif stream.duration and stream.time_base:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = None
            return rate, seconds
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as err:
        raise UsageError(f"{path.name} is not audio that can be read ({type(err).__name__}) — give a recording "
                         f"({KINDS}).") from None


def check(path: Path) -> Path:
    """What can be told before decoding (the file, its size, its header): UsageError for a file
    that is missing, empty, too big, not audio, too coarse or too long. Cheap: a command checks
    this before it loads any model."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"No recording at {path} — give the path of an audio file ({KINDS}).")
    size_mb = path.stat().st_size / 1e6
    if size_mb == 0:
        raise UsageError(f"{path.name} is empty (0 bytes) — record the answer again.")
    if size_mb > MAX_MB:
        raise UsageError(f"{path.name} is {size_mb:.0f} MB; recordings over {MAX_MB:.0f} MB are not transcribed — "
                         f"record one answer (under {MAX_SECONDS / 60:.0f} minutes).")
    rate, seconds = _header(path)
    if rate and rate < MIN_RATE:
        raise UsageError(f"{path.name} is recorded at {rate:,} Hz, too coarse for speech — record at "
                         f"{MIN_RATE:,} Hz or more (16,000 is best).")
    if seconds is not None and seconds > MAX_SECONDS:
        raise _too_long(path, seconds)
    return path


def load(path: Path) -> np.ndarray:
    """The recording as float32 samples at 16 kHz, mono; UsageError for anything that is not a
    spoken answer: missing, empty, too big, too long, too short, not audio, a rate under 8 kHz, silent."""
    from faster_whisper.audio import decode_audio

    path = check(path)
    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as err:  # PyAV's decoder errors are many; each means the same to the user
        raise UsageError(f"{path.name} could not be decoded ({type(err).__name__}) — give a recording "
                         f"({KINDS}).") from None
    length = len(samples) / SAMPLE_RATE
    if length > MAX_SECONDS:  # a browser's webm often has no duration in its header
        raise _too_long(path, length)
    if length < MIN_SECONDS:
        raise UsageError(f"{path.name} lasts {length:.1f} s — too short to be an answer; record it again.")
    if float(np.abs(samples).max(initial=0.0)) < SILENT_PEAK:
        raise UsageError(f"{path.name} is silent ({length:.0f} s with no sound) — check that the microphone is on "
                         "and record again.")
    return samples


def _too_long(path: Path, seconds: float) -> UsageError:
    return UsageError(f"{path.name} lasts {seconds / 60:.1f} minutes; answers over {MAX_SECONDS / 60:.0f} minutes are "
                      "not transcribed — say it as you would in an interview, in one or two minutes.")
