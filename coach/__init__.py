"""coach: an offline interview coach over your own notes."""

__version__ = "0.1.0"

import os as _os

# Nothing reaches the network: the models are packaged, and Gradio's analytics and version
# check are off, for every entry point (CLI, app, tests, library use).
for _name, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
                      ("GRADIO_ANALYTICS_ENABLED", "False"), ("DO_NOT_TRACK", "1")):
    _os.environ.setdefault(_name, _value)
