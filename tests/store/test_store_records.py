"""The repository's records are built positionally from rows: their fields must be the tables' columns, in order."""

from __future__ import annotations

from redesign.store import records
from redesign.store import tables as t


def test_record_fields_are_the_columns_in_order() -> None:
    assert records.WorkshopRecord._fields == tuple(t.workshops.c.keys())
    assert records.ParticipantRecord._fields == tuple(t.participants.c.keys())
    assert records.ProposalRecord._fields == tuple(t.proposals.c.keys())
    assert records.CommentRecord._fields == tuple(t.comments.c.keys())
    assert records.DecisionRecord._fields == tuple(t.decisions.c.keys())
    assert records.ArchivedRecord._fields == tuple(t.archived_workshops.c.keys())
    assert records.FlowItemRecord._fields == tuple(c.name for c in t.flow_items.c if c.name != "workshop_id")
