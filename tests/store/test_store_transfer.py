"""Export/import round trips, deleting with an archive, and backup/restore between databases."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from redesign.model import Decision, Tag
from redesign.store.backup import backup, restore
from redesign.store.errors import AccessDenied, InvalidInput
from redesign.store.service import WorkshopService
from redesign.workshop import Phase
from tests.store.store_flows import Room, open_room


def busy_room(svc: WorkshopService) -> Room:
    """A workshop with something of everything in it."""
    room = open_room(svc)
    v = svc.version(room.wid)
    s2 = svc.state(room.fac).flow.step("S2")
    svc.update_step(room.ana.token, v, s2.model_copy(update={"pca": 70.0, "dq_note": "late invoices"}))
    svc.comment(room.bob.token, "handoff", "H2", "Sent by e-mail", "data_quality")
    svc.set_phase(room.fac, Phase.CONVERGE)
    svc.propose(room.ana.token, "S1", Tag.AUGMENT, "draft it")
    svc.propose(room.bob.token, "S1", Tag.AUTOMATE)
    c = svc.comment(room.ana.token, "step", "S1", "Who signs off?", "question")
    svc.resolve_comment(room.fac, c.id)
    svc.settle(room.fac, Decision(step="S1", tag=Tag.AUGMENT, owner="accountant", review_date="2027-01-31"))
    svc.set_focus(room.fac, "S1")
    svc.set_timer(room.fac, 600)
    return room


def without_identity(doc: dict[str, Any]) -> dict[str, Any]:
    """The parts a round trip may change: the workshop id and the export time."""
    out = copy.deepcopy(doc)
    out.pop("exported_at")
    out["workshop"].pop("id")
    return out


def test_export_then_import_gives_an_identical_workshop(svc: WorkshopService) -> None:
    room = busy_room(svc)
    first = svc.export_workshop(room.fac)
    assert first["crossflow_workshop_version"] == 1
    assert "secrets" not in first and room.created.join_code not in json.dumps(first)
    again = svc.import_workshop(json.loads(json.dumps(first)), "Fran")  # through real JSON text
    assert again.workshop_id != room.wid and again.join_code != room.created.join_code
    second = svc.export_workshop(again.facilitator_token)
    assert without_identity(second) == without_identity(first)
    original, copy_ = svc.state(room.fac), svc.state(again.facilitator_token)
    for field in ("name", "goal", "version", "phase", "flow", "decisions", "proposals", "comments", "focus_step"):
        assert getattr(copy_, field) == getattr(original, field), field
    assert copy_.timer_ends_at == original.timer_ends_at
    # and the copy is live: people can join and work on
    newcomer = svc.join(again.join_code, "Cleo", "hr")
    svc.propose(newcomer.token, "S2", Tag.HUMAN)
    assert svc.state(room.fac).version == original.version  # the original is untouched


def test_imported_seats_can_be_claimed_by_name_and_function(svc: WorkshopService) -> None:
    room = busy_room(svc)
    again = svc.import_workshop(svc.export_workshop(room.fac), "Gina")
    assert svc.whoami(again.facilitator_token).name == "Gina"
    ana = svc.join(again.join_code, "Ana", "finance")
    assert ana.participant_id == room.ana.participant_id
    assert [p.participant_name for p in svc.state(ana.token).proposals] == ["Ana"]  # her own proposal is hers
    with pytest.raises(InvalidInput, match="already joined"):
        svc.join(again.join_code, "Ana", "finance")  # claimed now


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("crossflow_workshop_version"), "not a Crossflow workshop export"),
        (lambda d: d.update(crossflow_workshop_version=7), "format version 7"),
        (lambda d: d["flow"]["handoffs"][0].update(target="nowhere"), 'unknown step "nowhere"'),
        (lambda d: d["proposals"][0].update(participant_id="p77"), 'unknown participant "p77"'),
        (lambda d: d["comments"][0].update(kind="shout"), "comments"),
        (lambda d: d["participants"].append(dict(d["participants"][1])), "participant id twice"),
        (lambda d: d["decisions"][0]["decision"].update(owner="ghost"), 'unknown role "ghost"'),
    ],
)
def test_import_refuses_broken_documents_clearly(svc: WorkshopService, mutate: Any, message: str) -> None:
    room = busy_room(svc)
    doc = svc.export_workshop(room.fac)
    mutate(doc)
    with pytest.raises(InvalidInput, match=message):
        svc.import_workshop(doc, "Fran")


def test_import_refuses_non_documents(svc: WorkshopService) -> None:
    for junk in (None, [], "text", {"workshop": {}}):
        with pytest.raises(InvalidInput, match="not a Crossflow workshop export"):
            svc.import_workshop(junk, "Fran")  # type: ignore[arg-type]


def test_delete_needs_the_key_and_keeps_an_archive(svc: WorkshopService) -> None:
    room = busy_room(svc)
    expected = svc.export_workshop(room.fac)
    with pytest.raises(AccessDenied, match="does not match"):
        svc.delete_workshop(room.fac, "AAAA-BBBB")
    final = svc.delete_workshop(room.fac, room.created.facilitator_key)
    assert without_identity(final) == without_identity(expected)
    for token in (room.fac, room.ana.token):
        with pytest.raises(AccessDenied):
            svc.state(token)
    archived = svc.export_all()["archived"]
    assert [a["workshop_id"] for a in archived] == [room.wid]
    assert without_identity(archived[0]["export"]) == without_identity(expected)


def test_backup_and_restore_into_another_database(svc: WorkshopService, database_url: str, tmp_path: Path) -> None:
    room = busy_room(svc)
    gone = open_room(svc)
    svc.delete_workshop(gone.fac, gone.created.facilitator_key)
    path = tmp_path / "backups" / "crossflow-backup.json"
    count = backup(database_url, path)
    assert not list(path.parent.glob("*.tmp"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    ids = [w["workshop"]["id"] for w in doc["workshops"]]  # on PostgreSQL the module's other tests' too
    archived = [a["workshop_id"] for a in doc["archived"]]
    assert count == len(ids) and room.wid in ids and gone.wid not in ids and gone.wid in archived
    assert "token_hashes" in json.dumps(doc) and room.ana.token not in json.dumps(doc)  # hashes, never tokens
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    report = restore(target, path)
    assert (report.restored, report.skipped, report.archived_added) == (ids, [], len(archived))
    other = WorkshopService.from_url(target)
    try:
        # same links and codes: tokens and the join code keep working
        assert other.state(room.ana.token).flow == svc.state(room.ana.token).flow
        assert other.export_workshop(room.fac)["events"] == svc.export_workshop(room.fac)["events"]
        assert other.join(room.created.join_code, "Dan", "it").workshop_id == room.wid
        assert other.reclaim_facilitator(room.created.join_code, room.created.facilitator_key).workshop_id == room.wid
    finally:
        other.dispose()
    again = restore(target, path)  # restoring twice changes nothing
    assert (again.restored, again.skipped, again.archived_added) == ([], ids, 0)


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        restore(url, bad)
    bad.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a Crossflow backup"):
        restore(url, bad)
    with pytest.raises(InvalidInput, match="Cannot read the backup"):
        restore(url, tmp_path / "missing.json")
