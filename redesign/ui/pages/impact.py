"""What the decisions change: end-to-end numbers, roles, skills, incentives, governance, pilots.

Every figure comes from the impact engine (`redesign.impact.assess`); the page only
shows it, and each item opens its reason: the rule, its source, the steps and numbers.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from redesign.impact.assess import Impact
from redesign.impact.catalog import catalog
from redesign.impact.explain import Reason, hours_each
from redesign.impact.incentives import headline_shared_metric
from redesign.impact.ranges import Ranges, likely_words, ranges
from redesign.impact.simulation import FlowSimulation, SimulationRefused, simulate_impact
from redesign.impact.suggested import SUGGESTED_NOTE, suggested_scenario
from redesign.model import Flow, Scenario
from redesign.report.formatting import counted
from redesign.report.money_words import cash_words, payback_words
from redesign.store.schemas import WorkshopState
from redesign.ui.components.controls import facilitator_sidebar, phase_header
from redesign.ui.components.detections import detections_section
from redesign.ui.components.timer import timer_bar
from redesign.ui.live import live_watch
from redesign.ui.phase_pages import IMPACT_PAGE, follow_phase
from redesign.ui.resources import scenario_impact, scenarios_of
from redesign.ui.session import require_state
from redesign.ui.text import plain

SEVERITY_ICON = {"BLOCK": "⛔", "WARN": "⚠️", "INFO": "ℹ️"}
ACTIVITY_COLOURS = {  # one distinct colour per activity the engine can report (redesign.impact.economics)
    "doing": "#90a4ae",
    "deciding": "#1565c0",
    "reviewing": "#ef6c00",
    "validating": "#2e7d32",
    "handling_exceptions": "#c62828",
    "monitoring": "#6a1b9a",
    "overseeing": "#f9a825",
}
ACTIVITY_LABELS = {
    "doing": "Doing the work",
    "deciding": "Deciding",
    "reviewing": "Reviewing",
    "validating": "Checking AI output",
    "handling_exceptions": "Handling exceptions",
    "monitoring": "Monitoring automations",
    "overseeing": "Overseeing AI decisions",
}


def people(n: float) -> str:
    return f"{n:g} {'person' if n == 1 else 'people'}"


def money(value: float) -> str:
    return f"{catalog().effort.currency} {value:,.0f}"


@st.cache_resource(max_entries=32, show_spinner=False)
def _ranges(key: tuple[str, int, str], _flow: Flow, _impact: Impact) -> Ranges:
    return ranges(_flow, _impact)


@st.cache_resource(max_entries=16, show_spinner="Simulating the cases before and after…")
def _simulation(key: tuple[str, int, str], _flow: Flow, _impact: Impact) -> FlowSimulation | str:
    try:
        return simulate_impact(_flow, _impact, cases=3000)
    except SimulationRefused as exc:
        return str(exc)


def why(reason: Reason, key: str) -> None:
    """The reason behind an item, on demand."""
    with st.popover("why?", help="The rule, its source, the steps and the numbers behind this item"):
        st.markdown(plain(reason.text))
        st.caption(f"Rule **{plain(reason.rule)}** · source: {plain(reason.source)}")
        if reason.steps:
            st.caption("Steps: " + ", ".join(reason.steps))
        if reason.numbers:
            st.caption(
                " · ".join(
                    f"{k} = {v:,.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in reason.numbers.items()
                )
            )


def pick_scenario(state: WorkshopState) -> Scenario:
    options = scenarios_of(state)
    default = 0 if options[0].decisions else next((i for i, s in enumerate(options) if s.decisions), 0)
    choice = st.selectbox(
        "Scenario",
        range(len(options)),
        index=default,
        format_func=lambda i: f"{options[i].name} ({counted(len(options[i].decisions), 'decision')})",
        key="impact_scenario",
    )
    if not options[0].decisions:
        st.caption("Nothing settled in the workshop yet: settle steps in **Converge**, or look at a prepared scenario.")
    return options[choice]


_RANGE_OF = {"lead_time_minutes": "lead_time", "rolled_pca": "pca"}

# Above the plot area, not over it: at y=1.05 inside a 10 px top margin the legend hid the first bars.
_LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0}


def end_to_end(impact: Impact, rng: Ranges) -> None:
    st.subheader("End to end, before → after")
    changes = impact.end_to_end.changes
    per_row = 3  # rows of three: the labels fit unshortened at 1366 px, and each row lines up
    cols = st.columns(per_row)
    for i, change in enumerate(changes):
        if i and i % per_row == 0:
            cols = st.columns(per_row)
        after, delta, unit = change.after, change.change, change.unit
        scale = 1 / 60 if unit == "min" else 1.0
        if unit == "min":  # minutes per case read better as hours
            after, delta, unit = after / 60, delta / 60, "h"
        digits = 0 if unit == "count" or abs(after) >= 1000 else 1
        shown = f"{delta:+,.{digits}f}"
        zero = float(shown.replace(",", "")) == 0
        spread = rng.get(_RANGE_OF.get(change.metric, ""))
        help_text = change.reason.text
        if spread is not None:
            help_text += f" Likely {spread.p10 * scale:,.1f} to {spread.p90 * scale:,.1f} {unit} (P10-P90)."
        with cols[i % per_row]:
            st.metric(
                f"{change.label.replace('per period', f'per {impact.period}')} ({unit})",
                f"{after:,.{digits}f}" if change.known else "unknown",
                delta=None if zero or not change.known else shown,  # no red "+0" for no change
                delta_color="inverse" if change.better == "lower" else "normal",
                help=help_text,
            )
    t, c = impact.totals, impact.costs
    saved = rng.get("saved_hours")
    likely = f"; {likely_words(saved, lambda v: f'{v:,.1f}', 'h')}" if saved and saved.p90 - saved.p10 > 0.05 else ""
    blocked = "**Blocked, not a saving yet:** " if impact.blocked else ""
    st.markdown(
        f"{blocked}**Hours per {impact.period}:** {t.before_hours:,.0f} → {t.after_hours:,.0f}: "
        f"net **{t.saved_hours:,.1f} h** saved at the catalog's typical values{likely}; "
        f"{t.saved_fte:,.2f} FTE of capacity; {t.saved_hours_per_year:,.0f} h a year"
        + (
            f" · cost of those hours per {impact.period}: {money(t.cost_saved_per_period)}"
            if t.cost_saved_per_period
            else ""
        )
    )
    why(t.reason, "totals")
    st.markdown(
        f"**Capacity and cash:** investment {money(c.investment)} · run cost {money(c.run_cost_per_year)} a year"
        + "".join(f" · {words}" for words in (payback_words(c), cash_words(c, money)) if words)
    )
    for cap in c.roles:
        if cap.spread:
            st.caption(
                f"{plain(cap.name)}: {cap.freed_fte:.2f} FTE spread across {people(cap.people)} "
                f"({hours_each(cap.hours_per_person)} each per {impact.period}): capacity, not cash."
            )
    why(c.reason, "costs")
    for note in [*impact.end_to_end.notes, *impact.notes]:
        st.info(plain(note.text), icon="📌")
    overloaded = [b for b in impact.end_to_end.before.bottlenecks if b.kind == "capacity"]
    for b in overloaded:
        st.warning(f"Overloaded before the change: {plain(b.reason)}.", icon="⚠️")
    sensitivity_section(impact, rng)


def sensitivity_section(impact: Impact, rng: Ranges) -> None:
    if not rng.sensitivity:
        return
    st.markdown(f"**Which assumption moves the hours saved most** (per {impact.period}; others at their values)")
    swings = rng.sensitivity[:6]
    base = impact.totals.saved_hours
    fig = go.Figure()
    labels = [w.label for w in swings]
    fig.add_bar(y=labels, x=[w.result_low - base for w in swings], base=base, orientation="h", name="at its low",
                marker_color="#90a4ae")  # fmt: skip
    fig.add_bar(y=labels, x=[w.result_high - base for w in swings], base=base, orientation="h", name="at its high",
                marker_color="#1565c0")  # fmt: skip
    fig.update_layout(
        barmode="overlay",
        height=90 + 34 * len(swings),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis_title=f"hours saved per {impact.period}",
        yaxis={"autorange": "reversed"},
        legend=_LEGEND_ABOVE,
    )
    st.plotly_chart(fig, width="stretch", key="sensitivity_chart")
    why(rng.reason, "ranges")


def simulation_section(impact: Impact, result: FlowSimulation | str) -> None:
    st.subheader("Flow simulation: cases queueing for people")
    if isinstance(result, str):
        st.warning(plain(result))
        return
    b, a = result.before, result.after
    cols = st.columns(3)
    for col, label, after, before in (
        (cols[0], "Lead time P50 (h)", a.lead_p50_minutes / 60, b.lead_p50_minutes / 60),
        (cols[1], "Lead time P90 (h)", a.lead_p90_minutes / 60, b.lead_p90_minutes / 60),
    ):
        delta = f"{after - before:+,.1f}"
        zero = float(delta.replace(",", "")) == 0
        col.metric(label, f"{after:,.1f}", delta=None if zero else delta, delta_color="inverse",
                   help=f"before the change: {before:,.1f} h")  # fmt: skip
    cols[2].metric("Cases simulated", f"{a.cases:,}")
    # Two lead times on one page read as a contradiction unless each says what it measures.
    path_hours = impact.end_to_end.after.lead_time_minutes / 60
    st.caption(
        "Lead time here is per unit of work, from its arrival to the end of the work it causes, queues included; "
        f"most units take only part of the flow. **End to end**'s {path_hours:,.1f} h is the critical path: "
        "the longest chain of steps, without queues."
    )
    for note in result.notes:
        st.info(plain(note), icon="📌")
    rows = [
        {"role": r.name, "people": r.people, "utilisation after": f"{r.utilisation:.0%}", "overloaded": r.overloaded}
        for r in a.roles[:8]
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("How the simulation works: docs/methodology.md#flow-simulation")


def _role_hours(value: float, sign: bool = False) -> str:
    """Whole hours, or one decimal below 10 h (a role taking on 0.5 h of monitoring is not '0 → 0')."""
    digits = 1 if abs(value) < 10 else 0
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


def roles_section(impact: Impact) -> None:
    st.subheader("Roles: where the time goes")
    humans = [r for r in impact.roles if r.kind == "human" and (r.before_hours or r.after_hours)]
    if not humans:
        st.caption("No role changes in this scenario.")
        return
    fig = go.Figure()
    activities = sorted({a for r in humans for a in (*r.before_by_activity, *r.after_by_activity)})
    for activity in activities:
        for when, attr in (("before", "before_by_activity"), ("after", "after_by_activity")):
            fig.add_bar(
                name=ACTIVITY_LABELS.get(activity, activity.replace("_", " ")),
                legendgroup=activity,
                showlegend=when == "before",
                x=[getattr(r, attr).get(activity, 0) for r in humans],
                y=[[r.name for r in humans], [when] * len(humans)],
                orientation="h",
                marker_color=ACTIVITY_COLOURS.get(activity, "#9e9e9e"),
            )
    fig.update_layout(
        barmode="stack",
        height=max(300, 48 * len(humans) + 130),
        margin={"l": 10, "r": 10, "t": 70, "b": 10},  # room for a legend of two lines above the bars
        xaxis_title=f"hours per {impact.period}",
        yaxis={"autorange": "reversed"},
        legend=_LEGEND_ABOVE,
    )
    st.plotly_chart(fig, width="stretch", key="roles_chart")
    for role in humans:
        cols = st.columns([4, 2, 2, 1])
        cols[0].markdown(f"**{plain(role.name)}** ({people(role.headcount)})")
        cols[1].caption(
            f"{_role_hours(role.before_hours)} → {_role_hours(role.after_hours)} h "
            f"({_role_hours(role.change_hours, sign=True)})"
        )
        fte = role.freed_fte or 0.0
        fte_text = f"{fte:.1f} FTE freed" if fte >= 0.05 else (f"{-fte:.1f} FTE more work" if fte <= -0.05 else "")
        cols[2].caption(fte_text)
        with cols[3]:
            why(role.reason, f"role:{role.role}")
        for duty in role.responsibilities:
            # The reason says who does what and for how many hours ("validate ai output (8.3 h) — Sales rep
            # validates the AI output of ... (8.3 h per week)" said it twice).
            st.caption(f"  ↳ new duty: {plain(duty.reason.text)}")
    names = {r.role: r.name for r in impact.roles}
    agents = [r for r in impact.roles if r.kind == "ai_agent"]
    for agent in agents:
        accountable = names.get(agent.accountable_role or "", agent.accountable_role or "none named")
        st.caption(f"🤖 {plain(agent.name)}: AI agent, accountable human role {plain(accountable)}")


def _names(state: WorkshopState) -> tuple[dict[str, str], dict[str, str]]:
    """Role and function ids -> the names people know them by."""
    return ({r.id: r.name for r in state.flow.roles}, {f.id: f.name for f in state.flow.functions})


def skills_section(state: WorkshopState, impact: Impact) -> None:
    roles, _ = _names(state)
    st.subheader("Skills and reskilling")
    st.caption("Prioritised by the hours of work affected in the role (all its people together).")
    if impact.reskilling:
        frame = pd.DataFrame(
            [
                {
                    "#": r.rank,
                    "role": roles.get(r.role, r.role),
                    "skill": r.skill,
                    "change": r.change,
                    "hours affected": round(r.hours, 1),
                    "people": r.people,
                }
                for r in impact.reskilling
            ]
        )
        st.dataframe(frame, hide_index=True, width="stretch")
    for warning in impact.deskilling:
        st.warning(f"Deskilling: {plain(warning.reason.text)} Remedy: {plain(warning.remedy)}")
    with st.expander(f"All skill changes ({len(impact.skills)})"):
        for i, change in enumerate(impact.skills):
            cols = st.columns([6, 1])
            cols[0].caption(
                f"{change.change}: **{plain(change.skill)}** for {plain(roles.get(change.role, change.role))} "
                f"({change.hours:,.1f} h)"
            )
            with cols[1]:
                why(change.reason, f"skill:{i}")


INCENTIVE_GROUPS = {  # joint accountability first: it is the point of a cross-functional redesign
    "share": "Share (joint accountability, one owner)",
    "retire": "Retire (activity metrics of automated work)",
    "add": "Add (quality and exception metrics)",
    "diagnostic": "Diagnostics, not targets",
    "consider": "Consider",
    "rebalance": "Rebalance scorecards",
}


def incentives_section(state: WorkshopState, impact: Impact) -> None:
    roles, functions = _names(state)
    st.subheader("Metrics and incentives")
    lead = headline_shared_metric(impact.incentives)
    if lead is not None:
        lanes = ", ".join(functions.get(f, f) for f in lead.shared_by)
        accountable = roles.get(lead.owner, lead.owner) if lead.owner else "no one yet"
        st.success(
            f"**The shared metric:** {plain(lead.metric)}  \n"
            f"accountable: {plain(accountable)} · shared by {plain(lanes)} · {plain(lead.use)}",
            icon="🤝",
        )
    for action, title in INCENTIVE_GROUPS.items():
        items = [i for i in impact.incentives if i.action == action]
        if not items:
            continue
        st.markdown(f"**{title}**")
        for i, item in enumerate(items):
            cols = st.columns([8, 1])
            shared = ", ".join(functions.get(f, f) for f in item.shared_by)
            owner = roles.get(item.owner, item.owner) if item.owner else None
            cols[0].markdown(
                f"{plain(item.metric)}  \n:gray[{item.kind} · {item.use}"
                + (f" · shared by {plain(shared)}" if len(item.shared_by) > 1 else "")
                + (f" · accountable: {plain(owner)}" if owner else "")
                + "]"
            )
            with cols[1]:
                why(item.reason, f"inc:{action}:{i}")


GOVERNANCE_EVIDENCE = (
    "These flags and the regulated uses below read each step's words and the O\\*NET tasks matched to it "
    "(the step panels' suggestions); the exports and the command line read the same evidence."
)


def governance_section(impact: Impact) -> None:
    st.subheader("Governance")
    st.caption(GOVERNANCE_EVIDENCE)
    if not impact.governance:
        st.success("No governance flags for this scenario.")
    for i, flag in enumerate(sorted(impact.governance, key=lambda f: ["BLOCK", "WARN", "INFO"].index(f.severity))):
        box = {"BLOCK": st.error, "WARN": st.warning, "INFO": st.info}[flag.severity]
        box(
            f"**{flag.severity}** {plain(flag.message)}  \n**Remedy:** {plain(flag.remedy)}",
            icon=SEVERITY_ICON[flag.severity],
        )
        why(flag.reason, f"gov:{i}")


def pilot_section(impact: Impact) -> None:
    st.subheader("Pilot plan: start focused, scale after")
    for wave in impact.pilot.waves:
        st.markdown(f"**Wave {wave.number}: {plain(wave.name)}** — {wave.net_hours:,.0f} h per {impact.period}")
        for item in wave.items:
            st.caption(
                f"· {plain(item.name)} ({item.tag.value}): {item.net_hours:,.1f} h, %C&A +{item.pca_gain:.0f} pts"
                + (f", worst flag {item.severity}" if item.severity else "")  # as the exports' "Worst flag" column
                + (f" · schedule first: {plain('; '.join(item.tasks))}" if item.tasks else "")
            )
    if impact.pilot.held:
        st.caption("Held back: " + ", ".join(plain(i.name) for i in impact.pilot.held))


def comparison(state: WorkshopState) -> None:
    st.subheader("Scenarios side by side")
    rows = []
    for scenario in scenarios_of(state):
        if not scenario.decisions:
            continue
        impact = scenario_impact(state, scenario)
        changes = {c.metric: c for c in impact.end_to_end.changes}
        lead = changes.get("lead_time_minutes")
        # The median beside the estimate: scenarios compared at their optimistic ends mislead (methodology#ranges).
        saved = _ranges((state.workshop_id, state.version, scenario.id), state.flow, impact).get("saved_hours")
        rows.append(
            {
                "scenario": scenario.name,
                "decisions": len(scenario.decisions),
                f"net hours / {impact.period}": impact.totals.saved_hours,
                "likely (P10-P90)": f"{saved.p10:,.1f} to {saved.p90:,.1f}" if saved else "",
                "median": saved.p50 if saved else None,
                "FTE freed": round(impact.totals.saved_fte, 2),
                "lead time after (h)": round(lead.after / 60, 1) if lead else None,
                "BLOCK": sum(f.severity == "BLOCK" for f in impact.governance),
                "WARN": sum(f.severity == "WARN" for f in impact.governance),
            }
        )
    if rows:
        one_decimal = st.column_config.NumberColumn(format="%.1f")
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            width="stretch",
            column_config={f"net hours / {state.flow.period.value}": one_decimal, "median": one_decimal},
        )
        st.caption("Net hours at the catalog's typical values; likely range and median over the uncertain ones.")
    else:
        st.caption("No scenario has decisions yet.")


state = require_state("Impact", "Join or start a workshop to see the impact of its decisions.")
follow_phase(state, IMPACT_PAGE)  # a phase whose work is elsewhere takes the person there
if state.me.is_facilitator:
    facilitator_sidebar(state)  # the phase, timer and people controls on every page
timer_bar(state)
st.title(f"Impact — {state.name}")
phase_header(state)  # the phase and what it asks of the viewer, as on the workshop page
live_watch(state, st.session_state["token"])  # brought up to date when the workshop moves on
scenario = pick_scenario(state)
if not scenario.decisions and not any(s.decisions for s in scenarios_of(state)):
    scenario = suggested_scenario(state.flow)
    st.info(SUGGESTED_NOTE, icon="💡")
if not scenario.decisions:
    st.info("This scenario decides nothing yet, so nothing changes.")
    detections_section(state)  # regulated uses are worth confirming before anything is decided
    st.stop()
impact = scenario_impact(state, scenario)
key = (state.workshop_id, state.version, scenario.id)
rng = _ranges(key, state.flow, impact)
blocks = sum(f.severity == "BLOCK" for f in impact.governance)
if blocks:
    flags = f"{blocks} BLOCK flag" + ("" if blocks == 1 else "s")
    st.error(f"⛔ This scenario is blocked by {flags}: see Governance below.")
tabs = st.tabs(["End to end", "Roles", "Skills", "Incentives", "Governance", "Pilot", "Simulation", "Compare"])
with tabs[0]:
    end_to_end(impact, rng)
with tabs[1]:
    roles_section(impact)
with tabs[2]:
    skills_section(state, impact)
with tabs[3]:
    incentives_section(state, impact)
with tabs[4]:
    governance_section(impact)
    detections_section(state)
with tabs[5]:
    pilot_section(impact)
with tabs[6]:
    if st.toggle("Simulate the cases before and after", key="impact_simulate"):
        simulation_section(impact, _simulation(key, state.flow, impact))
    else:
        st.caption("Runs a few thousand cases through the flow before and after, with queues for the people.")
with tabs[7]:
    comparison(state)
