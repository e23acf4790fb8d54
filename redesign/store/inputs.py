"""Checks of what a caller hands the store, before any transaction starts.

Each returns the checked (and for names, normalised) value or raises InvalidInput
with one plain sentence naming the problem.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from redesign import names
from redesign.store.errors import InvalidInput, StoreError
from redesign.validation import pydantic_problems
from redesign.workshop import name_problem, text_problem

M = TypeVar("M", bound=BaseModel)


def reject(problem: str | None, exc: type[StoreError] = InvalidInput) -> None:
    if problem:
        raise exc(problem)


def name(value: Any, what: str) -> str:
    """A checked, normalised name (see `redesign.names`), or InvalidInput saying what is wrong with it."""
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    reject(name_problem(value, what))  # before normalising: a person's name is one line, as typed
    value = names.normalise(value)
    reject(names.hidden_problem(value, what))
    return value


def checked(model: type[M], value: Any, what: str) -> M:
    """`value` validated again as `model`: an object built without validation (`model_construct`,
    or edited after it was made) could otherwise carry NaN, infinity or a bad name into the store."""
    if not isinstance(value, model):
        raise InvalidInput(f"Expected a {model.__name__}.")
    try:
        return model.model_validate(value.model_dump())
    except ValidationError as exc:
        problems = pydantic_problems(exc)
        listed = "; ".join(f"{p.location}: {p.message}" if p.location else p.message for p in problems[:5])
        raise InvalidInput(f"The {what} is not valid: {listed}.", problems) from exc


def text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    reject(text_problem(value, what, limit))
    return value
