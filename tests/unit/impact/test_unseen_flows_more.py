"""Three more flows unlike the samples (tests/unit/impact/data): a university's undergraduate
admissions, a bank's corporate-customer onboarding (KYC) and a plant's incoming inspection and
non-conformance handling (no scenario). They check what a COO, a CFO and a compliance officer read:
regulated uses found where they are and nowhere else, outcome metrics that fit the flow, and
figures nobody measured that read as unknown."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from redesign.impact.assess import Impact, assess
from redesign.impact.regulated import detect
from redesign.impact.suggested import is_suggested, scenario_or_suggested
from redesign.io.flow_json import read_flow
from redesign.model import Flow
from redesign.report import tables
from redesign.report.summary import build_summary

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def admissions() -> Flow:
    return read_flow(DATA / "university_admissions.json")


@pytest.fixture(scope="module")
def kyc() -> Flow:
    return read_flow(DATA / "corporate_onboarding.json")


@pytest.fixture(scope="module")
def quality() -> Flow:
    return read_flow(DATA / "quality_nonconformance.json")


@pytest.fixture(scope="module")
def admissions_impact(admissions: Flow) -> Impact:
    return assess(admissions, "ai_scoring")


@pytest.fixture(scope="module")
def kyc_impact(kyc: Flow) -> Impact:
    return assess(kyc, "auto_screen")


@pytest.fixture(scope="module")
def quality_impact(quality: Flow) -> Impact:
    scenario = scenario_or_suggested(quality, None)
    assert is_suggested(scenario)
    return assess(quality, scenario)


def _numbers_hold_up(impact: Impact) -> None:
    t, c = impact.totals, impact.costs
    assert 0 < t.saved_hours < t.before_hours
    assert math.isclose(t.before_hours - t.after_hours, t.saved_hours, abs_tol=0.01)
    assert math.isclose(t.saved_fte, t.saved_hours / impact.fte_hours_per_period, rel_tol=1e-6)
    assert 0 <= c.bankable_fte <= c.freed_fte
    assert c.bankable_fte == math.fsum(r.bankable_fte for r in c.roles)
    for step in impact.steps:
        assert 0 <= step.after_hours <= step.before_hours + 1e-9


@pytest.mark.parametrize(
    ("name", "before"),
    # Hand-worked from volume x touch minutes / 60, summed over the steps.
    [("admissions_impact", 4226.67), ("kyc_impact", 2814.17), ("quality_impact", 2136.67)],
)
def test_numbers_hold_up(name: str, before: float, request: pytest.FixtureRequest) -> None:
    impact: Impact = request.getfixturevalue(name)
    _numbers_hold_up(impact)
    assert impact.totals.before_hours == pytest.approx(before, abs=0.01)


def test_a_company_onboarding_flow_raises_no_natural_person_question(kyc: Flow, kyc_impact: Impact) -> None:
    # Screening and risk-rating companies is not a decision about a natural person: nothing to confirm.
    assert detect(kyc) == []
    rules = {f.rule for f in kyc_impact.governance}
    assert not rules & {"gov_confirm_area", "gov_confirm_art22", "gov_gdpr_art22", "gov_person_question"}
    # The sanctions engine keeps a named person who can stop it (NIST AI RMF MANAGE 2.4).
    stop = next(f for f in kyc_impact.governance if f.rule == "gov_nist_disengage")
    assert stop.steps == ["screen"] and "Compliance manager" in stop.message


def test_a_quality_flow_has_no_regulated_use(quality: Flow, quality_impact: Impact) -> None:
    # Inspection, disposition, scrap and supplier debits decide about parts and suppliers.
    assert detect(quality) == []
    messages = " ".join(f.message for f in quality_impact.governance)
    for word in ("Annex III", "Art 22", "natural person", "5(a)", "4(a)"):
        assert word not in messages
    outcome = next(i for i in quality_impact.incentives if i.rule == "inc_e2e_outcome")
    assert outcome.metric == "End-to-end lead time and rolled %C&A of Incoming inspection and non-conformance"


def test_employee_onboarding_keeps_day1_readiness() -> None:
    from redesign.samples import load_sample

    flow = load_sample("employee_onboarding")
    impact = assess(flow, scenario_or_suggested(flow, None))
    outcome = next(i for i in impact.incentives if i.rule == "inc_e2e_outcome")
    assert outcome.metric == "Day-1 readiness and time-to-productivity"


def test_the_admission_decision_is_annex3_3a(admissions: Flow, admissions_impact: Impact) -> None:
    found = {(d.step, d.area or d.kind) for d in detect(admissions)}
    assert ("decide", "annex3_3a") in found and ("decide", "art22") in found
    assert ("intake", "annex3_3a") not in found and ("notify", "annex3_3a") not in found
    flag = next(f for f in admissions_impact.governance if f.rule == "gov_confirm_area")
    assert flag.steps == ["decide"]
    assert flag.message.startswith('To confirm: "Decide admit, reject or waitlist" looks like Annex III point 3(a)')


def test_an_admissions_interview_is_not_recruitment(admissions: Flow, admissions_impact: Impact) -> None:
    # "Interview shortlisted applicants" and a committee's "reject" are about students, not jobs:
    # Annex III 4(a) (recruitment) needs a word of employment around them, not "interview" alone.
    assert not any(d.area == "annex3_4a" for d in detect(admissions))
    assert not any("4(a)" in f.message for f in admissions_impact.governance)


def test_customer_onboarding_is_not_measured_by_day1_readiness(kyc_impact: Impact) -> None:
    # "Onboarding" a company customer (KYC, account opening) is not onboarding a new hire.
    outcome = next(i for i in kyc_impact.incentives if i.rule == "inc_e2e_outcome")
    assert "Day-1" not in outcome.metric and "time-to-productivity" not in outcome.metric
    assert outcome.metric.startswith("Time from first contact to account opened")


def test_an_unmeasured_rolled_pca_reads_unknown_in_the_tables(kyc: Flow, kyc_impact: Impact) -> None:
    # 5 of 8 steps have no %C&A: the PDF tile says "unknown"; the tables said 45.9% -> 52.0%.
    summary = build_summary(kyc, kyc.scenario("auto_screen"), kyc_impact)
    for table in (tables.headline(summary), tables.end_to_end(summary)):
        row = next(r for r in table.rows if r[0].startswith("Rolled %C&A"))
        assert row[1:] == ["unknown", "unknown", "not measured"]
        i = table.rows.index(row)
        assert (i, 3) not in table.colours
    lead = next(r for r in tables.headline(summary).rows if r[0] == "Lead time per case")
    assert lead[1] == "200.9 h"


def _score_and_rank(admissions: Flow, keep_decide: bool) -> Flow:
    # "Score and rank applicants" reads as both Annex III 3(a) (rank applicants) and 3(b) (score the essay).
    scoring = "The reader scores the essay and grades and ranks applicants for the programme."
    steps = [
        s.model_copy(update={"name": "Score and rank applicants", "description": scoring}) if s.id == "score" else s
        for s in admissions.steps
    ]
    scenario = admissions.scenario("ai_scoring")
    decisions = [d for d in scenario.decisions if keep_decide or d.step != "decide"]
    return admissions.model_copy(
        update={"steps": steps, "scenarios": [scenario.model_copy(update={"decisions": decisions})]}
    )


def test_a_step_with_two_annex3_points_is_one_step_to_confirm(admissions: Flow) -> None:
    flow = _score_and_rank(admissions, keep_decide=False)
    assert {("score", "annex3_3a"), ("score", "annex3_3b")} <= {(d.step, d.area) for d in detect(flow)}
    flag = next(f for f in assess(flow, "ai_scoring").governance if f.rule == "gov_confirm_area")
    assert flag.steps == ["score"]
    assert "2 AI steps" not in flag.message
    assert flag.message.startswith('To confirm: "Score and rank applicants" looks like Annex III point 3(a)')
    assert 'To confirm: "Score and rank applicants" looks like Annex III point 3(b)' in flag.message


def test_two_steps_one_with_two_points_count_as_two(admissions: Flow) -> None:
    flow = _score_and_rank(admissions, keep_decide=True)
    flag = next(f for f in assess(flow, "ai_scoring").governance if f.rule == "gov_confirm_area")
    assert flag.steps == ["score", "decide"]
    assert flag.message.startswith("To confirm: 2 AI steps look like Annex III uses that the flow does not label: ")
    assert flag.message.count("Score and rank applicants (Annex III point 3(") == 2


def test_a_step_whose_pca_nobody_measured_reads_not_measured(kyc: Flow, kyc_impact: Impact) -> None:
    # "Verify beneficial owners" has no %C&A in the file; the steps table printed "100.0% -> 100.0%".
    summary = build_summary(kyc, kyc.scenario("auto_screen"), kyc_impact)
    pca = {row[1]: row[8] for row in tables.steps(summary).rows}
    assert pca["Verify beneficial owners"] == "not measured"
    assert pca["Screen company and owners against sanctions lists"] == "not measured"
    assert pca["Collect company documents"] == "60.0% → 60.0%"
    assert pca["Verify company registration"] == "85.0% → 96.3%"


def test_what_changes_names_only_the_kinds_of_change_there_are(kyc: Flow, kyc_impact: Impact) -> None:
    # The KYC scenario automates 3 steps and assists none: "3 steps automated and 0 AI-assisted" read badly.
    summary = build_summary(kyc, kyc.scenario("auto_screen"), kyc_impact)
    assert summary.executive.what_changes.startswith("3 of 8 steps automated; most hours from “Screen company")
    # One automated step: the hours come from it alone, not from two undecided steps that save nothing.
    scenario = kyc.scenario("auto_screen")
    one = scenario.model_copy(update={"decisions": [d for d in scenario.decisions if d.step in ("screen", "approve")]})
    flow = kyc.model_copy(update={"scenarios": [one]})
    what = build_summary(flow, one, assess(flow, one)).executive.what_changes
    assert what == "1 of 8 steps automated; most hours from “Screen company and owners against sanctions lists”."


def test_the_command_line_says_an_unmeasured_rolled_pca_is_unknown(kyc_impact: Impact) -> None:
    from redesign.impact.text import to_text

    text = to_text(kyc_impact)
    assert "  Rolled %C&A (critical path): unknown (not measured) [e2e_rolled_pca]" in text
    assert "Rolled %C&A (critical path): 45.9" not in text
    assert "  Lead time per case (critical path): 12,053.0 -> " in text


def test_one_undecided_step_reads_in_the_singular(quality: Flow, quality_impact: Impact) -> None:
    # The suggested scenario leaves only "Raise supplier corrective action" undecided.
    note = next(n for n in quality_impact.notes if n.kind == "undecided")
    assert note.text == "1 of 8 steps has no decision in this scenario; it stays as it is."
    summary = build_summary(quality, scenario_or_suggested(quality, None), quality_impact)
    assert "; 1 stays as it is. Volumes per month" in tables.scope_line(summary)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_governance_chips_stay_on_the_first_page(kyc: Flow, kyc_impact: Impact) -> None:
    # With six tiles the chips fell just past the automatic page break: page 2 held "Governance:" alone.
    from redesign.report.pdf import render_pdf

    pdf = render_pdf(build_summary(kyc, kyc.scenario("auto_screen"), kyc_impact))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    pages = text.split("\f")
    assert "Governance:" in pages[0] and "WARN" in pages[0]
    assert pages[1].lstrip().startswith("Goal and scope")
