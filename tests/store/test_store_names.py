"""Seats cannot be taken under a look-alike or hidden-character name (issue 13, point 2), on both databases."""

from __future__ import annotations

import pytest

from redesign.store.errors import InvalidInput
from redesign.store.service import WorkshopService
from tests.store.store_flows import close_flow


def test_look_alike_and_hidden_names_are_refused_at_join(svc: WorkshopService) -> None:
    created = svc.create_workshop("W", "", close_flow(), "Fac1")
    for name in ("F\u0430c1", "Facl", "FacI"):
        with pytest.raises(InvalidInput, match=r'looks the same as "Fac1", who is already in this workshop'):
            svc.join(created.join_code, name, "finance")
    for name in ("Fac1\u200b", "\u202eFac1", "Fa\u2060c1"):
        with pytest.raises(InvalidInput, match="invisible or text-direction character"):
            svc.join(created.join_code, name, "finance")
    ana = svc.join(created.join_code, "  Ａｎａ ", "finance")
    assert svc.whoami(ana.token).name == "Ana"  # stored normalised
    with pytest.raises(InvalidInput, match='Someone called "Ana" has already joined'):
        svc.join(created.join_code, "ana", "ops")
    assert svc.join(created.join_code, "Fac2", "ops").token
    names = sorted(p.name for p in svc.state(created.facilitator_token).participants)
    assert names == ["Ana", "Fac1", "Fac2"]


def test_workshop_and_facilitator_names_are_checked_too(svc: WorkshopService) -> None:
    with pytest.raises(InvalidInput, match="workshop name contains an invisible"):
        svc.create_workshop("Q3\u200b plan", "", close_flow(), "Fran")
    with pytest.raises(InvalidInput, match="facilitator's name contains an invisible"):
        svc.create_workshop("Q3 plan", "", close_flow(), "\u202eFran")
    created = svc.create_workshop("Ｑ3  plan", "", close_flow(), "Fran")
    assert svc.state(created.facilitator_token).name == "Q3 plan"
