"""Errors that reach the user: each message says what to do next."""


class CoachError(Exception):
    """Base class: the CLI prints str(error) on one line and exits with `exit_code`."""

    exit_code = 1


class IndexMissing(CoachError):
    def __init__(self, index_dir):
        super().__init__(f"No index at {index_dir} — run `coach ingest` first.")


class IndexCorrupt(CoachError):
    def __init__(self, index_dir, detail):
        super().__init__(
            f"The index at {index_dir} is damaged ({detail}) — run `coach ingest --rebuild`."
        )


class IndexOtherModel(CoachError):
    """The index was embedded with another model than the one set now: its vectors cannot be searched."""

    def __init__(self, index_dir, built_with: str, now: str):
        super().__init__(f"The index at {index_dir} was built with {built_with}, not the embedding model set now, "
                         f"{now} — run `coach ingest` to rebuild it, or set COACH_EMBED_MODEL back.")


class IndexReadOnly(CoachError):
    """The index folder cannot be written (permissions, a read-only disk)."""

    def __init__(self, index_dir, detail):
        super().__init__(f"Cannot write the index at {index_dir} ({detail}) — pick a folder you can write to with "
                         "--index or COACH_INDEX, or fix its permissions.")


class ModelMissing(CoachError):
    pass


class CorpusError(CoachError):
    """An empty corpus or a path that cannot be read."""


class UsageError(CoachError):
    exit_code = 2


class IndexBusy(CoachError):
    """Another process is writing the index."""

    def __init__(self, index_dir, waited):
        super().__init__(f"Another ingest is running on {index_dir} (waited {waited:.0f} s) — let it finish, "
                         "then try again.")


class StoreDamaged(CoachError):
    """The practice history database cannot be read."""


class ModelError(CoachError):
    """The LLM failed while generating."""
