"""Assembling the flow a BPMN file was read into, restoring what Crossflow's own export carried.

The reader (`redesign.io.bpmn_import`) collects drafts: functions, step fields,
hand-off fields, data items, roles. Here they become the validated `Flow` and its
`ImportReport`. When the file is Crossflow's own export, its ``cf:`` extension
elements restore the step, hand-off, function, role, data and scenario details
exactly; a value another tool edited into something invalid is reported as
ignored rather than refusing the file. The size limits are checked before the
flow model is built (`redesign.io.bpmn_limits.check_counts`).

The mixin's methods run on `redesign.io.bpmn_import._BpmnReader`, typed as `redesign.io.bpmn_reading.BpmnReading`.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from redesign.io.bpmn_extension import bpmn, clean_name, decode, local_name
from redesign.io.bpmn_limits import check_counts
from redesign.io.identifiers import slug
from redesign.io.import_report import ImportReport, SkippedElement, build_report
from redesign.model import (
    DEFAULT_FUNCTIONS,
    MAX_NAME,
    MAX_TEXT,
    DataItem,
    Decision,
    Flow,
    Function,
    Handoff,
    Problem,
    Role,
    Scenario,
    Step,
)
from redesign.validation import FlowInvalid, pydantic_problems

if TYPE_CHECKING:
    from redesign.io.bpmn_reading import BpmnReading

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
DEFAULT_COLOURS = {name.casefold(): colour for _, name, colour in DEFAULT_FUNCTIONS}
Element = Any  # an lxml element


class FlowAssembly:
    """Drafts -> the validated flow and its report; mixed into the BPMN reader."""

    def _flow_meta(self: BpmnReading, processes: list[Element]) -> dict[str, Any]:
        cf_flow = next((self.ext(p, "flow")[0] for p in processes if self.ext(p, "flow")), None)
        names = [n for n in (self._pool(p)[1] for p in processes if self._has_nodes(p))]
        stem = PurePath(self.source).stem if self.source else ""
        name = clean_name(self.root.get("name")) or (names[0] if len(names) == 1 else "") or clean_name(stem)
        name = name or "Imported process"
        meta: dict[str, Any] = {"name": name}
        if cf_flow is not None:
            meta.update(decode(cf_flow))
            owner = next(p for p in processes if self.ext(p, "flow"))
            meta["description"] = "\n".join((d.text or "") for d in owner.findall(bpmn("documentation")))
            meta["name"] = (owner.get("name") or name)[:MAX_NAME]
        else:
            meta["id"] = slug(name, "imported_process")
            docs = [
                (d.text or "").strip()
                for p in processes
                for d in p.findall(bpmn("documentation"))
                if (d.text or "").strip()
            ]
            meta["description"] = "\n".join(docs)[:MAX_TEXT]
            exporter = " ".join(filter(None, (self.root.get("exporter"), self.root.get("exporterVersion"))))
            meta["source"] = (
                f"Imported from {self.source or 'a BPMN file'} (BPMN 2.0{', ' + exporter if exporter else ''})"
            )
        return meta

    def _has_nodes(self: BpmnReading, process: Element) -> bool:
        from redesign.io.bpmn_import import FLOW_NODE_TYPES  # here: bpmn_import imports this module

        return any(local_name(c.tag) in FLOW_NODE_TYPES for c in process)

    def _functions(self: BpmnReading) -> list[Function]:
        drafts = list(self.state.functions.values())
        counts: dict[str, int] = defaultdict(int)
        for draft in drafts:
            counts[draft.name.casefold()] += 1
        functions: list[Function] = []
        for i, draft in enumerate(drafts):
            name = draft.name
            if counts[name.casefold()] > 1 and draft.pool and draft.pool != name and not draft.exact:
                name = f"{draft.pool} / {name}"[:MAX_NAME]
            colour = draft.colour or DEFAULT_COLOURS.get(draft.name.casefold()) or PALETTE[i % len(PALETTE)]
            try:
                functions.append(Function(id=draft.id, name=name, colour=colour))
            except ValidationError:
                functions.append(Function(id=draft.id, name=name, colour=PALETTE[i % len(PALETTE)]))
        return functions

    def _finish_step(self: BpmnReading, fields: dict[str, Any]) -> Step:
        fields = dict(fields)
        cf_element = fields.pop("_cf", None)
        hint = fields.pop("_hint", "")
        documentation = fields.pop("_documentation", "")
        notes = fields.pop("_notes", [])
        step_id = fields["id"]
        if cf_element is not None:
            base = {k: v for k, v in decode(cf_element).items() if k not in ("id", "function", "name", "description")}
            candidate = {**base, **fields, "description": documentation[:MAX_TEXT]}
            try:
                step = Step.model_validate(candidate)
            except ValidationError as exc:
                problems = "; ".join(str(p) for p in pydantic_problems(exc))
                self.skip(
                    self.state.step_elements[step_id], f"Crossflow attributes ignored: {problems}", kind="cf:step"
                )
            else:
                if notes:
                    text = "\n".join([step.description, *(f"Note: {n}" for n in notes)]).strip()
                    step = step.model_copy(update={"description": text[:MAX_TEXT]})
                return step
        lines = [documentation, hint, *(f"Note: {n}" for n in notes)]
        fields["description"] = "\n".join(line for line in lines if line)[:MAX_TEXT]
        return Step.model_validate(fields)

    def _scenarios(self: BpmnReading, processes: list[Element], steps: list[Step]) -> list[Scenario]:
        scenarios: dict[str, dict[str, Any]] = {}
        for process in processes:
            for element in self.ext(process, "scenario"):
                body = decode(element)
                if body.get("id") and body["id"] not in scenarios:
                    scenarios[body["id"]] = {**body, "decisions": []}
        for step in steps:
            element = self.state.step_elements.get(step.id)
            if element is None:
                continue
            for cf_decision in self.ext(element, "decision"):
                body = decode(cf_decision)
                scenario_id = body.pop("scenario", "")
                if not scenario_id:
                    continue
                target = scenarios.setdefault(scenario_id, {"id": scenario_id, "name": scenario_id, "decisions": []})
                try:
                    target["decisions"].append(Decision.model_validate({**body, "step": step.id}))
                except ValidationError as exc:
                    problems = "; ".join(str(p) for p in pydantic_problems(exc))
                    self.skip(element, f"Crossflow decision ignored: {problems}", kind="cf:decision")
        result: list[Scenario] = []
        for body in scenarios.values():
            try:
                result.append(Scenario.model_validate(body))
            except ValidationError as exc:
                problems = "; ".join(str(p) for p in pydantic_problems(exc))
                self.skip(
                    None, f"Crossflow scenario ignored: {problems}", element_id=body.get("id", ""), kind="cf:scenario"
                )
        return result

    def _roles(self: BpmnReading, processes: list[Element], function_ids: set[str]) -> list[Role]:
        roles: list[Role] = []
        seen: set[str] = set()
        for process in processes:
            for element in self.ext(process, "role"):
                body = decode(element)
                try:
                    role = Role.model_validate(body)
                except ValidationError as exc:
                    problems = "; ".join(str(p) for p in pydantic_problems(exc))
                    self.skip(
                        element, f"Crossflow role ignored: {problems}", element_id=body.get("id", ""), kind="cf:role"
                    )
                    continue
                if role.function not in function_ids:
                    self.skip(
                        element,
                        f'the role\'s function "{role.function}" is no longer a lane',
                        element_id=role.id,
                        kind="cf:role",
                    )
                    continue
                if role.id not in seen:
                    seen.add(role.id)
                    roles.append(role)
        for body in self.state.roles.values():
            fields = {k: v for k, v in body.items() if not k.startswith("_")}
            if fields["id"] not in seen:
                seen.add(fields["id"])
                roles.append(Role.model_validate(fields))
        return roles

    def _handoff(self: BpmnReading, fields: dict[str, Any]) -> Handoff | None:
        fields = dict(fields)
        edge = fields.pop("_cf_element", None)
        try:
            return Handoff.model_validate(fields)
        except ValidationError as exc:
            problems = "; ".join(str(p) for p in pydantic_problems(exc))
            self.skip(
                None, f"Crossflow attributes ignored: {problems}", element_id=edge.element_id or "", kind="cf:handoff"
            )
            plain = {k: fields[k] for k in ("id", "source", "target", "condition") if k in fields}
            return Handoff.model_validate(plain)

    def _build(self: BpmnReading, processes: list[Element]) -> tuple[Flow, ImportReport]:
        check_counts(len(self.state.steps), len(self.handoffs))
        meta = self._flow_meta(processes)
        functions = self._functions()
        function_ids = {f.id for f in functions}
        steps = [self._finish_step(fields) for fields in self.state.steps.values()]
        data_items = []
        for fields in self.state.data.values():
            try:
                data_items.append(DataItem.model_validate(fields))
            except ValidationError:
                data_items.append(DataItem(id=fields["id"], name=fields["name"]))
        handoffs = [h for h in (self._handoff(f) for f in self.handoffs) if h is not None]
        roles = self._roles(processes, function_ids)
        scenarios = self._scenarios(processes, steps)
        flow_fields = {
            **{k: v for k, v in meta.items() if k not in ("functions", "roles", "steps", "handoffs", "scenarios")},
            "functions": functions,
            "roles": roles,
            "data_items": data_items,
            "steps": steps,
            "handoffs": handoffs,
            "scenarios": scenarios,
        }
        flow = _validated_flow(flow_fields)
        flow = _drop_dangling(flow, self.state.skipped)
        notes = list(self.state.notes)
        if flow.steps and self.state.cf_steps < len(flow.steps):
            notes.insert(
                0,
                "BPMN has no volumes or times: volume, touch minutes and wait minutes are 0 for "
                f"{len(flow.steps) - self.state.cf_steps} steps; fill them in before reading the metrics",
            )
        if not flow.steps:
            notes.insert(0, "the file has no tasks, so the flow has no steps")
        report = build_report(flow, "bpmn", self.source, self.state.skipped, self.state.annotations, notes)
        return flow, report


def _validated_flow(fields: dict[str, Any]) -> Flow:
    try:
        return Flow.model_validate(fields)
    except ValidationError as exc:
        # Flow-level Crossflow attributes (period, thresholds) may have been edited by
        # hand: fall back to the defaults rather than refusing the whole file.
        keep = {"id", "name", "description", "functions", "roles", "data_items", "steps", "handoffs", "scenarios"}
        try:
            return Flow.model_validate({k: v for k, v in fields.items() if k in keep})
        except ValidationError as retry:
            raise FlowInvalid(pydantic_problems(exc)) from retry


def _drop_dangling(flow: Flow, skipped: list[SkippedElement]) -> Flow:
    """Clear references that another tool's edits left pointing at nothing."""
    role_ids = {r.id for r in flow.roles}
    step_ids = {s.id for s in flow.steps}
    steps = []
    for step in flow.steps:
        if step.owner and step.owner not in role_ids:
            skipped.append(
                SkippedElement(element_id=step.owner, element_type="cf:owner", reason=f'step "{step.id}": unknown role')
            )
            step = step.model_copy(update={"owner": None})
        steps.append(step)
    roles = [
        r.model_copy(update={"accountable_role": None})
        if r.accountable_role and r.accountable_role not in role_ids
        else r
        for r in flow.roles
    ]
    scenarios = []
    for scenario in flow.scenarios:
        decisions = []
        for decision in scenario.decisions:
            if decision.step not in step_ids:
                continue
            update = {
                k: None for k in ("ai_agent", "owner", "overseer") if getattr(decision, k) not in (None, *role_ids)
            }
            decisions.append(decision.model_copy(update=update) if update else decision)
        scenarios.append(scenario.model_copy(update={"decisions": decisions}))
    data_ids = {d.id for d in flow.data_items}
    handoffs = [
        h.model_copy(update={"data": [d for d in h.data if d in data_ids]}) if set(h.data) - data_ids else h
        for h in flow.handoffs
    ]
    flow = flow.model_copy(update={"steps": steps, "roles": roles, "scenarios": scenarios, "handoffs": handoffs})
    problems = flow.problems()
    if problems:
        raise FlowInvalid(
            [Problem(location=p.location, message=f"{p.message} (after reading the BPMN file)") for p in problems]
        )
    return flow
