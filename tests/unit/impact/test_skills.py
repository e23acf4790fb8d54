"""Skills: decline / grow / new per role, reskilling priority, deskilling warning."""

from __future__ import annotations

from itertools import pairwise

import pytest
from impact_flows import one_step_flow

from redesign.impact.assess import assess
from redesign.impact.catalog import catalog
from redesign.impact.skills import canonical
from redesign.model import Decision, Handoff, Role, Scenario, Step, Tag


def _skills(impact, role):
    return {(c.skill, c.change): c for c in impact.skills if c.role == role}


KEY = Step(id="x", name="Key in orders", function="ops", owner="owner", volume=60, touch_minutes=10,
           skills=["Writing", "judgment & decision making", "Spreadsheets"])  # fmt: skip


def test_catalog_has_the_35_onet_and_the_wef_skills() -> None:
    tax = {t.id: t for t in catalog().skills.taxonomies}
    assert len(tax["onet"].skills) == 35
    assert len(tax["wef"].skills) == 26
    assert "CC BY 4.0" in tax["onet"].source and "Future of Jobs" in tax["wef"].source


def test_canonical_names_and_unknown_skills() -> None:
    assert canonical("judgment & decision making") == ("Judgment and Decision Making", "onet")
    assert canonical("AI and big data") == ("AI and big data", "wef")
    assert canonical("Spreadsheets") == ("Spreadsheets", "flow")


def test_automate_declines_step_skills_and_grows_exception_skills() -> None:
    impact = assess(one_step_flow(KEY, Decision(step="x", tag=Tag.AUTOMATE)), "s")
    skills = _skills(impact, "owner")
    assert ("Writing", "decline") in skills and ("Spreadsheets", "decline") in skills
    assert skills[("Writing", "decline")].hours == pytest.approx(10.0)
    assert skills[("Writing", "decline")].reason.rule == "skl_automate"
    # the machine decides now: the step's judgment goes with it; the exception handler watches and repairs
    assert ("Judgment and Decision Making", "decline") in skills
    assert ("Troubleshooting", "new") in skills and ("Monitoring", "new") in skills
    # no generic list any more (issue 15 point 3): nothing the step's work does not name
    assert ("AI and big data", "new") not in skills and ("Technological literacy", "new") not in skills


def test_augment_adds_validation_skills_for_the_owner() -> None:
    impact = assess(one_step_flow(KEY, Decision(step="x", tag=Tag.AUGMENT)), "s")
    skills = _skills(impact, "owner")
    assert ("Critical Thinking", "new") in skills and skills[("Critical Thinking", "new")].reason.rule == "skl_augment"
    assert ("Troubleshooting", "new") not in skills


def test_human_step_after_an_ai_step_grows_the_skills_its_own_work_names() -> None:
    call = Step(id="y", name="Negotiate the renewal with the customer", function="sales", owner="boss", volume=10,
                touch_minutes=20)  # fmt: skip
    flow = one_step_flow(KEY, Decision(step="x", tag=Tag.AUGMENT), more_steps=[call],
                         handoffs=[Handoff(id="h", source="x", target="y")])  # fmt: skip
    skills = _skills(assess(flow, "s"), "boss")
    assert ("Negotiation", "new") in skills and skills[("Negotiation", "new")].reason.rule == "skl_human_ai_inputs"
    assert ("Service Orientation", "new") in skills  # "customer"
    assert ("Persuasion", "new") not in skills  # nothing in its words says persuading
    as_is = _skills(assess(flow, None), "boss")
    assert as_is == {}


def test_a_human_step_whose_words_name_no_skill_falls_back_to_the_rule() -> None:
    plain = Step(id="y", name="Zorble the frobs", function="sales", owner="boss", volume=10, touch_minutes=20)
    flow = one_step_flow(KEY, Decision(step="x", tag=Tag.AUGMENT), more_steps=[plain],
                         handoffs=[Handoff(id="h", source="x", target="y")])  # fmt: skip
    skills = _skills(assess(flow, "s"), "boss")
    fallback = {canonical(n)[0] for n in catalog().skills.rule("skl_human_ai_inputs").fallback}
    assert {s for s, _ in skills} == fallback


def test_two_augmented_steps_get_different_specific_skills() -> None:
    """Issue 15 point 3: skills come from the step's work, not from one list per tag."""
    negotiate = Step(id="x", name="Negotiate supplier terms", function="ops", owner="owner", volume=10,
                     touch_minutes=30)  # fmt: skip
    draft = Step(id="y", name="Draft the job description", function="ops", owner="owner", volume=10, touch_minutes=30)
    flow = one_step_flow(negotiate, None, more_steps=[draft])
    flow = flow.model_copy(update={"scenarios": [Scenario(id="s", name="S", decisions=[
        Decision(step="x", tag=Tag.AUGMENT), Decision(step="y", tag=Tag.AUGMENT)])]})  # fmt: skip
    impact = assess(flow, "s")
    by_step = {sid: {(c.skill, c.change) for c in impact.skills if sid in c.steps} for sid in ("x", "y")}
    assert ("Negotiation", "new") in by_step["x"] and ("Negotiation", "new") not in by_step["y"]
    assert ("Writing", "decline") in by_step["y"] and ("Writing", "decline") not in by_step["x"]
    texts = [c.reason.text for c in impact.skills]
    assert any("Negotiation" in t and "Negotiate supplier terms" in t for t in texts)


def test_matched_onet_tasks_add_the_skills_they_name() -> None:
    step = Step(id="x", name="Handle the file", function="ops", owner="owner", volume=10, touch_minutes=30)
    tasks = {"x": [("13-1023.00", "Purchasing Agents", "Negotiate prices and terms with suppliers.")]}
    flow = one_step_flow(step, Decision(step="x", tag=Tag.AUGMENT))
    with_tasks = _skills(assess(flow, "s", tasks), "owner")
    assert ("Negotiation", "new") in with_tasks
    assert ("Negotiation", "new") not in _skills(assess(flow, "s"), "owner")


def test_overseer_of_an_annex3_step_needs_ai_oversight() -> None:
    screen = Step(id="x", name="Screen", function="hr", owner="owner", volume=100, touch_minutes=5,
                  high_risk_area="annex3_4a", decides_for_person=True)  # fmt: skip
    skills = _skills(assess(one_step_flow(screen, Decision(step="x", tag=Tag.AUGMENT, overseer="boss")), "s"), "boss")
    assert any(s == "AI literacy" and c == "new" for s, c in skills)
    assert all(c.reason.rule == "skl_annex3_oversight" for c in skills.values())


def test_deskilling_warning_only_for_automated_learning_steps() -> None:
    learning = KEY.model_copy(update={"learning_step": True})
    impact = assess(one_step_flow(learning, Decision(step="x", tag=Tag.AUTOMATE)), "s")
    [warning] = impact.deskilling
    assert warning.step == "x" and warning.hours == pytest.approx(10.0)
    assert "rotation" in warning.remedy and warning.reason.rule == "skl_deskilling"
    assert assess(one_step_flow(learning, Decision(step="x", tag=Tag.AUGMENT)), "s").deskilling == []
    assert assess(one_step_flow(KEY, Decision(step="x", tag=Tag.AUTOMATE)), "s").deskilling == []


def test_reskilling_is_ordered_by_hours_and_counts_no_headcount_twice() -> None:
    # Changed deliberately (issue 15 point 9): a role's hours are already the total of all its people.
    roles = [Role(id="owner", name="Owner", function="ops", headcount=10), Role(id="boss", name="Boss", function="ops")]
    other = Step(id="y", name="Key in returns", function="ops", owner="boss", volume=600, touch_minutes=10)
    flow = one_step_flow(KEY, None, roles=roles, more_steps=[other])
    flow = flow.model_copy(update={"scenarios": [Scenario(id="s", name="S", decisions=[
        Decision(step="x", tag=Tag.AUGMENT), Decision(step="y", tag=Tag.AUGMENT)])]})  # fmt: skip
    items = assess(flow, "s").reskilling
    # owner: 10 h across 10 people; boss: 100 h for 1 person -> the boss's 100 h come first
    assert [i.rank for i in items] == list(range(1, len(items) + 1))
    assert all(a.priority >= b.priority for a, b in pairwise(items))
    top = items[0]
    assert top.role == "boss" and top.priority == pytest.approx(100.0) and top.reason.rule == "skl_reskilling_priority"
    owner_item = next(i for i in items if i.role == "owner")
    assert owner_item.people == 10 and owner_item.hours == pytest.approx(10.0) and owner_item.priority == 10.0
    assert "across 10 people (1.0 h each)" in owner_item.reason.text


@pytest.mark.parametrize(
    "text",
    [
        "Answer supplier payment queries",  # a customer's question, not a database query
        "Close ticket with resolution code",  # a code of a list, not program code
        "Plan production commitments or timetables for specific programs, using sales forecasts",  # an O*NET task
        "Follow the call script",
    ],
)
def test_work_words_that_only_look_like_programming_do_not_name_it(text: str) -> None:
    from redesign.impact.skills import work_skills

    step = Step(id="s", name=text, function="f")
    assert "Programming" not in work_skills(step)


def test_programming_and_financial_resources_come_from_their_own_work() -> None:
    from redesign.impact.skills import work_skills

    assert "Programming" in work_skills(Step(id="s", name="Write SQL to extract the pipeline", function="f"))
    # A sales forecast or a quota is not spending money: O*NET's Management of Financial Resources is
    # "determining how money will be spent to get the work done".
    assert "Management of Financial Resources" not in work_skills(
        Step(id="s", name="Submit rep forecast call", function="f")
    )
    assert "Management of Financial Resources" in work_skills(Step(id="s", name="Approve the budget", function="f"))


MATERIAL = "Management of Material Resources"  # O*NET: "obtaining and seeing to the appropriate use of equipment,
# facilities, and materials needed to do certain work"


@pytest.mark.parametrize(
    "text",
    [
        "Book closed-won orders in ERP",  # a customer's sales order, not materials obtained for the work
        "Raise job requisition",  # a request to hire, not to buy
        "Investigate complaints about service and equipment, and take corrective action.",  # an O*NET task
        "Answer supplier payment queries",
        "Monitor forecasts and quotas to identify changes and predict effects on supply chain activities.",
    ],
)
def test_orders_suppliers_and_equipment_in_passing_do_not_name_material_resources(text: str) -> None:
    from redesign.impact.skills import work_skills

    assert MATERIAL not in work_skills(Step(id="s", name=text, function="f"))


@pytest.mark.parametrize(
    "text",
    [
        "Order and image laptop",
        "Raise purchase requisition",
        "Order supplies or equipment and issue them to personnel.",  # an O*NET task
        "Prepare desk, badge and parking",
    ],
)
def test_obtaining_equipment_and_materials_names_material_resources(text: str) -> None:
    from redesign.impact.skills import work_skills

    assert MATERIAL in work_skills(Step(id="s", name=text, function="f"))


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Submit rep forecast call", "Speaking"),  # a forecast call is a number, not a conversation
        ("Roll up regions and make VP call", "Speaking"),
        ("Status-page and staff updates every 30 minutes until service is restored", "Writing"),
        ("The agent finds the account and checks the plan and entitlement", "Active Listening"),
        ("Team leads call back customers who scored 1-2 in the survey", "Mathematics"),  # a rating, not arithmetic
    ],
)
def test_words_with_another_meaning_do_not_name_a_skill(text: str, skill: str) -> None:
    from redesign.impact.skills import work_skills

    assert skill not in work_skills(Step(id="s", name=text, function="f"))


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Team leads call back customers who scored 1-2", "Speaking"),
        ("Log phone calls in the case", "Speaking"),
        ("Take the meeting minutes and send them", "Writing"),
        ("Interview the candidate", "Active Listening"),
    ],
)
def test_the_phrases_that_replace_them_still_name_the_skill(text: str, skill: str) -> None:
    from redesign.impact.skills import work_skills

    assert skill in work_skills(Step(id="s", name=text, function="f"))
