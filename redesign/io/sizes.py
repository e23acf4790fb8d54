"""File sizes in the units people read: a MiB is 2^20 bytes, and the text says MiB."""

from __future__ import annotations


def size_text(size: int) -> str:
    """ "20 MiB", "23.4 MiB", "512.0 KiB" or "205 bytes" (never "21 MB" for 20 MiB)."""
    if size < 1024:
        return f"{size} bytes"
    if size < 2**20:
        return f"{size / 1024:.1f} KiB"
    value = size / 2**20
    return f"{value:.0f} MiB" if value == int(value) else f"{value:.1f} MiB"
