"""Pausing Python's cyclic garbage collector while the engine builds its results.

The engine creates many small, short-lived pydantic models (a reason per item, a line
per role and activity). They hold no reference cycles, so reference counting frees them
as usual; but each allocation burst makes the cyclic collector walk every live object,
the flow's own included, and on a 5,000-step flow those passes cost more than the
computation. The pause is scoped: collection resumes, if it was on, when the block
ends or raises.

Resuming would otherwise cost a full pass at once: the allocation count kept growing
while paused, so the first allocation after it triggers a young-generation collection
over every object the block made (the result included, ~150 ms on 5,000 steps). The
survivors are promoted to the oldest generation first (``gc.freeze()`` then
``gc.unfreeze()``: two list splices that also reset the young count). Nothing is lost:
the oldest generation is still collected, in CPython's full collections, which run in
proportion to how much it grows; results that are dropped are freed by reference
counting as before. Overlapping pauses (nested, or in two threads) end with the collector
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
            gc.freeze()  # promote what the block made to the oldest generation ...
            gc.unfreeze()  # ... where full collections still see it
            gc.enable()
