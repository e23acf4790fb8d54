"""redesign.store.admin: the operator tasks behind `python -m redesign migrate|backup|restore`."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from redesign.store import admin
from redesign.store.errors import InvalidInput, StoreUnavailable
from redesign.store.migrate import head_revision
from redesign.store.service import WorkshopService
from redesign.workshop import Phase


def test_migrate_creates_then_finds_nothing_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    first = admin.migrate(url)
    assert (first.before, first.after, first.changed) == (None, head_revision(), True)
    assert first.message() == f"{url}: schema migrated from empty to {head_revision()}"
    second = admin.migrate(url)
    assert (second.before, second.changed) == (head_revision(), False)
    assert second.message().endswith("nothing to do")


def test_migrate_refuses_a_schema_from_a_newer_crossflow(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    admin.migrate(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(StoreUnavailable, match="9999_future, which this Crossflow does not know") as caught:
        admin.migrate(url)
    assert "upgrade Crossflow" in str(caught.value)


def test_unreachable_database_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreUnavailable) as caught:
        admin.migrate("postgresql://crossflow:s3cret@127.0.0.1:1/crossflow")
    message = str(caught.value)
    assert message.startswith("Cannot open the database postgresql+psycopg://crossflow:***@127.0.0.1:1/crossflow: ")
    assert "s3cret" not in message and "\n" not in message


@pytest.mark.parametrize(("url", "message"), [("mysql://x/y", "Unsupported database"), ("nonsense", "not valid")])
def test_bad_urls_say_what_is_expected(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        admin.migrate(url)


def test_backup_then_restore_into_an_empty_database(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    svc = WorkshopService.from_url(source)
    created = svc.create_from_sample("sales_forecasting", "Fran")
    svc.set_phase(created.facilitator_token, Phase.VOTE)
    joined = svc.join(created.join_code, "Ana", "sales")
    svc.propose(joined.token, "manager_adjustment", "augment")
    svc.dispose()

    assert admin.backup(source, tmp_path / "backups" / "b.json") == 1
    report = admin.restore(target, tmp_path / "backups" / "b.json")
    assert (report.restored, report.skipped) == ([created.workshop_id], [])
    again = admin.restore(target, tmp_path / "backups" / "b.json")
    assert (again.restored, again.skipped) == ([], [created.workshop_id])

    restored = WorkshopService.from_url(target)
    state = restored.state(joined.token)  # the participant's link still works
    restored.dispose()
    assert state.join_code == created.join_code
    assert [(p.step_id, p.tag.value) for p in state.proposals] == [("manager_adjustment", "augment")]


def test_backup_to_an_unwritable_place_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    admin.migrate(url)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreUnavailable, match=f"Cannot write the backup {blocker}/b.json"):
        admin.backup(url, blocker / "b.json")


def test_restore_of_a_missing_or_foreign_file_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with pytest.raises(InvalidInput, match="Cannot read the backup"):
        admin.restore(url, tmp_path / "missing.json")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(InvalidInput, match="is not a Crossflow backup"):
        admin.restore(url, tmp_path / "other.json")
