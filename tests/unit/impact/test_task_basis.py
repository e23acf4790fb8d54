"""Which O*NET evidence an assessment outside the Impact page reads, and the note that says so."""

from __future__ import annotations

from collections.abc import Iterable

from redesign.impact.assess import assess
from redesign.impact.exposure import ExposurePrior, TaskMatch
from redesign.impact.regulated import detect, matched_tasks
from redesign.impact.suggest import suggest
from redesign.impact.task_basis import MATCHED_TEXT, assess_with, task_basis
from redesign.model import Decision, Flow, Scenario, Tag
from tests.unit.impact import regulated_flows as rf

CREDIT_TASK = ("13-2041.00", "Credit Analysts", "Analyze credit data and financial statements of individuals")


class CreditMatcher:
    """A stand-in for the sentence model: every step matches one credit analysts' task; ``waiting`` texts to encode."""

    uses_context = False

    def __init__(self, waiting: int = 0) -> None:
        self.waiting = waiting
        self.asked: list[str] = []

    def pending(self, texts: Iterable[str]) -> int:
        self.asked = list(texts)
        return self.waiting

    def prior(self, text: str, k: int = 5) -> ExposurePrior:
        soc, occupation, task = CREDIT_TASK
        match = TaskMatch(
            soc=soc,
            occupation=occupation,
            task=task,
            similarity=0.8,
            human_exposure="E1",
            gpt4_exposure="E1",
            gpt4_automation="T2",
            beta=1.0,
            gpt4_beta=1.0,
        )
        return ExposurePrior(label="E1", score=0.5, confidence=0.6, matches=[match], explanation="stand-in")


def bare_credit_flow() -> Flow:
    """A step whose own words name no credit domain: only its matched O*NET task says it is credit scoring."""
    flow = rf.unclear_credit()
    return flow.model_copy(
        update={
            "name": "Files",
            "steps": [s.model_copy(update={"name": "Score the file"}) for s in flow.steps[:1]],
            "handoffs": [],
            "scenarios": [Scenario(id="auto", name="Automate", decisions=[Decision(step="score", tag=Tag.AUTOMATE)])],
        }
    )


def test_a_small_flow_is_matched_as_the_impact_page_matches_it() -> None:
    flow = bare_credit_flow()
    matcher = CreditMatcher()
    basis = task_basis(flow, matcher)
    assert basis.matched and basis.text == MATCHED_TEXT
    assert basis.tasks == matched_tasks(suggest(flow, matcher).items) == {"score": [CREDIT_TASK]}
    assert matcher.asked == ["Score the file"]  # the texts the matcher would encode were counted first


def test_a_flow_with_too_many_texts_to_encode_reads_its_words_and_says_so() -> None:
    flow = bare_credit_flow()
    basis = task_basis(flow, CreditMatcher(waiting=5_000), limit=400)
    assert not basis.matched and basis.tasks is None and basis.to_match == 5_000
    assert "words only" in basis.text and "5,000 step texts" in basis.text
    impact = assess_with(flow, "auto", basis)
    assert impact.notes[-1].kind == "task_evidence_words_only" and impact.notes[-1].text == basis.text
    assert impact.notes[-1].reason.source.startswith("docs/methodology.md#regulated-uses")


def test_no_index_reads_the_words_and_says_so() -> None:
    basis = task_basis(bare_credit_flow(), None)
    assert basis.tasks is None and "no O*NET task index" in basis.text


def test_assess_with_the_basis_is_assess_with_its_tasks_plus_the_note() -> None:
    flow = bare_credit_flow()
    basis = task_basis(flow, CreditMatcher())
    impact = assess_with(flow, "auto", basis)
    plain = assess(flow, "auto", basis.tasks)
    assert impact.notes[:-1] == plain.notes and impact.notes[-1].kind == "task_evidence"
    assert impact.governance == plain.governance and impact.after_flow is not None
    # The matched task is what makes the detection: the words alone flag nothing to confirm.
    assert {d.rule for d in detect(flow, basis.tasks) if d.status == "open"}
    assert not [d for d in detect(flow) if d.area == "annex3_5b"]
    confirm = {f.rule for f in impact.governance if f.rule.startswith("gov_confirm_")}
    assert confirm and not {f.rule for f in assess(flow, "auto").governance if f.rule.startswith("gov_confirm_")}
