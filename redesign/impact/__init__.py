"""The redesign engine: what a scenario changes, every result explained.

Entry points (pure functions returning pydantic models):

* `redesign.impact.assess.assess(flow, scenario) -> Impact`: hours, roles, skills,
  incentives, governance, end-to-end metrics and the pilot plan of one scenario;
* `redesign.impact.suggest.suggest(flow, exposure="default") -> Suggestions`: a tag
  suggestion per step, grounded in O*NET task exposure;
* `redesign.impact.compare.compare(flow, scenarios=None, tasks=None, evidence=None) -> ScenarioComparison`;
* `redesign.impact.text.to_text(result) -> str` for people; ``result.model_dump_json()``
  for scripts.

Every output item carries a `redesign.impact.explain.Reason` (catalog rule, source,
step ids, figures, sentence). Rules and defaults are data in ``catalog/``.
"""
