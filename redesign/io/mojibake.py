"""Undo text that was UTF-8 encoded and then read as windows-1252 (once or twice).

Real exports carry this: the bpmn.io/Camunda export of the MIWG model C.1.0 names
a task "Rechnung klÃƒÂ¤ren" for "Rechnung klären" (UTF-8 bytes decoded as
windows-1252, twice). The repair only runs when the text shows the tell-tale
pairs ("Ã" or "Â" followed by a character windows-1252 decodes from 0x80-0xBF)
and only keeps a result that decodes cleanly, so correct text is left alone.
"""

from __future__ import annotations

import re

# "Ã"/"Â" followed by a character that windows-1252 decodes from bytes 0x80-0xBF:
# how the lead and continuation bytes of a two-byte UTF-8 sequence come out.
_CONTINUATION = "\u00a0-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122"
_TELL = re.compile(f"[\u00c2\u00c3][{_CONTINUATION}]")


def repair_mojibake(text: str, rounds: int = 3) -> str:
    for _ in range(rounds):
        if not _TELL.search(text):
            break
        try:
            fixed = text.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            break
        if fixed == text:
            break
        text = fixed
    return text
