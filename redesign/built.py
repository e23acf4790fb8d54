"""Pydantic models built from values the engine has already typed, without validation.

A 5,000-step assessment builds tens of thousands of small models (reasons, governance
flags, hour lines, step economics, incentive and pilot items). ``BaseModel.model_construct``
skips validation but still walks its general path (aliases, extras, private attributes)
field by field; ``built`` makes the same object from a per-class template of the fields
in declaration order: the same ``__dict__`` (same order, so the same dump), the same set
of fields given, defaults filled in (a fresh copy of a mutable default). It is about twice
as fast on a model with defaults (tests/unit/test_built.py checks the equality).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

__all__ = ["built", "copied", "in_order"]

M = TypeVar("M", bound=BaseModel)

_MISSING: Any = object()
_NEW = object.__new__  # what ``cls.__new__`` finds for a pydantic model, without the lookup
_SET = object.__setattr__
# The slots every pydantic model has, set through their descriptors (a third faster than by name).
_SET_FIELDS = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__
_Plan = tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...], frozenset[str], set[str]]


_PLANS: dict[type[BaseModel], _Plan] = {}
_EVERY: dict[type[BaseModel], set[str]] = {}
"""Model class -> the set of all its field names, shared as the fields set of every object given all of them.

Sharing is safe because pydantic never removes a name from a fields set and only adds field names
(an assignment adds a name that is already there; ``model_copy`` copies the set before updating it);
it saves making and freeing a set per object (some 58,000 per 5,000-step suggest + assess). A plain
set, not a frozenset: ``model_copy`` and assignments call ``set`` methods on it.
"""


def _plan(cls: type[BaseModel]) -> _Plan:
    """(every field in order with its plain default or a marker, fields made fresh per object, names), made once."""
    if cls.__private_attributes__ or cls.model_config.get("extra") == "allow":
        raise TypeError(f"{cls.__name__}: built() is for models without private attributes or extras")
    template: dict[str, Any] = {}
    fresh: list[tuple[str, Callable[[], Any]]] = []
    for name, info in cls.model_fields.items():
        if info.default_factory is not None:
            template[name] = _MISSING
            fresh.append((name, info.default_factory))  # type: ignore[arg-type]
        elif info.default is PydanticUndefined:
            template[name] = _MISSING
        elif isinstance(info.default, list | dict | set):
            template[name] = _MISSING
            fresh.append((name, info.default.copy))  # a shared mutable default would leak between objects
        else:
            template[name] = info.default
    plan = _PLANS[cls] = (template, tuple(fresh), frozenset(template), _every(cls))
    return plan


def _every(cls: type[BaseModel]) -> set[str]:
    every = _EVERY[cls] = set(cls.model_fields)
    return every


def built(cls: type[M], **values: Any) -> M:
    """``cls.model_construct(**values)``, faster; values must be typed already. Unknown or missing fields raise."""
    template, fresh, names, every = _PLANS.get(cls) or _plan(cls)
    data = {**template, **values}  # the template's order: values only replace, unknown names add (caught below)
    if len(values) == len(template) == len(data):  # every field given (the common case): nothing to fill in
        obj = _NEW(cls)  # `_new`, inline: this line runs some 60,000 times per 5,000-step assessment
        _SET(obj, "__dict__", data)
        _SET_FIELDS(obj, every)
        _SET_EXTRA(obj, None)
        _SET_PRIVATE(obj, None)
        return obj
    for name, make in fresh:
        if data[name] is _MISSING:
            data[name] = make()
    if len(data) != len(template) or _MISSING in data.values():
        unknown = sorted(set(values) - names)
        missing = sorted(k for k, v in data.items() if v is _MISSING)
        raise TypeError(f"{cls.__name__}: unknown field(s) {unknown}, missing field(s) {missing}")
    return _new(cls, data, values)


def in_order(cls: type[M], data: dict[str, Any]) -> M:
    """`built` for a caller that writes ``data`` as a literal of every field in declaration order, typed.

    Nothing is checked or merged (tests/unit/test_built.py compares the engine's objects with
    ``model_construct``): for the two models made most often, a reason per item and an hours line.
    """
    obj = _NEW(cls)
    _SET(obj, "__dict__", data)
    _SET_FIELDS(obj, _EVERY.get(cls) or _every(cls))  # every field is given: the class's shared set
    _SET_EXTRA(obj, None)
    _SET_PRIVATE(obj, None)
    return obj


def _new(cls: type[M], data: dict[str, Any], values: Iterable[str]) -> M:
    obj = _NEW(cls)
    _SET(obj, "__dict__", data)
    _SET_FIELDS(obj, set(values))
    _SET_EXTRA(obj, None)
    _SET_PRIVATE(obj, None)
    return obj


def copied(model: M, update: dict[str, Any]) -> M:
    """``model.model_copy(update=update)``, faster; the update's values must be typed already.

    The same object pydantic makes (``__dict__`` in field order, the updated names added to the
    fields set, so ``model_fields_set`` still tells a given %C&A from a default one); models with
    extras or private attributes go through pydantic's own copy.
    """
    if model.__pydantic_extra__ is not None or model.__pydantic_private__ is not None:
        return model.model_copy(update=update)
    data = model.__dict__.copy()
    data.update(update)
    return _new(type(model), data, model.__pydantic_fields_set__ | update.keys())
