"""The three-way merge of a replaced flow (the table editor's bulk edit), and where its rows go.

Three versions of every part meet: what the caller saw (`seen`: the part's body before
the first change by someone else since the caller's version; absent if nobody else
touched it), what is stored now (`current`) and what the caller sends (`wanted`).

- a part the caller changed that nobody else touched is taken as the caller sends it;
- a part someone else changed and the caller left as they saw it stays as it is now
  (no silent revert);
- a part both changed, differently, is a conflict: the whole edit is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from redesign.writes.events import Body, Key
from redesign.writes.parts import Parts, target

ABSENT = None
"""The body of a part that does not exist (deleted, or not yet added)."""


@dataclass(frozen=True)
class Merged:
    bodies: dict[Key, Body]  # every part of the merged flow
    conflicts: frozenset[str]  # targets ("step:S3") both sides changed differently


def merge(current: Parts, wanted: Parts, seen: Mapping[Key, Body | None]) -> Merged:
    """The merged parts (current parts first, in their order, then the caller's new ones)."""
    conflicts: set[str] = set()
    bodies: dict[Key, Body] = {}
    for key in [*current, *(k for k in wanted if k not in current)]:
        now = current[key].body if key in current else ABSENT
        new = wanted[key].body if key in wanted else ABSENT
        if key in seen and new != now and new != seen[key]:
            conflicts.add(target(*key))
        keep_theirs = key in seen and new == seen[key]
        final = now if keep_theirs else new
        if final is not None:
            bodies[key] = final
    return Merged(bodies, frozenset(conflicts))


def _by_position(parts: Parts, kind: str) -> list[Key]:
    return sorted((k for k in parts if k[0] == kind), key=lambda k: parts[k].position)


def merged_order(current: Parts, wanted: Parts, merged: Mapping[Key, Body]) -> dict[Key, int]:
    """The caller's order; parts only others have (kept by the merge) follow their old neighbour."""
    order: dict[Key, int] = {}
    for kind in {k[0] for k in merged}:
        line = [k for k in _by_position(wanted, kind) if k in merged]
        previous = _by_position(current, kind)
        for i, key in enumerate(previous):
            if key in merged and key not in line:
                anchor = next((previous[j] for j in range(i - 1, -1, -1) if previous[j] in line), None)
                line.insert(line.index(anchor) + 1 if anchor else 0, key)
        order.update({key: pos for pos, key in enumerate(line)})
    return order


def moved(old: list[str], new: list[str]) -> bool:
    """Whether the rows both lines keep changed their order (what is logged as a reorder)."""
    kept = set(old) & set(new)
    return [i for i in old if i in kept] != [i for i in new if i in kept]


def inserted(old: list[str], new: list[str]) -> bool:
    """Whether `new` has rows `old` has not (they need places: the kind is renumbered)."""
    return bool(set(new) - set(old))


def moved_line(old: list[str], item_id: str, before: str | None) -> list[str]:
    """`old` with `item_id` moved just before `before` (None: to the end; itself: where it stands)."""
    if before == item_id:
        return list(old)
    new = [i for i in old if i != item_id]
    new.insert(new.index(before) if before is not None else len(new), item_id)
    return new
