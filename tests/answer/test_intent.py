"""What a question asks beyond its topic, in the words users type, and which note units give it."""

import pytest

from coach.answer.intent import answers_intent, intent_of, is_definition, ways_in

ASKED = [
    ("how would i know my rag thing is actually working", "measure"),
    ("numbers to track for retriever quality", "measure"),
    ("how can i score whether generated answers stick to the sources", "measure"),
    ("overfiting prevention tricks", "prevent"),
    ("ways to cut down hallucinations in an llm app", "prevent"),
    ("how do you keep a finetuned llm from losing what it already knew", "prevent"),
    ("my ecg outputs look the same whatever image goes in, what should i check", "fix"),
    ("how could i speed up the ecg model at inference", "fix"),
    ("when is ridge the better pick over lasso", "choose"),
    ("finetune or rag, which should i use", "choose"),
    ("explain LoRA to me", None),
    ("what's the difference between prompt tuning and prefix tuning", None),
    ("tell me about a time I disagreed with my team", None),
]


@pytest.mark.parametrize("question,intent", ASKED)
def test_the_intent_of_a_question(question, intent):
    assert intent_of(question) == intent


def test_a_unit_gives_the_ways_or_only_the_topic():
    assert answers_intent("Use LoRA, adapters, or prefix-tuning for new tasks while keeping base weights frozen.", "prevent")
    assert answers_intent("I add a confidence score and flag predictions that don't match expected patterns.", "prevent")
    assert not answers_intent("Catastrophic forgetting happens when new gradients overwrite older representations.",
                              "prevent")
    assert not answers_intent("Hallucination = confident but false information.", "prevent")
    # a metric's definition is a way to measure
    assert answers_intent("Recall@k is the proportion of queries where a relevant passage is in the top k.", "measure")
    assert ways_in("For the retriever, I focus on: Recall@k; Precision; MRR.", "measure") > \
        ways_in("I also test end-to-end performance.", "measure") > 0
    assert is_definition("Overfitting is when a model memorizes its training data.")
    assert not is_definition("Early stopping: stop when validation loss plateaus.")
