"""The first Impact page of a fresh server, and the sentence model's encoding of a flow.

(a) Encoding: the distinct texts the matcher encodes for the sales-forecasting sample (each
    step's name and its name with its description, read in the flow, 44 texts), with the
    sentence model (redesign/impact/embedding.py); the median of several encodings after one
    to warm up. The model's load is timed apart.
(b) First Impact page: a fresh `streamlit run app.py` on a store holding one workshop (the
    sales sample, and the 60-step synthetic flow of the live benchmarks); one session
    (bench/st_client.py) opens the Impact page as the facilitator straight away, and the
    clock runs from its request to the server's `script_finished`: the page matches the
    flow's steps to O*NET tasks (sentence model and task vectors loaded, every step text
    encoded) before it can draw the impact. Median of the starts.

Run from the repo root: .venv/bin/python bench/first_impact.py [--quick] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live_app import seeded_workshop
from bench.st_client import Session
from redesign.samples import FLAGSHIP, load_sample
from redesign.store.service import WorkshopService
from tests.app_server import start_app

Row = dict[str, object]


def step_texts() -> list[str]:
    """The distinct texts the matcher encodes for the flagship sample, as `suggest` asks for them."""
    from redesign.impact.exposure import StepQuery, query_key

    flow = load_sample(FLAGSHIP)
    texts = (t for s in flow.steps for t in StepQuery(flow.name, s.name, s.description).texts())
    return [k for k in dict.fromkeys(map(query_key, texts)) if k]


def encoding_rows(runs: int) -> list[Row]:
    from redesign.impact.embedding import Encoder, model_dir

    folder = model_dir()
    if folder is None:
        return [{"figure": "sentence model", "value": "not installed", "target": "", "met": None}]
    started = time.perf_counter()
    encoder = Encoder(folder)
    load_s = time.perf_counter() - started
    texts = step_texts()
    encoder.encode(texts)  # warm-up: the tokenizer's word cache, BLAS threads
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        encoder.encode(texts)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    return [
        {
            "figure": f"sentence model, encode the sales sample's {len(texts)} step texts (median of {runs})",
            "value": f"{median:.2f} s (model load {load_s:.2f} s)",
            "seconds": median,
            "target": "reported",
            "met": None,
        }
    ]


def sample_workshop(url: str) -> str:
    """A fresh store holding a workshop on the flagship sample; the facilitator's token."""
    svc = WorkshopService.from_url(url)
    try:
        created = svc.create_workshop("Bench", "Where do people, AI and automation fit?", load_sample(FLAGSHIP), "Fran")
        return created.facilitator_token
    finally:
        svc.dispose()


def first_impact(folder: Path, flow: str) -> float:
    """Seconds from asking for the Impact page of a fresh server to its first full run."""
    url = f"sqlite:///{folder / 'bench.db'}"
    token = sample_workshop(url) if flow == "sample" else seeded_workshop(url, 60).facilitator
    server = start_app(url, folder)
    try:
        with Session(server.url, "impact", {"t": token}, poll=False) as session:
            started = time.perf_counter()
            session.wait_for_runs(full=1, timeout=900)
            return time.perf_counter() - started
    finally:
        server.stop()


def impact_rows(runs: int) -> list[Row]:
    rows: list[Row] = []
    for flow, label in (("sample", "sales sample, 22 steps"), ("synthetic", "synthetic flow, 60 steps")):
        times = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="crossflow-bench-") as folder:
                times.append(first_impact(Path(folder), flow))
        median = statistics.median(times)
        rows.append(
            {
                "figure": f"first Impact page of a fresh server, {label} (median of {runs})",
                "value": f"{median:.1f} s (runs: {', '.join(f'{t:.1f}' for t in times)} s)",
                "seconds": median,
                "target": "reported",
                "met": None,
            }
        )
        print(f"  {rows[-1]['figure']}: {rows[-1]['value']}", file=sys.stderr, flush=True)
    return rows


def run(quick: bool = False, runs: int | None = None) -> list[Row]:
    rows = encoding_rows(3 if quick else 5)
    print(f"  {rows[0]['figure']}: {rows[0]['value']}", file=sys.stderr, flush=True)
    return rows + impact_rows(runs or (1 if quick else 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    for row in run(args.quick, args.runs):
        print(f"{row['figure']}: {row['value']}")


if __name__ == "__main__":
    main()
