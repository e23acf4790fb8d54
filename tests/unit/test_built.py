"""``built`` makes the object ``model_construct`` makes, for every model the engine builds with it."""

from __future__ import annotations

import pytest

from redesign.built import built, in_order
from redesign.impact.assess import assess
from redesign.impact.e2e import Note
from redesign.impact.economics import HoursLine, StepEconomics
from redesign.impact.explain import Reason
from redesign.impact.governance import GovernanceFlag
from redesign.impact.incentives import IncentiveChange
from redesign.impact.oversight import NewStep
from redesign.impact.pilot import PilotItem
from redesign.impact.regulated import Detection, Evidence, detect_step
from redesign.impact.suggest import ExposureEvidence, TagSuggestion, suggest
from redesign.metrics import BreakPoint, ReworkLoop, analyze
from redesign.samples import load_sample


def _same(a: object, b: object) -> None:
    assert type(a) is type(b)
    assert list(a.__dict__) == list(b.__dict__) and a.__dict__ == b.__dict__
    assert a.model_fields_set == b.model_fields_set  # type: ignore[attr-defined]
    assert a.model_dump_json() == b.model_dump_json()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def built_objects() -> list[object]:
    """One object of every kind, as the engine builds them (reasons, flags, lines, items, suggestions)."""
    flow = load_sample("recruiting_hiring")
    impact = assess(flow, flow.scenarios[0])
    objects: list[object] = [impact.steps[0], impact.steps[0].lines[0], impact.governance[0], impact.incentives[0]]
    objects += [impact.steps[0].reason, *[i for w in impact.pilot.waves for i in w.items][:1]]
    objects += [n for n in impact.new_steps if n.kind == "exceptions"][:1]
    objects.append(suggest(flow, None).items[0])
    objects.append(objects[-1].exposure)  # type: ignore[attr-defined]
    aggressive = assess(flow, "aggressive")  # saves hours off the critical path: one note for those steps
    objects += [n for n in aggressive.end_to_end.notes if n.kind == "off_critical_path"][:1]
    found = [d for s in flow.steps for d in detect_step(flow, s)]
    objects += [next(d for d in found if d.kind == kind) for kind in ("area", "art22")]
    objects.append(found[0].evidence[0])
    metrics = analyze(load_sample("sales_forecasting"))  # break points of both kinds, rework loops
    objects += [next(b for b in metrics.break_points if b.kind == kind) for kind in ("step", "handoff")]
    objects.append(metrics.rework_loops[0])
    return objects


def test_every_model_the_engine_builds_is_covered(built_objects: list[object]) -> None:
    kinds = {type(o) for o in built_objects}
    assert {StepEconomics, HoursLine, GovernanceFlag, IncentiveChange, Reason, TagSuggestion} <= kinds
    assert {PilotItem, NewStep, ExposureEvidence, Note, Detection, Evidence, BreakPoint, ReworkLoop} <= kinds


def test_built_equals_model_construct(built_objects: list[object]) -> None:
    for obj in built_objects:
        values = {k: getattr(obj, k) for k in obj.model_fields_set}  # type: ignore[attr-defined]
        _same(built(type(obj), **values), type(obj).model_construct(**values))  # type: ignore[attr-defined]


def test_the_engines_objects_equal_model_construct(built_objects: list[object]) -> None:
    # Reasons and hours lines are written field by field in declaration order (`in_order`): same object.
    for obj in built_objects:
        values = {k: getattr(obj, k) for k in obj.model_fields_set}  # type: ignore[attr-defined]
        _same(obj, type(obj).model_construct(**values))  # type: ignore[attr-defined]


def test_in_order_needs_every_field_in_order() -> None:
    values = {"rule": "r", "source": "s", "steps": ["a"], "numbers": {"x": 1.0}, "text": "t"}
    _same(in_order(Reason, dict(values)), Reason.model_construct(**values))


def test_defaults_are_filled_and_mutable_defaults_are_not_shared() -> None:
    reason = built(Reason, rule="r", source="s", steps=[], numbers={}, text="t")
    values = dict(rule="r", severity="WARN", step=None, message="m", remedy="x", reason=reason)
    a, b = built(GovernanceFlag, **values), built(GovernanceFlag, **values)
    _same(a, GovernanceFlag.model_construct(**values))
    assert a.steps == [] and a.steps is not b.steps and a.item == "" and a.oversight_step is None


def test_unknown_or_missing_fields_are_refused() -> None:
    with pytest.raises(TypeError, match="unknown field"):
        built(HoursLine, role="r", activity="doing", before=1.0, after=0.5, typo=1)
    with pytest.raises(TypeError, match="missing field"):
        built(HoursLine, role="r", activity="doing", before=1.0)


def test_the_shared_fields_set_is_never_changed() -> None:
    # Objects given every field share their class's set of field names (`built._EVERY`): an assignment
    # adds a name already there, a copy with an update changes its own copy, never the shared set.
    line = in_order(HoursLine, {"role": "r", "activity": "doing", "before": 1.0, "after": 0.5})
    other = built(HoursLine, role="s", activity="doing", before=2.0, after=1.0)
    shared = set(HoursLine.model_fields)
    assert line.model_fields_set == shared and other.model_fields_set is line.model_fields_set
    line.after = 0.25
    copy = other.model_copy(update={"before": 3.0})
    assert copy.model_fields_set == shared and copy.model_fields_set is not line.model_fields_set
    reason = in_order(Reason, {"rule": "r", "source": "s", "steps": [], "numbers": {}, "text": "t"})
    assert reason.model_copy(update={"rule": "q"}).rule == "q"
    assert line.model_fields_set == shared == other.model_fields_set
    assert Reason.model_construct(rule="r").model_fields_set == {"rule"}  # pydantic's own objects: their own set
