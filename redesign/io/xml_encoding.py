"""Bring an XML file's bytes to UTF-8, naming any byte that does not fit its encoding.

A file that declares UTF-8 (or declares nothing, which means UTF-8) but was saved
by a Windows tool in windows-1252 holds bytes such as 0xE4 ("ä") that are not
UTF-8. Instead of the parser's "not well-formed (invalid token)", the byte, its
line and column and the likely encoding are named; when the whole file decodes
cleanly as windows-1252 it is read that way, with a note to check the accents.

Other declared encodings (ISO-8859-x, windows-125x, UTF-16, ...) are decoded by
Python's codecs and handed on as UTF-8, so the parser only ever sees UTF-8.
"""

from __future__ import annotations

import codecs
import re

from redesign.model import Problem
from redesign.validation import FlowInvalid

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_DECLARED_ENCODING = re.compile(r"(^\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2")
_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF16_LE, "utf-16"),
)
_UTF8_NAMES = {"utf-8", "utf8"}


def position_of(data: bytes, offset: int) -> tuple[int, int]:
    """(line, column), both from 1, of a byte offset; the column counts bytes."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def _fail(message: str, location: str = "") -> FlowInvalid:
    return FlowInvalid([Problem(location=location, message=message)])


def _sniff(data: bytes) -> tuple[str | None, bytes]:
    """(encoding implied by a byte-order mark or a UTF-16 layout, or None; the bytes after the mark)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, data if name != "utf-8-sig" else data[len(bom) :]
    if data.startswith(b"\x00<\x00?"):
        return "utf-16-be", data
    if data.startswith(b"<\x00?\x00"):
        return "utf-16-le", data
    return None, data


def _declared(data: bytes) -> str | None:
    match = _DECLARATION.match(data[:400])
    return match.group(1).decode("ascii").lower() if match else None


def _as_utf8(text: str) -> bytes:
    """Text -> UTF-8 bytes whose declaration (if any) says UTF-8."""
    return _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text, count=1).encode("utf-8")


def _bad_byte(data: bytes, exc: UnicodeDecodeError) -> tuple[int, int, int]:
    """(the byte, its line, its column)."""
    line, column = position_of(data, exc.start)
    return data[exc.start], line, column


def _cp1252_for_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a byte that is not UTF-8 is read as windows-1252 (or stays an error)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("cp1252"), exc.end


codecs.register_error("crossflow-cp1252", _cp1252_for_bad_bytes)


def _first_not_windows_1252(data: bytes) -> int:
    """Offset of the first byte that is neither part of valid UTF-8 nor a windows-1252 character."""
    view, offset = memoryview(data), 0
    while True:
        try:
            codecs.utf_8_decode(view[offset:], "strict", True)  # a view: no copy per step
            return max(min(offset, len(data) - 1), 0)  # not reached when the caller's decode failed
        except UnicodeDecodeError as exc:
            start, offset = offset + exc.start, offset + exc.end
            try:
                data[start:offset].decode("cp1252")
            except UnicodeDecodeError:
                return start


def _from_declared_utf8(data: bytes, declared: str | None) -> tuple[bytes, list[str]]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte, line, column = _bad_byte(data, exc)
        said = "says it is UTF-8" if declared else "declares no encoding, which means UTF-8"
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            raise _fail(
                "the file is cut off: it ends in the middle of a character; "
                "it may not have been saved or downloaded completely",
                f"line {line}, column {column}",
            ) from exc
        try:
            # Valid UTF-8 stays UTF-8; only the stray bytes are read as windows-1252.
            text = data.decode("utf-8", errors="crossflow-cp1252")
        except UnicodeDecodeError as exc:
            offset = _first_not_windows_1252(data)
            byte, (line, column) = data[offset], position_of(data, offset)
            raise _fail(
                f"the file {said}, but byte 0x{byte:02X} there is not UTF-8, and the file is not windows-1252 "
                "either; it was saved in another 8-bit encoding (ISO-8859-2, Mac Roman, an old DOS code page?): "
                "save it as UTF-8 and import it again",
                f"line {line}, column {column}",
            ) from exc
        note = (
            f"the file {said}, but byte 0x{byte:02X} at line {line}, column {column} is not UTF-8; "
            "it was likely saved as windows-1252 (Western European, what many Windows tools write), "
            f'where 0x{byte:02X} is "{bytes([byte]).decode("cp1252")}", so the bytes that are not UTF-8 '
            "were read as windows-1252: check names with accents"
        )
        return _as_utf8(text), [note]
    return data, []


def to_utf8(data: bytes) -> tuple[bytes, list[str]]:
    """(the document as UTF-8 bytes, notes on what had to be assumed); raises `FlowInvalid`."""
    sniffed, data = _sniff(data)
    if sniffed is not None and sniffed != "utf-8-sig":
        try:
            return _as_utf8(data.decode(sniffed)), []
        except UnicodeDecodeError as exc:
            byte, line, column = _bad_byte(data, exc)
            raise _fail(
                f"the file starts like {sniffed.upper()} but byte 0x{byte:02X} does not fit it",
                f"line {line}, column {column}",
            ) from exc
    declared = _declared(data)
    if declared is None or declared.replace("_", "-") in _UTF8_NAMES:
        return _from_declared_utf8(data, declared)
    try:
        codec = codecs.lookup(declared)
    except LookupError as exc:
        raise _fail(
            f'the file declares the encoding "{declared}", which Crossflow cannot read; '
            "save it as UTF-8 and import it again"
        ) from exc
    if codec.name in ("ascii",) and data.isascii():
        return data, []
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as exc:
        byte, line, column = _bad_byte(data, exc)
        raise _fail(
            f"the file says it is {declared}, but byte 0x{byte:02X} there does not exist in {declared}; "
            "it was saved in another encoding: save it as UTF-8 and import it again",
            f"line {line}, column {column}",
        ) from exc
    return _as_utf8(text), []
