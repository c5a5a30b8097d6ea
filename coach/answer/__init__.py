"""Hits -> a grounded answer: the notes' units (`units`), which of them to say (`compose`), the
prompt (`prompts`), the strict support check (`support`), the streamed, checked answer
(`grounded`), and the pass that runs them in order (`pipeline`)."""
