"""Fixtures for the report tests: the sales-forecasting sample, its "Ambitious" summary and a workshop record."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from redesign.impact.assess import Impact, assess
from redesign.model import Flow, Scenario, Tag
from redesign.report.record import WorkshopRecord, record_from_workshop
from redesign.report.summary import Summary, build_summary
from redesign.samples import load_sample
from redesign.workshop import Participant, ProposalOut

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "report"
AT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def person(pid: str, name: str, function: str, facilitator: bool = False) -> Participant:
    return Participant(id=pid, workshop_id="w1", name=name, function=function, is_facilitator=facilitator, joined_at=AT)


def vote(who: Participant, step: str, tag: Tag) -> ProposalOut:
    return ProposalOut(
        participant_id=who.id,
        participant_name=who.name,
        function=who.function,
        step_id=step,
        tag=tag,
        rationale="",
        at=AT,
    )


@pytest.fixture(scope="session")
def sales_flow() -> Flow:
    return load_sample("sales_forecasting")


@pytest.fixture(scope="session")
def ambitious(sales_flow: Flow) -> Scenario:
    return sales_flow.scenario("Ambitious")


@pytest.fixture(scope="session")
def ambitious_impact(sales_flow: Flow, ambitious: Scenario) -> Impact:
    return assess(sales_flow, ambitious)


@pytest.fixture(scope="session")
def sales_record(sales_flow: Flow, ambitious: Scenario) -> WorkshopRecord:
    """Five people and a facilitator; they split on "update_opps" and agree on "stat_forecast"."""
    ana = person("p1", "Ana Ruiz", "sales")
    ben = person("p2", "Ben Okafor", "it")
    chloé = person("p3", "Chloé Martin", "finance")
    dev = person("p4", "Dev Patel", "sales")
    eve = person("p5", "Eve Larsen", "hr")
    fac = person("f1", "Fran Facilitator", "", facilitator=True)
    proposals = [
        vote(ana, "update_opps", Tag.AUTOMATE),
        vote(dev, "update_opps", Tag.AUTOMATE),
        vote(ben, "update_opps", Tag.AUGMENT),
        vote(chloé, "update_opps", Tag.HUMAN),
        vote(ana, "stat_forecast", Tag.AUTOMATE),
        vote(ben, "stat_forecast", Tag.AUTOMATE),
        vote(chloé, "stat_forecast", Tag.AUTOMATE),
    ]
    return record_from_workshop(
        "Forecasting redesign, May",
        "Cut the forecast cycle and make the number trustworthy for Finance.",
        sales_flow,
        [ana, ben, chloé, dev, eve, fac],
        proposals,
        ambitious.decisions,
        held_on=date(2026, 5, 4),
    )


@pytest.fixture(scope="session")
def sales_summary(
    sales_flow: Flow, ambitious: Scenario, ambitious_impact: Impact, sales_record: WorkshopRecord
) -> Summary:
    return build_summary(sales_flow, ambitious, ambitious_impact, sales_record)
