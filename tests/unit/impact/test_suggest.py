"""Tag suggestions: gates then scores; exposure evidence from a (fake or real) O*NET index."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from impact_flows import flows, one_step_flow

from redesign.impact.catalog import catalog
from redesign.impact.suggest import best_prior, suggest
from redesign.model import Handoff, Rubric, Stakes, Step, Tag


@dataclass
class Match:
    soc: str = "13-2011.00"
    occupation: str = "Accountants and Auditors"
    task: str = "Reconcile accounts"
    similarity: float = 0.6
    human_exposure: str = "E1"
    gpt4_exposure: str = "E2"
    gpt4_automation: str = "T3"
    beta: float = 1.0


@dataclass
class Prior:
    label: str
    confidence: float
    score: float = 0.5
    explanation: str = "fake"
    matches: list[Match] = field(default_factory=lambda: [Match()])


class FakeIndex:
    """Answers every query with the same prior; records what it was asked."""

    def __init__(self, label: str = "E1", confidence: float = 0.9, by_text: dict[str, Prior] | None = None) -> None:
        self.prior_value = Prior(label, confidence)
        self.by_text = by_text or {}
        self.asked: list[str] = []

    def prior(self, text: str, k: int = 5) -> Prior:
        self.asked.append(text)
        return self.by_text.get(text, self.prior_value)


def _one(step: Step, index=None, **kw):
    return suggest(one_step_flow(step, None, **kw), index).items[0]


ROUTINE = Rubric(rules=5, digital_input=5, stability=5, judgment=1, interpersonal=1, creativity=1)
STEP = Step(id="x", name="Key in invoices", function="finance", owner="owner", rubric=ROUTINE, stakes=Stakes.LOW)


def test_automate_when_feasible_routine_and_low_stakes() -> None:
    item = _one(STEP)
    assert (item.tag, item.rule) == (Tag.AUTOMATE, "sug_automate")
    assert item.scores["F"] == 5 and item.scores["H"] == 1 and item.scores["E"] == 2
    assert item.reason.steps == ["x"] and "F = 5.0" in item.reason.text
    judgment = STEP.model_copy(update={"rubric": ROUTINE.model_copy(update={"judgment": 3})})
    assert _one(judgment).rule != "sug_automate"


def test_person_deciding_annex3_step_is_capped_at_augment() -> None:
    screen = STEP.model_copy(update={"high_risk_area": "annex3_4a", "decides_for_person": True})
    item = _one(screen, FakeIndex("E1"))
    assert (item.tag, item.rule) == (Tag.AUGMENT, "sug_gated_augment")
    assert "sug_gate_person_high_risk" in item.gates and "Annex III" in item.reason.text
    not_deciding = STEP.model_copy(update={"high_risk_area": "annex3_4a"})
    assert "sug_gate_person_high_risk" not in _one(not_deciding).gates


def test_unknown_area_id_is_treated_as_high_risk_for_suggestions() -> None:
    odd = STEP.model_copy(update={"high_risk_area": "annex3_9z", "decides_for_person": True})
    assert _one(odd).tag == Tag.AUGMENT


def test_error_cost_caps_at_augment() -> None:
    costly = STEP.model_copy(update={"rubric": ROUTINE.model_copy(update={"error_cost": 4})})
    item = _one(costly)
    assert item.rule == "sug_gated_augment" and item.gates == ["sug_gate_error_cost"]
    assert "sug_gate_error_cost" not in _one(STEP).gates


def test_emotion_recognition_suggests_human() -> None:
    item = _one(STEP.model_copy(update={"emotion_recognition": True}))
    assert (item.tag, item.rule) == (Tag.HUMAN, "sug_gate_emotion")
    assert "sug_gate_emotion" not in _one(STEP).gates


def test_human_when_no_exposure_and_strong_human_advantage() -> None:
    talk = Step(id="x", name="Negotiate", function="sales", owner="owner",
                rubric=Rubric(rules=2, digital_input=3, judgment=5, interpersonal=5, exposure="E0"))  # fmt: skip
    item = _one(talk)
    assert (item.tag, item.rule) == (Tag.HUMAN, "sug_human")
    assert item.exposure.origin == "facilitator"
    exposed = talk.model_copy(update={"rubric": talk.rubric.model_copy(update={"exposure": "E1"})})
    assert _one(exposed).rule == "sug_augment"


def test_augment_rule_and_default() -> None:
    mixed = Step(id="x", name="Analyse", function="finance", owner="owner",
                 rubric=Rubric(rules=2, digital_input=2, judgment=3))  # fmt: skip
    assert _one(mixed, FakeIndex("E2")).rule == "sug_augment"  # x = 0.5 and H = 3
    assert _one(mixed, None).rule == "sug_default_augment"  # F = 2, exposure unknown: no rule fits
    default = _one(mixed, None)
    assert default.tag == Tag.AUGMENT and default.confidence < 0.35


def test_notes_log_everything_and_fix_data_first() -> None:
    audited = STEP.model_copy(update={"rubric": ROUTINE.model_copy(update={"auditability": 5})})
    assert [n.rule for n in _one(audited).notes] == ["sug_auditability_log"]
    assert _one(STEP).notes == []
    src = Step(id="a", name="Receive", function="ops", owner="owner", pca=60)
    item = suggest(one_step_flow(src, None, more_steps=[STEP], handoffs=[Handoff(id="h", source="a", target="x")]),
                   None).items[1]  # fmt: skip
    assert [n.rule for n in item.notes] == ["sug_low_input_quality"] and item.scores["Q"] == 1
    assert item.rule != "sug_automate" or item.scores["F"] >= 4


def test_exposure_prior_is_used_with_its_evidence() -> None:
    plain = Step(id="x", name="Reconcile accounts", function="finance", owner="owner")
    item = _one(plain, FakeIndex("E1", 0.8))
    assert item.exposure.origin == "onet_prior" and item.exposure.label == "E1" and item.exposure.x == 1.0
    assert item.exposure.matches[0].occupation == "Accountants and Auditors"
    assert "O*NET prior" in item.reason.text


def test_weak_prior_is_shown_but_not_used() -> None:
    threshold = catalog().suggest.scales.min_prior_confidence
    item = _one(STEP, FakeIndex("E1", threshold / 2))
    assert item.exposure.origin == "none" and item.exposure.x is None
    assert item.exposure.prior_label == "E1" and item.exposure.matches
    assert "O*NET prior E1 at confidence 0.10, below the 0.2 needed" in item.reason.text


def test_facilitator_override_beats_the_prior() -> None:
    step = STEP.model_copy(update={"rubric": ROUTINE.model_copy(update={"exposure": "E0"})})
    item = _one(step, FakeIndex("E1", 0.9))
    assert item.exposure.origin == "facilitator" and item.exposure.x == 0.0 and item.exposure.prior_label == "E1"


def test_best_prior_asks_name_and_description_and_keeps_the_more_confident() -> None:
    step = Step(id="x", name="Close", function="finance", description="Post journal entries to the ledger")
    index = FakeIndex(
        by_text={"Close": Prior("E0", 0.1), "Close. Post journal entries to the ledger": Prior("E2", 0.7)}
    )
    assert best_prior(index, step).label == "E2"
    assert index.asked == ["Close", "Close. Post journal entries to the ledger"]
    assert best_prior(FakeIndex(), Step(id="y", name="Close", function="finance")) is not None


class FakeStepIndex(FakeIndex):
    """A matcher that reads a step in its flow (like ``SemanticIndex``); records what it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.flows: list[tuple[str, list[str]]] = []
        self.steps: list[tuple[object, int, object]] = []

    def flow_prior(self, flow: str, step_names: list[str]) -> str:
        self.flows.append((flow, list(step_names)))
        return f"prior of {flow}"

    def prior_step(self, step: object, k: int = 5, flow: object = None) -> Prior:
        self.steps.append((step, k, flow))
        return Prior("E2", 0.8)


def test_a_matcher_that_reads_steps_in_their_flow_gets_name_description_and_the_flow_prior() -> None:
    step = STEP.model_copy(update={"description": "From the supplier portal"})
    flow = one_step_flow(step, None)
    index = FakeStepIndex()
    item = suggest(flow, index).items[0]
    assert index.flows == [(flow.name, [step.name])] and index.asked == []  # no text-only queries
    (query, k, prior) = index.steps[0]
    assert (query.flow, query.name, query.description) == (flow.name, step.name, "From the supplier portal")
    assert prior == f"prior of {flow.name}" and k == 5
    assert item.exposure.prior_label == "E2"


def test_same_wording_is_looked_up_once() -> None:
    index = FakeIndex()
    steps = [STEP, STEP.model_copy(update={"id": "y"})]
    suggest(one_step_flow(steps[0], None, more_steps=steps[1:]), index)
    assert index.asked == ["Key in invoices"]


def test_missing_exposure_module_falls_back_to_rubric_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redesign.impact.exposure", None)
    result = suggest(one_step_flow(STEP, None))
    assert "no O*NET exposure index" in result.exposure_index and result.items[0].exposure.origin == "none"


def test_every_suggest_rule_has_a_test_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    rules = catalog().suggest
    for rule in [*rules.gates, *rules.rules]:
        assert f'"{rule.id}"' in source, f"no test names {rule.id}"


@settings(max_examples=150, deadline=None)
@given(flows())
def test_never_automate_a_person_deciding_annex3_step(flow) -> None:
    # A confident E1 prior on every step pushes as hard toward automation as the evidence can.
    for item in suggest(flow, FakeIndex("E1", 1.0)).items:
        step = flow.step(item.step)
        if step.high_risk_area is not None and step.decides_for_person:
            assert item.tag != Tag.AUTOMATE
        assert 0.0 <= item.confidence <= 1.0
        assert item.reason.rule and item.reason.steps == [step.id] and item.reason.source


REAL_INDEX = Path(__file__).resolve().parents[3] / "redesign" / "impact" / "catalog" / "onet_tasks.json.gz"


@pytest.mark.skipif(not REAL_INDEX.exists(), reason="the O*NET exposure catalog is not built")
def test_real_index_grounds_the_suggestion_in_onet_tasks() -> None:
    from redesign.impact.exposure import default_index

    step = Step(id="x", name="Calculate commissions", function="finance", owner="owner")
    result = suggest(one_step_flow(step, None), default_index())
    item = result.items[0]
    assert item.exposure.matches, "expected matched O*NET tasks as evidence"
    assert any("commission" in m.task.lower() for m in item.exposure.matches)
    assert item.exposure.prior_label in {"E0", "E1", "E2"}
    assert "O*NET" in suggest(one_step_flow(step, None)).exposure_index  # the default index is the real one
