"""An export reads the same O*NET evidence as the Impact page, and says which evidence it read."""

from __future__ import annotations

import pytest

from redesign.impact import exposure
from redesign.impact.assess import assess
from redesign.impact.compare import compare
from redesign.impact.regulated import detect, matched_tasks
from redesign.impact.suggest import suggest
from redesign.impact.task_basis import MATCHED_TEXT, task_basis
from redesign.impact.text import to_text
from redesign.report.exports import export, summarize
from redesign.report.markdown import esc
from tests.unit.impact.test_task_basis import CreditMatcher, bare_credit_flow


def _page(flow):  # type: ignore[no-untyped-def]
    """What the Impact page shows: detections and flags from the tasks matched by the step suggestions
    (redesign/ui/components/detections.py and redesign/ui/resources.py `_impact`)."""
    tasks = matched_tasks(suggest(flow).items)
    detections = {(d.step, d.rule) for d in detect(flow, tasks) if d.status == "open"}
    return detections, assess(flow, "auto", tasks)


def test_an_export_flags_what_the_impact_page_detects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exposure, "default_index", lambda: CreditMatcher())
    flow = bare_credit_flow()
    detections, page = _page(flow)
    assert detections, "the matched O*NET task is the only evidence of a credit decision here"
    summary = summarize(flow, "auto")
    assert [(f.rule, f.message) for f in page.governance] == [(f.rule, f.message) for f in summary.governance]
    confirm = [f.message for f in page.governance if f.rule.startswith("gov_confirm_")]
    assert confirm
    md = export(flow, "md", "auto").data.decode("utf-8")
    assert esc(confirm[0]) in md and esc(MATCHED_TEXT) in md  # as the Markdown writes them
    # Without the matched tasks the same flow flags nothing to confirm: the tasks decide it.
    assert not [f for f in assess(flow, "auto").governance if f.rule.startswith("gov_confirm_")]


def test_an_export_of_a_flow_too_big_to_match_now_says_it_read_words_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exposure, "default_index", lambda: CreditMatcher(waiting=12_000))
    flow = bare_credit_flow()
    md = export(flow, "md", "auto").data.decode("utf-8")
    assert "read the flow's words only" in md and "12,000 step texts" in md
    summary = summarize(flow, "auto")
    assert any("words only" in n for n in summary.notes)
    assert not [f for f in summary.governance if f.rule.startswith("gov_confirm_")]  # words alone: nothing to confirm


def test_comparing_scenarios_reads_the_same_evidence_as_the_impact_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's `compare` (and `compare` with a task basis) counts the flags the Impact page shows."""
    monkeypatch.setattr(exposure, "default_index", lambda: CreditMatcher())
    flow = bare_credit_flow()
    _, page = _page(flow)
    basis = task_basis(flow)
    compared = compare(flow, ["auto"], tasks=basis.tasks, evidence=basis.text)
    (row,) = compared.scenarios
    severities = [f.severity for f in page.governance]
    assert (row.block, row.warn, row.info) == tuple(severities.count(s) for s in ("BLOCK", "WARN", "INFO"))
    assert [f.rule for f in compared.impacts[0].governance] == [f.rule for f in page.governance]
    assert f"note: {MATCHED_TEXT}" in to_text(compared)
    # Without the matched tasks the flags differ: the evidence is what the comparison reads.
    words_only = compare(flow, ["auto"]).impacts[0]
    assert [f.rule for f in words_only.governance] != [f.rule for f in page.governance]
