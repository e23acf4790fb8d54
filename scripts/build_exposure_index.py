#!/usr/bin/env python3
"""Build Crossflow's shipped O*NET task-exposure catalog.

Reads ``full_labelset.tsv`` from the GPTs-are-GPTs data set (Eloundou, Manning,
Mishkin & Rock, arXiv:2303.10130) and writes
``redesign/impact/catalog/onet_tasks.json.gz``: a gzip-compressed JSON file that
``redesign.impact.exposure`` loads to suggest exposure tags.

Usage (from the repository root)::

    python scripts/build_exposure_index.py [TSV] [--out PATH]

``TSV`` defaults to ``../shared/data/gpts-are-gpts/full_labelset.tsv`` relative
to the repository root.

The output is deterministic: the same TSV gives the same bytes (rows keep the
TSV order, JSON is written with fixed separators and key order, and the gzip
header carries no file name and ``mtime=0``).

Which "beta"? In the TSV, ``beta`` (= E1 + 0.5 * E2) is computed from the
**GPT-4** label ``gpt4_exposure``, not from the human one; this script checks
that on every row and stops if it ever stops being true. The file therefore
keeps the column under the name ``gpt4_beta``. The human beta is not a column of
the TSV; the matcher derives it from ``human_exposure`` with the same formula
(E0 = 0, E1 = 1, E2 = 0.5).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TSV = REPO_ROOT.parent / "shared" / "data" / "gpts-are-gpts" / "full_labelset.tsv"
DEFAULT_OUT = REPO_ROOT / "redesign" / "impact" / "catalog" / "onet_tasks.json.gz"

FORMAT = "crossflow.onet_tasks/1"
LABELS = ("E0", "E1", "E2")
AUTOMATION_LEVELS = ("T0", "T1", "T2", "T3", "T4")
BETA_OF_LABEL = {"E0": 0.0, "E1": 1.0, "E2": 0.5}

REQUIRED_COLUMNS = (
    "O*NET-SOC Code",
    "Task ID",
    "Task",
    "Title",
    "human_exposure_agg",
    "gpt4_exposure",
    "gpt4_automation",
    "beta",
)

ONET_NOTICE = (
    "This product includes information from the O*NET Database by the U.S. "
    "Department of Labor, Employment and Training Administration (USDOL/ETA). "
    "Used under the CC BY 4.0 license. O*NET(R) is a trademark of USDOL/ETA. "
    "Crossflow has modified all or some of this information (selected columns, "
    "whitespace normalised, repackaged as JSON). USDOL/ETA has not approved, "
    "endorsed, or tested these modifications."
)

ATTRIBUTION: dict[str, Any] = {
    "summary": (
        "O*NET task statements and occupation titles (USDOL/ETA, CC BY 4.0) "
        "with task-level exposure labels from 'GPTs are GPTs' (OpenAI, MIT). "
        "See ONET_ATTRIBUTION.md next to this file for the full notices."
    ),
    "sources": [
        {
            "name": "GPTs are GPTs: task-level exposure labels",
            "what": (
                "human_exposure, gpt4_exposure, gpt4_automation and gpt4_beta "
                "(the TSV's human_exposure_agg, gpt4_exposure, gpt4_automation "
                "and beta columns)"
            ),
            "citation": (
                "Eloundou, T., Manning, S., Mishkin, P., & Rock, D. (2023). GPTs "
                "are GPTs: An Early Look at the Labor Market Impact Potential of "
                "Large Language Models. arXiv:2303.10130. Published as 'GPTs are "
                "GPTs: Labor market impact potential of LLMs', Science 384 "
                "(2024)."
            ),
            "url": "https://arxiv.org/abs/2303.10130",
            "repository": "https://github.com/openai/GPTs-are-GPTs",
            "license": "MIT",
            "copyright": "Copyright (c) 2024 OpenAI",
        },
        {
            "name": "O*NET Database: task statements and occupation titles",
            "what": "soc, title (occupations), task_id and text (tasks)",
            "publisher": ("U.S. Department of Labor, Employment and Training Administration (USDOL/ETA)"),
            "url": "https://www.onetcenter.org/database.html",
            "license": "CC BY 4.0",
            "license_url": "https://creativecommons.org/licenses/by/4.0/",
            "notice": ONET_NOTICE,
        },
    ],
}

FIELDS = {
    "occupations.soc": "O*NET-SOC code",
    "occupations.title": "O*NET occupation title",
    "tasks.occupation": "index into occupations",
    "tasks.task_id": "O*NET task ID",
    "tasks.text": "O*NET task statement",
    "tasks.human_exposure": ("human_exposure_agg: the paper's aggregated human rating, E0/E1/E2"),
    "tasks.gpt4_exposure": "gpt4_exposure: GPT-4 rating, E0/E1/E2",
    "tasks.gpt4_automation": "gpt4_automation: GPT-4 automation level T0-T4",
    "tasks.gpt4_beta": (
        "the TSV's beta column = E1 + 0.5*E2 of the GPT-4 label (not the human "
        "one); the human beta is derived from human_exposure"
    ),
}


class BuildError(ValueError):
    """The TSV does not look like the GPTs-are-GPTs full_labelset."""


def _clean(text: str) -> str:
    return " ".join(text.split())


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read the TSV into dicts keyed by column name (order preserved)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise BuildError(f"{path}: missing columns {missing}")
        return list(reader)


def _task_id(raw: str, line: int) -> int:
    try:
        value = float(raw)
    except ValueError as exc:
        raise BuildError(f"row {line}: bad Task ID {raw!r}") from exc
    if not value.is_integer():
        raise BuildError(f"row {line}: non-integer Task ID {raw!r}")
    return int(value)


def build_payload(rows: Iterable[dict[str, str]]) -> dict[str, Any]:
    """Turn TSV rows into the columnar payload written to the catalog file."""
    occ_index: dict[str, int] = {}
    socs: list[str] = []
    titles: list[str] = []
    occupation: list[int] = []
    task_ids: list[int] = []
    texts: list[str] = []
    human: list[str] = []
    gpt4: list[str] = []
    automation: list[str] = []
    gpt4_beta: list[float] = []

    for line, row in enumerate(rows, start=2):
        soc = row["O*NET-SOC Code"].strip()
        title = _clean(row["Title"])
        text = _clean(row["Task"])
        h = row["human_exposure_agg"].strip()
        g = row["gpt4_exposure"].strip()
        t = row["gpt4_automation"].strip()
        if not soc or not title or not text:
            raise BuildError(f"row {line}: empty SOC code, title or task")
        if h not in LABELS or g not in LABELS:
            raise BuildError(f"row {line}: unknown exposure label {h!r}/{g!r}")
        if t not in AUTOMATION_LEVELS:
            raise BuildError(f"row {line}: unknown automation level {t!r}")
        beta = float(row["beta"])
        if beta != BETA_OF_LABEL[g]:
            raise BuildError(
                f"row {line}: beta={beta} does not match gpt4_exposure={g}; the "
                "catalog documents beta as the GPT-4 one, re-check the source"
            )
        if soc not in occ_index:
            occ_index[soc] = len(socs)
            socs.append(soc)
            titles.append(title)
        elif titles[occ_index[soc]] != title:
            raise BuildError(f"row {line}: SOC {soc} has two titles")
        occupation.append(occ_index[soc])
        task_ids.append(_task_id(row["Task ID"], line))
        texts.append(text)
        human.append(h)
        gpt4.append(g)
        automation.append(t)
        gpt4_beta.append(beta)

    if not texts:
        raise BuildError("no task rows")
    return {
        "format": FORMAT,
        "attribution": ATTRIBUTION,
        "fields": FIELDS,
        "counts": {"occupations": len(socs), "tasks": len(texts)},
        "occupations": {"soc": socs, "title": titles},
        "tasks": {
            "occupation": occupation,
            "task_id": task_ids,
            "text": texts,
            "human_exposure": human,
            "gpt4_exposure": gpt4,
            "gpt4_automation": automation,
            "gpt4_beta": gpt4_beta,
        },
    }


def encode(payload: dict[str, Any]) -> bytes:
    """Serialise deterministically: compact JSON, gzip with no name, mtime=0."""
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    return buffer.getvalue()


def build(tsv: Path) -> bytes:
    """The catalog file's bytes for ``tsv``."""
    return encode(build_payload(read_rows(tsv)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tsv", nargs="?", type=Path, default=DEFAULT_TSV)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.tsv.is_file():
        parser.error(f"TSV not found: {args.tsv}")
    try:
        data = build(args.tsv)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
