"""The executive summary: one pure `Summary` (summary.py) and its renderers.

Data moves one way: flow + scenario + impact (+ the workshop record) ->
`build_summary` -> Markdown / HTML / PDF / PPTX. Every figure a renderer shows is
read from the Summary and formatted by `redesign.report.formatting`, so the four
documents cannot disagree. `redesign.report.exports.export` is the one entry point
the CLI and the app call, for the summaries and the data formats alike.
"""
