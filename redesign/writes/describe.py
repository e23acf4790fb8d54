"""How an event reads in plain words (the History tab, stale-edit messages): pure, no SQL.

`describe_event` is stored with each event as its summary, so the log reads the same
after the wording here changes; only hidden proposals are described again on reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redesign.workshop import EventSummary, Phase, actor_label
from redesign.writes.events import EventKind, Item, Verb, target_id

_ITEM_WORDS = {
    "flow": "the flow's details",
    "function": "function",
    "role": "role",
    "data_item": "data item",
    "step": "step",
    "handoff": "hand-off",
    "scenario": "scenario",
    "decision": "the decision for step",
}

_PLURALS = {
    "function": "functions",
    "role": "roles",
    "data_item": "data items",
    "step": "steps",
    "handoff": "hand-offs",
    "scenario": "scenarios",
}

_FIELD_WORDS = {
    "pca": "%C&A",
    "dq_note": "data-quality note",
    "data_in": "data in",
    "data_out": "data out",
    "high_risk_area": "high-risk area",
    "it_signoff": "IT sign-off",
    "fte_hours_per_year": "FTE hours per year",
    "dq_threshold": "data-quality threshold",
}

_COMMENT_WORDS: dict[str, str] = {
    "comment": "commented on",
    "data_quality": "flagged a data-quality issue on",
    "risk": "flagged a risk on",
    "question": "asked a question on",
}


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value[:5]) + (", ..." if len(value) > 5 else "") + "]"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    return str(value)


def _flat(body: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                out[f"{key} {sub}"] = inner
        else:
            out[key] = value
    return out


def field_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, limit: int = 3) -> str:
    """'touch minutes 30 -> 45, %C&A 80 -> 95' for the fields that differ."""
    old, new = _flat(before or {}), _flat(after or {})
    changed = [k for k in (*old, *(k for k in new if k not in old)) if old.get(k) != new.get(k)]
    parts = [
        f"{_FIELD_WORDS.get(k, k.replace('_', ' '))} {_value(old.get(k))} -> {_value(new.get(k))}" for k in changed
    ]
    if len(parts) > limit:
        parts = [*parts[:limit], f"{len(parts) - limit} more"]
    return ", ".join(parts)


def _named(item: str, tid: str, body: Mapping[str, Any] | None) -> str:
    word = _ITEM_WORDS.get(item, item)
    if item == "flow":
        return word
    label = f"{word} {tid}"
    if body and isinstance(body.get("name"), str):
        label += f' "{body["name"]}"'
    elif body and item == "handoff":
        label += f" ({body.get('source')} -> {body.get('target')})"
    return label


_FIXED: dict[EventKind, tuple[str, str]] = {
    # kind: (text when the new value is truthy, text when it is not)
    EventKind.LOCK_SET: ("locked editing (pens down)", "unlocked editing"),
    EventKind.REVEAL_SET: ("revealed everyone's proposals", "hid the proposals again"),
    EventKind.TIMER_SET: ("started a timer", "cleared the timer"),
    EventKind.PARTICIPANT_JOIN: ("joined the workshop", "joined the workshop"),
    EventKind.FACILITATOR_RECLAIM: ("reclaimed the facilitator seat", "reclaimed the facilitator seat"),
    EventKind.WORKSHOP_CREATE: ("created the workshop", "created the workshop"),
    EventKind.WORKSHOP_IMPORT: ("imported the workshop", "imported the workshop"),
}


def _flow_edit(item: Item, verb: Verb, tid: str, before: Any, after: Any) -> str:
    if verb is Verb.ADD:
        return f"added {_named(item, tid, after)}"
    if verb is Verb.DELETE:
        return f"deleted {_named(item, tid, before)}"
    if verb is Verb.REORDER:
        return f"reordered the {_PLURALS.get(item, item)}"
    changes = field_changes(before, after)
    return f"changed {_named(item, tid, after or before)}" + (f" ({changes})" if changes else "")


def describe_event(kind: EventKind | str, target: str, before: Any, after: Any, *, private: bool = False) -> str:
    """A plain sentence fragment (verb first) for an event, e.g.
    'changed step S3 "Reconcile with Finance" (touch minutes 30 -> 45)'.

    private=True hides what a proposal was (before the facilitator reveals them).
    A kind this version does not know reads as itself.
    """
    try:
        kind = EventKind(kind)
    except ValueError:
        return str(kind)
    tid = target_id(target)
    if kind.is_flow_edit:
        return _flow_edit(kind.item, kind.verb, tid, before, after)
    if kind in _FIXED:
        yes, no = _FIXED[kind]
        return yes if after else no
    match kind:
        case EventKind.DECISION_SETTLE:
            tag = (after or {}).get("tag", "?")
            return f"settled step {tid} as {tag}" if before is None else f"re-settled step {tid} as {tag}"
        case EventKind.DECISION_UNSETTLE:
            return f"reopened the decision on step {tid}"
        case EventKind.PROPOSAL_SET if private:
            return f"proposed a tag for step {tid}"
        case EventKind.PROPOSAL_SET:
            return f"proposed {(after or {}).get('tag', '?')} for step {tid}"
        case EventKind.PROPOSAL_WITHDRAW:
            return f"withdrew their proposal for step {tid}"
        case EventKind.COMMENT_ADD:
            about = (after or {}).get("target", "")
            return f"{_COMMENT_WORDS.get((after or {}).get('kind', 'comment'), 'commented on')} {about}".strip()
        case EventKind.COMMENT_RESOLVE | EventKind.COMMENT_REOPEN:
            return f"{'resolved' if kind is EventKind.COMMENT_RESOLVE else 'reopened'} comment #{tid}"
        case EventKind.PHASE_SET:
            try:
                return f'moved the workshop to "{Phase(after).title}"'
            except ValueError:
                return f"moved the workshop to {after}"
        case EventKind.FOCUS_SET:
            return f"put step {after} in focus" if after else "cleared the focus"
    return kind.value


def stale_message(base_version: int, changes: Sequence[EventSummary], limit: int = 3) -> str:
    """'Your edit is based on version 12, but since then Ana (Finance) changed ... Reload ...'"""
    told = [f"{actor_label(c.actor_name, c.actor_function)} {c.summary}" for c in changes[:limit]]
    if len(changes) > limit:
        told.append(f"{len(changes) - limit} more change{'s' if len(changes) - limit > 1 else ''} were made")
    return (
        f"Your edit is based on version {base_version}, but since then {'; '.join(told)}. "
        "Reload to see it, then apply your change again."
    )
