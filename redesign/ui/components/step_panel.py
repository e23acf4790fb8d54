"""The panel of the selected step: details, data, proposals, comments, suggestion, settle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any, Literal

import streamlit as st

from redesign.decision_log import missing_details, missing_sentence
from redesign.diagram import TAG_LABEL, TAG_STYLE
from redesign.model import Decision, Step, Tag
from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.components.suggestion import show_suggestion
from redesign.ui.resources import flow_metrics, service
from redesign.ui.text import plain
from redesign.workshop import CommentKind, TargetKind

TAG_BUTTONS: dict[Tag, str] = {Tag.HUMAN: "■ Human judgment", Tag.AUGMENT: "◆ Augment", Tag.AUTOMATE: "⬢ Automate"}
COMMENT_KINDS: dict[CommentKind, str] = {
    "comment": "💬 Comment",
    "data_quality": "⚠ Data-quality issue",
    "risk": "⚖ Risk",
    "question": "❓ Question",
}


def act(action: Callable[[], Any], success: str | None = None, then: Callable[[], None] | None = None) -> None:
    """Call the store and rerun on success; on refusal show why, right here.

    Nothing typed is lost on a refusal: the page does not rerun, so every widget
    keeps its value and the person can fix the input or reload.
    """
    try:
        action()
    except StoreError as exc:
        st.error(str(exc), icon="⛔")
        return
    if then is not None:
        then()
    if success:
        st.session_state["toast"] = success
    st.rerun()


def show_toast() -> None:
    """Show the confirmation left by the previous run's action."""
    message = st.session_state.pop("toast", None)
    if message:
        st.toast(message, icon="✅")


def step_panel(state: WorkshopState, step_id: str) -> None:
    """Everything about one step: details, data, proposals, suggestion, comments, settle."""
    if step_id not in state.flow.steps_by_id():
        st.warning("This step no longer exists: someone deleted it.")
        return
    step = state.flow.step(step_id)
    if state.focus_step == step_id:
        st.info("◉ The facilitator has put this step in focus.", icon="🎯")
    decision = next((d for d in state.decisions if d.step == step_id), None)
    if decision:
        _, _, badge = TAG_STYLE[decision.tag]
        st.success(
            f"Settled: **{TAG_LABEL[decision.tag]}** [{badge}]"
            + (f" — {plain(decision.rationale)}" if decision.rationale else "")
        )
        if decision.details_later and (missing := missing_details(decision)):
            st.warning(f"Settled with {missing_sentence(missing)} still to decide.", icon="📝")
    left, right = st.columns(2, gap="large")
    with left:
        _details(state, step)
        if state.can.edit_flow and st.button("✏️ Edit this step", key=f"edit:{step_id}"):
            st.session_state["dialog"] = ("edit", step_id, state.version)
            st.rerun()
        with st.expander("🤖 Suggested tag and why", expanded=False):
            show_suggestion(state, step)
    with right:
        _proposals(state, step)
        _comments(state, "step", step.id)
    if state.can.settle:
        settle_form(state, step, decision)


def _details(state: WorkshopState, step: Step) -> None:
    flow = state.flow
    roles = flow.roles_by_id()
    functions = flow.functions_by_id()
    data = flow.data_by_id()
    st.markdown(f"### {plain(step.name)}")
    owner = roles[step.owner].name if step.owner in roles else "no owner"
    lane = functions[step.function].name if step.function in functions else step.function
    st.caption(f"{plain(lane)} · {plain(owner)} · {step.kind.value} · stakes {step.stakes.value}")
    if step.description:
        st.markdown(plain(step.description))
    cols = st.columns(3)
    cols[0].metric(f"Cases / {flow.period.value}", f"{step.volume:,.0f}")
    cols[1].metric("Touch min", f"{step.touch_minutes:g}", help="hands-on minutes per case")
    cols[2].metric("Wait min", f"{step.wait_minutes:,.0f}", help="queue minutes per case")
    metrics = flow_metrics(state)
    breaks = {bp.id: bp for bp in metrics.break_points if bp.kind == "step"}
    pca_text = f"**%C&A {step.pca:g}%**"
    if step.id in breaks:
        bp = breaks[step.id]
        reach = ", ".join(flow.step(s).name for s in bp.reach) or "no step reads it"
        st.warning(f"⚠ Data-quality break point: {pca_text}. Read downstream by: {plain(reach)}.")
    else:
        st.markdown(pca_text + f" (threshold {flow.dq_threshold:g}%)")
    if step.dq_note:
        st.caption("Data quality: " + plain(step.dq_note))

    def items(ids: list[str]) -> str:
        return ", ".join(f"{data[i].name} ({data[i].system})" if i in data and data[i].system else i for i in ids)

    st.markdown(
        f"**Data in:** {plain(items(step.data_in)) or '—'}  \n**Data out:** {plain(items(step.data_out)) or '—'}"
    )
    flags = [
        text
        for flag, text in (
            (step.high_risk_area, f"high-risk area {step.high_risk_area}"),
            (step.decides_for_person, "decides for a person"),
            (step.profiling, "profiles people"),
            (step.customer_facing, "customer-facing"),
            (step.learning_step, "juniors learn here"),
        )
        if flag
    ]
    if flags:
        st.caption("⚖ " + " · ".join(flags))


def _proposals(state: WorkshopState, step: Step) -> None:
    counts = state.proposal_counts.get(step.id, {})
    total = sum(counts.values())
    st.markdown("#### Proposals")
    open_book = state.revealed or state.me.is_facilitator
    if total and open_book:
        st.caption(" · ".join(f"{TAG_BUTTONS[t]}: {counts.get(t, 0)}" for t in Tag) + f" ({total} in all)")
    elif total:  # private until revealed: how many, not which way (no anchoring on others' votes)
        st.caption(f"{total} proposal{'s' if total > 1 else ''} so far.")
    else:
        st.caption("No proposals yet.")
    visible = [p for p in state.proposals if p.step_id == step.id]
    functions = state.flow.functions_by_id()
    if open_book:
        for p in visible:
            fn = functions[p.function].name if p.function in functions else p.function
            line = f"{TAG_BUTTONS[p.tag]} — **{plain(p.participant_name)}** ({plain(fn)})"
            st.markdown(line + (f": {plain(p.rationale)}" if p.rationale else ""))
    elif total:
        st.caption("🔒 Proposals are private until the facilitator reveals them.")
    if not state.can.propose:
        return
    mine = next((p for p in state.proposals if p.step_id == step.id and p.participant_id == state.me.id), None)
    reason = st.text_input(
        "Why? (optional)",
        value=mine.rationale if mine else "",
        key=f"why:{step.id}",
        placeholder="e.g. the data is already in the CRM",
        max_chars=2000,
    )
    st.caption("Your proposal:" + (f" currently **{TAG_LABEL[mine.tag]}**" if mine else " none yet"))
    # A row that wraps: in equal thirds of a narrow panel the labels were cut ("Human judgm…", "Augm…").
    row = st.container(horizontal=True, gap="small")
    for tag in Tag:
        kind: Literal["primary", "secondary"] = "primary" if mine and mine.tag == tag else "secondary"
        if row.button(TAG_BUTTONS[tag], key=f"propose:{step.id}:{tag.value}", type=kind, width="content"):
            act(
                partial(service().propose, st.session_state["token"], step.id, tag, reason),
                f"Proposed {TAG_LABEL[tag]}",
            )


def _comments(state: WorkshopState, kind: TargetKind, target_id: str) -> None:
    comments = [c for c in state.comments if c.target_kind == kind and c.target_id == target_id]
    st.markdown(f"#### Comments and flags ({sum(not c.resolved for c in comments)} open)")
    for c in comments:
        status = "✅ resolved · " if c.resolved else ""
        with st.container(border=True):
            st.caption(f"{status}{COMMENT_KINDS[c.kind]} · {plain(c.author_name)} · {c.at:%H:%M}")
            st.markdown(plain(c.text))
            if (c.author_id == state.me.id or state.me.is_facilitator) and st.button(
                "Reopen" if c.resolved else "Resolve", key=f"resolve:{c.id}", type="tertiary"
            ):
                act(partial(service().resolve_comment, st.session_state["token"], c.id, not c.resolved))
    if not state.can.comment:
        return
    text_key = f"ctext:{target_id}"
    if st.session_state.pop("clear_comment", None) == text_key:
        st.session_state[text_key] = ""  # posted: start the next comment empty
    with st.form(f"comment:{kind}:{target_id}", border=False):
        text = st.text_area("Add a comment or flag", max_chars=4000, height=80, key=text_key)
        flag = st.selectbox(
            "Kind", list(COMMENT_KINDS), format_func=COMMENT_KINDS.__getitem__, key=f"ckind:{target_id}"
        )
        if st.form_submit_button("Post"):
            if not text.strip():
                st.error("Write something before posting.")
            else:
                act(
                    lambda: service().comment(st.session_state["token"], kind, target_id, text, flag),
                    "Posted",
                    then=lambda: st.session_state.update(clear_comment=text_key),
                )


def settle_form(state: WorkshopState, step: Step, decision: Decision | None) -> None:
    """Facilitator: settle the step with what the decision log needs, or say what is left for later.

    Settle refuses a decision that lacks a detail of the log (rationale, owner, overseer
    for an AI tag, success measure, review date) and names what is missing; ticking
    "decide later" settles it anyway and the summaries print "to decide later".
    """
    roles = {r.id: r.name for r in state.flow.roles if r.kind == "human"}
    counts = state.proposal_counts.get(step.id, {})
    leading = max(counts, key=lambda t: counts[t]) if counts else None
    default_tag = decision.tag if decision else leading or Tag.HUMAN
    role_ids = ["", *roles]
    with st.expander("⚖️ Settle this step" + (" (settled)" if decision else ""), expanded=decision is None):
        st.caption(
            "The decision log needs a rationale, an accountable owner, a success measure, a review date "
            "and, for augment or automate, a human overseer."
        )
        with st.form(f"settle:{step.id}:{state.version}"):
            tag = st.radio(
                "Tag", list(Tag), index=list(Tag).index(default_tag), format_func=TAG_LABEL.__getitem__, horizontal=True
            )
            rationale = st.text_area("Rationale", value=decision.rationale if decision else "", max_chars=2000)
            owner_default = decision.owner if decision and decision.owner in roles else step.owner
            c1, c2 = st.columns(2)
            owner = c1.selectbox(
                "Accountable owner",
                role_ids,
                index=role_ids.index(owner_default) if owner_default in role_ids else 0,
                format_func=lambda r: roles.get(r, "— choose a role —"),
            )
            overseer = c2.selectbox(
                "Human overseer (needed for augment / automate)",
                role_ids,
                index=role_ids.index(decision.overseer) if decision and decision.overseer in role_ids else 0,
                format_func=lambda r: roles.get(r, "— none —"),
            )
            measure = st.text_input(
                "Success measure",
                value=decision.success_measure if decision else "",
                placeholder="e.g. forecast accuracy (1 - WMAPE) >= 85% by Q3",
            )
            c1, c2 = st.columns(2)
            review = c1.date_input(
                "Review date",
                value=(
                    decision.review_date if decision and decision.review_date else date.today() + timedelta(days=90)
                ),
            )
            signoff = c2.checkbox(
                "IT security and integration signed off", value=decision.it_signoff if decision else False
            )
            later = st.checkbox(
                "Settle the tag now and decide the missing details later",
                value=decision.details_later if decision else False,
                help="The decision log then says 'to decide later' for each missing detail.",
            )
            if st.form_submit_button("Settle", type="primary"):
                edited = {
                    "step": step.id,
                    "tag": tag,
                    "rationale": rationale.strip(),
                    "owner": owner or None,
                    "overseer": overseer or None,
                    "success_measure": measure.strip(),
                    "review_date": review,
                    "it_signoff": signoff,
                }
                # A re-settle keeps what the form does not show (rates, the AI agent).
                new = Decision.model_validate({**(decision.model_dump() if decision else {}), **edited})
                missing = missing_details(new)
                if missing and not later:
                    st.error(
                        f"Not settled yet: the decision log needs {missing_sentence(missing)}. Fill "
                        "them in, or tick 'decide the missing details later'.",
                        icon="✋",
                    )
                else:
                    new = new.model_copy(update={"details_later": bool(missing)})
                    note = f" ({missing_sentence(missing)} to decide later)" if missing else ""
                    act(
                        lambda: service().settle(st.session_state["token"], new),
                        f"Settled {step.name}{note}",
                        then=lambda: st.session_state.pop("dialog", None),  # back to the map / the list
                    )
        if decision and st.button("Reopen this decision", key=f"unsettle:{step.id}"):
            act(lambda: service().unsettle(st.session_state["token"], step.id))
