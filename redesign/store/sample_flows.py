"""The sample processes a workshop can start from (`sample_processes/*.json`, or those of a wheel)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from redesign.io.flow_json import read_flow
from redesign.model import Flow
from redesign.store.errors import InvalidInput, NotFound
from redesign.store.schemas import SampleInfo
from redesign.validation import FlowInvalid

log = logging.getLogger(__name__)
_SAMPLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,99}$")


def sample(samples_dir: Path, sample_id: str) -> Flow:
    path = samples_dir / f"{sample_id}.json"
    if not isinstance(sample_id, str) or not _SAMPLE_ID.match(sample_id) or not path.is_file():
        known = ", ".join(s.id for s in listed(samples_dir)) or "none installed"
        raise NotFound(f'There is no sample process "{sample_id}". Available: {known}.')
    try:
        return read_flow(path)
    except FlowInvalid as exc:
        raise InvalidInput(f'The sample "{sample_id}" is broken: {exc}', exc.problems) from exc


def listed(samples_dir: Path) -> list[SampleInfo]:
    """The samples in `samples_dir` (broken files are skipped and logged)."""
    out: list[SampleInfo] = []
    for path in sorted(samples_dir.glob("*.json")) if samples_dir.is_dir() else []:
        try:
            flow = read_flow(path)
        except FlowInvalid as exc:
            log.warning("skipping broken sample %s: %s", path.name, exc)
            continue
        functions = [f.name for f in flow.functions]
        steps = len(flow.steps)
        out.append(
            SampleInfo(id=path.stem, name=flow.name, description=flow.description, steps=steps, functions=functions)
        )
    return out
