"""The join link's preview: the workshop and its functions, nothing else; unknown codes refused."""

from __future__ import annotations

import pytest

from redesign.store.errors import NotFound
from redesign.store.service import WorkshopService


def test_preview_names_the_workshop_and_its_functions(svc: WorkshopService) -> None:
    created = svc.create_from_sample("sales_forecasting", "Fran", goal="Cut forecast error")
    preview = svc.preview(created.join_code.lower().replace("-", ""))
    assert preview.name == "Sales forecasting"
    assert preview.goal == "Cut forecast error"
    assert ("sales", "Sales") in preview.functions and ("finance", "Finance") in preview.functions


def test_preview_of_an_unknown_code_is_not_found(svc: WorkshopService) -> None:
    with pytest.raises(NotFound, match="No workshop has the code"):
        svc.preview("ZZZZ-ZZZZ-ZZ")
