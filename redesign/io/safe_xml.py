"""Parse untrusted XML safely and remember the line each element starts on.

Files come from other tools and from uploads, so the parser refuses the classic
XML attacks (defusedxml): document type declarations, entity declarations (the
"billion laughs" expansion) and external entities. BPMN never needs any of them,
so refusing the whole file is safe and the message says why.

Every failure becomes a `FlowInvalid` with a plain sentence, never a traceback;
syntax errors name the line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from redesign.model import Problem
from redesign.validation import FlowInvalid

_ATTACK = "XML of this kind is how entity-expansion and external-entity attacks work, so the file is refused"


@dataclass
class XmlDocument:
    """A parsed document: its root element and the line each element starts on."""

    root: Element
    lines: dict[Element, int] = field(default_factory=dict)

    def line(self, element: Element) -> int | None:
        return self.lines.get(element)


class _LineTarget:
    """Builds the tree like ElementTree does, noting expat's line for each start tag."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.lines: dict[Element, int] = {}
        self.expat: Any = None

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        element = self.builder.start(tag, attrib)
        if self.expat is not None:
            self.lines[element] = self.expat.CurrentLineNumber
        return element

    def end(self, tag: str) -> Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Element:
        return self.builder.close()


def _fail(message: str, location: str = "") -> FlowInvalid:
    return FlowInvalid([Problem(location=location, message=message)])


def _syntax_problem(exc: ParseError, data: bytes) -> FlowInvalid:
    line, column = exc.position if exc.position else (0, 0)
    reason = str(exc).split(": line ")[0]
    message = f"not well-formed XML: {reason}"
    if "invalid token" in reason and not _is_utf8(data) and b"encoding=" not in data[:200]:
        message += " (the file may be saved in another encoding than the UTF-8 it implies)"
    return _fail(message, f"line {line}, column {column + 1}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_xml(data: bytes) -> XmlDocument:
    """Parse XML bytes (any encoding the file declares; a byte-order mark is fine).

    Raises `FlowInvalid` for an empty file, broken XML (naming the line) and any
    DTD, entity declaration or external reference.
    """
    if not data.strip():
        raise _fail("the file is empty")
    target = _LineTarget()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden:
        raise _fail(
            f"the file has a document type declaration (<!DOCTYPE ...>), which BPMN never needs; {_ATTACK}"
        ) from None
    except EntitiesForbidden as exc:
        raise _fail(f'the file declares the XML entity "{exc.name}"; {_ATTACK}') from None
    except ExternalReferenceForbidden:
        raise _fail(f"the file refers to an external entity; {_ATTACK}") from None
    except ParseError as exc:
        raise _syntax_problem(exc, data) from None
    except (LookupError, ValueError) as exc:  # e.g. an encoding name expat cannot map
        raise _fail(f"cannot read the XML: {exc}") from None
    except RecursionError:
        raise _fail("the XML is nested too deeply") from None
    return XmlDocument(root=root, lines=target.lines)
