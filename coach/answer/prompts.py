"""Prompt templates for talking points. (The answer's own prompt, one note unit at a time, is
`coach.answer.verbalize`.)"""

from __future__ import annotations

from langchain_core.prompts import ChatPromptTemplate

POINT_PROMPT = ChatPromptTemplate.from_messages([
    ("system", "You help a candidate rehearse. Rewrite the note as one sentence the candidate says out loud in an "
               "interview, in the first person (I, my), 10 to 30 words. Keep the note's own words and facts; add "
               "nothing. Reply with the sentence only."),
    ("human", "Interview question: {context}\nNote: {quote}"),
])
