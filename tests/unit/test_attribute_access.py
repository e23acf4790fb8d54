"""Pydantic's __getattr__ stays on the models that need it (private attributes, extra fields) only."""

from __future__ import annotations

import sys

import pytest
from pydantic import BaseModel, ConfigDict, PrivateAttr

import redesign
from redesign.attribute_access import fast_attribute_reads
from redesign.impact.assess import assess
from redesign.model import Step
from tests.unit.flows import three_step_flow

OLD_PYTHON = sys.version_info < (3, 12)


def _hooked(cls: type) -> bool:
    return any("__getattr__" in vars(c) for c in cls.__mro__)


@pytest.mark.skipif(not OLD_PYTHON, reason="applied on CPython before 3.12 only")
def test_plain_models_read_attributes_without_the_hook() -> None:
    assert fast_attribute_reads() and redesign.__version__
    assert not _hooked(Step)
    with pytest.raises(AttributeError, match="'Step' object has no attribute 'nope'"):
        Step(id="a", name="A", function="f").nope  # noqa: B018  # the read is the test


def test_private_attributes_and_extra_fields_still_read() -> None:
    class Later(BaseModel):  # defined after the change: the metaclass keeps the hook for it
        model_config = ConfigDict(extra="allow")
        x: int
        _cache: str = PrivateAttr(default="empty")

    later = Later(x=1, y=2)
    assert later._cache == "empty" and later.y == 2  # type: ignore[attr-defined]
    later._cache = "full"
    assert later._cache == "full"
    with pytest.raises(AttributeError):
        later.nope  # noqa: B018
    impact = assess(three_step_flow())
    assert impact.after_flow is not None  # Impact's private attribute, set by assess
