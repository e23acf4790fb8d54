"""Failures of the store's public calls, logged for whoever runs the server (`logging`, logger
"redesign.store.reporting"): the workshop's id and the action, never a token, key or join code.

A refusal (stale edit, bad input, not allowed now) is the caller's business and is logged at
INFO; a database that is down or busy, or a bug, is the operator's and is logged at ERROR with
its cause. Wrapping each public method of `WorkshopService` in `reported` does it: the
workshop's id is noted by the write once it has locked the workshop's row (`note_workshop`),
or looked up from the caller's token or code when the call was refused before that.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from redesign.store.errors import StoreError, StoreUnavailable, WrongCode

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Where:
    """The workshop a call turned out to be about (filled in by the write, possibly in another thread)."""

    workshop_id: str | None = None


_WHERE: ContextVar[Where | None] = ContextVar("crossflow_store_call", default=None)


def current() -> Where | None:
    """The record of the public call being made in this thread (None outside one)."""
    return _WHERE.get()


class _Service(Protocol):
    def _workshop_of(self, token: Any = None, join_code: Any = None) -> str | None: ...


S = TypeVar("S", bound=_Service)


def reported(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Log the failures of a public store call (nested reported calls log once, at the outside)."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if _WHERE.get() is not None:  # called from another reported call: that one reports
            return method(self, *args, **kwargs)
        where = Where()
        reset = _WHERE.set(where)
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            arguments = signature.bind_partial(self, *args, **kwargs).arguments
            report(self, method.__name__, where, arguments, exc)
            raise
        finally:
            _WHERE.reset(reset)

    return call


def report(service: _Service, action: str, where: Where, arguments: dict[str, Any], exc: Exception) -> None:
    refusal = isinstance(exc, StoreError) and not isinstance(exc, StoreUnavailable)
    level = logging.INFO if refusal else logging.ERROR
    if not log.isEnabledFor(level):
        return
    workshop = where.workshop_id
    if workshop is None and refusal:  # the database answers: find the workshop the caller named
        workshop = _looked_up(service, arguments)
    shown = workshop or "(not known)"
    if refusal:
        said = "" if isinstance(exc, WrongCode) else f": {exc}"  # a wrong code's message repeats the guess
        log.info("workshop %s: %s refused (%s%s)", shown, action, type(exc).__name__, said)
    else:
        log.error("workshop %s: %s failed (%s: %s)", shown, action, type(exc).__name__, exc, exc_info=exc)


def _looked_up(service: _Service, arguments: dict[str, Any]) -> str | None:
    try:
        return service._workshop_of(token=arguments.get("token"), join_code=arguments.get("join_code"))
    except Exception:  # best effort: a failed lookup must not hide the failure being reported
        return None
