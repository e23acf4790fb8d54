"""The sample processes shipped in ``sample_processes/``."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from redesign.io.flow_json import read_flow
from redesign.model import Flow

_PACKAGE = Path(__file__).resolve().parent


def _samples_dir() -> Path:
    """An installed wheel carries the samples inside the package; a checkout keeps them at its top."""
    inside = _PACKAGE / "sample_processes"
    return inside if inside.is_dir() else _PACKAGE.parent / "sample_processes"


SAMPLES_DIR = _samples_dir()
FLAGSHIP = "sales_forecasting"


class SampleInfo(BaseModel):
    id: str
    name: str
    description: str
    steps: int
    functions: list[str]
    scenarios: int


def sample_ids() -> list[str]:
    """Sample ids, the flagship first."""
    ids = sorted(p.stem for p in SAMPLES_DIR.glob("*.json"))
    return sorted(ids, key=lambda i: (i != FLAGSHIP, i))


def load_sample(sample_id: str) -> Flow:
    if sample_id not in sample_ids():
        raise KeyError(f'unknown sample "{sample_id}" (have: {", ".join(sample_ids())})')
    return read_flow(SAMPLES_DIR / f"{sample_id}.json")


def sample_info(sample_id: str) -> SampleInfo:
    flow = load_sample(sample_id)
    used = {s.function for s in flow.steps}
    return SampleInfo(
        id=sample_id,
        name=flow.name,
        description=flow.description,
        steps=len(flow.steps),
        functions=[f.name for f in flow.functions if f.id in used],
        scenarios=len(flow.scenarios),
    )
