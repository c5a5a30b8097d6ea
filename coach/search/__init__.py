"""A question -> ranked hits: dense + BM25 fused (`hybrid`), a follow-up made standalone from the
conversation (`followup`)."""
