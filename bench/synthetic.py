"""Synthetic flows of any size for benchmarks: realistic shape, deterministic.

A main line of steps snakes through five lanes, with side branches that rejoin,
a rework loop every 25 steps, named data items passed along, and about one step in
twelve below the data-quality threshold.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redesign.model import DataItem, Flow, Handoff, Role, Rubric, Step, default_functions


def synthetic_flow(steps: int, seed: int = 7) -> Flow:
    rng = random.Random(seed)
    functions = default_functions()
    roles = [
        Role(id=f"r_{f.id}_{k}", name=f"{f.name} role {k}", function=f.id, headcount=rng.randint(1, 40))
        for f in functions
        for k in range(3)
    ]
    data = [
        DataItem(id=f"d{i}", name=f"Data {i}", system=rng.choice(["CRM", "ERP", "HRIS", "BI"])) for i in range(steps)
    ]
    step_list: list[Step] = []
    for i in range(steps):
        function = functions[(i // 4) % len(functions)]
        role = roles[functions.index(function) * 3 + rng.randrange(3)]
        step_list.append(
            Step(
                id=f"S{i}",
                name=f"Step {i}: review and update record",
                function=function.id,
                owner=role.id,
                volume=rng.randint(5, 500),
                touch_minutes=rng.randint(2, 90),
                wait_minutes=rng.randint(0, 600),
                data_in=[f"d{i - 1}"] if i else [],
                data_out=[f"d{i}"],
                pca=rng.choice([70.0, 85.0, 92.0, 95.0, 98.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0]),
                rubric=Rubric(rules=rng.randint(1, 5), digital_input=rng.randint(1, 5), judgment=rng.randint(1, 5)),
            )
        )
    handoffs: list[Handoff] = []
    for i in range(1, steps):
        source = i - 1 if i % 7 else max(0, i - 3)  # side branches rejoin the main line
        handoffs.append(Handoff(id=f"H{i}", source=f"S{source}", target=f"S{i}"))
    for i in range(25, steps, 25):
        handoffs.append(Handoff(id=f"R{i}", source=f"S{i}", target=f"S{i - 5}", rework=True, condition="rework"))
    return Flow(
        id=f"synthetic_{steps}",
        name=f"Synthetic flow of {steps} steps",
        functions=functions,
        roles=roles,
        data_items=data,
        steps=step_list,
        handoffs=handoffs,
    )
