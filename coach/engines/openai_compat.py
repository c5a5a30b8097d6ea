"""Any OpenAI-compatible server (llama.cpp server, vLLM, Ollama, LM Studio) through LangChain's
ChatOpenAI, chosen by COACH_LLM_URL; a server that is down, slow or answers with an error becomes
one ModelError line.
"""

from __future__ import annotations

from typing import Iterator

from coach.errors import ModelError


class OpenAIEngine:
    """A model behind an OpenAI-compatible /v1 endpoint; the server does the scheduling."""

    def __init__(self, settings):
        from langchain_openai import ChatOpenAI

        self.url = settings.llm_url.rstrip("/")
        self.name = f"{settings.llm_model or 'default'} at {self.url}"
        self.timeout = settings.llm_timeout_s
        self.n_ctx = None
        self.chat = ChatOpenAI(
            base_url=self.url, model=settings.llm_model or "local", api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout_s, max_retries=0, max_tokens=settings.max_tokens,
            temperature=settings.temperature, seed=settings.seed, streaming=True,
        )

    def warm(self) -> None:
        return None  # the server holds the model

    def count_tokens(self, text: str) -> int:
        """An estimate (4 characters a token): the OpenAI API has no tokenizer endpoint."""
        return max(1, len(text) // 4)

    def stream(self, messages, max_tokens: int | None = None, stop: list[str] | None = None,
               **_sampler) -> Iterator[str]:
        """Tokens of the reply; the server keeps its own sampler settings (repeat penalty)."""
        import openai

        extra = {"max_tokens": max_tokens} if max_tokens else {}
        try:
            for chunk in self.chat.stream(messages, stop=stop, **extra):
                if chunk.content:
                    yield chunk.content
        except openai.APITimeoutError as err:
            raise ModelError(f"The model server at {self.url} did not answer within {self.timeout:g} s — raise "
                             "COACH_LLM_TIMEOUT_S or check the server.") from err
        except openai.APIConnectionError as err:
            raise ModelError(f"The model server at {self.url} is not answering — start it, or unset COACH_LLM_URL "
                             "to use the local model.") from err
        except openai.APIStatusError as err:
            detail = " ".join(str(getattr(err, "message", err)).split())[:160]
            raise ModelError(f"The model server at {self.url} answered with an error ({err.status_code}: {detail}) "
                             "— check COACH_LLM_MODEL and the server's log.") from err
