"""Plain attribute reads on pydantic models under CPython 3.11.

pydantic's ``BaseModel`` defines ``__getattr__`` for two things: private attributes
(``PrivateAttr``) and the extra fields of a model with ``extra="allow"``. On CPython 3.11 a
class with ``__getattr__`` anywhere in its bases gets no specialised attribute reads (the
interpreter learned that in 3.12, python/cpython#93988): every ``step.touch_minutes`` in the
engine's loops takes the slow generic path, twice through the type's method lookup. Measured
with valgrind (instructions, one suggest + assess of a 5,000-step flow): 5,044 M with the hook,
4,214 M without it, a sixth of the work.

`fast_attribute_reads` moves the hook from ``BaseModel`` to the models that use it: every model
with private attributes or extra fields, existing or defined later (the metaclass keeps it for
them), keeps pydantic's own ``__getattr__``; the others read attributes as any Python object
does (a missing one still raises ``AttributeError``). Applied once, when `redesign` is imported,
and only on CPython before 3.12.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel
from pydantic._internal._model_construction import ModelMetaclass

_applied = False


def _needs_hook(cls: type[BaseModel]) -> bool:
    """Whether the model reads private attributes or extra fields through pydantic's ``__getattr__``."""
    private = getattr(cls, "__private_attributes__", None)
    config = getattr(cls, "model_config", None) or {}
    return bool(private) or config.get("extra") == "allow"


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def fast_attribute_reads() -> bool:
    """Take pydantic's ``__getattr__`` off models that do not need it; True when applied (now or before)."""
    global _applied
    if _applied:
        return True
    hook: Callable[..., Any] | None = BaseModel.__dict__.get("__getattr__")
    if sys.version_info >= (3, 12) or hook is None:
        return False
    for sub in _subclasses(BaseModel):
        if _needs_hook(sub) and "__getattr__" not in sub.__dict__:
            sub.__getattr__ = hook  # type: ignore[attr-defined]  # pydantic's own function, on the model that needs it
    original_new = ModelMetaclass.__new__

    def new(mcs: type, *args: Any, **kwargs: Any) -> type:
        cls = original_new(mcs, *args, **kwargs)
        if _needs_hook(cls) and "__getattr__" not in cls.__dict__:
            cls.__getattr__ = hook  # type: ignore[attr-defined]
        return cls

    ModelMetaclass.__new__ = new  # type: ignore[method-assign]  # models defined from now on
    delattr(BaseModel, "__getattr__")  # pydantic defines it outside TYPE_CHECKING, so mypy does not see it
    _applied = True
    return True


__all__ = ["fast_attribute_reads"]
