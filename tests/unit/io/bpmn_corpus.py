"""Shared helpers for the io tests: the interop corpus, sample flows, bpmn-moddle.

Resolved relative to the repository root: the corpus is `<repo>/../shared/interop`,
samples are `<repo>/sample_processes/*.json`, bpmn-moddle lives in
`<repo>/tests/node/node_modules` (``npm ci --prefix tests/node``). A missing
corpus, node or bpmn-moddle skips the tests that need it, except under CI=true,
where it fails them: CI must run every check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from redesign.io.flow_json import read_flow
from redesign.model import (
    DataItem,
    Decision,
    Flow,
    Function,
    Handoff,
    Period,
    Role,
    RoleKind,
    Rubric,
    Scenario,
    Stakes,
    Step,
    StepKind,
    Tag,
)

REPO = Path(__file__).resolve().parents[3]
INTEROP = REPO.parent / "shared" / "interop"
SAMPLES = REPO / "sample_processes"
NODE_DIR = REPO / "tests" / "node"
MODDLE_CHECK = Path(__file__).resolve().parent / "bpmn_moddle_check.mjs"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when something optional is missing, but fail under CI=true."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this check must run)")
    pytest.skip(reason)


def interop_files() -> list[Path]:
    if not INTEROP.is_dir():
        return []
    return sorted(p for p in INTEROP.rglob("*") if p.is_file() and p.suffix.lower() in (".bpmn", ".xml", ".bpmn2"))


def interop_id(path: Path) -> str:
    return path.relative_to(INTEROP).as_posix()


def sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.json")) if SAMPLES.is_dir() else []


def built_flow() -> Flow:
    """A hand-built workshop flow using every kind of field the export must carry."""
    return Flow(
        id="invoice_approval",
        name="Invoice approval — Prüfung & <Freigabe>",
        description='Supplier invoices from receipt to payment.\nLine two with "quotes".',
        source="APQC PCF 9.6.2 (Process accounts payable)",
        period=Period.MONTH,
        fte_hours_per_year=1720.0,
        dq_threshold=85.0,
        functions=[
            Function(id="ops", name="Ops", colour="#ff7f0e"),
            Function(id="finance", name="Finance", colour="#d62728"),
            Function(id="it", name="IT", colour="#9467bd"),
            Function(id="hr", name="HR", colour="#2ca02c"),  # a lane without steps
        ],
        roles=[
            Role(id="clerk", name="AP clerk", function="ops", headcount=4, hourly_cost=38.5),
            Role(id="controller", name="Controller", function="finance", headcount=1.5, description="Signs off"),
            Role(
                id="ocr_bot",
                name="Invoice reader",
                function="it",
                kind=RoleKind.AI_AGENT,
                accountable_role="controller",
            ),
        ],
        data_items=[
            DataItem(id="invoice", name="Invoice PDF", system="Mailbox"),
            DataItem(id="po", name="Purchase order", system="ERP", description="Open POs"),
            DataItem(id="payment:run", name="Payment run file", system="Bank portal"),
        ],
        steps=[
            Step(
                id="receive",
                name="Receive invoice",
                function="ops",
                owner="clerk",
                volume=1200,
                touch_minutes=2.5,
                wait_minutes=30,
                data_out=["invoice"],
                pca=97.5,
            ),
            Step(
                id="read-data",
                name="Read invoice data",
                description="Key fields: supplier, amount, VAT.\n\tIndented <b>bold</b> & more",
                function="it",
                owner="ocr_bot",
                volume=1200,
                touch_minutes=6,
                data_in=["invoice"],
                data_out=["invoice", "po"],
                pca=72,
                dq_note="Scanned PDFs lose the VAT id",
                skills=["data entry", "attention to detail"],
                rubric=Rubric(rules=5, digital_input=3, error_cost=2),
            ),
            Step(
                id="match",
                name="Three-way match?",
                kind=StepKind.DECISION,
                function="finance",
                owner="controller",
                volume=1200,
                touch_minutes=4,
                wait_minutes=240,
                data_in=["po"],
                stakes=Stakes.HIGH,
                decides_for_person=False,
                learning_step=True,
            ),
            Step(
                id="approve",
                name="Approve exception",
                kind=StepKind.REVIEW,
                function="finance",
                owner="controller",
                volume=180,
                touch_minutes=12,
                wait_minutes=1440,
                stakes=Stakes.HIGH,
                high_risk_area="annex3_5b",
                customer_facing=True,
            ),
            Step(
                id="pay",
                name="Pay (run) [weekly]",
                function="finance",
                volume=1200,
                touch_minutes=0.5,
                data_in=["invoice"],
                data_out=["payment:run"],
            ),
        ],
        handoffs=[
            Handoff(id="h1", source="receive", target="read-data", data=["invoice"], channel="email"),
            Handoff(id="h2", source="read-data", target="match", data=["po"], pca=72, wait_minutes=15),
            Handoff(id="h3", source="match", target="pay", condition="matched"),
            Handoff(id="h4", source="match", target="approve", condition="no match"),
            Handoff(id="h5", source="approve", target="pay", condition="approved"),
            Handoff(id="h6", source="approve", target="receive", condition="rejected: ask supplier", rework=True),
            Handoff(id="h7", source="approve", target="approve", condition="needs 2nd signature", rework=True),
            Handoff(id="h8", source="match", target="pay", condition="matched (duplicate route)"),
        ],
        scenarios=[
            Scenario(
                id="cautious",
                name="Cautious",
                description="Augment the reading, keep approvals human",
                decisions=[
                    Decision(step="read-data", tag=Tag.AUGMENT, time_saving=0.6, owner="clerk"),
                    Decision(step="approve", tag=Tag.HUMAN, rationale="High stakes\nkeep a person"),
                ],
            ),
            Scenario(
                id="ambitious",
                name="Ambitious",
                decisions=[
                    Decision(
                        step="read-data",
                        tag=Tag.AUTOMATE,
                        automation_rate=0.85,
                        exception_rate=0.1,
                        exception_minutes=8,
                        validation_minutes=0.5,
                        monitoring_hours=6,
                        ai_agent="ocr_bot",
                        owner="controller",
                        overseer="controller",
                        success_measure="touchless rate > 80 %",
                        review_date=date(2026, 3, 31),
                        it_signoff=True,
                    ),
                    Decision(step="match", tag=Tag.AUTOMATE, automation_rate=0.7),
                    Decision(step="pay", tag=Tag.AUTOMATE),
                ],
            ),
        ],
    )


def sample_flows() -> list[tuple[str, Flow]]:
    """Every sample process (if written yet) plus the hand-built flow."""
    flows = [(p.name, read_flow(p)) for p in sample_files()]
    return [*flows, ("built:invoice_approval", built_flow())]


def decisions_in_step_order(flow: Flow) -> Flow:
    """The BPMN export keeps decisions on their tasks, so they return in step order."""
    order = {s.id: i for i, s in enumerate(flow.steps)}
    scenarios = [
        sc.model_copy(update={"decisions": sorted(sc.decisions, key=lambda d: order.get(d.step, len(order)))})
        for sc in flow.scenarios
    ]
    return flow.model_copy(update={"scenarios": scenarios})


def moddle_available() -> bool:
    return shutil.which("node") is not None and (NODE_DIR / "node_modules" / "bpmn-moddle").is_dir()


def moddle_check(path: Path) -> dict[str, Any]:
    """Run bpmn-moddle on a file; returns {"warnings": [...], "rootElement": ...}."""
    result = subprocess.run(
        ["node", str(MODDLE_CHECK), str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip(), f"bpmn-moddle printed nothing: {result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])
