"""Format versions of state files, and the numbered steps that upgrade old ones.

Every state file carries `format = N`. Reading a file runs the steps from its
version up to the current one (`upgrade`), in memory; the upgraded file is
written at the next compaction, after the daily backup kept the original. A
file from a newer retain (format above what this version knows) is refused
with a message: it is never rewritten by an older program.

History:
- snapshot v0 (retain 0.0.x, before journal positions existed): no `format`
  key; cards as `[cards."deck/card"]` sub-tables. v0 -> v1 adds `format = 1`
  and an empty `[journal]` table, meaning "replay the whole journal over it"
  (safe: replay is last-event-wins and the journal holds every event).
- snapshot v1: `format = 1`, `deck`, `[journal]` positions, `[cards]` inline tables.
  Positions may carry `check` (the CRC of the record before the offset); older
  ones without it are verified by their boundary (`journal.verify_position`).
  Stability and difficulty are written to 6 significant digits since journal
  format 2 (a v1 reader takes them as they are).
- journal v1: one `[[review]]` block per event (`journal_v1`), read forever.
- journal v2: one line per event (`statecodec.encode_event`). Journals are not
  upgraded in place (they are append-only history): a month whose file is v1
  continues in `journal-YYYY-MM.v2.toml`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["SNAPSHOT_FORMAT", "FormatError", "upgrade"]

SNAPSHOT_FORMAT = 1

Step = Callable[[dict[str, Any]], dict[str, Any]]


class FormatError(Exception):
    """A state file this retain cannot use; the message is one line for the user."""


def _snapshot_v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["format"] = 1
    out["journal"] = {}
    cards = out.get("cards", {})
    if isinstance(cards, dict):
        # v0 allowed `[cards."deck/card"]` sub-tables; they parse to the same dicts.
        out["cards"] = {k: v for k, v in cards.items()}
    return out


_STEPS: dict[str, dict[int, Step]] = {
    "snapshot": {0: _snapshot_v0_to_v1},
}
_CURRENT = {"snapshot": SNAPSHOT_FORMAT}


def upgrade(kind: str, data: dict[str, Any], where: str) -> tuple[dict[str, Any], int]:
    """Bring parsed `data` of `kind` to the current format; return it and the version it had."""
    current = _CURRENT[kind]
    fmt = data.get("format", 0)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 0:
        raise FormatError(f"{where}: `format` must be a whole number, got {fmt!r}")
    if fmt > current:
        raise FormatError(
            f"{where} has {kind} format {fmt}, written by a newer retain "
            f"(this one reads up to {current}); upgrade retain to open it"
        )
    original = fmt
    while fmt < current:
        data = _STEPS[kind][fmt](data)
        fmt += 1
        data["format"] = fmt
    return data, original
