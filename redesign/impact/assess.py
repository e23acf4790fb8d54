"""`assess(flow, scenario) -> Impact`: the one entry point the UI, the report and the CLI call.

Order matters and is fixed: governance decides the review steps, economics counts
their hours, roles/skills/incentives read the hours, the end-to-end metrics measure
the redesigned flow, and the pilot plan weighs value against the flags.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from pydantic import BaseModel, PrivateAttr

from redesign.impact.collector import collector_paused
from redesign.impact.costs import Costs, costs
from redesign.impact.e2e import EndToEnd, Note, end_to_end
from redesign.impact.economics import HoursTotals, StepEconomics, step_economics, totals
from redesign.impact.explain import Reason, agreeing, because, counted
from redesign.impact.governance import GovernanceFlag, check
from redesign.impact.incentives import IncentiveChange, incentive_changes
from redesign.impact.oversight import NewStep, oversight_steps
from redesign.impact.pilot import PilotPlan, pilot_plan
from redesign.impact.roles import RoleChange, role_changes
from redesign.impact.scenario_view import ScenarioInvalid, ScenarioView
from redesign.impact.skills import DeskillingWarning, ReskillingItem, SkillChange, skill_changes
from redesign.impact.suggested import SUGGESTED_NOTE, is_suggested
from redesign.model import Flow, Scenario


class _Explained(Protocol):
    reason: Reason


class Impact(BaseModel):
    """Everything a scenario changes, each item with its reason (rule, source, steps, numbers, text)."""

    flow_id: str
    flow_name: str
    scenario_id: str
    scenario_name: str
    period: str
    periods_per_year: float
    fte_hours_per_period: float
    totals: HoursTotals
    steps: list[StepEconomics]  # every step of the flow, in flow order
    new_steps: list[NewStep]  # human steps the redesign adds (oversight, exception handling)
    roles: list[RoleChange]
    skills: list[SkillChange]
    reskilling: list[ReskillingItem]
    deskilling: list[DeskillingWarning]
    incentives: list[IncentiveChange]
    governance: list[GovernanceFlag]
    end_to_end: EndToEnd
    pilot: PilotPlan
    costs: Costs
    notes: list[Note]
    _after_flow: Flow | None = PrivateAttr(default=None)  # the redesigned flow, for the simulation

    def __eq__(self, other: object) -> bool:  # the redesigned flow is a cache, not part of the result
        return isinstance(other, Impact) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # unhashable on purpose: equal by value, and mutable

    @property
    def after_flow(self) -> Flow | None:
        """The flow with the scenario applied (not serialised; None on an Impact read back from JSON)."""
        return self._after_flow

    @property
    def blocked(self) -> bool:
        return any(f.severity == "BLOCK" for f in self.governance)

    def items(self) -> Iterator[_Explained]:
        """Every explained output item (each has a ``reason``)."""
        yield from self.steps
        yield from self.new_steps
        yield from self.roles
        for role in self.roles:
            yield from role.responsibilities
        yield from self.skills
        yield from self.reskilling
        yield from self.deskilling
        yield from self.incentives
        yield from self.governance
        yield from self.end_to_end.changes
        yield from self.end_to_end.notes
        yield from self.pilot.waves
        for wave in self.pilot.waves:
            yield from wave.items
        yield from self.pilot.held
        yield self.costs
        yield from self.notes


def resolve_scenario(flow: Flow, scenario: Scenario | str | None) -> Scenario | None:
    """A scenario object, or the flow's scenario by id or name; a clear error when there is none."""
    if scenario is None or isinstance(scenario, Scenario):
        return scenario
    try:
        return flow.scenario(scenario)
    except KeyError as exc:
        raise ScenarioInvalid(exc.args[0]) from exc


def default_scenario(flow: Flow) -> Scenario | None:
    """What to assess when no scenario is named: the flow's first scenario, else the as-is flow."""
    return flow.scenarios[0] if flow.scenarios else None


def assess(
    flow: Flow,
    scenario: Scenario | str | None = None,
    tasks: Mapping[str, Sequence[tuple[str, str, str]]] | None = None,
) -> Impact:
    """The impact of ``scenario`` (an object, or an id/name in ``flow.scenarios``; None = as is).

    ``tasks``: the O*NET tasks matched to each step, (soc, occupation, task), as the Impact
    page's regulated-use detections read them (``regulated.matched_tasks(suggest(flow).items)``);
    given, the governance flags use the same evidence, so both say the same. None = the
    flow's words only.

    Raises `ScenarioInvalid` (a ValueError with a plain message) when the scenario is
    unknown or decides steps that are not in the flow.
    """
    view = ScenarioView(flow, resolve_scenario(flow, scenario), tasks)
    with collector_paused():
        return _assess(view)


def _assess(view: ScenarioView) -> Impact:
    flow = view.flow
    oversight = oversight_steps(view)
    flags = check(view, oversight)
    econ = step_economics(view, oversight)
    new_steps = sorted([*oversight, *econ.exception_steps], key=lambda n: (view.order[n.for_step], n.kind))
    roles = role_changes(view, econ.steps, new_steps)
    skills = skill_changes(view, econ.steps, new_steps)
    e2e, after_flow = end_to_end(view, econ.steps, oversight)
    hours_totals = totals(view, econ.steps)
    blocked = any(f.severity == "BLOCK" for f in flags)
    impact = Impact(
        flow_id=flow.id,
        flow_name=flow.name,
        scenario_id=view.scenario.id,
        scenario_name=view.scenario.name,
        period=flow.period.value,
        periods_per_year=flow.periods_per_year,
        fte_hours_per_period=flow.fte_hours_per_period,
        totals=hours_totals,
        steps=econ.steps,
        new_steps=new_steps,
        roles=roles,
        skills=skills.changes,
        reskilling=skills.reskilling,
        deskilling=skills.deskilling,
        incentives=incentive_changes(view, roles, e2e.before.critical_path, econ.steps),
        governance=flags,
        end_to_end=e2e,
        pilot=pilot_plan(view, econ.steps, flags),
        costs=costs(econ.steps, roles, hours_totals, flow.periods_per_year, blocked, flow.fte_hours_per_year),
        notes=_notes(view),
    )
    impact._after_flow = after_flow
    return impact


def _missing(view: ScenarioView) -> list[Note]:
    """What the flow does not say, named, so an analysis of an incomplete map is read as one."""
    flow = view.flow
    steps = [s.id for s in flow.steps]
    gaps: list[tuple[str, str, list[str]]] = []
    no_time = [s.id for s in flow.steps if s.touch_minutes <= 0]
    if no_time and len(no_time) == len(steps):
        gaps.append(("missing_times", "No step has touch minutes, so every hour figure is 0", no_time))
    elif no_time:
        names = ", ".join(view.steps[s].name for s in no_time[:3]) + (", ..." if len(no_time) > 3 else "")
        gaps.append(("missing_times", f"{_steps_have(no_time)} no touch minutes ({names}): they count 0 h", no_time))
    no_volume = [s.id for s in flow.steps if s.volume <= 0]
    if no_volume and len(no_volume) == len(steps):
        gaps.append(("missing_volumes", "No step has a volume, so every hour figure is 0", no_volume))
    no_owner = [s.id for s in flow.steps if s.owner not in view.roles]
    if not flow.roles:
        gaps.append(
            ("missing_roles", "The flow has no roles: hours go to 'no owner' and no FTE per role is shown", steps)
        )
    elif no_owner:
        names = ", ".join(view.steps[s].name for s in no_owner[:3]) + (", ..." if len(no_owner) > 3 else "")
        gaps.append(("missing_roles", f"{_steps_have(no_owner)} no owner role ({names})", no_owner))
    notes = []
    for kind, what, ids in gaps:
        text = f"{what}. Add them to the map for figures that mean something."
        notes.append(Note(kind=kind, text=text, reason=because("note_missing_input", ids, text, {"steps": len(ids)})))
    return notes


def _steps_have(ids: list[str]) -> str:
    return f"{counted(len(ids), 'step')} {agreeing(len(ids), 'has', 'have')}"


def _notes(view: ScenarioView) -> list[Note]:
    notes: list[Note] = []
    if is_suggested(view.scenario):
        steps = list(view.decisions)
        notes.append(
            Note(
                kind="suggested_scenario",
                text=SUGGESTED_NOTE,
                reason=because("note_suggested", steps, SUGGESTED_NOTE, {"decisions": len(steps)}),
            )
        )
    notes += _missing(view)
    undecided = [s.id for s in view.flow.steps if s.id not in view.decisions]
    if not undecided or not view.decisions:
        return notes
    n = len(undecided)
    stay = agreeing(n, "it stays as it is", "they stay as they are")
    text = f"{n} of {len(view.flow.steps)} steps {agreeing(n, 'has', 'have')} no decision in this scenario; {stay}."
    notes.append(
        Note(
            kind="undecided",
            text=text,
            reason=because("note_undecided", undecided, text, {"undecided": len(undecided)}),
        )
    )
    return notes


__all__ = ["Impact", "ScenarioInvalid", "assess", "default_scenario", "resolve_scenario"]
