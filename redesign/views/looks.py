"""How a view looks, as a comparable value: two states with the same look draw the same view.

A participant's page is redrawn only when the look of the view it shows changed (redesign/ui/live.py);
the live route (redesign/web/routes.py) compares the map's look, so a change that only the board's
cards show (a comment, a leading tag) reaches the page as new board data, with no rerun at all.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable

from redesign.model import Tag
from redesign.store.schemas import WorkshopState


def display_tags(state: WorkshopState) -> dict[str, Tag | None]:
    """Settled tag if any, else the room's leading proposal once revealed.

    The same for the facilitator as for participants: the facilitator's screen is often the
    projected one, so before reveal it shows only what everyone sees (the board's "Peek" is
    the facilitator's deliberate, private look)."""
    tags: dict[str, Tag | None] = {d.step: d.tag for d in state.decisions}
    if not state.revealed:
        return tags
    for step_id, counts in state.proposal_counts.items():
        if step_id in tags or not counts:
            continue
        tags[step_id] = max(counts, key=lambda t: counts[t])
    return tags


def comment_counts(state: WorkshopState) -> dict[str, int]:
    return dict(Counter(c.target_id for c in state.comments if c.target_kind == "step" and not c.resolved))


def page_look(state: WorkshopState) -> tuple[object, ...]:
    """Everything the workshop page's header, sidebar and Map tab show a participant.

    Two states with the same look draw the same page, whatever else changed (someone
    else's private proposal, a reason, a resolved flag...). Keep this in step with
    what those parts draw: a field left out here is a change the page would miss.
    """
    return (
        *_map_part(state),
        tuple(sorted((step, tag.value if tag else "") for step, tag in display_tags(state).items())),
        tuple(sorted(comment_counts(state).items())),
    )


def _map_part(state: WorkshopState) -> tuple[object, ...]:
    mine = sorted((p.step_id, p.tag.value) for p in state.proposals if p.participant_id == state.me.id)
    return (
        state.name,
        state.goal,
        state.phase,
        state.locked,
        state.revealed,
        state.focus_step,
        state.timer_ends_at,
        state.flow,
        tuple(state.decisions),
        state.me,
        state.can,
        tuple(mine),
    )


Look = Callable[[WorkshopState], tuple[object, ...]]
"""What a view shows, as a comparable value: two states with the same look draw the same view."""


def table_look(state: WorkshopState) -> tuple[object, ...]:
    """What the header, sidebar and a table tab (steps, hand-offs) show a participant: the flow and
    the controls, not the proposals or comments, so a table's unsaved edits survive other people's
    votes and comments (they are lost only when the flow itself changes)."""
    return (
        state.name,
        state.goal,
        state.phase,
        state.locked,
        state.focus_step,
        state.timer_ends_at,
        state.flow,
        state.me,
        state.can,
    )


def map_look(state: WorkshopState) -> tuple[object, ...]:
    """`page_look` without what only the board's cards show (leading tags, comment counts): those
    reach an open board as data pushed by the live route (redesign/web/routes.py `/crossflow/view`)."""
    return _map_part(state)


def look_digest(look: tuple[object, ...]) -> str:
    """A short, stable fingerprint of a look (the same code on every replica gives the same text)."""
    return hashlib.blake2b(repr(look).encode("utf-8"), digest_size=12).hexdigest()


_FLOW_DIGESTS: dict[tuple[str, int], str] = {}
_FLOW_DIGESTS_KEPT = 256
_FLOW_DIGESTS_LOCK = threading.Lock()


def map_look_digest(state: WorkshopState) -> str:
    """`look_digest(map_look(state))`, with the flow's part computed once per workshop version.

    Every open board asks for it at every new version (50 pages, 50 times); writing out the flow
    was a quarter of each answer. A workshop's flow at a version never changes, so its digest is
    kept by (workshop, version)."""
    key = (state.workshop_id, state.version)
    with _FLOW_DIGESTS_LOCK:
        flow = _FLOW_DIGESTS.get(key)
    if flow is None:
        flow = look_digest((state.flow,))
        with _FLOW_DIGESTS_LOCK:
            if len(_FLOW_DIGESTS) >= _FLOW_DIGESTS_KEPT:
                _FLOW_DIGESTS.pop(next(iter(_FLOW_DIGESTS)))
            _FLOW_DIGESTS[key] = flow
    return look_digest(tuple(flow if part is state.flow else part for part in map_look(state)))
