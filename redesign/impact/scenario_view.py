"""A flow seen through one scenario: each step's tag and decision, and who does what.

Built once per assessment so every module of the engine resolves roles and tags the
same way (and in linear time on large flows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cached_property

from redesign.impact.catalog import HighRiskArea, catalog
from redesign.model import Decision, Flow, Handoff, Role, RoleKind, Scenario, Step, Tag

# Enum members as module globals: on CPython 3.11 a read such as `Tag.HUMAN` takes the slow path (the
# enum metaclass defines __getattr__, so the read is never specialised), ~80 ns against ~7 ns for a global;
# the engine's loops make some 190,000 such reads per 5,000-step suggest + assess. The modules of the
# engine bind the members they test in their loops the same way.
_HUMAN, _AUGMENT, _AUTOMATE, _HUMAN_ROLE = Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE, RoleKind.HUMAN

UNASSIGNED = "_unassigned"
"""Role id for hours of steps with no owner (the leading underscore keeps it apart from ids people write)."""

AI_TAGS = (_AUGMENT, _AUTOMATE)


class ScenarioInvalid(ValueError):
    """A scenario that does not fit the flow; the message says what to fix."""


class ScenarioView:
    def __init__(
        self,
        flow: Flow,
        scenario: Scenario | None,
        tasks: Mapping[str, Sequence[tuple[str, str, str]]] | None = None,
    ) -> None:
        self.flow = flow
        self.scenario = scenario or Scenario(id="as_is", name="As is")
        #: O*NET tasks matched to each step, (soc, occupation, task): domain evidence for the
        #: regulated-use detection (``regulated.matched_tasks`` of the tag suggestions).
        self.tasks: Mapping[str, Sequence[tuple[str, str, str]]] = tasks or {}
        self.steps: dict[str, Step] = flow.steps_by_id()
        self.roles: dict[str, Role] = flow.roles_by_id()
        self.order: dict[str, int] = {s.id: i for i, s in enumerate(flow.steps)}
        self.decisions: dict[str, Decision] = {}
        problems: list[str] = []
        for d in self.scenario.decisions:
            if d.step not in self.steps:
                problems.append(f'scenario "{self.scenario.name}" decides step "{d.step}", which is not in the flow')
            elif d.step in self.decisions:
                problems.append(f'scenario "{self.scenario.name}" decides step "{d.step}" twice')
            self.decisions.setdefault(d.step, d)
        if problems:
            raise ScenarioInvalid("; ".join(problems))
        self._tags: dict[str, Tag] = {sid: d.tag for sid, d in self.decisions.items()}  # asked ~10 times per step
        #: Every step's tag (as is when undecided): the engine's per-step loops read it without a call.
        self.tag_of: dict[str, Tag] = {s.id: self._tags.get(s.id, _HUMAN) for s in flow.steps}
        #: The flow's period as a word ("week"), for the per-step sentences: `Enum.value` is a Python-level
        #: property on 3.11, read some 10,000 times per 5,000-step assessment.
        self.period: str = flow.period.value

    # --- tags and decisions
    def decision(self, step_id: str) -> Decision | None:
        return self.decisions.get(step_id)

    def tag(self, step_id: str) -> Tag:
        return self._tags.get(step_id, _HUMAN)

    def uses_ai(self, step_id: str) -> bool:
        return self._tags.get(step_id, _HUMAN) in AI_TAGS

    # --- roles
    def role_name(self, role_id: str | None) -> str:
        if role_id is None or role_id == UNASSIGNED:
            return "no owner"
        role = self.roles.get(role_id)
        return role.name if role else role_id

    def is_human(self, role_id: str | None) -> bool:
        role = self.roles.get(role_id or "")
        return role is not None and role.kind == _HUMAN_ROLE

    def human_of(self, role_id: str | None) -> str | None:
        """The role itself if human, else the human accountable for it (one level, as the model allows)."""
        role = self.roles.get(role_id or "")
        if role is None:
            return None
        if role.kind == _HUMAN_ROLE:
            return role.id
        acc = self.roles.get(role.accountable_role or "")
        return acc.id if acc is not None and acc.kind == _HUMAN_ROLE else None

    def owner(self, step: Step) -> str:
        return step.owner if step.owner in self.roles else UNASSIGNED

    def function_of_role(self, role_id: str | None) -> str | None:
        role = self.roles.get(role_id or "")
        return role.function if role else None

    # --- graph neighbours (rework loops left out: they are corrections, not the flow)
    @cached_property
    def successors(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for h in self.flow.handoffs:
            if not h.rework and h.source in self.steps and h.target in self.steps:
                found[h.source].append(h.target)
        return found

    @cached_property
    def incoming(self) -> dict[str, list[Handoff]]:
        found: dict[str, list[Handoff]] = defaultdict(list)
        for h in self.flow.handoffs:
            if not h.rework and h.source in self.steps and h.target in self.steps:
                found[h.target].append(h)
        return found

    @cached_property
    def predecessors(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for h in self.flow.handoffs:
            if not h.rework and h.source in self.steps and h.target in self.steps:
                found[h.target].append(h.source)
        return found

    # --- high-risk areas
    def area(self, step: Step) -> HighRiskArea | None:
        if step.high_risk_area is None:
            return None  # most steps: no catalog lookup
        return catalog().high_risk_areas.get(step.high_risk_area)

    def unknown_area(self, step: Step) -> bool:
        return step.high_risk_area is not None and step.high_risk_area not in catalog().high_risk_areas
