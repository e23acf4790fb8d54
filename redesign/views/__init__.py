"""What a person's page shows, as plain data computed from a `WorkshopState` (no Streamlit, no SQL).

Shared by the Streamlit pages (redesign/ui) and the live routes (redesign/web): the board's
cards and the "look" of a view, so a route can hand a page its new board without a rerun.
"""
