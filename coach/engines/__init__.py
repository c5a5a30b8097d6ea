"""Chat engines behind one seam (`base.ChatEngine`): the local GGUF in process (`llama_cpp`), any
OpenAI-compatible server (`openai_compat`), and the GGUF files already on this machine (`gguf`).
"""

from __future__ import annotations

from coach.engines.base import ChatEngine


def make_engine(settings) -> ChatEngine:
    """The configured engine: a server when COACH_LLM_URL is set, else the local GGUF."""
    if settings.llm_url:
        from coach.engines.openai_compat import OpenAIEngine

        return OpenAIEngine(settings)
    from coach.engines.llama_cpp import LlamaCppEngine

    return LlamaCppEngine(settings)


__all__ = ["ChatEngine", "make_engine"]
