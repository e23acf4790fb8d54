"""Errors the store raises. `str(error)` is a plain sentence a page can show as is."""

from __future__ import annotations

from redesign.model import Problem
from redesign.workshop import EventSummary
from redesign.writes.refusals import Reason, Refusal, missing_item_text


class StoreError(Exception):
    """Base of every error the workshop store raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(StoreError):
    """The workshop, participant, step, hand-off or comment does not exist (for you)."""


class AccessDenied(StoreError):
    """Your token is unknown, belongs to another workshop, or your role/phase forbids it."""


class StaleEdit(StoreError):
    """Someone else changed what you are editing since the version you saw."""

    def __init__(self, message: str, changes: list[EventSummary]) -> None:
        super().__init__(message)
        self.changes = changes


class InvalidInput(StoreError):
    """Bad names, too long texts, an invalid flow; `problems` lists flow problems if any."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class WrongCode(NotFound):
    """No workshop has that join code (a guess: counted by the rate limiter)."""


class WrongKey(AccessDenied):
    """The facilitator key does not match (a guess: counted by the rate limiter)."""

    def __init__(self, message: str, workshop_id: str) -> None:
        super().__init__(message)
        self.workshop_id = workshop_id


class LimitExceeded(StoreError):
    """A size or rate limit was hit (participants, steps, failed join attempts)."""


class StoreUnavailable(StoreError):
    """The database could not be reached or stayed busy after retries."""


def missing_item(kind: str, item_id: object) -> NotFound:
    """The refusal for a step or hand-off that is not in the workshop's flow."""
    return NotFound(missing_item_text(kind, item_id))


def refused(refusal: Refusal) -> StoreError:
    """The store's error for a refusal of the write model (`redesign.writes.refusals`)."""
    match refusal.reason:
        case Reason.STALE:
            return StaleEdit(refusal.message, list(refusal.changes))
        case Reason.MISSING:
            return NotFound(refusal.message)
        case Reason.LIMIT:
            return LimitExceeded(refusal.message)
    return InvalidInput(refusal.message, list(refusal.problems))
