"""Write the full output of `analyze`, `suggest` (rubric only) and `assess` of every sample and of synthetic
flows, one JSON file per case, and a digest list; run it before and after a speed change and compare.

    python scripts/assess_snapshot.py /tmp/before      # on the old code
    python scripts/assess_snapshot.py /tmp/after       # on the new code
    diff -r /tmp/before /tmp/after && echo IDENTICAL

Cases: each sample as is, with each of its scenarios (or its suggested tags when it has none), and the same
with O*NET tasks given to every other step (the tasks path of the regulated-use detections); the
bench's 50-, 500- and 5,000-step scenario flows; synthetic flows assessed with their suggested tags.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import BaseModel

from bench.impact import scenario_flow
from bench.synthetic import synthetic_flow
from redesign.impact.assess import assess
from redesign.impact.suggest import suggest
from redesign.impact.suggested import scenario_or_suggested
from redesign.metrics import analyze
from redesign.model import Flow
from redesign.samples import load_sample, sample_ids

TASKS = [
    (
        "13-2041.00",
        "Credit Analysts",
        "Analyze credit data and financial statements of individuals to determine the degree of risk "
        "involved in extending credit or lending money.",
    ),
    ("43-4131.00", "Loan Interviewers and Clerks", "Approve or decline loan applications for consumers."),
]


def _dump(out: Path, name: str, result: BaseModel) -> str:
    text = result.model_dump_json(indent=1)
    (out / f"{name}.json").write_text(text, encoding="utf-8")
    return f"{name} {hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _sample_cases(out: Path, sid: str, flow: Flow) -> list[str]:
    lines = [_dump(out, f"{sid}__metrics", analyze(flow)), _dump(out, f"{sid}__suggest", suggest(flow, None))]
    lines.append(_dump(out, f"{sid}__asis", assess(flow, None)))
    tasks = {s.id: TASKS for s in flow.steps[::2]}
    scenarios = [(sc.id, sc) for sc in flow.scenarios] or [("suggested", scenario_or_suggested(flow, None))]
    for key, sc in scenarios:
        lines.append(_dump(out, f"{sid}__{key}", assess(flow, sc)))
        lines.append(_dump(out, f"{sid}__{key}__tasks", assess(flow, sc, tasks)))
    return lines


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    for sid in sample_ids():
        lines += _sample_cases(out, sid, load_sample(sid))
    for n in (50, 500, 5000):
        flow = scenario_flow(n)
        lines.append(_dump(out, f"bench{n}__metrics", analyze(flow)))
        lines.append(_dump(out, f"bench{n}", assess(flow, "bench")))
        lines.append(_dump(out, f"bench{n}__suggest", suggest(flow, None)))
        raw = synthetic_flow(n)
        lines.append(_dump(out, f"synth{n}__suggested", assess(raw, scenario_or_suggested(raw, None))))
    (out / "digests.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/assess_snapshot.py OUTPUT_FOLDER")
    main(sys.argv[1])
