"""Each validation rule has an input that breaks it, and the message names the spot."""

from __future__ import annotations

import copy

import pytest

from redesign.validation import FlowInvalid, check_flow, parse_flow
from tests.unit.flows import doc


def messages(document) -> list[str]:
    flow, problems = check_flow(document)
    assert flow is None
    return [str(p) for p in problems]


def test_the_minimal_document_is_valid() -> None:
    flow, problems = check_flow(doc())
    assert problems == []
    assert flow is not None and [s.id for s in flow.steps] == ["a", "b"]


def mutate(fn) -> dict:
    document = copy.deepcopy(doc())
    fn(document)
    return document


CASES = [
    ("duplicate step id", lambda d: d["steps"][1].update(id="a"), 'steps[1].id: duplicate id "a"'),
    (
        "duplicate function id",
        lambda d: d["functions"].append({"id": "sales", "name": "S2"}),
        'functions[2].id: duplicate id "sales"',
    ),
    (
        "unknown hand-off target",
        lambda d: d["handoffs"][0].update(target="S99"),
        'handoffs[0].target: unknown step "S99"',
    ),
    (
        "unknown hand-off source",
        lambda d: d["handoffs"][0].update(source="zz"),
        'handoffs[0].source: unknown step "zz"',
    ),
    ("unknown owner", lambda d: d["steps"][0].update(owner="ghost"), 'steps[0].owner: unknown role "ghost"'),
    (
        "unknown step function",
        lambda d: d["steps"][0].update(function="legal"),
        'steps[0].function: unknown function "legal"',
    ),
    (
        "unknown role function",
        lambda d: d["roles"][0].update(function="legal"),
        'roles[0].function: unknown function "legal"',
    ),
    (
        "unknown data item",
        lambda d: d["steps"][1].update(data_in=["nope"]),
        'steps[1].data_in[0]: unknown data item "nope"',
    ),
    ("negative minutes", lambda d: d["steps"][0].update(touch_minutes=-5), "steps[0].touch_minutes: "),
    ("negative wait", lambda d: d["steps"][0].update(wait_minutes=-1), "steps[0].wait_minutes: "),
    ("negative volume", lambda d: d["steps"][0].update(volume=-1), "steps[0].volume: "),
    ("negative headcount", lambda d: d["roles"][0].update(headcount=-2), "roles[0].headcount: "),
    ("pca above 100", lambda d: d["steps"][0].update(pca=140), "steps[0].pca: "),
    ("pca below 0", lambda d: d["handoffs"][0].update(pca=-1), "handoffs[0].pca: "),
    (
        "AI agent without accountable human",
        lambda d: d["roles"].append({"id": "bot", "name": "Bot", "function": "sales", "kind": "ai_agent"}),
        "roles[2].accountable_role: an AI agent must name the human role accountable for it",
    ),
    (
        "AI agent accountable to an AI agent",
        lambda d: d["roles"].extend(
            [
                {"id": "bot", "name": "Bot", "function": "sales", "kind": "ai_agent", "accountable_role": "bot2"},
                {"id": "bot2", "name": "Bot 2", "function": "sales", "kind": "ai_agent", "accountable_role": "rep"},
            ]
        ),
        'roles[2].accountable_role: "bot2" is an AI agent',
    ),
    (
        "scenario decides an unknown step",
        lambda d: d.update(scenarios=[{"id": "s", "name": "S", "decisions": [{"step": "zz", "tag": "automate"}]}]),
        'scenarios[0].decisions[0].step: unknown step "zz"',
    ),
    (
        "scenario decides a step twice",
        lambda d: d.update(
            scenarios=[
                {"id": "s", "name": "S", "decisions": [{"step": "a", "tag": "automate"}, {"step": "a", "tag": "human"}]}
            ]
        ),
        'scenarios[0].decisions[1].step: step "a" is decided twice',
    ),
    (
        "unknown tag",
        lambda d: d.update(scenarios=[{"id": "s", "name": "S", "decisions": [{"step": "a", "tag": "robot"}]}]),
        "scenarios[0].decisions[0].tag: ",
    ),
    (
        "self loop not marked rework",
        lambda d: d["handoffs"].append({"id": "h2", "source": "b", "target": "b"}),
        "handoffs[1]: a hand-off from a step to itself must be marked as rework",
    ),
    ("misspelt field", lambda d: d["steps"][0].update(touch_minuts=5), "steps[0].touch_minuts: is not a known field"),
    ("empty name", lambda d: d["steps"][0].update(name=""), "steps[0].name: must not be empty"),
    ("id with spaces", lambda d: d["steps"][0].update(id="a b"), "steps[0].id: "),
    ("missing schema version", lambda d: d.pop("schema_version"), "schema_version: is missing"),
]


@pytest.mark.parametrize(("label", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_reports_its_location(label, change, expected) -> None:
    found = messages(mutate(change))
    assert any(m.startswith(expected) for m in found), found


def test_three_mistakes_give_three_messages() -> None:
    def three(d: dict) -> None:
        d["steps"][0]["touch_minutes"] = -5
        d["handoffs"][0]["target"] = "S99"
        d["roles"][1]["function"] = "legal"

    found = messages(mutate(three))
    assert len(found) == 3, found


def test_a_newer_schema_version_says_upgrade() -> None:
    found = messages(doc(schema_version=9))
    assert found == [
        "schema_version: this file was written by a newer Crossflow (schema version 9); "
        "this one reads up to version 1: upgrade Crossflow to open it"
    ]


@pytest.mark.parametrize("version", ["1", 0, -3, True, 1.5])
def test_an_unknown_schema_version_is_named(version) -> None:
    assert any(m.startswith("schema_version: ") for m in messages(doc(schema_version=version)))


@pytest.mark.parametrize("document", [None, [], "flow", 42])
def test_a_non_object_document_is_one_clear_problem(document) -> None:
    found = messages(document)
    assert len(found) == 1 and found[0].startswith("expected a JSON object")


def test_parse_flow_raises_with_every_problem() -> None:
    with pytest.raises(FlowInvalid) as err:
        parse_flow(mutate(lambda d: d["steps"][0].update(owner="x", function="y")))
    assert len(err.value.problems) == 2
    assert 'steps[0].owner: unknown role "x"' in str(err.value)
