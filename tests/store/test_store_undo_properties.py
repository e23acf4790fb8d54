"""Property: any sequence of edits (bulk moves, deletions, insertions, changes; single inserts and deletes),
undone one by one, gives back each earlier flow exactly, order included."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redesign.model import Flow, Handoff, Step
from redesign.store.service import WorkshopService
from tests.store.store_flows import close_flow

N = 5
bulk = st.fixed_dictionaries(
    {
        "op": st.just("replace"),
        "order": st.permutations(range(N)),
        "keep": st.lists(st.booleans(), min_size=N, max_size=N),
        "new": st.integers(0, 2),
        "touch": st.lists(st.integers(0, 90), min_size=N, max_size=N),
    }
)
single = st.fixed_dictionaries({"op": st.sampled_from(["add_after", "add_end", "delete"]), "at": st.integers(0, 9)})


def replaced(flow: Flow, e: dict[str, Any], round_: int) -> Flow:
    """Reorder, drop, change and add steps; keep only the hand-offs whose ends survive."""
    steps = [flow.steps[i] for i in e["order"] if i < len(flow.steps)]
    steps = [s for s, keep in zip(steps, e["keep"], strict=False) if keep] or steps[:1]
    steps = [s.model_copy(update={"touch_minutes": float(m)}) for s, m in zip(steps, e["touch"], strict=False)]
    steps += [Step(id=f"N{round_}_{k}", name=f"New {round_}.{k}", function="ops") for k in range(e["new"])]
    ids = {s.id for s in steps}
    handoffs = [h for h in flow.handoffs if h.source in ids and h.target in ids]
    if len(steps) > 1:
        handoffs.append(Handoff(id=f"X{round_}", source=steps[0].id, target=steps[-1].id))
    return flow.model_copy(update={"steps": steps, "handoffs": handoffs})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(bulk, single), min_size=1, max_size=4))
def test_undoing_every_edit_restores_each_earlier_flow(svc: WorkshopService, edits: list[dict[str, Any]]) -> None:
    created = svc.create_workshop("Undo", "", close_flow(N), "Fran")
    token = created.facilitator_token
    snapshots = [svc.state(token).flow]
    for round_, e in enumerate(edits):
        state = svc.state(token)
        steps = state.flow.steps
        if e["op"] == "replace":
            svc.replace_flow(token, state.version, replaced(state.flow, e, round_))
        elif e["op"] == "delete" and len(steps) > 1:
            svc.delete_step(token, state.version, steps[e["at"] % len(steps)].id)
        elif e["op"] != "delete":
            anchor = steps[e["at"] % len(steps)].id if e["op"] == "add_after" else None
            svc.add_step(token, state.version, Step(id=f"A{round_}", name=f"Added {round_}", function="hr"), anchor)
        snapshots.append(svc.state(token).flow)
    for older, newer in reversed(list(itertools.pairwise(snapshots))):
        if newer != older:  # an edit that changed nothing left nothing to undo
            svc.undo(token)
        assert svc.state(token).flow == older
