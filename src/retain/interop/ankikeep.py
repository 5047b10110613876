"""What an Anki import keeps so that exporting the deck again updates the same notes in Anki.

Anki matches an imported note to one it has by GUID, and only updates it when
the note type is the same one (same id, same field and template names). So an
`.apkg` import writes `DECK.anki.json` beside the deck file:

- per card id: the note's GUID, its note type id, its fields as Anki had them
  (HTML) and a fingerprint of the card retain made from them;
- per note type: its name, kind, field names and templates (names, question
  and answer formats), CSS and `mod` (when Anki last changed it; 0 unknown);
- the media names the fields use, mapped to retain's content-hash files, and so the `_` files
  the note types' CSS and templates load (a font, a script: `notetype_media`), which the export
  packs with the note type as Anki's own package does.

On export, a card that has an entry gets its GUID and note type back, while the note type
still makes the card's kind (`apkg_write._fits`: a card made `reversed` in retain whose note is
a one-template "Basic", or made cloze or typed, goes as retain's own note type for its kind
under retain's GUID: Anki skips a note whose GUID it has under another note type). When the
card is unchanged since the import (same fingerprint) its fields are written
exactly as Anki had them; an edited card gets fresh fields from its Markdown.
The note type goes back with Anki's own `mod`: a collection whose copy of it is
newer (the learner changed it in Anki since) keeps its own, and one holding an
older version (the deck changed upstream since) is updated, as Anki's package
itself would update it. A file written before `mod` was kept reads as 0.
The file is plain JSON; deleting it only means the next export makes new notes.

An import with the history (`--with-history`) also keeps, under `cards`, per Anki card (its retain
unit key without the deck: `id`, `id:reverse`, `id:c2`) Anki's SM-2 ease factor (permille; 0 for
none, a new or learning card's), its review and lapse counts, the latest time (Unix ms) an
event of Anki's log of it can have; and under `ivls` the interval (`cards.ivl`, days) of such a
card in review or relearning (an earlier retain's file has none: the export's own). An
export with progress (`AnkiEase`) gives a card back Anki's
factor, changed as SM-2 changes it for each answer retain recorded after that time (Again -200,
Hard -150, Easy +150 on a review card, never below 1300); a card reset to new in retain since has
none (the export's own, from FSRS difficulty). A new card retain has not answered since keeps
Anki's counts (Anki's "reset to new" can keep them). A review or relearning card retain has not
answered or reset since keeps Anki's interval, which is not always the days from its last review
to its due day (SM-2's "Set due date" keeps the interval and moves only the due day); the
export writes it in the card, in the last row of Anki's log when that row set the due date, and
as the interval before retain's first answer since. A file without `cards` (an earlier
retain's) reads as none, a card without an interval as one of unknown interval; an entry
out of range (a negative count) is left out, a factor SM-2 never gives or an interval out of
range is none.

Every `.apkg` import also keeps `given`, the card ids the package gave the deck (retain's own
notes, which have no entry, too), and `moved_in` lists the cards moved here from another deck with
their entries (`ankikeep_moves`): a re-import keeps a card of the deck that the package did not
give it (`own_cards`). A file without `given` (an earlier retain's) reads as None: the cards with
an entry are the package's; one without `moved_in` as none moved in. Only ids that are text count.

A file that is there but does not read as one (a merge conflict left in it, cut short, another
`format`, no regular file) is None to `load_keep` (an export makes new notes); `read_keep` tells it
from no file at all (`KeepError`, one line of why), for an import that must not take it for "no
record" (`own_cards`) and for `retain check`.

The file is untrusted input: a note type id (a key of `notetypes`, a note's number) is a whole
number in 1..2**63-1 (SQLite's and Anki's 64-bit id) written in ASCII digits, or the entry is left
out, as any other malformed one is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from retain.core.mediaref import is_safe_name
from retain.core.model import Card, Kind
from retain.core.state import REVIEW
from retain.interop.anki import jsontext
from retain.interop.anki.ankidb import AnkiDb
from retain.interop.anki.notetype_media import kept_type_media
from retain.interop.anki.protowire import strings
from retain.interop.bundle import Review
from retain.store.files import ReadError, read_text_limited

__all__ = [
    "KEEP_SUFFIX",
    "AnkiEase",
    "AnkiIntervals",
    "AnkiKeep",
    "KeepError",
    "KeptCard",
    "KeptNote",
    "card_fingerprint",
    "keep_guids",
    "keep_path",
    "load_keep",
    "notetype_media",
    "parse_keep",
    "read_keep",
    "read_notetypes",
    "sane_factor",
    "sane_ivl",
    "sane_mod",
]

KEEP_SUFFIX = ".anki.json"
MAX_MOD = 253_402_300_799  # 9999-12-31 23:59:59 UTC in seconds: a later `mod` is no real time
MIN_FACTOR = 1300  # SM-2's least ease factor (130%)
MAX_FACTOR = 65_535  # Anki keeps a card's ease factor in 16 bits
MAX_COUNT = 2**31 - 1  # a review or lapse count
MAX_MS = MAX_MOD * 1000 + 999
MAX_KEEP_BYTES = 1 << 30  # a kept file holds a deck's notes as Anki had them: larger is no import's
MAX_ID = 2**63 - 1  # a note type id: Anki's and SQLite's signed 64-bit integer, above 0
_SM2_DELTA = {1: -200, 2: -150, 3: 0, 4: 150}  # SM-2's change of a review card's factor per rating


def _whole(value: object, top: int) -> int | None:
    """`value` when it is a whole number in 0..top (never a bool), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top:
        return value
    return None


def _note_type_id(value: object) -> int | None:
    """A note type id from the kept file (a key, so text; or a note's number): a whole number in
    1..MAX_ID written in ASCII digits, else None. (`"²".isdigit()` holds, `int("²")` raises; a
    thousand digits is no id, and one past 64 bits no SQLite integer.)"""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ID))):
            return None
        value = int(value)
    found = _whole(value, MAX_ID)
    return found if found else None


def sane_factor(value: object) -> int:
    """An ease factor (permille) from a package or a kept file: a whole number SM-2 can give
    (1300..65535), else 0 (none)."""
    found = _whole(value, MAX_FACTOR)
    return found if found is not None and found >= MIN_FACTOR else 0


def sane_ivl(value: object) -> int:
    """A card's interval (days) from a package or a kept file: a whole number in 1..MAX_COUNT,
    else 0 (unknown: the export counts it from the card's state)."""
    found = _whole(value, MAX_COUNT)
    return found or 0


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


@dataclass(frozen=True, slots=True)
class KeptCard:
    factor: int  # Anki's ease factor (permille); 0 for none
    reps: int
    lapses: int
    logged_ms: int  # the latest time (Unix ms) an event of Anki's log can have: a later one is retain's
    ivl: int = 0  # Anki's interval (days: `cards.ivl`) of a review or relearning card; 0 unknown

    @staticmethod
    def read(raw: object, ivl: object = 0) -> KeptCard | None:
        """An entry of `cards` as the file has it, [factor, reps, lapses, logged_ms], with its
        interval from `ivls` (`ivl`); None when it is not one (a count or time out of range). A
        factor or an interval out of range is none (0), the rest kept."""
        if not isinstance(raw, list) or len(raw) != 4:
            return None
        reps, lapses, logged = _whole(raw[1], MAX_COUNT), _whole(raw[2], MAX_COUNT), _whole(raw[3], MAX_MS)
        if reps is None or lapses is None or logged is None:
            return None
        return KeptCard(sane_factor(raw[0]), reps, lapses, logged, sane_ivl(ivl))

    def raw(self) -> list[int]:
        """The entry of `cards` as the file keeps it (its interval goes in `ivls`)."""
        return [self.factor, self.reps, self.lapses, self.logged_ms]


@dataclass(slots=True)
class AnkiKeep:
    notetypes: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, KeptNote] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)  # name in Anki -> content-hash name
    cards: dict[str, KeptCard] = field(default_factory=dict)  # unit key without the deck -> Anki's
    given: set[str] | None = None  # the card ids the package gave the deck; None: not kept
    moved_in: set[str] = field(default_factory=set)  # cards moved here from another deck, entries and all

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": 1,
                "notetypes": {str(k): v for k, v in self.notetypes.items()},
                "notes": {k: [n.guid, n.mid, n.fields, n.sum] for k, n in self.notes.items()},
                "media": self.media,
                **({"cards": {k: c.raw() for k, c in self.cards.items()}} if self.cards else {}),
                **({"ivls": ivls} if (ivls := {k: c.ivl for k, c in self.cards.items() if c.ivl}) else {}),
                **({"given": sorted(self.given)} if self.given is not None else {}),
                **({"moved_in": sorted(self.moved_in)} if self.moved_in else {}),
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


class KeepError(ValueError):
    """A `DECK.anki.json` is there but does not read as one; the message says why, in a few words,
    and `line` (1-based) where, when the fault is at a place in it."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def load_keep(path: Path, simulated: Mapping[Path, str] | None = None) -> AnkiKeep | None:
    """The kept Anki identity of a deck's notes, or None when there is none (or it is unreadable)."""
    try:
        return read_keep(path, simulated)
    except KeepError:
        return None


def read_keep(path: Path, simulated: Mapping[Path, str] | None = None) -> AnkiKeep | None:
    """The kept Anki identity of a deck's notes; None when there is no such file; KeepError when
    one is there that does not read (cut short, a merge conflict, another format, not a regular
    file). `simulated`: the sidecar texts a dry run's earlier files would have written, by path."""
    if simulated is not None and path in simulated:
        return parse_keep(simulated[path])
    try:  # (a regular file only: a FIFO put there never blocks an export, an import or a move)
        text = read_text_limited(path, MAX_KEEP_BYTES)
    except ReadError as exc:
        if not os.path.lexists(path):
            return None
        raise KeepError(str(exc).removeprefix("cannot read file: "), exc.line) from None
    return parse_keep(text)


_MARKER = re.compile(r"^(<<<<<<<|=======|>>>>>>>)", re.MULTILINE)  # a merge conflict's markers


def parse_keep(text: str) -> AnkiKeep:
    """A `DECK.anki.json` text read (malformed entries left out); KeepError when it is no such file."""
    try:
        data = jsontext.loads(text)
    except json.JSONDecodeError as exc:
        marker = _MARKER.search(text)
        if marker is not None:
            line = text.count("\n", 0, marker.start()) + 1
            raise KeepError(f"a merge conflict marker at line {line}", line) from None
        raise KeepError(f"not JSON: {exc.msg}, line {exc.lineno}", exc.lineno) from None
    except (ValueError, RecursionError):
        raise KeepError("not JSON") from None
    if not isinstance(data, dict):
        raise KeepError("not a JSON object")
    if data.get("format") != 1:
        raise KeepError(f"format {_shown(data['format'])}, not 1" if "format" in data else "no format")
    keep = AnkiKeep()
    notetypes, notes = data.get("notetypes"), data.get("notes")
    for key, raw in notetypes.items() if isinstance(notetypes, dict) else ():
        nt, mid = _notetype(raw), _note_type_id(key)
        if nt is not None and mid is not None:
            keep.notetypes[mid] = nt
    for card_id, raw in notes.items() if isinstance(notes, dict) else ():
        if (
            isinstance(raw, list)
            and len(raw) == 4
            and isinstance(raw[0], str)
            and isinstance(raw[2], list)
            and all(isinstance(f, str) for f in raw[2])
            and isinstance(raw[3], str)
            and (mid := _note_type_id(raw[1])) is not None
            and not isinstance(raw[1], str)
            and mid in keep.notetypes
        ):
            keep.notes[card_id] = KeptNote(raw[0], mid, raw[2], raw[3])
    media = data.get("media")
    if isinstance(media, dict):
        keep.media = {k: v for k, v in media.items() if isinstance(k, str) and isinstance(v, str)}
    cards, ivls = data.get("cards"), data.get("ivls")
    ivls = ivls if isinstance(ivls, dict) else {}
    for key, raw in cards.items() if isinstance(cards, dict) else ():
        kept = KeptCard.read(raw, ivls.get(key))
        if kept is not None:
            keep.cards[key] = kept
    gave, moved = data.get("given"), data.get("moved_in")
    if isinstance(gave, list):
        keep.given = {x for x in gave if isinstance(x, str)}
    if isinstance(moved, list):
        keep.moved_in = {x for x in moved if isinstance(x, str)}
    return keep


def notetype_media(text: str | None) -> list[str]:
    """The content-hash names of the files the kept note types load (their `_` files: a font, a
    script; `anki.notetype_media`), from a deck's `DECK.anki.json` text: what an import stores in
    the deck's media folder besides the files its cards show, for an export to pack again."""
    if not text:
        return []
    try:
        keep = parse_keep(text)
    except KeepError:
        return []
    found: dict[str, None] = {}
    for nt in keep.notetypes.values():
        for name in kept_type_media(nt):
            hashed = keep.media.get(name)
            if hashed is not None and is_safe_name(hashed):
                found.setdefault(hashed)
    return list(found)


def keep_guids(text: str | None) -> dict[str, str]:
    """Card id -> its note's GUID, from a deck's `DECK.anki.json` text as an import made it."""
    if not text:
        return {}
    try:
        notes = jsontext.loads(text).get("notes")
    except (ValueError, RecursionError, AttributeError):
        return {}
    if not isinstance(notes, dict):
        return {}
    return {k: v[0] for k, v in notes.items() if isinstance(v, list) and v and isinstance(v[0], str)}


def _shown(value: object) -> str:
    """A value from the file, in a few characters (a list or an object by its kind)."""
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "an object"
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 20 else text[:19] + "…"


def with_kept_cards(text: str, old: Path) -> str:
    """The new sidecar `text`, with the `cards` the one at `old` kept for cards `text` has none
    for: an import without the history (a newer version of the deck, for its content) knows no
    factor, and must not forget the ones an import with it kept. Unreadable: `text` as it is."""
    previous = load_keep(old)
    if previous is None or not previous.cards:
        return text
    try:
        data = jsontext.loads(text)
    except (ValueError, RecursionError):
        return text
    if not isinstance(data, dict):
        return text
    found, found_ivls = data.get("cards"), data.get("ivls")
    cards: dict[str, Any] = found if isinstance(found, dict) else {}
    merged: dict[str, Any] = {k: c.raw() for k, c in previous.cards.items()}
    merged.update(cards)
    data["cards"] = merged
    ivls = {k: c.ivl for k, c in previous.cards.items() if c.ivl and k not in cards}
    ivls.update({k: v for k, v in found_ivls.items() if k in cards} if isinstance(found_ivls, dict) else {})
    if ivls:
        data["ivls"] = ivls
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class AnkiEase:
    """Anki's ease factor of the kept cards (`kept`: by full unit key) after the answers retain
    recorded since their import, as SM-2 changes it (see the module's doc). `replay` the export's
    reviews (oldest first) once; then `factor` is a card's factor now (None: the export's own),
    `row_factor` the factor after one of those reviews, `untouched` says whether retain
    recorded no answer or reset of the card since, and `interval` is Anki's interval of a card
    untouched since."""

    def __init__(self, kept: Mapping[str, KeptCard]) -> None:
        self._kept = kept
        self._after = {k: datetime.fromtimestamp(c.logged_ms / 1000, UTC) for k, c in kept.items()}
        self._now: dict[str, int | None] = {k: c.factor or None for k, c in kept.items()}
        self._rows: dict[tuple[str, datetime], int] = {}
        self._touched: set[str] = set()

    def replay(self, reviews: Iterable[Review]) -> None:
        after, now = self._after, self._now
        for r in reviews:
            since = after.get(r.key)
            if since is None or r.time <= since or r.kind not in ("review", "reset"):
                continue
            self._touched.add(r.key)
            factor = now[r.key]
            if r.kind == "reset" and (r.after is None or r.after.is_new):
                factor = None  # new again: SM-2 starts it over at the deck's starting ease
            elif (
                r.kind == "review"
                and factor is not None
                and r.before is not None
                and r.before.state == REVIEW
            ):
                factor = min(MAX_FACTOR, max(MIN_FACTOR, factor + _SM2_DELTA.get(r.rating, 0)))
            now[r.key] = factor
            if factor is not None:
                self._rows[r.key, r.time] = factor

    def factor(self, key: str) -> int | None:
        return self._now.get(key)

    def row_factor(self, review: Review) -> int | None:
        return self._rows.get((review.key, review.time))

    def kept(self, key: str) -> KeptCard | None:
        return self._kept.get(key)

    def untouched(self, key: str) -> bool:
        return key in self._kept and key not in self._touched

    def interval(self, key: str) -> int | None:
        """Anki's interval of the card (days), while retain has not answered or reset it since;
        None when unknown or changed since (the export's own)."""
        kept = self._kept.get(key)
        return kept.ivl if kept is not None and kept.ivl and key not in self._touched else None

    def of_anki(self, review: Review) -> bool | None:
        """Whether `review` is of Anki's log of its card (at or before the kept time), or one retain
        recorded since (False); None when the card has no kept interval."""
        kept, since = self._kept.get(review.key), self._after.get(review.key)
        if kept is None or not kept.ivl or since is None:
            return None
        return review.time <= since


class AnkiIntervals:
    """Anki's interval of a card imported with its history (`AnkiEase.of_anki`) in the log an
    export writes (`written` each row, in time order): the last row of Anki's log sets it when that row set the due date (Anki's
    "Set due date" keeps an SM-2 card's interval, which is then not the days from the card's
    last review to its due day), and the first row retain recorded since has it as the interval
    before the answer, reset or reschedule (a review card's `lastIvl`; a reset's or a
    reschedule's the card's `ivl` then, a relearning card's too)."""

    def __init__(self, ease: AnkiEase) -> None:
        self._ease = ease
        self._moves: dict[str, int] = {}  # key -> the id of its last row of Anki's log, a due date set
        self._since: set[str] = set()  # the cards with a row retain recorded after Anki's log

    def before(self, r: Review, states: tuple[int, ...]) -> int | None:
        """Anki's interval of the card before `r` when `r` is retain's first row of it since Anki's
        log and the card was in one of `states`; else None (the export's own)."""
        if r.key in self._since or r.before is None or r.before.state not in states:
            return None
        kept = self._ease.kept(r.key)
        return kept.ivl if kept is not None and self._ease.of_anki(r) is False else None

    def written(self, r: Review, rid: int, resched: bool) -> None:
        """`r` was written as row `rid` (`resched`: a due date set, not an answer or a forget)."""
        anki = self._ease.of_anki(r)
        if anki is None:
            return
        if not anki:
            self._since.add(r.key)
        elif resched:
            self._moves[r.key] = rid
        else:
            self._moves.pop(r.key, None)

    def last_moves(self) -> list[tuple[int, int]]:
        """(row id, Anki's interval) of each card whose last row of Anki's log set its due date."""
        out: list[tuple[int, int]] = []
        for key, rid in self._moves.items():
            kept = self._ease.kept(key)
            if kept is not None and kept.ivl:
                out.append((rid, kept.ivl))
        return out


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
