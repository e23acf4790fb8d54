"""Turn any parsed document into a valid `Flow`, or into every problem it has.

Problems are plain sentences with a location such as ``handoffs[3].target``, so a
facilitator can fix a file without reading a stack trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from redesign.model import SCHEMA_VERSION, Flow, Problem, reference_problems


class FlowInvalid(ValueError):
    """Raised with every problem found; ``str()`` gives one problem per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_location(loc: tuple[int | str, ...]) -> str:
    """``("steps", 3, "touch_minutes")`` -> ``steps[3].touch_minutes``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_MESSAGES: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a known field (check the spelling)",
    "string_too_short": "must not be empty",
}


def pydantic_problems(error: ValidationError) -> list[Problem]:
    """One plain problem per pydantic error, keeping its location."""
    problems: list[Problem] = []
    for err in error.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = err["type"]
        message = _MESSAGES.get(kind)
        if message is None:
            message = err["msg"][0].lower() + err["msg"][1:]
            if "input" in err and kind not in ("model_type", "list_type", "dict_type"):
                message += f" (got {_short(err['input'])})"
        problems.append(Problem(location=format_location(loc), message=message))
    return problems


def schema_version_problem(doc: Mapping[str, Any]) -> Problem | None:
    version = doc.get("schema_version")
    if version is None:
        return Problem(
            location="schema_version",
            message=f'is missing; a Crossflow flow file starts with "schema_version": {SCHEMA_VERSION}',
        )
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return Problem(
            location="schema_version",
            message=f"{_short(version)} is not a schema version this program knows (expected {SCHEMA_VERSION})",
        )
    if version > SCHEMA_VERSION:
        return Problem(
            location="schema_version",
            message=(
                f"this file was written by a newer Crossflow (schema version {version}); "
                f"this one reads up to version {SCHEMA_VERSION}: upgrade Crossflow to open it"
            ),
        )
    return None


def check_flow(doc: Any) -> tuple[Flow | None, list[Problem]]:
    """Validate a parsed document; returns the flow (when valid) and all problems."""
    if not isinstance(doc, Mapping):
        kind = type(doc).__name__ if doc is not None else "null"
        return None, [Problem(location="", message=f"expected a JSON object with a flow, got {kind}")]
    version_problem = schema_version_problem(doc)
    version = doc.get("schema_version")
    if version_problem and isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        # A newer format may mean anything: do not guess at the rest.
        return None, [version_problem]
    problems: list[Problem] = [version_problem] if version_problem else []
    flow: Flow | None = None
    try:
        flow = Flow.model_validate(dict(doc))
    except ValidationError as exc:
        problems.extend(p for p in pydantic_problems(exc) if p.location != "schema_version")
    problems.extend(reference_problems(doc))
    return (flow if not problems else None), problems


def parse_flow(doc: Any) -> Flow:
    """Like `check_flow` but raises `FlowInvalid` listing every problem."""
    flow, problems = check_flow(doc)
    if problems or flow is None:
        raise FlowInvalid(problems)
    return flow


def validate_flow(flow: Flow) -> list[Problem]:
    """Problems of a flow built in code (field rules already hold for a model)."""
    return flow.problems()
