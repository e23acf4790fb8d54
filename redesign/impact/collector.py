"""Pausing Python's cyclic garbage collector while the engine builds its results.

The engine creates many small, short-lived pydantic models (a reason per item, a line
per role and activity). They hold no reference cycles, so reference counting frees them
as usual; but each allocation burst makes the cyclic collector walk every live object,
the flow's own included, and on a 5,000-step flow those passes cost more than the
computation. The pause is scoped: collection resumes, if it was on, when the block
ends or raises. Overlapping pauses (nested, or in two threads) end with the collector
on if it was on when the first of them began.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
