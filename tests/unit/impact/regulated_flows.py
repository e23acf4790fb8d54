"""Flows written for the regulated-use tests: none of them is a sample, none carries a hand-set label.

Each is what an imported process map looks like: names, a few descriptions, data items and
roles, and a scenario that automates the steps a vendor would pitch.
"""

from __future__ import annotations

import itertools

from redesign.model import DataItem, Decision, Flow, Function, Handoff, Role, Scenario, Step, StepKind, Tag


def _flow(
    fid: str,
    name: str,
    description: str,
    steps: list[tuple[str, str, str]],
    automate: tuple[str, ...] = (),
    data: list[DataItem] | None = None,
    roles: list[Role] | None = None,
    handoffs: list[Handoff] | None = None,
) -> Flow:
    """steps: (id, name, description); every step owned by the first role, in a line unless handoffs are given."""
    roles = roles or [Role(id="officer", name="Officer", function="ops", headcount=5)]
    made = [
        Step(id=sid, name=sname, description=desc, function="ops", owner=roles[0].id, volume=100, touch_minutes=10)
        for sid, sname, desc in steps
    ]
    if handoffs is None:
        handoffs = [Handoff(id=f"h{i}", source=a.id, target=b.id) for i, (a, b) in enumerate(itertools.pairwise(made))]
    scenario = Scenario(id="auto", name="Automate", decisions=[Decision(step=s, tag=Tag.AUTOMATE) for s in automate])
    return Flow(
        id=fid,
        name=name,
        description=description,
        functions=[Function(id="ops", name="Operations")],
        roles=roles,
        data_items=data or [],
        steps=made,
        handoffs=handoffs,
        scenarios=[scenario],
    )


def consumer_loan() -> Flow:
    return _flow(
        "consumer_loan",
        "Consumer loan origination",
        "Personal loans for private individuals, applied for online.",
        [
            ("receive", "Receive loan application", "The applicant fills in the online form."),
            ("kyc", "Check identity documents", ""),
            ("score", "Score the applicant's creditworthiness", "Bureau data and income are combined into a score."),
            ("decide", "Approve or decline the loan", ""),
            ("contract", "Send loan contract", ""),
            ("appeal", "Handle appeals against declined loans", "Only applicants who appeal reach this step."),
        ],
        automate=("score", "decide"),
        data=[DataItem(id="bureau", name="Credit bureau report"), DataItem(id="payslip", name="Payslips")],
    )


def company_credit() -> Flow:
    return _flow(
        "company_credit",
        "Commercial lending to companies",
        "Working-capital loans for mid-size companies; the bank reads their financial statements.",
        [
            ("collect", "Collect financial statements", ""),
            ("assess", "Assess the company's credit risk", "Ratios from the balance sheet and cash flow."),
            ("decide", "Approve or decline the credit line", ""),
        ],
        automate=("assess", "decide"),
    )


def unclear_credit() -> Flow:
    """A credit flow that says nothing about who borrows."""
    return _flow(
        "unclear_credit",
        "Credit approval",
        "",
        [("score", "Score creditworthiness", ""), ("decide", "Approve or decline the loan", "")],
        automate=("score", "decide"),
    )


def health_insurance() -> Flow:
    return _flow(
        "health_insurance",
        "Individual health insurance underwriting",
        "New private health insurance policies for individuals and families.",
        [
            ("questionnaire", "Collect health questionnaire", ""),
            ("risk", "Assess the applicant's risk", "Medical history and lifestyle answers."),
            ("price", "Price the premium", ""),
            ("issue", "Issue the policy", ""),
        ],
        automate=("risk", "price"),
    )


def car_insurance() -> Flow:
    """Motor insurance pricing: not life or health, so never Annex III point 5(c)."""
    return _flow(
        "car_insurance",
        "Motor insurance quotes",
        "Quotes for private car owners.",
        [("risk", "Assess the driver's risk", ""), ("price", "Price the premium", "")],
        automate=("risk", "price"),
    )


def fraud_screening() -> Flow:
    """Fraud detection on loan applications: excepted from Annex III point 5(b)."""
    return _flow(
        "fraud",
        "Consumer loan fraud checks",
        "Applications from private individuals.",
        [("fraud", "Score loan applications for fraud", "")],
        automate=("fraud",),
    )


def public_benefits() -> Flow:
    return _flow(
        "benefits",
        "Housing benefit claims",
        "A municipality decides on housing benefit for its citizens.",
        [
            ("claim", "Receive benefit claim", ""),
            ("eligibility", "Assess eligibility for housing benefit", ""),
            ("grant", "Grant or refuse the benefit", ""),
        ],
        automate=("eligibility", "grant"),
    )


def school_admissions() -> Flow:
    return _flow(
        "admissions",
        "University admissions",
        "Undergraduate admissions at a public university.",
        [
            ("apply", "Receive student applications", ""),
            ("rank", "Rank applicants for admission", ""),
            ("grade", "Grade entrance exam essays", ""),
            ("proctor", "Proctor the online entrance exam", ""),
        ],
        automate=("rank", "grade", "proctor"),
    )


def building_access() -> Flow:
    return _flow(
        "access",
        "Visitor building access",
        "",
        [
            ("face", "Identify visitors by facial recognition in the lobby", ""),
            ("badge", "Print visitor badge", ""),
        ],
        automate=("face",),
    )


def warehouse_staff() -> Flow:
    return _flow(
        "warehouse",
        "Warehouse shift planning",
        "",
        [
            ("monitor", "Monitor worker productivity", ""),
            ("shifts", "Allocate shifts to workers", ""),
            ("pick", "Pick orders", ""),
        ],
        automate=("monitor", "shifts"),
        roles=[Role(id="lead", name="Shift lead", function="ops"), Role(id="rep", name="Sales rep", function="ops")],
    )


def claims_with_appeals() -> Flow:
    """An automated decision followed by a human step that only sees appeals (issue 15 point 11)."""
    flow = consumer_loan()
    steps = flow.steps_by_id()
    handoffs = [
        Handoff(id="h1", source="receive", target="kyc"),
        Handoff(id="h2", source="kyc", target="score"),
        Handoff(id="h3", source="score", target="decide"),
        Handoff(id="h4", source="decide", target="contract", condition="approved"),
        Handoff(id="h5", source="decide", target="appeal", condition="declined and the applicant appeals"),
    ]
    appeal = steps["appeal"].model_copy(update={"kind": StepKind.REVIEW, "volume": 5})
    new_steps = [appeal if s.id == "appeal" else s for s in flow.steps]
    return flow.model_copy(update={"steps": new_steps, "handoffs": handoffs})


def loan_with_full_review() -> Flow:
    """The same automated decision, with a human review that every decision passes through."""
    flow = consumer_loan()
    review = Step(
        id="review",
        name="Review every loan decision",
        function="ops",
        owner="officer",
        kind=StepKind.REVIEW,
        volume=100,
        touch_minutes=3,
    )
    steps = [*flow.steps[:4], review, *flow.steps[4:]]
    handoffs = [
        Handoff(id="h1", source="receive", target="kyc"),
        Handoff(id="h2", source="kyc", target="score"),
        Handoff(id="h3", source="score", target="decide"),
        Handoff(id="h4", source="decide", target="review"),
        Handoff(id="h5", source="review", target="contract"),
    ]
    return flow.model_copy(update={"steps": steps, "handoffs": handoffs})


def supplier_payments() -> Flow:
    """Paying suppliers: no credit in its words, though a matcher may find loan clerks' payment tasks close."""
    return _flow(
        "supplier_payments",
        "Supplier payment run",
        "Twice a week the company pays its suppliers' approved invoices; vendors are paid by bank transfer.",
        [
            ("propose", "Prepare payment proposal", "Due invoices for the next run."),
            ("approve", "Approve payment run", "The treasurer approves the run."),
            ("release", "Release payments to the bank", ""),
        ],
        automate=("approve",),
    )


def hiring_work_sample() -> Flow:
    """A hiring flow whose graded work sample reads, to a matcher, like teachers grading students' work."""
    return _flow(
        "hiring_work_sample",
        "Hiring software engineers",
        "Candidates for engineering roles do a take-home work sample before the panel interview.",
        [
            ("send", "Send the work sample to candidates", ""),
            ("grade", "Grade work-sample assessment", "Two engineers grade each candidate's submission."),
            ("decide", "Decide on hire", ""),
        ],
        automate=("grade",),
        roles=[Role(id="engineer", name="Interviewer", description="Trained panel interviewers", function="ops")],
    )
