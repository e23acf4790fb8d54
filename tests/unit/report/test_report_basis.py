"""What a summary is based on (issue 16.5) and who may export what when (issue 13.3)."""

from __future__ import annotations

from redesign.model import Decision, Tag
from redesign.report.access import export_refusal
from redesign.report.basis import SETTLED, bases, scenario_basis, suggestions_basis
from redesign.report.exports import summarize
from redesign.samples import load_sample
from redesign.workshop import Phase


def test_settled_decisions_come_first_and_a_prepared_scenario_says_it_is_not_settled() -> None:
    flow = load_sample("sales_forecasting")
    assert [b.key for b in bases(flow, [])] == [f"scenario:{s.id}" for s in flow.scenarios]
    settled = [Decision(step=flow.steps[0].id, tag=Tag.AUGMENT)]
    options = bases(flow, settled)
    assert options[0].key == SETTLED and "1 decision the room settled" in options[0].explanation
    prepared = scenario_basis(flow.scenarios[0])
    summary = summarize(flow, prepared.scenario)
    assert summary.title == f"{flow.name}: Prepared scenario “{flow.scenarios[0].name}” (not settled by the room)"
    assert prepared.scenario.decisions == flow.scenarios[0].decisions


def test_suggestions_are_titled_as_suggestions() -> None:
    flow = load_sample("sales_forecasting")
    basis = suggestions_basis((s.id, Tag.HUMAN) for s in flow.steps)
    assert "not decided by the room" in summarize(flow, basis.scenario).title
    assert len(basis.scenario.decisions) == len(flow.steps)


def test_participants_export_the_flow_any_time_and_summaries_from_impact_on() -> None:
    assert export_refusal("pptx", Phase.VOTE, is_facilitator=True) is None
    assert export_refusal("json", Phase.MAP, is_facilitator=False) is None
    assert export_refusal("pdf", Phase.CONVERGE, is_facilitator=False) is not None
    assert export_refusal("xlsx", Phase.MAP, is_facilitator=False) is not None
    assert export_refusal("pdf", Phase.IMPACT, is_facilitator=False) is None
    assert export_refusal("md", Phase.EXPORT, is_facilitator=False) is None
