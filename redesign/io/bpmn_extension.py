"""BPMN 2.0 names and the Crossflow extension that rides inside `extensionElements`.

BPMN has no place for volumes, minutes, %C&A, tags or scenario decisions, so the
export writes them as elements of our own namespace (prefix ``cf``) inside each
element's ``<bpmn:extensionElements>``; other tools keep such elements untouched
(bpmn-moddle reads them as generic elements without warnings).

The encoding is generic so the model can grow without touching it: a model dump
(JSON mode, defaults left out) becomes one element whose attributes are the
scalar fields, with ``<cf:value field="name">`` children for lists of strings and
``<cf:object _field="name" ...>`` children for nested objects (the underscore
keeps the marker apart from the object's own attributes). Decoding gives the
dict back with every scalar as a string; pydantic's validation turns "120.5" and
"true" back into numbers and booleans.

Elements:
- ``cf:flow`` (on the process): the flow's id and settings;
  ``cf:role``, ``cf:scenario`` (on the process): roles and scenarios;
- ``cf:function`` (on a lane): the function's id and colour;
- ``cf:step`` (on a task), ``cf:decision`` (on a task, one per scenario);
- ``cf:handoff`` (on a sequence flow); ``cf:data`` (on a data object).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from redesign.io.mojibake import repair_mojibake
from redesign.model import MAX_NAME

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CF_NS = "https://crossflow.dev/schema/bpmn"

PREFIXES = {"bpmn": MODEL_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "cf": CF_NS}

_SPACE = re.compile(r"\s+")
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def bpmn(local: str) -> str:
    return f"{{{MODEL_NS}}}{local}"


def cf(local: str) -> str:
    return f"{{{CF_NS}}}{local}"


def local_name(tag: Any) -> str:
    """``{ns}userTask`` -> ``userTask`` (comments and processing instructions -> "")."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: Any) -> str:
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def clean_name(raw: str | None) -> str:
    """Collapse line breaks and runs of spaces (BPMN labels wrap with newlines), undo mojibake."""
    return repair_mojibake(_SPACE.sub(" ", raw or "").strip())[:MAX_NAME]


def xml_safe(text: str) -> str:
    """Drop characters that XML 1.0 cannot represent, so the export stays parseable."""
    return _NOT_XML.sub("", text)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_safe(str(value))


def encode(parent: Element, local: str, data: Mapping[str, Any]) -> Element:
    """Append ``<cf:local>`` carrying ``data`` (a JSON-mode model dump) to ``parent``."""
    element = SubElement(parent, cf(local))
    _fill(element, data)
    return element


def _fill(element: Element, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            child = SubElement(element, cf("object"), {"_field": key})
            _fill(child, value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    child = SubElement(element, cf("object"), {"_field": key, "_item": "true"})
                    _fill(child, item)
                else:
                    SubElement(element, cf("value"), {"field": key}).text = _scalar(item)
        else:
            element.set(key, _scalar(value))


def decode(element: Element) -> dict[str, Any]:
    """The dict `encode` wrote; lists keep their order, scalars come back as strings."""
    data: dict[str, Any] = dict(element.attrib)
    data.pop("_field", None)
    data.pop("_item", None)
    for child in element:
        kind = local_name(child.tag)
        if kind == "value" and child.get("field"):
            data.setdefault(child.get("field", ""), []).append(child.text or "")
        elif kind == "object" and child.get("_field"):
            body = decode(child)
            if child.get("_item") == "true":
                data.setdefault(child.get("_field", ""), []).append(body)
            else:
                data[child.get("_field", "")] = body
    return data


def extension(element: Element, local: str) -> list[Element]:
    """The ``cf:<local>`` elements in ``element``'s extensionElements."""
    found: list[Element] = []
    for ext in element.findall(bpmn("extensionElements")):
        found.extend(ext.findall(cf(local)))
    return found
