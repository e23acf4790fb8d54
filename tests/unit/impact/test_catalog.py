"""The catalog: every entry sourced, every rule id the engine names exists, ids as documented."""

from __future__ import annotations

import re
from pathlib import Path

from redesign.impact.catalog import catalog

ENGINE = Path(__file__).resolve().parents[3] / "redesign" / "impact"
RULE_ID = re.compile(r'"((?:gov|inc|skl|sug|econ|role|e2e|pilot|cmp|note|effort|augment|outcome)_[a-z0-9_]+)"')


def test_catalog_loads_once() -> None:
    assert catalog() is catalog()


def test_every_rule_has_a_source_and_a_text() -> None:
    for rule_id, ref in catalog().sources.items():
        assert ref.source.strip(), rule_id
        assert ref.text.strip(), rule_id


def test_every_rule_id_in_the_engine_is_in_the_catalog() -> None:
    named: set[str] = set()
    for path in ENGINE.glob("*.py"):
        if path.name == "exposure.py":
            continue
        named.update(RULE_ID.findall(path.read_text(encoding="utf-8")))
    # ids built at run time are listed in the catalog itself; the literal ones must resolve
    missing = sorted(n for n in named if n not in catalog().sources and not n.endswith("_"))
    assert missing == []


def test_high_risk_area_ids_follow_the_annex3_pattern_and_cite_the_point() -> None:
    areas = catalog().high_risk_areas
    for area_id, area in areas.items():
        assert re.fullmatch(r"annex3_[1-8][a-e]?", area_id), area_id
        number = area_id.removeprefix("annex3_")
        expected = f"Annex III point {number[0]}" + (f"({number[1]})" if len(number) > 1 else "")
        assert area.point == expected
    for needed in (
        "annex3_4a",
        "annex3_4b",
        "annex3_5a",
        "annex3_5b",
        "annex3_5c",
        "annex3_5d",
        "annex3_3a",
        "annex3_1a",
    ):
        assert needed in areas


def test_suggest_thresholds_are_data() -> None:
    rule = catalog().suggest.rule("sug_automate")
    assert (rule.threshold("min_feasibility"), rule.threshold("max_human_advantage")) == (4.0, 2.0)
    assert catalog().suggest.scales.exposure_x == {"E0": 0.0, "E1": 1.0, "E2": 0.5}
