"""The activity a text names: the leading verbs of O*NET task statements and step names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redesign.impact.verbs import MAX_TASK_VERBS, step_verbs, task_verbs, verb_vocabulary

VOCABULARY = frozenset({"examine", "evaluate", "process", "approve", "screen", "prepare", "review"})


def test_a_task_opens_with_its_list_of_verbs() -> None:
    assert task_verbs("Examine, evaluate, or process loan applications.", VOCABULARY) == (
        "examine",
        "evaluate",
        "process",
    )
    # the first word is the verb even when O*NET uses it only once; a listed noun is not a verb
    assert task_verbs("Underwrite policies, loans, and bonds.", VOCABULARY) == ("underwrite",)
    assert task_verbs("Approve or review budgets", VOCABULARY) == ("approve", "review")
    assert task_verbs("", VOCABULARY) == ()
    assert task_verbs("(Optional) step", VOCABULARY) == ()


def test_a_step_names_its_verbs_and_a_gerund_reads_as_its_verb() -> None:
    assert step_verbs("Approve or decline the loan", VOCABULARY) == ("approve",)
    assert step_verbs("Screening and review of applications", VOCABULARY) == ("screen", "review")
    assert step_verbs("Prepare and approve the budget", VOCABULARY) == ("prepare", "approve")
    assert step_verbs("  17 ", VOCABULARY) == ()


def test_the_vocabulary_is_the_words_that_open_several_tasks() -> None:
    texts = ["Approve loans.", "Approve budgets.", "Review files.", "Prepare reports.", "Prepare payroll."]
    assert verb_vocabulary(texts) == {"approve", "prepare"}
    assert verb_vocabulary(texts, min_count=1) == {"approve", "prepare", "review"}


@given(st.text(max_size=200))
def test_verbs_are_few_distinct_lower_case_words_of_the_text(text: str) -> None:
    found = task_verbs(text, VOCABULARY)
    assert len(found) <= MAX_TASK_VERBS and len(set(found)) == len(found)
    assert all(v == v.lower() and v in text.lower() for v in found)
    steps = step_verbs(text, VOCABULARY)
    assert len(set(steps)) == len(steps)
