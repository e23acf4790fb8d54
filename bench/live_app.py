"""A real app server with a seeded workshop, for the live benchmarks (ui, memory, propagation).

`seeded_workshop` fills a fresh SQLite store with a synthetic flow and a room that has
been at it for a while: participants from every function, proposals with reasons on
about half the steps, comments, proposals revealed, a third of the steps settled, the "converge" phase. `live_app`
starts `streamlit run app.py` on it (tests/app_server.py) and `ServerCpu` reads the
server process's CPU time (user + sys) and memory with psutil.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import synthetic_flow
from redesign.model import Decision, Tag
from redesign.store.service import WorkshopService
from redesign.workshop import Phase
from tests.app_server import AppServer, start_app

TAGS = (Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE)
REASONS = (
    "Needs a judgment call on the customer relationship",
    "The data is already in the CRM; a model can draft it",
    "Rules are stable and the input is digital",
    "Errors here are expensive; keep a person accountable",
    "",
)
COMMENTS = (
    "The ERP extract arrives late on Mondays, so this step waits.",
    "Who owns this when the regional lead is away?",
    "Data quality: half the records miss the region code.",
    "We already automated this in the Nordics pilot.",
)


@dataclass(frozen=True)
class SeededWorkshop:
    url: str  # the store's database URL
    workshop_id: str
    join_code: str
    facilitator: str  # token
    participants: list[str]  # tokens of people who have voted and commented
    idle: list[str]  # tokens of further people who joined and just watch
    steps: list[str]  # step ids in flow order


def seeded_workshop(
    url: str, steps: int, voters: int = 10, idle: int = 0, share: float = 0.5, seed: int = 11
) -> SeededWorkshop:
    """A workshop on a synthetic flow of `steps` steps, as a room in the middle of converging.

    `voters` people proposed tags (with reasons) on `share` of the steps and commented;
    the facilitator revealed the proposals and settled a third of the steps; `idle`
    more people joined and just watch.
    """
    rng = random.Random(seed)
    flow = synthetic_flow(steps)
    svc = WorkshopService.from_url(url)
    try:
        created = svc.create_workshop(f"Bench {steps} steps", "Where do people, AI and automation fit?", flow, "Fran")
        fac = created.facilitator_token
        functions = [f.id for f in flow.functions]
        tokens = [
            svc.join(created.join_code, f"Voter {i:02d}", functions[i % len(functions)]).token for i in range(voters)
        ]
        watchers = [
            svc.join(created.join_code, f"Watcher {i:03d}", functions[i % len(functions)]).token for i in range(idle)
        ]
        svc.set_phase(fac, Phase.VOTE)
        step_ids = [s.id for s in flow.steps]
        for token in tokens:
            for step_id in rng.sample(step_ids, max(1, int(len(step_ids) * share))):
                svc.propose(token, step_id, rng.choice(TAGS), rng.choice(REASONS))
        for i in range(max(3, steps // 4)):
            svc.comment(rng.choice(tokens or [fac]), "step", rng.choice(step_ids), COMMENTS[i % len(COMMENTS)])
        svc.set_reveal(fac, True)
        svc.set_phase(fac, Phase.CONVERGE)
        for step in flow.steps[::3]:
            decision = Decision(
                step=step.id,
                tag=rng.choice(TAGS),
                owner=step.owner,
                rationale="The room agreed after the heatmap",
                success_measure="Cycle time down 20% by Q3",
            )
            svc.settle(fac, decision)
        return SeededWorkshop(url, created.workshop_id, created.join_code, fac, tokens, watchers, step_ids)
    finally:
        svc.dispose()


@contextmanager
def live_app(
    steps: int, voters: int = 10, idle: int = 0, env: dict[str, str] | None = None
) -> Iterator[tuple[AppServer, SeededWorkshop]]:
    """The app on a fresh store holding one seeded workshop; stopped and removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="crossflow-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        workshop = seeded_workshop(url, steps, voters=voters, idle=idle)
        server = start_app(url, Path(folder), env=env)
        try:
            yield server, workshop
        except BaseException:
            print(f"--- app server log (tail):\n{server.log_tail(30)}", file=sys.stderr)
            raise
        finally:
            server.stop()


class ServerCpu:
    """CPU seconds (user + sys) and memory of the app server process."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)

    def seconds(self) -> float:
        t = self.process.cpu_times()
        return t.user + t.system

    def rss_mib(self) -> float:
        return self.process.memory_info().rss / 2**20

    def share_of_core(self, window_s: float) -> float:
        """Average CPU over the next `window_s` seconds, as a share of one core (1.0 = one core busy)."""
        cpu0, t0 = self.seconds(), time.monotonic()
        time.sleep(window_s)
        return (self.seconds() - cpu0) / (time.monotonic() - t0)
