"""Backup refuses a database that is not there; restore writes a whole backup or nothing (issue 13, point 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from redesign.cli import main
from redesign.store import admin
from redesign.store.errors import InvalidInput
from redesign.store.service import WorkshopService


def _two_workshops(tmp_path: Path) -> tuple[Path, list[str]]:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    svc = WorkshopService.from_url(source)
    ids = [svc.create_from_sample("sales_forecasting", name).workshop_id for name in ("Fran", "Gil")]
    svc.dispose()
    path = tmp_path / "b.json"
    assert admin.backup(source, path) == 2
    return path, ids


def _workshop_count(url: str) -> int:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM workshops")).scalar_one())
    finally:
        engine.dispose()


def test_backup_of_a_mistyped_sqlite_path_fails_and_creates_nothing(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "crosflow.db"
    with pytest.raises(InvalidInput, match="There is no database file"):
        admin.backup(f"sqlite:///{missing}", tmp_path / "b.json")
    assert not missing.exists() and not (tmp_path / "b.json").exists()
    code = main(["backup", "--database", f"sqlite:///{missing}", str(tmp_path / "b.json")])
    assert code != 0 and not missing.exists()
    assert "There is no database file" in capsys.readouterr().err


def test_backup_of_a_database_without_crossflow_refuses(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()  # an empty SQLite file
    with pytest.raises(InvalidInput, match="holds no Crossflow workshops"):
        admin.backup(f"sqlite:///{empty}", tmp_path / "b.json")


def test_restore_with_a_bad_second_workshop_restores_nothing(tmp_path: Path, database_url: str) -> None:
    path, _ = _two_workshops(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["workshops"][1]["flow"]["steps"][0]["function"] = "no_such_function"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"^Workshop 2 of the backup: .*Nothing was restored\.$"):
        admin.restore(database_url, path)
    assert _workshop_count(database_url) == 0


def test_restore_that_clashes_midway_rolls_back_the_first_workshop(tmp_path: Path, database_url: str) -> None:
    path, _ids = _two_workshops(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    # the second workshop's facilitator token hash equals the first's: the insert fails inside the transaction
    first, second = (w["secrets"]["token_hashes"] for w in doc["workshops"])
    second[next(iter(second))] = next(iter(first.values()))
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InvalidInput, match="Nothing was restored"):
        admin.restore(database_url, path)
    assert _workshop_count(database_url) == 0


def test_restore_reports_exactly_what_it_wrote_and_skipped(tmp_path: Path, database_url: str) -> None:
    path, ids = _two_workshops(tmp_path)
    first = admin.restore(database_url, path)
    assert (sorted(first.restored), first.skipped) == (sorted(ids), [])
    again = admin.restore(database_url, path)
    assert (again.restored, sorted(again.skipped), again.archived_added) == ([], sorted(ids), 0)
    assert _workshop_count(database_url) == 2
