"""What an Anki import keeps so that exporting the deck again updates the same notes in Anki.

Anki matches an imported note to one it has by GUID, and only updates it when
the note type is the same one (same id, same field and template names). So an
`.apkg` import writes `DECK.anki.json` beside the deck file:

- per card id: the note's GUID, its note type id, its fields as Anki had them
  (HTML) and a fingerprint of the card retain made from them;
- per note type: its name, kind, field names and templates (names, question
  and answer formats), CSS and `mod` (when Anki last changed it; 0 unknown);
- the media names the fields use, mapped to retain's content-hash files.

On export, a card that has an entry gets its GUID and note type back. When the
card is unchanged since the import (same fingerprint) its fields are written
exactly as Anki had them; an edited card gets fresh fields from its Markdown.
The note type goes back with Anki's own `mod`: a collection whose copy of it is
newer (the learner changed it in Anki since) keeps its own, and one holding an
older version (the deck changed upstream since) is updated, as Anki's package
itself would update it. A file written before `mod` was kept reads as 0.
The file is plain JSON; deleting it only means the next export makes new notes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retain.core.model import Card, Kind
from retain.interop.anki import jsontext
from retain.interop.anki.ankidb import AnkiDb
from retain.interop.anki.protowire import strings

__all__ = [
    "KEEP_SUFFIX",
    "AnkiKeep",
    "KeptNote",
    "card_fingerprint",
    "keep_path",
    "load_keep",
    "read_notetypes",
    "sane_mod",
]

KEEP_SUFFIX = ".anki.json"
MAX_MOD = 253_402_300_799  # 9999-12-31 23:59:59 UTC in seconds: a later `mod` is no real time


def sane_mod(value: object) -> int:
    """A note type's `mod` (seconds, as Anki keeps it) from a package or a kept file: the whole
    number when it is one in 0..MAX_MOD, else 0 (unknown; never newer than any collection's)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MOD:
        return value
    return 0


@dataclass(frozen=True, slots=True)
class KeptNote:
    guid: str
    mid: int
    fields: list[str]
    sum: str


@dataclass(slots=True)
class AnkiKeep:
    notetypes: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, KeptNote] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)  # name in Anki -> content-hash name

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": 1,
                "notetypes": {str(k): v for k, v in self.notetypes.items()},
                "notes": {k: [n.guid, n.mid, n.fields, n.sum] for k, n in self.notes.items()},
                "media": self.media,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


def keep_path(decks_dir: Path, deck_id: str) -> Path:
    return decks_dir / f"{deck_id}{KEEP_SUFFIX}"


def card_fingerprint(card: Card) -> str:
    raw = "\x1f".join((card.kind, card.front, card.back, card.text, card.extra))
    return hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _notetype(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None
    flds, tmpls = raw.get("flds"), raw.get("tmpls")
    if not isinstance(flds, list) or not isinstance(tmpls, list):
        return None
    if not all(isinstance(f, str) for f in flds) or not all(
        isinstance(t, list) and len(t) == 3 and all(isinstance(x, str) for x in t) for t in tmpls
    ):
        return None
    return {
        "name": raw["name"],
        "kind": raw.get("kind") if raw.get("kind") in ("basic", "reversed", "cloze", "typed") else "basic",
        "flds": flds,
        "tmpls": tmpls,
        "css": raw["css"] if isinstance(raw.get("css"), str) else "",
        "mod": sane_mod(raw.get("mod")),
    }


def load_keep(path: Path) -> AnkiKeep | None:
    """The kept Anki identity of a deck's notes, or None when there is none (or it is unreadable)."""
    try:
        data = jsontext.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != 1:
        return None
    keep = AnkiKeep()
    for mid, raw in (data.get("notetypes") or {}).items():
        nt = _notetype(raw)
        if nt is not None and str(mid).isdigit():
            keep.notetypes[int(mid)] = nt
    for card_id, raw in (data.get("notes") or {}).items():
        if (
            isinstance(raw, list)
            and len(raw) == 4
            and isinstance(raw[0], str)
            and isinstance(raw[1], int)
            and isinstance(raw[2], list)
            and all(isinstance(f, str) for f in raw[2])
            and isinstance(raw[3], str)
            and raw[1] in keep.notetypes
        ):
            keep.notes[card_id] = KeptNote(raw[0], raw[1], raw[2], raw[3])
    media = data.get("media")
    if isinstance(media, dict):
        keep.media = {k: v for k, v in media.items() if isinstance(k, str) and isinstance(v, str)}
    return keep


def read_notetypes(db: AnkiDb, kinds: dict[int, Kind]) -> dict[int, dict[str, Any]]:
    """Each note type's name, fields, templates, CSS and `mod`, from either collection schema
    (`mod` 0 when the collection has none usable: `sane_mod`)."""
    out: dict[int, dict[str, Any]] = {}
    c = db.conn
    ver = int(c.execute("SELECT ver FROM col").fetchone()[0])
    if ver < 15:
        models = jsontext.loads(c.execute("SELECT models FROM col").fetchone()[0])
        for mid, m in models.items() if isinstance(models, dict) else []:
            if not isinstance(m, dict) or int(mid) not in kinds:
                continue
            flds = sorted(
                (f for f in m.get("flds", []) if isinstance(f, dict)), key=lambda f: f.get("ord", 0)
            )
            temps = sorted(
                (t for t in m.get("tmpls", []) if isinstance(t, dict)), key=lambda t: t.get("ord", 0)
            )
            out[int(mid)] = {
                "name": str(m.get("name", "")),
                "kind": kinds[int(mid)],
                "flds": [str(f.get("name", "")) for f in flds],
                "tmpls": [
                    [str(t.get("name", "")), str(t.get("qfmt", "")), str(t.get("afmt", ""))] for t in temps
                ],
                "css": str(m.get("css", "")),
                "mod": sane_mod(m.get("mod")),
            }
        return out
    fields: dict[int, list[str]] = {}
    for ntid, name in c.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(str(name))
    tmpls: dict[int, list[list[str]]] = {}
    for ntid, name, config in c.execute("SELECT ntid, name, config FROM templates ORDER BY ntid, ord"):
        blob = config or b""
        tmpls.setdefault(ntid, []).append(
            [str(name), (strings(blob, 1) or [""])[0], (strings(blob, 2) or [""])[0]]
        )
    has_mod = any(row[1] == "mtime_secs" for row in c.execute("PRAGMA table_info(notetypes)"))
    mod_column = "mtime_secs" if has_mod else "0"  # (a damaged collection may lack the column)
    for ntid, name, config, mod in c.execute(f"SELECT id, name, config, {mod_column} FROM notetypes"):
        if ntid in kinds:
            css = (strings(config or b"", 3) or [""])[0]
            out[ntid] = {
                "name": str(name),
                "kind": kinds[ntid],
                "flds": fields.get(ntid, []),
                "tmpls": tmpls.get(ntid, []),
                "css": css,
                "mod": sane_mod(mod),
            }
    return out
