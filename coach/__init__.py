"""coach: an offline interview coach over your own notes.

The public surface is `Coach` (the core every front end calls), `Settings` and the errors a
caller may catch. `Coach` is imported on first use, so `import coach` stays cheap.
"""

__version__ = "0.1.0"

import os as _os

# Nothing reaches the network: the models are packaged, and Gradio's analytics and version
# check are off, for every entry point (CLI, app, tests, library use). ONNX Runtime (1.29 on)
# looks up its telemetry host from its C++ side at import unless ORT_DISABLE_TELEMETRY is set
# first; its Python switch (disable_telemetry_events) does not stop that.
for _name, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
                      ("GRADIO_ANALYTICS_ENABLED", "False"), ("DO_NOT_TRACK", "1"), ("ORT_DISABLE_TELEMETRY", "1")):
    _os.environ.setdefault(_name, _value)

from coach.errors import (  # noqa: E402
    CoachError, CorpusError, IndexBusy, IndexCorrupt, IndexMissing, ModelError, ModelMissing, StoreDamaged, UsageError,
)

__all__ = ["Coach", "Settings", "CoachError", "CorpusError", "IndexBusy", "IndexCorrupt", "IndexMissing", "ModelError",
           "ModelMissing", "StoreDamaged", "UsageError"]


def __getattr__(name: str):
    if name == "Coach":
        from coach.app import Coach

        return Coach
    if name == "Settings":
        from coach.settings import Settings

        return Settings
    raise AttributeError(f"module 'coach' has no attribute {name!r}")
