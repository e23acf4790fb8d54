"""Which O*NET tasks an assessment reads as evidence, and the note that says so.

The Impact page assesses a scenario with the O*NET tasks matched to each step (the tag
suggestions' close matches, `regulated.matched_tasks`), so its regulated-use detections
and its governance flags read the same evidence. An export or the command line must say
the same as the page. Matching by meaning encodes every distinct step text with the
sentence model: nothing to do when the app has already matched the flow (encodings are
kept by text), minutes for a new 10,000-step flow on a busy 2-core server. So the tasks
are matched when at most `MATCH_LIMIT` texts are still to encode; otherwise the
assessment reads the flow's words only, and a note in its output says so.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from redesign.impact.assess import Impact, assess
from redesign.impact.e2e import Note
from redesign.impact.explain import because
from redesign.impact.regulated import matched_tasks
from redesign.model import Flow, Scenario

MATCH_LIMIT = 400
"""Step texts the sentence model may still encode for one export (tens of seconds on a busy 2-core server)."""

MATCHED_TEXT = (
    "Regulated uses and governance flags read each step's words and the O*NET tasks matched to it, "
    "as the Impact page does."
)

NOT_MATCHED_YET = (
    "Regulated uses and governance flags read the flow's words only: the app was still matching the steps "
    "to O*NET tasks when this export started. The Impact page matches them and may flag more; export again "
    "once it has."
)


class TaskBasis(BaseModel):
    """The matched tasks an assessment reads (None: the flow's words only) and a sentence saying which."""

    model_config = ConfigDict(frozen=True)

    tasks: dict[str, list[tuple[str, str, str]]] | None
    text: str
    to_match: int = 0  # step texts that were not matched (too many to encode now), 0 when matched

    @property
    def matched(self) -> bool:
        return self.tasks is not None


def _index() -> Any:
    """The matcher `suggest` uses by default, or None when no O*NET index can be loaded."""
    try:
        from redesign.impact.exposure import default_index

        return default_index()
    except (ImportError, OSError, ValueError, KeyError):  # a missing or broken data file, as in `suggest`
        return None


def task_basis(flow: Flow, exposure: Any | Literal["default"] = "default", limit: int = MATCH_LIMIT) -> TaskBasis:
    """The O*NET tasks matched to each step of ``flow``, as the Impact page reads them, when that is quick.

    ``exposure``: "default" = the shipped matcher (as `suggest`), or any object with
    ``prior(text, k)``; a matcher with ``pending(texts)`` (the sentence model) is used only
    when at most ``limit`` of the flow's texts still need encoding.
    """
    from redesign.impact.suggest import step_queries, suggest  # the O*NET index loads only when needed

    index = _index() if exposure == "default" else exposure
    if index is None:
        return TaskBasis(
            tasks=None,
            text="Regulated uses and governance flags read the flow's words only: no O*NET task index is installed.",
        )
    pending = getattr(index, "pending", None)
    if pending is not None:
        context = flow.name if getattr(index, "uses_context", False) else ""
        texts = [q for step in flow.steps for q in step_queries(step, context)]
        if hasattr(index, "prior_step"):  # the matcher in flow also encodes each bare name (StepQuery.encoded)
            texts += [step.name for step in flow.steps]
        waiting = int(pending(dict.fromkeys(texts)))
        if waiting > limit:
            return TaskBasis(
                tasks=None,
                to_match=waiting,
                text=(
                    "Regulated uses and governance flags read the flow's words only: matching its "
                    f"{waiting:,} step texts to O*NET tasks would take minutes here. The Impact page matches "
                    "them and may flag more; export from the app once it has matched this flow."
                ),
            )
    return TaskBasis(tasks=matched_tasks(suggest(flow, index).items), text=MATCHED_TEXT)


def evidence_note(basis: TaskBasis) -> Note:
    """The note that tells a reader which evidence the regulated-use checks read."""
    numbers: dict[str, float | int | str] = {"texts_not_matched": basis.to_match}
    return Note(
        kind="task_evidence" if basis.matched else "task_evidence_words_only",
        text=basis.text,
        reason=because("note_task_evidence", [], basis.text, numbers),
    )


def assess_with(flow: Flow, scenario: Scenario | str | None, basis: TaskBasis) -> Impact:
    """`assess` with the basis's matched tasks, its notes ending with what that evidence was."""
    impact = assess(flow, scenario, basis.tasks)
    return impact.model_copy(update={"notes": [*impact.notes, evidence_note(basis)]})


__all__ = ["MATCHED_TEXT", "MATCH_LIMIT", "NOT_MATCHED_YET", "TaskBasis", "assess_with", "evidence_note", "task_basis"]
