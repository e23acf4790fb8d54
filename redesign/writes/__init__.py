"""The workshop's write model: pure rules of what a write does, with no SQL, Streamlit or files.

`events` (what the log holds), `describe` (how an event reads), `commands` (what a
caller asks for), `decide` (the events a command makes against a snapshot, or why it
is refused: stale, invalid, missing), `merge` and `order` (the three-way merge of a
replaced flow and where rows go), `undo` (the inverse of a write's events). The store
(`redesign.store`) reads the snapshot, runs these inside its transaction and writes
the events; these modules never see a connection.
"""
