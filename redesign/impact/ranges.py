"""Ranges and sensitivity of the headline numbers (docs/methodology.md#ranges).

The point estimate takes every catalog default at its value. Those defaults are
uncertain (effort.json gives each a plausible ``low`` and ``high``), so the headline
figures are recomputed over ``draws`` Monte Carlo draws: each uncertain catalog
parameter is drawn once per draw from a triangular distribution (low, value, high)
and applies to every step that uses it (one unknown quantity, so the steps move
together). A figure the workshop set on a decision is its own measurement and stays
fixed. The P10, P50 and P90 of each figure are reported.

The sensitivity view moves one parameter at a time to its low and its high, all
others at their values, and ranks the parameters by how far the hours saved move
(a tornado chart; Saltelli et al., *Global Sensitivity Analysis: The Primer*, 2008).

Everything is vectorised over the draws with numpy: one array per parameter, one
pass over the steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from redesign.impact.catalog import catalog
from redesign.impact.explain import Reason, because, hours
from redesign.model import Flow, RoleKind, StepKind, Tag

DRAWS = 1000
SEED = 20240601  # fixed: the same flow gives the same range every time
OPTIMISTIC_PERCENTILE = 75.0
"""An estimate above this share of its own draws is called optimistic (docs/methodology.md#ranges)."""

Array = np.ndarray


class Range(BaseModel):
    metric: str
    label: str
    unit: str
    point: float
    p10: float
    p50: float
    p90: float
    # Percent of the draws at or below the point estimate. The catalog's typical values sit at the
    # favourable end of several ranges (an exception rate of 10 % can be 20 %, hardly 5 %), so the
    # estimate at those values often lands near or above the P90: the reader must be told.
    point_percentile: float = 50.0

    @property
    def optimistic(self) -> bool:
        """The estimate at typical values is above three quarters of the draws (for a figure where more is better)."""
        return self.point_percentile >= OPTIMISTIC_PERCENTILE and self.p90 - self.p10 > 1e-9


class Swing(BaseModel):
    parameter: str  # catalog id
    label: str
    low: float  # the parameter's low and high
    high: float
    result_low: float  # hours saved per period with the parameter at its low / high
    result_high: float
    swing: float  # |result_high - result_low|


class Ranges(BaseModel):
    draws: int
    seed: int
    ranges: list[Range]
    sensitivity: list[Swing]  # largest swing first
    reason: Reason

    def get(self, metric: str) -> Range | None:
        return next((r for r in self.ranges if r.metric == metric), None)


# Which catalog parameter a decision field came from, when the field is scaled (minutes, hours).
_SCALED = {"exception_minutes", "monitoring_hours", "validation_minutes"}


@dataclass(frozen=True)
class _Uncertain:
    id: str
    label: str
    mode: float
    low: float
    high: float


_UNCERTAIN: tuple[object, dict[str, _Uncertain]] | None = None
"""(the effort catalog, its uncertain parameters): asked once per step and figure (42,000 times for
a 4,000-step export), so built once per catalog. Read-only for callers."""


def uncertain_parameters() -> dict[str, _Uncertain]:
    """Catalog parameters and augment kinds with a range (the same dict while the catalog is the same)."""
    global _UNCERTAIN
    effort = catalog().effort
    if _UNCERTAIN is None or _UNCERTAIN[0] is not effort:
        _UNCERTAIN = (effort, _uncertain_of(effort))
    return _UNCERTAIN[1]


def _uncertain_of(effort: Any) -> dict[str, _Uncertain]:
    found: dict[str, _Uncertain] = {}
    for p in effort.parameters:
        if p.low is not None and p.high is not None and p.low < p.high:
            found[p.id] = _Uncertain(p.id, p.text.split(":")[0].rstrip("."), p.value, p.low, p.high)
    for k in effort.augment_kinds:
        if k.low is not None and k.high is not None and k.low < k.high:
            found[k.id] = _Uncertain(k.id, f"AI time saving on {k.name}", k.time_saving, k.low, k.high)
    return found


def _value(values: Mapping[str, Array], origin: str, point: float, field: str) -> Array | float:
    """The drawn figure for one step's parameter: catalog draws scale it; a decision's figure stays."""
    drawn = values.get(origin)
    if drawn is None:
        return point
    mode = uncertain_parameters()[origin].mode
    if field in _SCALED:
        return point * drawn / mode if mode else point
    return drawn


class _Model:
    """The engine's formulas on arrays: per step hours, same-path lead time and rolled %C&A."""

    def __init__(self, flow: Flow, impact) -> None:  # impact: redesign.impact.assess.Impact
        self.flow = flow
        self.impact = impact
        self.steps = flow.steps_by_id()
        self.roles = flow.roles_by_id()
        self.cap = catalog().effort.value("effort_augment_cap")
        self.wait_factor = catalog().effort.value("effort_automated_wait_factor")
        self.target_pca = catalog().effort.value("effort_automated_pca")
        self.review_min = catalog().effort.value("effort_review_min_minutes")
        self.review_mode = catalog().effort.value("effort_review_share")
        self.oversight = {n.for_step: n for n in impact.new_steps if n.kind == "oversight"}
        self.econ = {e.step: e for e in impact.steps}
        self.path = list(impact.end_to_end.before.critical_path)
        self.handoffs: dict[tuple[str, str], list] = {}
        for h in flow.handoffs:
            self.handoffs.setdefault((h.source, h.target), []).append(h)

    def _machine(self, role: str) -> bool:
        r = self.roles.get(role)
        return r is not None and r.kind == RoleKind.AI_AGENT

    def _params(self, e, v: Mapping[str, Array]) -> dict[str, Array | float]:
        out = {f: _value(v, e.parameter_origin.get(f, "decision"), x, f) for f, x in e.parameters.items()}
        if "time_saving" in out and e.parameter_origin.get("time_saving") != "effort_augment_cap":
            g = out["time_saving"]
            out["time_saving"] = np.minimum(g, self.cap) if e.parameters["time_saving"] <= self.cap else g
        return out

    def _review_minutes(self, step_id: str, v: Mapping[str, Array]) -> Array | float:
        o = self.oversight.get(step_id)
        if o is None:
            return 0.0
        share = v.get("effort_review_share")
        if share is None or o.minutes_per_case <= self.review_min:
            return o.minutes_per_case
        return np.maximum(self.review_min, o.minutes_per_case * share / self.review_mode)

    def evaluate(self, v: Mapping[str, Array], n: int) -> dict[str, Array]:
        saved = np.zeros(n)
        cost = np.zeros(n)
        for e in self.impact.steps:
            if e.tag == Tag.HUMAN and e.step not in self.oversight:
                continue  # nothing uncertain: its hours are the same before and after
            p = self._params(e, v)
            after = self._after_lines(e, p, e.volume * e.touch_minutes / 60.0)
            if e.step in self.oversight:
                o = self.oversight[e.step]
                after.append(o.volume * self._review_minutes(e.step, v) / 60.0)
            # Same lines, same order as redesign.impact.economics: owner, then the added work.
            for line, line_after in zip(e.lines, after, strict=True):
                if self._machine(line.role):
                    continue
                delta = line.before - line_after
                saved = saved + delta
                r = self.roles.get(line.role)
                if r is not None and r.hourly_cost is not None:
                    cost = cost + delta * r.hourly_cost
        fte = self.flow.fte_hours_per_period
        lead, rolled = self._path(v, n)
        return {"saved_hours": saved, "saved_fte": saved / fte, "cost_saved": cost, "lead_time": lead, "pca": rolled}

    def _after_lines(self, e, p: Mapping[str, Array | float], before: float) -> list[Array | float]:
        if e.tag == Tag.AUTOMATE:
            a, r = p["automation_rate"], p["exception_rate"]
            exceptions = e.volume * a * r * p["exception_minutes"] / 60.0
            return [before * (1.0 - a), exceptions, p["monitoring_hours"]]
        if e.tag == Tag.AUGMENT:
            return [before * (1.0 - p["time_saving"]), e.volume * p["validation_minutes"] / 60.0]
        return [before]

    # --- the same path as the point estimate, on arrays
    def _step_after(self, step_id: str, v: Mapping[str, Array]) -> tuple[Array | float, Array | float, Array | float]:
        """Touch minutes, wait share (of the step's wait and its out-going waits), and output %C&A."""
        step, e = self.steps[step_id], self.econ[step_id]
        p = self._params(e, v)
        if e.tag == Tag.AUTOMATE:
            a, r = p["automation_rate"], p["exception_rate"]
            touch = (1.0 - a) * step.touch_minutes + a * r * p["exception_minutes"]
            share = np.minimum(1.0, ((1.0 - a) + a * r) * self.wait_factor)
            return touch, share, self._automated(step.pca, a, r)
        if e.tag == Tag.AUGMENT:
            touch = step.touch_minutes * (1.0 - p["time_saving"]) + p["validation_minutes"]
            red = p.get("error_reduction", 0.0)
            return touch, 1.0, np.clip(step.pca + (100.0 - step.pca) * red, 0.0, 100.0)
        return step.touch_minutes, 1.0, step.pca

    def _automated(self, pca: float, a: Array | float, r: Array | float) -> Array | float:
        if pca >= self.target_pca:
            return pca
        straight = a * (1.0 - r)
        return straight * self.target_pca + (1.0 - straight) * pca

    def _path(self, v: Mapping[str, Array], n: int) -> tuple[Array, Array]:
        lead = np.zeros(n)
        rolled = np.ones(n)
        catch = v.get("effort_review_catch_rate", catalog().effort.value("effort_review_catch_rate"))
        if not self.path:
            return lead, rolled * 100.0
        for i, sid in enumerate(self.path):
            step, e = self.steps[sid], self.econ[sid]
            touch, share, out = self._step_after(sid, v)
            lead = lead + touch + step.wait_minutes * share + self._review_minutes(sid, v)
            if sid in self.oversight:
                out = np.minimum(100.0, out + (100.0 - out) * np.maximum(0.0, catch))
            nxt = self.path[i + 1] if i + 1 < len(self.path) else None
            if nxt is None:
                rolled = rolled * out / 100.0
                break
            hs = self.handoffs.get((sid, nxt), [])
            lead = lead + max((h.wait_minutes for h in hs), default=0.0) * share
            if self.steps[nxt].kind == StepKind.REVIEW:
                continue  # a review corrects what arrives (redesign.metrics.rolled_pca)
            given = [h.pca for h in hs if h.pca is not None]
            if given:
                edge = min(given)
                if e.tag == Tag.AUTOMATE:
                    p = self._params(e, v)
                    edge = self._automated(edge, p["automation_rate"], p["exception_rate"])
                    if sid in self.oversight:
                        edge = np.minimum(100.0, edge + (100.0 - edge) * np.maximum(0.0, catch))
            else:
                edge = out
            rolled = rolled * edge / 100.0
        return lead, rolled * 100.0


_HEADLINES = (
    ("saved_hours", "Hours saved per period", "h"),
    ("saved_fte", "FTE freed", "FTE"),
    ("cost_saved", "Cost of hours saved per period", "money"),
    ("lead_time", "Lead time per case (same path)", "min"),
    ("pca", "Rolled %C&A (same path)", "%"),
)


def _draw(n: int, seed: int) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    return {u.id: rng.triangular(u.low, u.mode, u.high, n) for u in uncertain_parameters().values()}


def _points(impact) -> dict[str, float]:
    e2e = {c.metric: c for c in impact.end_to_end.changes}
    t = impact.totals
    return {
        "saved_hours": t.saved_hours,
        "saved_fte": t.saved_fte,
        "cost_saved": t.cost_saved_per_period or 0.0,
        "lead_time": e2e["lead_time_minutes"].after,
        "pca": e2e["rolled_pca"].after,
    }


def ranges(flow: Flow, impact, draws: int = DRAWS, seed: int = SEED) -> Ranges:
    """P10/P50/P90 of the headline figures and the parameters that move the hours most."""
    model = _Model(flow, impact)
    results = model.evaluate(_draw(draws, seed), draws)
    points = _points(impact)
    out: list[Range] = []
    for key, label, unit in _HEADLINES:
        if key == "cost_saved" and impact.totals.cost_saved_per_period is None:
            continue
        if key == "pca" and impact.end_to_end.before.pca_unknown_steps:
            continue
        drawn = np.asarray(results[key], dtype=float)
        p10, p50, p90 = (float(x) for x in np.percentile(drawn, [10, 50, 90]))
        # A hair of tolerance: the draws at the typical values reproduce the point up to rounding.
        at_or_below = float(np.mean(drawn <= points[key] + 1e-9 * max(1.0, abs(points[key])))) * 100.0
        out.append(
            Range(
                metric=key, label=label, unit=unit, point=points[key], p10=p10, p50=p50, p90=p90,
                point_percentile=at_or_below,
            )
        )  # fmt: skip
    swings = sensitivity(model)
    saved = next(r for r in out if r.metric == "saved_hours")
    text = (
        f"Hours saved {hours(saved.p10)} to {hours(saved.p90)} per {flow.period.value}, median {hours(saved.p50)} "
        f"(P10-P90 of {draws:,} draws); the estimate at the catalog's typical values, {hours(saved.point)}, "
        f"is at or above {saved.point_percentile:.0f} % of the draws."
    )
    if swings:
        text += f" The assumption that moves it most: {swings[0].label.lower()}."
    changed = [e.step for e in impact.steps if e.tag != Tag.HUMAN]
    return Ranges(
        draws=draws,
        seed=seed,
        ranges=out,
        sensitivity=swings,
        reason=because("range_monte_carlo", changed, text, {"draws": draws, "p10": saved.p10, "p90": saved.p90}),
    )


def likely_words(r: Range, number: Callable[[float], str], unit: str) -> str:
    """The range of a headline figure in words, warning when the estimate is the optimistic end.

    "likely 19.2 to 23.3 h (P10-P90), median 21.4 h"; when the estimate at the typical values is
    above `OPTIMISTIC_PERCENTILE` of the draws, it adds how few draws reach it and to plan on the
    median. ``number`` formats a figure ("21.4"); ``unit`` follows it ("h"). For figures where more
    is better (hours, FTE, cost saved).
    """
    text = f"likely {number(r.p10)} to {number(r.p90)} {unit} (P10-P90), median {number(r.p50)} {unit}"
    if r.optimistic:
        reach = max(0.0, 100.0 - r.point_percentile)
        share = f"only {reach:.0f} % of the draws" if reach >= 0.5 else "none of the draws"
        text += (
            f"; the estimate is optimistic ({share} reach it: the typical values are the favourable end "
            "of their ranges), so plan on the median"
        )
    return text


def sensitivity(model: _Model) -> list[Swing]:
    """One at a time: each uncertain parameter at its low and its high, the others at their values."""
    params = uncertain_parameters()
    ids = list(params)
    if not ids:
        return []
    k = len(ids)
    values = {pid: np.full(2 * k, params[pid].mode) for pid in ids}
    for i, pid in enumerate(ids):
        values[pid][2 * i] = params[pid].low
        values[pid][2 * i + 1] = params[pid].high
    saved = model.evaluate(values, 2 * k)["saved_hours"]
    swings = [
        Swing(
            parameter=pid,
            label=params[pid].label,
            low=params[pid].low,
            high=params[pid].high,
            result_low=float(saved[2 * i]),
            result_high=float(saved[2 * i + 1]),
            swing=float(abs(saved[2 * i + 1] - saved[2 * i])),
        )
        for i, pid in enumerate(ids)
    ]
    return sorted([s for s in swings if s.swing > 1e-9], key=lambda s: -s.swing)


__all__ = ["DRAWS", "Range", "Ranges", "Swing", "likely_words", "ranges", "sensitivity", "uncertain_parameters"]
