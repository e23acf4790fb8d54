"""Text renderings for people: figures with their rule ids."""

from __future__ import annotations

import pytest
from impact_flows import small_flow

from redesign.impact.assess import assess
from redesign.impact.compare import compare
from redesign.impact.suggest import suggest
from redesign.impact.text import to_text


def test_impact_text_names_hours_flags_and_rules() -> None:
    text = to_text(assess(small_flow(), "s"))
    assert text.startswith('Impact of "Small" on Small claims (hours per week)')
    assert "Hours: 40.0 h before, 29.5 h after, 10.5 h saved" in text
    assert "[econ_totals]" in text and "[gov_nist_disengage]" in text and "[inc_shared_handoff]" in text
    assert "Clerk [clerk]: 15.0 h -> 7.5 h" in text
    assert "does not move" in text


def test_blocked_impact_says_so() -> None:
    from redesign.model import Decision, Scenario, Tag

    flow = small_flow()
    steps = [s.model_copy(update={"high_risk_area": "annex3_5b", "decides_for_person": True}) if s.id == "approve"
             else s for s in flow.steps]  # fmt: skip
    flow = flow.model_copy(update={"steps": steps})
    text = to_text(assess(flow, Scenario(id="x", name="X", decisions=[Decision(step="approve", tag=Tag.AUTOMATE)])))
    assert "BLOCKED" in text and "Annex III point 5(b)" in text and "remedy:" in text


def test_suggestions_and_comparison_text() -> None:
    text = to_text(suggest(small_flow(), None))
    assert "Tag suggestions for Small claims (small)" in text and "[sug_" in text
    table = to_text(compare(small_flow()))
    assert "Scenarios for Small claims" in table and "Small" in table and "Clerk: as is 15.0; s 7.5" in table
    assert "no scenarios" in to_text(compare(small_flow(scenarios=[])))


def test_unknown_result_type() -> None:
    with pytest.raises(TypeError, match="no text rendering for int"):
        to_text(3)
