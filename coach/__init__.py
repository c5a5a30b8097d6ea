"""coach: an offline interview coach over your own notes."""

__version__ = "0.1.0"
