"""The shipped JSON Schema stays in sync with the models."""

from __future__ import annotations

import json
from pathlib import Path

from redesign.schema import flow_json_schema

SHIPPED = Path(__file__).resolve().parents[2] / "redesign" / "flow.schema.json"


def test_shipped_schema_matches_the_models() -> None:
    shipped = json.loads(SHIPPED.read_text())
    assert shipped == flow_json_schema(), "regenerate: python -m redesign schema > redesign/flow.schema.json"


def test_schema_requires_the_version() -> None:
    schema = flow_json_schema()
    assert schema["required"][0] == "schema_version"
    assert schema["properties"]["schema_version"] == {
        "const": 1,
        "description": "Version of the Crossflow flow format; newer files need a newer Crossflow.",
    }
