"""The engine's read-once lookups say what the catalog and the scenario say."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redesign.impact.catalog import catalog
from redesign.impact.economics import effort_values
from redesign.impact.scenario_view import ScenarioView
from redesign.impact.suggest import _Limits, _limits, _rated
from redesign.samples import load_sample, sample_ids


def test_tag_of_is_the_tag_of_every_step() -> None:
    for sid in sample_ids():
        flow = load_sample(sid)
        for scenario in [None, *flow.scenarios]:
            view = ScenarioView(flow, scenario)
            assert list(view.tag_of) == [s.id for s in flow.steps]
            assert all(view.tag_of[s.id] is view.tag(s.id) for s in flow.steps)


def test_effort_values_are_the_catalogs() -> None:
    effort = catalog().effort
    assert effort_values() == {p.id: effort.value(p.id) for p in effort.parameters}


def test_suggest_limits_are_the_rules_thresholds() -> None:
    rules, limits = catalog().suggest, _limits()
    expected = {
        "automate_min_rules": ("sug_automate", "min_rules"),
        "automate_min_exposure": ("sug_automate", "min_exposure"),
        "automate_min_feasibility": ("sug_automate", "min_feasibility"),
        "automate_max_human_advantage": ("sug_automate", "max_human_advantage"),
        "automate_max_error_cost": ("sug_automate", "max_error_cost"),
        "human_max_exposure": ("sug_human", "max_exposure"),
        "human_min_human_advantage": ("sug_human", "min_human_advantage"),
        "human_max_feasibility": ("sug_human", "max_feasibility"),
        "aug_min_feasibility": ("sug_augment", "min_feasibility"),
        "aug_min_exposure": ("sug_augment", "min_exposure"),
        "aug_min_human_advantage": ("sug_augment", "min_human_advantage"),
        "gate_max_error_cost": ("sug_gate_error_cost", "max_error_cost_for_automate"),
        "min_auditability": ("sug_auditability_log", "min_auditability"),
        "max_input_score": ("sug_low_input_quality", "max_input_score"),
    }
    assert set(expected) == set(_Limits.__slots__)
    for name, (rule, threshold) in expected.items():
        assert getattr(limits, name) == rules.rule(rule).threshold(threshold), name


_SCORE = st.one_of(st.none(), st.integers(1, 5), st.floats(0, 10, allow_nan=False))


@given(st.tuples(*[_SCORE] * 7))
def test_the_rated_brackets_are_written_as_each_score_alone(scores: tuple[float | None, ...]) -> None:
    # Cached per combination (3 and 3.0 share an entry): the text is the one written score by score.
    def shown(v: float | None) -> str:
        return "?" if v is None else f"{v:g}"

    r, d, s, q, j, p, c = scores
    neutral = "; unrated, so neutral 3"
    f_note = "" if any(x is not None for x in (r, d, s, q)) else neutral
    h_note = "" if any(x is not None for x in (j, p, c)) else neutral
    assert _rated(*scores, 3.0) == (
        f"R {shown(r)}, D {shown(d)}, S {shown(s)}, Q {shown(q)}{f_note}",
        f"J {shown(j)}, P {shown(p)}, C {shown(c)}{h_note}",
    )
