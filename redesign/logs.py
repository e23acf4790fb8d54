"""Where Crossflow's own log lines go, and how many: the `--log-level` option and CROSSFLOW_LOG_LEVEL.

Only the "redesign" loggers are configured (Streamlit keeps its own). Lines go to standard
error, one per event, e.g. "2026-12-04 09:12:03 ERROR redesign.store.reporting: workshop
3f2a...: update_step failed (StoreUnavailable: ...)". Nothing Crossflow logs carries a
token, a facilitator key or a join code.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

ENV = "CROSSFLOW_LOG_LEVEL"
LEVELS = ("debug", "info", "warning", "error")
DEFAULT = "warning"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogLevelInvalid(ValueError):
    pass


def level_name(value: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The level asked for: `value` (the option), else CROSSFLOW_LOG_LEVEL, else warning."""
    environ = os.environ if environ is None else environ
    chosen = (value or environ.get(ENV) or DEFAULT).strip().lower()
    if chosen not in LEVELS:
        source = "--log-level" if value else ENV
        raise LogLevelInvalid(f'{source} "{chosen}" is not a log level; use one of: {", ".join(LEVELS)}.')
    return chosen


def configure(value: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Send the "redesign" loggers' lines at or above the chosen level to standard error; returns the level.

    Idempotent: Streamlit runs the entry script again on every rerun, and one handler is enough.
    """
    name = level_name(value, environ)
    logger = logging.getLogger("redesign")
    logger.setLevel(name.upper())
    if not any(getattr(h, "crossflow", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT, "%Y-%m-%d %H:%M:%S"))
        handler.crossflow = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    return name
