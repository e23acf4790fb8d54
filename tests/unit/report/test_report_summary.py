"""The Summary: hand-worked figures on a tiny flow, then the sales-forecasting sample against its impact."""

from __future__ import annotations

import pytest

from redesign.impact.assess import Impact, assess
from redesign.model import Flow, Scenario, Tag
from redesign.report.record import WorkshopRecord
from redesign.report.summary import SECTIONS, TITLES, Summary, build_summary
from tests.unit.report.report_flows import tiny_flow

FTE_HOURS_PER_WEEK = 1680 / 52


def _tiny_summary() -> Summary:
    flow = tiny_flow()
    scenario = flow.scenario("Auto")
    return build_summary(flow, scenario, assess(flow, scenario))


def test_tiny_headline_numbers_are_the_hand_worked_ones() -> None:
    s = _tiny_summary()
    figures = {h.key: (h.before, h.after) for h in s.headline}
    assert figures["hours"] == pytest.approx((15.0, 11.0))
    assert figures["hours_year"] == pytest.approx((780.0, 572.0))
    assert figures["fte"] == pytest.approx((15 / FTE_HOURS_PER_WEEK, 11 / FTE_HOURS_PER_WEEK))
    assert figures["lead_time"] == pytest.approx((90.0, 60.0))
    assert figures["handoffs"] == (1, 1)
    assert figures["rolled_pca"] == pytest.approx((100.0, 100.0))
    assert [h.key for h in s.headline] == ["hours", "hours_year", "fte", "lead_time", "handoffs", "rolled_pca"]
    # NIST MANAGE 2.4, and the question whether "Rule-based entry" is an AI system at all (AI Act Art 3(1))
    assert (s.flags.block, s.flags.warn, s.flags.info) == (0, 0, 2)


def test_tiny_roles_steps_and_decision_log() -> None:
    s = _tiny_summary()
    rep, fpa = s.roles
    assert (rep.name, rep.before_hours, rep.after_hours) == ("Sales rep", 10.0, 6.0)
    assert rep.freed_fte == pytest.approx(4 / FTE_HOURS_PER_WEEK)
    assert (fpa.before_hours, fpa.after_hours, fpa.freed_fte) == (5.0, 5.0, 0.0)
    assert [r.name for r in s.chart_roles()] == ["Sales rep", "FP&A analyst"]
    steps = [(r.number, r.name, r.tag) for r in s.steps]
    assert steps == [(1, "Enter orders", Tag.AUTOMATE), (2, "Check orders", None)]
    assert s.steps[0].saved_hours == pytest.approx(4.0)
    # Without a workshop record the decision log is the scenario's, names resolved.
    (row,) = s.decisions
    assert (row.step, row.tag, row.owner, row.it_signoff) == ("Enter orders", Tag.AUTOMATE, "Sales rep", True)
    assert row.success_measure == "Orders in ERP within a day"
    assert s.participants == [] and s.disagreements == [] and s.workshop is None
    assert s.goal == "Automate order entry."  # the scenario's description when there is no workshop goal


def test_tiny_metrics_are_grouped_per_step_without_the_step_name_prefix() -> None:
    s = _tiny_summary()
    (row,) = s.step_metrics
    assert row.step == "Enter orders"
    assert row.add and all(not m.startswith("Enter orders:") for m in row.add + row.retire + row.watch)
    # The end-to-end outcome metric is shared by both functions at the table.
    assert any(m.action == "share" and m.shared_by == ["Sales", "Finance"] for m in s.shared_metrics)


def test_tiny_pilot_and_sources() -> None:
    s = _tiny_summary()
    (wave,) = s.waves
    assert wave.number == 1 and [p.step for p in wave.steps] == ["Enter orders"]
    assert wave.net_hours == pytest.approx(4.0)
    assert s.sources and all(src.source and src.rules for src in s.sources)
    assert any("O*NET" in a for a in s.attribution) and any("GPTs are GPTs" in a for a in s.attribution)


def test_an_impact_of_another_scenario_is_refused() -> None:
    flow = tiny_flow()
    other = Scenario(id="other", name="Other")
    with pytest.raises(ValueError, match="assess this flow and scenario first"):
        build_summary(flow, other, assess(flow, flow.scenarios[0]))


def test_sample_headline_matches_the_impact(sales_summary: Summary, ambitious_impact: Impact, sales_flow: Flow) -> None:
    t, e2e = ambitious_impact.totals, ambitious_impact.end_to_end
    figures = {h.key: (h.before, h.after) for h in sales_summary.headline}
    assert figures["hours"] == (t.before_hours, t.after_hours)
    assert figures["hours_year"] == pytest.approx((t.before_hours * 52, t.after_hours * 52))
    assert figures["fte"] == (t.before_fte, t.after_fte)
    assert figures["lead_time"] == (e2e.before.lead_time_minutes, e2e.after.lead_time_minutes)
    assert figures["handoffs"] == (len(sales_flow.handoffs), e2e.after.handoffs)
    # The as-is touch hours are volume x minutes / 60 summed over the steps, worked out independently here.
    assert t.before_hours == pytest.approx(sum(s.volume * s.touch_minutes / 60 for s in sales_flow.steps))
    severities = [f.severity for f in ambitious_impact.governance]
    flags = sales_summary.flags
    assert (flags.block, flags.warn, flags.info) == tuple(severities.count(x) for x in ("BLOCK", "WARN", "INFO"))
    assert [g.severity for g in sales_summary.governance] == sorted(severities, key=["BLOCK", "WARN", "INFO"].index)


def test_sample_sections_hold_the_engine_results(sales_summary: Summary, ambitious_impact: Impact) -> None:
    s = sales_summary
    assert len(s.steps) == 22 and s.scope.steps == 22
    assert sum(s.scope.by_tag.values()) == s.scope.decided == 16
    humans = [r for r in ambitious_impact.roles if r.kind == "human"]
    assert [r.name for r in s.roles] == [r.name for r in humans]
    assert {a.name for a in s.agents} == {r.name for r in ambitious_impact.roles if r.kind == "ai_agent"}
    assert all(r.before_hours or r.after_hours for r in s.chart_roles())
    assert s.reskilling_total == len(ambitious_impact.reskilling) and len(s.reskilling) <= 12
    assert [w.name for w in s.waves] == [w.name for w in ambitious_impact.pilot.waves]
    assert [p.step for p in s.held] == [p.name for p in ambitious_impact.pilot.held]
    notes = [n.text for n in ambitious_impact.end_to_end.notes]
    assert s.e2e_notes == notes and any("off the critical path" in n for n in notes)
    assert len(s.step_metrics) + len(s.shared_metrics) <= len(ambitious_impact.incentives)
    assert s.tags["update_opps"] == Tag.AUGMENT


def test_sample_with_record(sales_summary: Summary, sales_record: WorkshopRecord) -> None:
    s = sales_summary
    assert s.workshop == "Forecasting redesign, May" and s.held_on is not None
    assert s.goal.startswith("Cut the forecast cycle")
    groups = {g.function: g.people for g in s.participants}
    assert groups["Sales"] == ["Ana Ruiz", "Dev Patel"] and groups["Facilitator"] == ["Fran Facilitator"]
    assert [d.step_id for d in s.disagreements] == ["update_opps"]
    assert s.decisions == sales_record.decisions


def test_sections_have_unique_keys_and_titles() -> None:
    keys = [k for k, _ in SECTIONS]
    assert len(set(keys)) == len(keys) == 13
    assert len(set(TITLES.values())) == 13


def test_a_flow_without_scenarios_summarises_as_is() -> None:
    flow = tiny_flow().model_copy(update={"scenarios": []})
    empty = Scenario(id="as_is", name="As-is")
    s = build_summary(flow, empty, assess(flow, empty))
    assert all(h.before == h.after for h in s.headline)
    assert s.decisions == [] and s.waves == [] and s.scope.decided == 0


def test_the_executive_hours_say_the_median_and_that_the_typical_value_estimate_is_optimistic() -> None:
    # Month-end close: the estimate at the catalog's typical values is above 90 % of the Monte Carlo
    # draws (the typical values are the favourable end of their ranges); a CFO must read that on page 1.
    from redesign.impact.ranges import ranges
    from redesign.report import formatting as fmt
    from redesign.samples import load_sample

    flow = load_sample("month_end_close")
    scenario = flow.scenarios[0]
    impact = assess(flow, scenario)
    saved = ranges(flow, impact).get("saved_hours")
    assert saved is not None
    hours = build_summary(flow, scenario, impact).executive.hours
    assert hours.startswith(f"{fmt.hours(impact.totals.saved_hours)} saved per month at the catalog's typical values")
    assert f"median {fmt.number(saved.p50)} h" in hours
    assert "the estimate is optimistic" in hours and "plan on the median" in hours


def test_a_consolidated_risk_names_each_step_once() -> None:
    # Month-end close: one WARN for two steps without IT sign-off; its message names both, so page 1
    # must not list one of them again after "Also" (it did).
    from redesign.samples import load_sample

    flow = load_sample("month_end_close")
    scenario = flow.scenarios[0]
    risks = build_summary(flow, scenario, assess(flow, scenario)).executive.risks
    signoff = next(r for r in risks if "sign-off" in r)
    for step in ("Reconcile balance-sheet accounts", "Analyse variances and write commentary"):
        assert signoff.count(step) == 1, signoff
    assert "Also" not in signoff


def test_the_money_line_keeps_capacity_and_cash_apart() -> None:
    # Sales: 0.72 FTE spread over 40 reps and others: the payback is on the capacity's value, and no cash can be banked.
    from redesign.samples import load_sample

    flow = load_sample("sales_forecasting")
    scenario = flow.scenarios[0]
    impact = assess(flow, scenario)
    money = build_summary(flow, scenario, impact).executive.money
    assert "capacity freed worth EUR" in money and "if the freed capacity is put to work" in money
    assert money.endswith("no cash to bank: no whole FTE can be redeployed.")
    # Whole FTE that could be redeployed are cash; outcome gains are value beyond hours.
    c = impact.costs
    assert c.value_per_year is not None
    richer = c.model_copy(
        update={"bankable_fte": 2.0, "cash_per_year": 150_000.0, "outcome_gain_per_year": 10_000.0,
                "value_per_year": c.value_per_year + 10_000.0}
    )  # fmt: skip
    money = build_summary(flow, scenario, impact.model_copy(update={"costs": richer})).executive.money
    assert "outcome gains EUR 10,000)" in money
    assert money.endswith("cash if the 2 whole FTE are redeployed: EUR 150,000 a year.")


def test_a_long_consolidated_risk_keeps_whole_step_names_and_counts_the_rest() -> None:
    # IT incident management's suggested tags: 16 AI steps without IT sign-off, one flag. Page 1 gave
    # "Categorise, prioritise…" cut by the truncation and then the same step again after "Also".
    from redesign.impact.suggested import scenario_or_suggested
    from redesign.samples import load_sample

    flow = load_sample("it_incident_management")
    scenario = scenario_or_suggested(flow, None)
    risks = build_summary(flow, scenario, assess(flow, scenario)).executive.risks
    signoff = next(r for r in risks if "sign-off" in r)
    assert signoff.startswith("WARN: 16 AI steps lack IT security and integration sign-off: ")
    assert signoff.endswith(" and 12 more.") and "…" not in signoff and "Also" not in signoff


def test_a_tiny_share_per_person_reads_in_minutes() -> None:
    from redesign.impact.explain import hours_each

    assert hours_each(2.5) == "2.5 h" and hours_each(0.05) == "0.1 h"
    assert hours_each(0.0126) == "1 min"  # 25 h a week across 2,000 business users
    assert hours_each(0.001) == "under a minute"


def test_the_first_page_stays_short_with_long_names_and_many_overloaded_roles() -> None:
    # An imported map can carry 200-character labels and a dozen overloaded roles; page 1 listed every
    # name whole (three times each) and one line per overloaded role, and ran onto a second page.
    from redesign.model import MAX_NAME, Decision, Function, Role, Step
    from redesign.report.summary import PAGE_NAME

    label = ("Approve or decline the consumer loan after scoring the applicant's creditworthiness " * 3)[: MAX_NAME - 2]
    fn = [Function(id="ops", name="Ops")]
    roles = [Role(id=f"r{i}", name=f"{label[:150]} {i}", function="ops", headcount=1) for i in range(6)]
    steps = [
        Step(id=f"s{i}", name=f"{label}{i:02d}", function="ops", owner=f"r{i}", volume=100, touch_minutes=30)
        for i in range(6)
    ]
    scenario = Scenario(id="s", name="S", decisions=[Decision(step=s.id, tag=Tag.AUTOMATE) for s in steps])
    flow = Flow(id="o", name="Loans", functions=fn, roles=roles, steps=steps, scenarios=[scenario])
    e = build_summary(flow, scenario, assess(flow, scenario)).executive
    overloaded = [line for line in e.for_whom if line.startswith("Overloaded today")]
    assert len(overloaded) == 3 and "3 more roles are overloaded today." in e.for_whom, e.for_whom
    page = [e.what_changes, *e.for_whom, *e.risks, e.pilot_first]
    assert label not in " ".join(page)  # no name whole ...
    assert label[: PAGE_NAME - 10] in e.what_changes and "…" in e.what_changes  # ... but cut at a word, marked
    assert "…" in e.pilot_first
    assert max(len(line) for line in page) < 600, max(page, key=len)


def test_highlights_count_flags_and_steps_in_words_that_agree() -> None:
    from redesign.samples import load_sample

    flow = load_sample("month_end_close")
    scenario = next(s for s in flow.scenarios if s.name == "Cautious")
    summary = build_summary(flow, scenario, assess(flow, scenario))
    text = " ".join(summary.highlights)
    assert "1 WARN flag needs a named remedy before go-live." in text
    assert "savings on 2 steps off the critical path" in text
    assert "(s)" not in text


def test_no_whole_fte_to_redeploy_names_the_roles_still_over_capacity() -> None:
    # Housing benefit (no scenario: the suggested tags): benefits assessors free 3.87 FTE but
    # still need 122% of their 18 people, so the first page must not promise whole FTE or cash.
    from pathlib import Path

    from redesign.impact.suggested import scenario_or_suggested
    from redesign.io.flow_json import read_flow

    flow = read_flow(Path(__file__).parents[1] / "impact" / "data" / "housing_benefit.json")
    scenario = scenario_or_suggested(flow, None)
    summary = build_summary(flow, scenario, assess(flow, scenario))
    hours = summary.executive.hours
    assert "6.67 FTE of capacity, no whole FTE to redeploy: Benefits assessor is still over capacity" in hours
    assert "could be redeployed" not in hours
    assert "no cash to bank" in summary.executive.money
