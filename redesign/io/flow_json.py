"""The native, versioned JSON file format of a flow.

Saving is canonical (keys in model order, defaults left out, two-space indent,
trailing newline), so ``save(load(text)) == text`` for any file Crossflow wrote and
``load(save(flow)) == flow`` for any flow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from redesign.model import SCHEMA_VERSION, Flow, Problem
from redesign.validation import FlowInvalid, parse_flow

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest flow file read: generous for a 10,000-step flow, small enough to refuse junk."""


def flow_to_dict(flow: Flow) -> dict[str, Any]:
    body = flow.model_dump(mode="json", exclude_defaults=True)
    body.pop("schema_version", None)
    return {"schema_version": SCHEMA_VERSION, **body}


def dumps(flow: Flow) -> str:
    return json.dumps(flow_to_dict(flow), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def decode_json(data: bytes | str, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Parse JSON text or bytes, turning every failure into a `FlowInvalid` line."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > max_bytes:
        raise FlowInvalid(
            [Problem(location="", message=f"the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")]
        )
    if isinstance(data, bytes):
        if not data.strip():
            raise FlowInvalid([Problem(location="", message="the file is empty")])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FlowInvalid(
                [Problem(location="", message=f"not a text file (byte {exc.start} is not UTF-8); expected JSON")]
            ) from exc
    if not data.strip():
        raise FlowInvalid([Problem(location="", message="the file is empty")])
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise FlowInvalid(
            [Problem(location=f"line {exc.lineno}, column {exc.colno}", message=f"not valid JSON: {exc.msg}")]
        ) from exc
    except RecursionError:
        # from None on purpose: the RecursionError's traceback is a thousand frames that say nothing more.
        raise FlowInvalid([Problem(location="", message="not valid JSON: nested too deeply")]) from None


def loads(data: bytes | str) -> Flow:
    """Parse and validate a flow; raises `FlowInvalid` with every problem."""
    return parse_flow(decode_json(data))


def read_flow(path: str | Path) -> Flow:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FlowInvalid(
                [
                    Problem(
                        location="",
                        message=f"the file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB",
                    )
                ]
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FlowInvalid([Problem(location="", message=f"cannot read the file: {exc.strerror or exc}")]) from exc
    return loads(data)


def write_flow(flow: Flow, path: str | Path) -> None:
    Path(path).write_text(dumps(flow), encoding="utf-8")
