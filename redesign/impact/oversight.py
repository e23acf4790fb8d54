"""The new human steps a redesign creates: oversight of high-risk steps, exception handling.

docs/methodology.md#governance-flags: every BLOCK/WARN on a high-risk step that an AI
system touches adds a human "review/override" step owned by a role (AI Act Art 14); new
steps add hours to their owner role.
Oversight steps are inserted into the redesigned flow right after the step they
review (every case passes through them). Exception handling is not a separate box in
the flow: it is part of the automated step's per-case time, and listed here so the
role that does it sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from redesign.impact.catalog import catalog
from redesign.impact.explain import Reason, because, hours
from redesign.impact.scenario_view import UNASSIGNED, ScenarioView
from redesign.model import MAX_ID, MAX_NAME, Step, Tag

_COUNTER_ROOM = 6  # "_99999": room for the counter that makes an id unique

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUTOMATE = Tag.HUMAN, Tag.AUTOMATE


class NewStep(BaseModel):
    """A human step the redesign adds; its hours count in its owner role's "after"."""

    id: str
    kind: Literal["oversight", "exceptions"]
    name: str
    for_step: str  # the step it reviews or takes exceptions from
    owner: str  # role id (UNASSIGNED when no role could be named)
    function: str
    volume: float  # cases per period
    minutes_per_case: float
    hours: float  # per period
    in_flow: bool  # True: a box in the redesigned flow; False: folded into for_step's time
    rule: str  # the rule that requires it
    reason: Reason


def oversight_rule(view: ScenarioView, step: Step) -> str | None:
    """The governance rule that puts a human review after ``step``, if any.

    Kept here, beside the step it creates, so governance flags and hours agree.
    """
    tag = view.tag_of[step.id]
    decision = view.decisions.get(step.id)  # the dict, not `view.decision`: one call fewer per step
    if tag == _HUMAN or (decision is not None and decision.system == "rules"):
        return None  # rules written by people are not an AI system (AI Act Art 3(1), Recital 12)
    area = view.area(step)
    rules = catalog().governance
    if tag == _AUTOMATE:
        # The Annex III BLOCK names the point of the Act, so it wins over the profiling BLOCK
        # (which governance still reports on its own).
        if area is not None and step.decides_for_person:
            rule = "gov_annex3_automate"
        elif step.profiling and (step.decides_for_person or area is not None):
            rule = "gov_profiling_automate"
        elif area is not None:
            rule = "gov_annex3_automate_preparatory"
        else:
            return None
        return rule if rules[rule].oversight_step else None
    if area is not None:
        return "gov_annex3_augment" if rules["gov_annex3_augment"].oversight_step else None
    return None


def overseer_of(view: ScenarioView, step: Step) -> str:
    """Decision.overseer, else the owner's accountable role, else the decision owner, else the owner."""
    decision = view.decision(step.id)
    candidates = [
        decision.overseer if decision else None,
        view.roles[step.owner].accountable_role if step.owner in view.roles else None,
        decision.owner if decision else None,
        step.owner,
    ]
    for role_id in candidates:
        human = view.human_of(role_id)
        if human is not None:
            return human
    return UNASSIGNED


def review_minutes(step: Step) -> float:
    effort = catalog().effort
    return max(effort.value("effort_review_min_minutes"), effort.value("effort_review_share") * step.touch_minutes)


def fitted_id(base: str, suffix: str, is_taken: Callable[[str], bool]) -> str:
    """``base + suffix``, made unique with ``_2``, ``_3``, ... and cut to fit an id.

    A step's id may be as long as any id, so "<id>__review" may not fit: the base is cut,
    never the suffix, so the id still says what it is.
    """
    wanted = base[: MAX_ID - len(suffix) - _COUNTER_ROOM] + suffix
    candidate, n = wanted, 2
    while is_taken(candidate):
        candidate, n = f"{wanted}_{n}", n + 1
    return candidate


def review_name(step_name: str) -> str:
    """The review step's name, cut with "..." when the step's own name is near the limit (three dots: a
    name is NFKC-normalised, which turns the one-character ellipsis into three anyway)."""
    name = f"Review and override: {step_name}"
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 3].rstrip() + "..."


def _unique_id(view: ScenarioView, step_id: str, taken: set[str]) -> str:
    candidate = fitted_id(step_id, "__review", lambda c: c in view.steps or c in taken)
    taken.add(candidate)
    return candidate


def oversight_steps(view: ScenarioView) -> list[NewStep]:
    """One review step after every high-risk step that AI touches, in flow order."""
    found: list[NewStep] = []
    taken: set[str] = set()
    for step in view.flow.steps:
        rule = oversight_rule(view, step)
        if rule is None:
            continue
        owner = overseer_of(view, step)
        minutes = review_minutes(step)
        review_hours = step.volume * minutes / 60.0
        area = view.area(step)
        cite = area.point if area else "the profiling rule of Art 6(3)"
        found.append(
            NewStep(
                id=_unique_id(view, step.id, taken),
                kind="oversight",
                name=review_name(step.name),
                for_step=step.id,
                owner=owner,
                function=view.function_of_role(owner) or step.function,
                volume=step.volume,
                minutes_per_case=minutes,
                hours=review_hours,
                in_flow=True,
                rule=rule,
                reason=because(
                    "econ_oversight",
                    [step.id],
                    f'{cite} requires a person to review the AI output of "{step.name}" before it takes effect: '
                    f"{step.volume:g} cases x {minutes:.1f} min = {hours(review_hours)} per {view.flow.period.value} "
                    f"for {view.role_name(owner)}.",
                    {
                        "volume": step.volume,
                        "review_minutes": minutes,
                        "review_share": catalog().effort.value("effort_review_share"),
                        "review_min_minutes": catalog().effort.value("effort_review_min_minutes"),
                        "hours": review_hours,
                    },
                ),
            )
        )
    return found
