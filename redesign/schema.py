"""The published JSON Schema of the flow file format, generated from the models.

`redesign/flow.schema.json` is the shipped copy; a test regenerates it and fails
when the models changed without it (fix: ``python -m redesign schema > redesign/flow.schema.json``).
"""

from __future__ import annotations

from typing import Any

from redesign.model import SCHEMA_VERSION, Flow

SCHEMA_ID = f"https://crossflow.dev/schema/flow-v{SCHEMA_VERSION}.json"


def flow_json_schema() -> dict[str, Any]:
    schema = Flow.model_json_schema(mode="validation")
    schema["properties"]["schema_version"] = {
        "const": SCHEMA_VERSION,
        "description": "Version of the Crossflow flow format; newer files need a newer Crossflow.",
    }
    required = schema.setdefault("required", [])
    if "schema_version" not in required:
        required.insert(0, "schema_version")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
