"""Parse untrusted XML safely and fast, and say plainly why a file cannot be read.

Files come from other tools and from uploads, so nothing here expands entities,
reads a document type declaration or fetches anything: a file that declares a
DTD or an entity (the "billion laughs" expansion, external entities) is refused
with a sentence saying why, by defusedxml. BPMN never needs any of them.

Reading takes three steps:

1. **Bytes to UTF-8** (`redesign.io.xml_encoding`): the declared encoding is
   checked; a file that says UTF-8 but holds a windows-1252 byte is read as
   windows-1252 with a note naming the byte and where it is.
2. **Checks before the tree is built**: any ``<!DOCTYPE`` or ``<!ENTITY`` sends
   the file to defusedxml, which refuses it; the caller's ``check`` (the BPMN
   size limits) runs on the bytes.
3. **The tree**, built by lxml (libxml2, in C: several times faster than
   ElementTree with a Python target) with entity resolution, DTD loading and
   network access off. Each element knows its line (``sourceline``).

When lxml refuses a file, the file is parsed again with defusedxml's expat
parser only to word the message: expat's reasons ("mismatched tag") are plainer
than libxml2's, and a file that ends early is named as cut off, with the line and
column where it stops and the element left open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError, TreeBuilder
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser
from lxml import etree

from redesign.io.xml_encoding import position_of, to_utf8
from redesign.model import Problem
from redesign.validation import FlowInvalid

_ATTACK = "XML of this kind is how entity-expansion and external-entity attacks work, so the file is refused"
# expat's error codes for input that stops before the document is complete.
_CUT_OFF = {
    expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
    expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
    expat.errors.codes[expat.errors.XML_ERROR_PARTIAL_CHAR],
    expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
}

XmlElement = etree._Element
"""The element type of a parsed document (lxml's, with ``sourceline``)."""


@dataclass
class XmlDocument:
    """A parsed document: its root element and what reading it had to assume."""

    root: Any  # an lxml element; typed loosely because lxml's stubs are not installed
    notes: list[str] = field(default_factory=list)

    def line(self, element: Any) -> int | None:
        return getattr(element, "sourceline", None)


_parsers = threading.local()


def _lxml_parser() -> etree.XMLParser:
    """One parser per thread (lxml parsers are not shared between threads), made once."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        _parsers.parser = parser
    return parser


def _fail(message: str, location: str = "") -> FlowInvalid:
    return FlowInvalid([Problem(location=location, message=message)])


class _OpenElements:
    """Builds the tree like ElementTree does, keeping the elements still open (to name where a file is cut off)."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.open: list[tuple[str, dict[str, str]]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> Any:
        self.open.append((tag, attrib))
        return self.builder.start(tag, attrib)

    def end(self, tag: str) -> Any:
        if self.open:
            self.open.pop()
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Any:
        return self.builder.close()


def _describe(tag: str, attrib: dict[str, str]) -> str:
    local = tag.rsplit("}", 1)[-1]
    label = attrib.get("name") or attrib.get("id")
    return f'<{local}> "{label}"' if label else f"<{local}>"


def _cut_off(data: bytes, target: _OpenElements) -> FlowInvalid:
    line, column = position_of(data, max(len(data.rstrip()) - 1, 0))  # the last character
    inside = f", inside {_describe(*target.open[-1])}" if target.open else ""
    return _fail(
        f"the file is cut off: it ends before the XML is complete{inside}; "
        "it may not have been saved or downloaded completely",
        f"line {line}, column {column}",
    )


def _expat_problem(data: bytes) -> FlowInvalid | None:
    """defusedxml's verdict on the bytes: the refusal or syntax error, None if it reads them."""
    target = _OpenElements()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    at_end = False
    try:
        parser.feed(data)
        at_end = True  # expat only notices a missing end once it is told there is no more input
        parser.close()
    except DTDForbidden:
        return _fail(f"the file has a document type declaration (<!DOCTYPE ...>), which BPMN never needs; {_ATTACK}")
    except EntitiesForbidden as exc:
        return _fail(f'the file declares the XML entity "{exc.name}"; {_ATTACK}')
    except ExternalReferenceForbidden:
        return _fail(f"the file refers to an external entity; {_ATTACK}")
    except ParseError as exc:
        if at_end and exc.code in _CUT_OFF:
            return _cut_off(data, target)
        line, column = exc.position if exc.position else (0, 0)
        reason = str(exc).split(": line ")[0]
        return _fail(f"not well-formed XML: {reason}", f"line {line}, column {column + 1}")
    except (LookupError, ValueError) as exc:
        return _fail(f"cannot read the XML: {exc}")
    except RecursionError:
        return _fail("the XML is nested too deeply")
    return None


def _lxml_problem(exc: etree.XMLSyntaxError) -> FlowInvalid:
    line, column = exc.position if exc.position else (0, 0)
    if "Excessive depth" in (exc.msg or ""):
        return _fail("the XML is nested too deeply (more than 256 levels)", f"line {line}")
    reason = (exc.msg or "").split(", line ")[0]
    return _fail(f"cannot read the XML: {reason}", f"line {line}, column {column}")


def parse_xml(data: bytes, check: Callable[[bytes], None] | None = None) -> XmlDocument:
    """Parse XML bytes (any encoding the file declares; a byte-order mark is fine).

    ``check`` runs on the bytes (as UTF-8) before the tree is built, so a file over
    a limit is refused without building anything. Raises `FlowInvalid` for an empty
    file, broken or cut-off XML (naming the line), any DTD, entity declaration or
    external reference, and bytes that do not fit the declared encoding.
    """
    if not data.strip():
        raise _fail("the file is empty")
    utf8, notes = to_utf8(data)
    if b"<!DOCTYPE" in utf8 or b"<!ENTITY" in utf8:
        problem = _expat_problem(utf8)
        raise problem or _fail(f"the file declares a document type or an entity; {_ATTACK}")
    if check is not None:
        check(utf8)
    try:
        root = etree.fromstring(utf8, _lxml_parser())
    except etree.XMLSyntaxError as exc:
        raise (_expat_problem(utf8) or _lxml_problem(exc)) from exc
    if root.getroottree().docinfo.internalDTD is not None:  # belt and braces: the scan above excludes it
        raise _fail(f"the file has a document type declaration (<!DOCTYPE ...>), which BPMN never needs; {_ATTACK}")
    return XmlDocument(root=root, notes=notes)
