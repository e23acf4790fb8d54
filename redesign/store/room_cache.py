"""Whole-workshop reads kept by version, so 50 pages asking for the same version read it once.

When a comment lands, every participant's board asks the view route for the new version
(see `redesign/web/routes.py`). Reading the workshop for each of them (flow, people,
proposals, comments, decisions) was about 7 ms of the route's 9 ms, fifty times over. The
room at a version is the same for every seat; only the filtering for the viewer differs
(`reads.seat_state`).

The key is (workshop id, version) as read in the same read transaction as the room: every
write that changes anything a room holds commits a new version (`repository.commit_version`),
and a read transaction sees one committed snapshot, so a room read under a key is exactly
the content at that version. Rooms handed out are shared: callers must treat them as
read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy.engine import Connection

from redesign.store import reads
from redesign.store.records import WorkshopRecord


class RoomCache:
    """A small LRU of rooms by (workshop id, version), shared by the threads of one service."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._rooms: OrderedDict[tuple[str, int], reads.Room] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def room(self, conn: Connection, ws: WorkshopRecord) -> reads.Room:
        """The room of `ws` at ws.version: kept, or read through `conn` and kept."""
        key = (ws.id, int(ws.version))
        with self._lock:
            found = self._rooms.get(key)
            if found is not None:
                self._rooms.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        read = reads.room(conn, ws)  # outside the lock: two threads may read the same version; both are equal
        with self._lock:
            self._rooms[key] = read
            self._rooms.move_to_end(key)
            while len(self._rooms) > self._size:
                self._rooms.popitem(last=False)
        return read
