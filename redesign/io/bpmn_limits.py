"""Size limits for a BPMN file, checked on the bytes before any tree or model is built.

A flow holds at most `MAX_STEPS` steps (`redesign.model`). Finding that out by
building 20,000 steps and letting validation refuse the list took seconds and
hundreds of MB, and the message printed Python internals. Here the file's bytes
are scanned for activity and gateway start tags (a C-speed regular expression);
only when that upper bound is over the limit are the elements counted exactly,
with a streaming parse that stops at the first one over the limit and names its
line. Sizes are said in the units people read: MiB is 2^20 bytes.
"""

from __future__ import annotations

import io
import re

from lxml import etree

from redesign.io.sizes import size_text
from redesign.model import MAX_HANDOFFS, MAX_STEPS, Problem
from redesign.validation import FlowInvalid

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_BPMN_BYTES = 20 * 1024 * 1024
"""Largest BPMN file read (the same 20 MiB as every import); real process maps are a few hundred kB."""

ACTIVITIES = (
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "scriptTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
)
DECIDING_GATEWAYS = ("exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
_START_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:" + b"|".join(t.encode() for t in ACTIVITIES + DECIDING_GATEWAYS) + rb")[\s/>]"
)


def _fail(message: str, location: str = "") -> FlowInvalid:
    return FlowInvalid([Problem(location=location, message=message)])


def _first_over_limit(data: bytes) -> tuple[int, int | None]:
    """Exact count of the activities and named deciding gateways, stopping at the first over the limit."""
    tags = [f"{{{MODEL_NS}}}{t}" for t in ACTIVITIES + DECIDING_GATEWAYS]
    count = 0
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        for _event, element in events:
            local = element.tag.rsplit("}", 1)[-1]
            if local in DECIDING_GATEWAYS and not (element.get("name") or "").strip():
                continue  # an unnamed gateway is collapsed, not a step
            count += 1
            if count > MAX_STEPS:
                return count, element.sourceline
    except etree.XMLSyntaxError:
        pass  # the parse proper words the syntax error
    return count, None


def check_limits(data: bytes) -> None:
    """Refuse a file over the size or step limit, with a plain sentence; `data` is UTF-8."""
    if len(data) > MAX_BPMN_BYTES:
        raise _fail(f"the file is {size_text(len(data))}; the limit is {size_text(MAX_BPMN_BYTES)}")
    if len(data) < MAX_STEPS * len(b"<task/>"):
        return  # too short to hold more start tags than the limit, however tightly written
    if len(_START_TAG.findall(data)) <= MAX_STEPS:
        return  # an upper bound: comments or other namespaces can only add to it
    count, line = _first_over_limit(data)
    if line is not None:
        raise _fail(
            f"the file has more than {MAX_STEPS:,} tasks and named decisions (number {count:,} is on line {line:,}); "
            f"a Crossflow flow holds at most {MAX_STEPS:,} steps: split the process into smaller files",
            f"line {line}",
        )


def check_counts(steps: int, handoffs: int) -> None:
    """The same limits on what the reader made, before the flow model is built."""
    if steps > MAX_STEPS:
        raise _fail(
            f"the file gives {steps:,} steps; a Crossflow flow holds at most {MAX_STEPS:,}: "
            "split the process into smaller files"
        )
    if handoffs > MAX_HANDOFFS:
        raise _fail(
            f"the file gives {handoffs:,} hand-offs once gateways and events are followed through; "
            f"a Crossflow flow holds at most {MAX_HANDOFFS:,}: split the process into smaller files"
        )
