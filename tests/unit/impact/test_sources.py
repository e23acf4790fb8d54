"""Every source Crossflow shows can be opened by a reader: a published reference or a file of this repository.

Fails on any cited repository file or anchor that does not exist, and on citations of
notes that are not in the repository (research notes, DESIGN.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from redesign.impact.assess import assess
from redesign.impact.catalog import catalog
from redesign.impact.regulated import vocabulary
from redesign.samples import load_sample, sample_ids

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "redesign" / "impact" / "catalog"
#: A path inside this repository, optionally with an anchor: docs/methodology.md#regulated-uses
REPO_PATH = re.compile(r"(?<![\w/.:-])((?:docs|redesign|scripts|bench|tests)/[\w./-]+\.(?:md|py|json))(#[\w-]+)?")
NOT_IN_REPO = re.compile(r"frameworks\.md|DESIGN\.md|research/|streamlit\.md", re.IGNORECASE)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@cache
def _anchors(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(_slug(line.lstrip("#")) for line in lines if line.startswith("#"))


def problems_in(text: str) -> list[str]:
    found = [f"cites a note outside the repository: {m.group(0)!r}" for m in NOT_IN_REPO.finditer(text)]
    for m in REPO_PATH.finditer(text):
        path, anchor = ROOT / m.group(1), m.group(2)
        if not path.is_file():
            found.append(f"cites {m.group(1)}, which does not exist")
        elif anchor and anchor[1:] not in _anchors(path):
            found.append(f"cites {m.group(0)}, but {m.group(1)} has no heading with that anchor")
    return found


def _catalog_strings() -> Iterator[tuple[str, str]]:
    """(where, text) for every "source" string in the catalog files (what the product shows)."""

    def walk(node: object, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "source" and isinstance(value, str):
                    yield f"{where}/{key}", value
                else:
                    yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{where}[{i}]")

    for path in sorted(CATALOG.glob("*.json")):
        yield from walk(json.loads(path.read_text(encoding="utf-8")), path.name)


def test_the_checker_catches_missing_files_anchors_and_outside_notes() -> None:
    assert problems_in("see docs/methodology.md#regulated-uses") == []
    assert problems_in("see docs/methodology.md#no-such-section")
    assert problems_in("see docs/nowhere.md")
    assert problems_in("research/frameworks.md 2.4")
    assert problems_in("Crossflow DESIGN.md 4")
    assert problems_in("Regulation (EU) 2024/1689, https://eur-lex.europa.eu/eli/reg/2024/1689/oj") == []


@pytest.mark.parametrize(("where", "text"), list(_catalog_strings()))
def test_catalog_sources_can_be_opened(where: str, text: str) -> None:
    assert problems_in(text) == [], where


def test_every_catalog_rule_names_a_source() -> None:
    for rule_id, ref in catalog().sources.items():
        assert ref.source.strip(), rule_id


@pytest.mark.parametrize("sample", sample_ids())
def test_sources_in_the_analysis_output_can_be_opened(sample: str) -> None:
    flow = load_sample(sample)
    for scenario in flow.scenarios:
        impact = assess(flow, scenario.id)
        for item in impact.items():
            assert problems_in(item.reason.source) == [], (sample, item.reason.rule)
            assert problems_in(item.reason.text) == [], (sample, item.reason.rule)


def test_regulated_use_vocabularies_cite_published_sources() -> None:
    v = vocabulary()
    for text in (
        v.person_source,
        v.organisation_source,
        v.decision_source,
        v.rules_based_source,
        *[r.source for r in v.rules],
    ):
        assert problems_in(text) == [] and "https://" in text


def test_methodology_has_the_stable_headings_the_product_cites() -> None:
    anchors = _anchors(ROOT / "docs" / "methodology.md")
    for anchor in ("flow-metrics", "tag-suggestions-and-evidence", "regulated-uses", "governance-flags", "sources"):
        assert anchor in anchors


def test_the_flow_schema_cites_nothing_outside_the_repository() -> None:
    assert problems_in((ROOT / "redesign" / "flow.schema.json").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", sorted(CATALOG.glob("*.json")), ids=lambda p: p.name)
def test_catalog_notes_cite_nothing_outside_the_repository(path: Path) -> None:
    """The ``_about`` notes are read by whoever edits a catalog: they too must point at something they can open."""
    data = json.loads(path.read_text(encoding="utf-8"))
    about = data.get("_about", "") if isinstance(data, dict) else ""
    assert problems_in(about) == [], path.name


@pytest.mark.parametrize("path", sorted((ROOT / "redesign" / "impact").glob("*.py")), ids=lambda p: p.name)
def test_impact_modules_cite_nothing_outside_the_repository(path: Path) -> None:
    assert problems_in(path.read_text(encoding="utf-8")) == [], path.name
