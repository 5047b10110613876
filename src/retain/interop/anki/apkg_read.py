"""Read an Anki package (`.apkg`, any of the three layouts) into retain decks.

Each Anki deck that holds notes becomes a retain deck (`A::B::C` -> group
`A::B`, name `C`); a note goes to the (home) deck of its first card. Note types map to
kinds by structure (cloze type, a `{{type:` template, two templates = reversed),
so renamed or translated stock types work too; a note of a two-template type
with only its first card in the package (Anki's "Basic (optional reversed
card)" with an empty "Add Reverse") is basic, and a field the question
templates only test (`{{#Add Reverse}}`), never show, is not card text. A
field named Extra that no question template uses (retain's package note
types) is the card's extra. GUIDs become card ids. Media
that cards use is extracted (bounded), stored under content-hash names and
shown as placeholders. With `with_history`, the review log becomes history.
A note or card row whose ids are not numbers (a damaged or crafted collection)
is left out with one warning line.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from retain.core.clock import DEFAULT_ROLLOVER_HOUR
from retain.core.gcpause import gc_paused
from retain.core.model import Card, Kind
from retain.interop.anki.ankidb import AnkiCard, AnkiDb, NoteType, open_db
from retain.interop.anki.ankinote import (
    deck_fields,
    deck_id_for_name,
    flatten_cloze,
    ids_from_guid,
    is_leech_tag,
    note_to_card,
    parse_deck_description,
    split_deck_name,
    unique_id,
)
from retain.interop.anki.apkg_archive import Archive, open_archive
from retain.interop.anki.apkg_history import card_reviews
from retain.interop.anki.apkg_schema import RETAIN_MODEL_IDS
from retain.interop.ankikeep import AnkiKeep, KeptNote, card_fingerprint, read_notetypes
from retain.interop.assemble import make_deck
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.html import MediaFn, html_to_text
from retain.interop.limits import Limits
from retain.interop.media import hash_name, placeholder
from retain.interop.progress import ProgressFn, no_progress

__all__ = ["card_field_order", "front_field", "kind_of", "read_apkg"]

_DUMMY_RE = re.compile(r"update to the latest anki|please update", re.IGNORECASE)
_TESTED_RE = re.compile(r"\{\{[#^]([^}]*)\}\}")
_SHOWN_RE = re.compile(r"\{\{(?![#^/!])([^}]*)\}\}")


def kind_of(nt: NoteType) -> Kind:
    if nt.is_cloze:
        return "cloze"
    if any("{{type:" in q for q in nt.qfmts):
        return "typed"
    return "reversed" if len(nt.qfmts) >= 2 else "basic"


def flag_fields(nt: NoteType) -> frozenset[int]:
    """Indices of the fields the question templates only test and no template shows (a card switch
    like "Add Reverse"); a field a question tests and an answer shows is card text."""
    tested = {name.strip() for q in nt.qfmts for name in _TESTED_RE.findall(q)}
    shown = {ref.rsplit(":", 1)[-1].strip() for t in nt.qfmts + nt.afmts for ref in _SHOWN_RE.findall(t)}
    return frozenset(i for i, name in enumerate(nt.fields) if name in tested - shown)


def note_kind(nt: NoteType, ords: set[int]) -> Kind:
    """The note's kind: a reversed type's note with only its first card in the package is basic."""
    kind = kind_of(nt)
    return "basic" if kind == "reversed" and ords == {0} else kind


def extra_field(nt: NoteType) -> int | None:
    """The index of the field that holds the card's extra: one named Extra that no question template
    uses (retain's note types show it after the answer only), in a non-cloze type; else None."""
    if nt.is_cloze:
        return None
    used = {ref.rsplit(":", 1)[-1].strip() for q in nt.qfmts for ref in re.findall(r"\{\{([^}]*)\}\}", q)}
    used = {u.lstrip("#^/").strip() for u in used}
    return next((i for i, name in enumerate(nt.fields) if name == "Extra" and name not in used), None)


def front_field(nt: NoteType) -> int:
    """The field the note type asks with: a cloze type's first `{{cloze:X}}` field, else the first
    field its first question template shows (never a `{{type:X}}` answer box); 0 when none is."""
    for q in nt.qfmts if nt.is_cloze else nt.qfmts[:1]:
        # A field shown only inside `{{#X}}...{{/X}}` (or `{{^X}}`) may be empty: the one shown
        # always is the front; a conditional one only when no field is shown unconditionally.
        found = [_asked(nt, ref, depth) for ref, depth in _refs(q)]
        for unconditional in (True, False):
            for index, depth in found:
                if index is not None and (depth == 0 or not unconditional):
                    return index
    return 0


_TAG_RE = re.compile(r"\{\{([#^/]?)([^{}]*)\}\}")


def _refs(template: str) -> list[tuple[str, int]]:
    """The field references of a template with their depth in conditional sections."""
    out: list[tuple[str, int]] = []
    depth = 0
    for m in _TAG_RE.finditer(template):
        kind, ref = m[1], m[2]
        if kind in ("#", "^"):
            depth += 1
        elif kind == "/":
            depth = max(0, depth - 1)
        elif _SHOWN_RE.fullmatch(m[0]):
            out.append((ref, depth))
    return out


def _asked(nt: NoteType, ref: str, depth: int) -> tuple[int | None, int]:
    *filters, name = (part.strip() for part in ref.split(":"))
    if name in nt.fields and ("cloze" in filters) == nt.is_cloze and "type" not in filters:
        return nt.fields.index(name), depth
    return None, depth


def card_field_order(nt: NoteType, count: int) -> list[int]:
    """Which of a note's `count` fields make the card's text, in order: the field the note type asks
    with first (the front, or the cloze text), then the others as the note has them; switches
    (`flag_fields`) and the Extra field (`extra_field`) are left out."""
    skip = flag_fields(nt)
    index = extra_field(nt)
    if index is not None:
        skip |= {index}
    order = [i for i in range(count) if i not in skip]
    front = front_field(nt)
    if front in order and order[0] != front:
        order.remove(front)
        order.insert(0, front)
    return order


Layout = tuple[list[int], int | None]  # a note type's card field order and its Extra field


def field_layout(nt: NoteType, count: int) -> Layout:
    """Which fields of a note of `nt` with `count` fields make its card text, and its Extra field."""
    return card_field_order(nt, count), extra_field(nt)


def _card_fields(fields: list[str], layout: Layout) -> tuple[list[str], str | None]:
    """(the note's card text fields, the field it asks with first; its Extra field or None), by
    `layout`: `field_layout` of its note type, made once per type (its templates are parsed)."""
    order, index = layout
    extra = (fields[index] if index < len(fields) else "") if index is not None else None
    return [fields[i] for i in order], extra


@dataclass(slots=True)
class _Media:
    arc: Archive
    stage: Path
    bundle: Bundle
    done: dict[str, str]
    missing: dict[str, None] = field(default_factory=dict)  # names cards use that the package lacks

    def fn(self, deck_id: str) -> MediaFn:
        def lookup(name: str) -> str | None:
            hashed = self.done.get(name)
            if hashed is None:
                entry = self.arc.media.get(name)
                if entry is None:
                    self.missing.setdefault(name)
                    return None
                hashed = self._extract(name, entry)
            return placeholder(deck_id, hashed)

        return lookup

    def _extract(self, name: str, entry: str) -> str:
        tmp = self.stage / f"part-{len(self.done)}"
        h = hashlib.sha256()
        with tmp.open("wb") as fh:
            self.arc.extract(
                entry,
                _Hashing(fh, h),
                self.arc.limits.max_media_bytes,
                f"media file {name[:60]!r}",
                "media-file size",
            )
        hashed = hash_name(h.hexdigest(), name)
        final = self.stage / hashed
        tmp.replace(final)
        self.bundle.media[hashed] = final
        self.done[name] = hashed
        return hashed


class _Hashing:
    """A writer that hashes what passes through it."""

    def __init__(self, fh: BinaryIO, h: hashlib._Hash) -> None:
        self.fh, self.h = fh, h

    def write(self, data: bytes, /) -> int:
        self.h.update(data)
        return self.fh.write(data)


def _deck_ids(db: AnkiDb, used: set[int]) -> dict[int, tuple[str, dict[str, object]]]:
    """Anki deck id -> (retain deck id, metadata from the description), unique ids."""
    out: dict[int, tuple[str, dict[str, object]]] = {}
    taken: set[str] = set()
    for did in sorted(used):
        full, desc = db.decks.get(did, (f"Deck {did}", ""))
        meta = parse_deck_description(desc)
        raw_id = meta.get("id")
        deck_id = raw_id if isinstance(raw_id, str) else deck_id_for_name(full)
        deck_id = unique_id(deck_id, taken)
        taken.add(deck_id)
        group, name = split_deck_name(full)
        meta.setdefault("name", name)
        meta.setdefault("group", group)
        if "description" not in meta and desc.strip():
            meta["description"] = html_to_text(desc)
        out[did] = (deck_id, meta)
    return out


def _type_kinds(db: AnkiDb, seen: dict[int, Counter[Kind]]) -> dict[int, Kind]:
    """Each note type's kind: the kind most of its notes have (an optional reverse type's notes vary)."""
    return {
        mid: seen[mid].most_common(1)[0][0] if seen.get(mid) else kind_of(nt)
        for mid, nt in db.notetypes.items()
    }


def _missing_media(names: list[str]) -> str:
    shown = ", ".join(n[:80] for n in names[:5]) + (
        f", ... ({len(names) - 5} more)" if len(names) > 5 else ""
    )
    return (
        f"{len(names)} media file(s) the cards use are not in the package (shown as [image]/[audio]): {shown}"
    )


def _left_out_templates(
    db: AnkiDb, cards: list[AnkiCard], note_kinds: dict[int, tuple[NoteType, Kind]]
) -> list[str]:
    """One line per note type whose cards of some template retain has no review unit for: a basic or
    typed note is one card (its first template), a reversed note two (front -> back and back)."""
    left: dict[tuple[str, int], int] = defaultdict(int)
    names: dict[tuple[str, int], str] = {}
    for c in cards:
        nt_kind = note_kinds.get(c.nid)
        if nt_kind is None:
            continue
        nt, kind = nt_kind
        if kind == "cloze" or c.ord < (2 if kind == "reversed" else 1):
            continue
        key = (nt.name, c.ord)
        left[key] += 1
        names[key] = nt.tnames[c.ord] if c.ord < len(nt.tnames) and nt.tnames[c.ord] else f"card {c.ord + 1}"
    return [
        f"note type {name!r}: {count} card(s) of its template {names[name, ord_]!r} left out "
        f"(retain keeps {'the first two templates' if ord_ >= 2 else 'the first template'} of a note)"
        for (name, ord_), count in sorted(left.items())
    ]


_FLAG_NAMES = ("", "red", "orange", "green", "blue", "pink", "turquoise", "purple")


def _left_out_flags(cards: list[AnkiCard]) -> list[str]:
    """One line counting the cards whose Anki flag is left out (retain has no card flags)."""
    colours = Counter(_FLAG_NAMES[c.flags] for c in cards if c.flags)
    if not colours:
        return []
    order = sorted(colours, key=_FLAG_NAMES.index)
    shown = ", ".join(f"{colours[colour]} {colour}" for colour in order)
    return [f"Anki flags of {colours.total()} card(s) left out ({shown}): retain has no card flags"]


def _split_notes(db: AnkiDb, cards: list[AnkiCard], first_deck: dict[int, int]) -> list[str]:
    """One line when notes have cards in more than one Anki deck: retain keeps a note's cards
    together, in the deck of its first card; names which decks' cards moved where."""
    moved: Counter[tuple[int, int]] = Counter()
    notes: set[int] = set()
    for c in cards:
        home = first_deck.get(c.nid)
        if home is not None and c.home_did != home:
            moved[c.home_did, home] += 1
            notes.add(c.nid)
    if not notes:
        return []

    def name(did: int) -> str:
        return db.decks.get(did, (f"Deck {did}", ""))[0]

    pairs = sorted(moved.items(), key=lambda kv: (-kv[1], name(kv[0][0])))
    shown = "; ".join(f"{n} card(s) of {name(a)!r} are in {name(b)!r}" for (a, b), n in pairs[:5])
    more = f"; ... ({len(pairs) - 5} more decks)" if len(pairs) > 5 else ""
    return [
        f"{len(notes)} note(s) have cards in more than one Anki deck; retain keeps a note's cards "
        f"in one deck, its first card's: {shown}{more}"
    ]


def read_apkg(
    path: Path,
    stage: Path,
    limits: Limits,
    *,
    with_history: bool = False,
    progress: ProgressFn = no_progress,
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
) -> Bundle:
    """Read `path`; media and the database are staged under `stage` (a temp dir the caller removes)."""
    arc = open_archive(path, limits)
    try:
        db_path = stage / "collection.sqlite"
        with db_path.open("wb") as fh:
            arc.extract(arc.collection, fh, limits.max_collection_bytes, "embedded database", "database size")
        db = open_db(db_path)
        try:
            with gc_paused():  # ~100k objects that live on: a cyclic collection only costs time
                return _convert(arc, db, stage, limits, with_history, progress, rollover_hour)
        finally:
            db.close()
    finally:
        arc.zf.close()


def _convert(
    arc: Archive,
    db: AnkiDb,
    stage: Path,
    limits: Limits,
    with_history: bool,
    progress: ProgressFn,
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
) -> Bundle:
    total = db.note_count()
    if total > limits.max_notes:
        raise LimitError(f"package has {total} notes; the note-count limit is {limits.max_notes}")
    bundle = Bundle("apkg")
    cards = db.cards()
    first_deck: dict[int, int] = {}
    ords: dict[int, set[int]] = defaultdict(set)
    for c in cards:
        first_deck.setdefault(c.nid, c.home_did)  # a filtered deck is a view: never a retain deck
        ords[c.nid].add(c.ord)
    deck_map = _deck_ids(db, set(first_deck.values()))
    media = _Media(arc, stage, bundle, {})
    per_deck: dict[int, list[tuple[str, Card]]] = defaultdict(list)
    taken: dict[int, set[str]] = defaultdict(set)
    note_key: dict[int, tuple[str, Card]] = {}
    kept: dict[int, dict[str, tuple[str, int, list[str]]]] = defaultdict(dict)  # did -> card id -> note
    unknown: set[str] = set()
    type_kinds: dict[int, Counter[Kind]] = defaultdict(Counter)
    note_kinds: dict[int, tuple[NoteType, Kind]] = {}
    leeches: set[int] = set()  # notes with Anki's leech tag
    layouts: dict[tuple[int, int], Layout] = {}  # by note type id and field count
    for n, (nid, guid, mid, tags, flds) in enumerate(db.notes(), 1):
        did = first_deck.get(nid)
        nt = db.notetypes.get(mid)
        if did is None:
            continue
        if nt is None:
            unknown.add(str(mid))
            continue
        deck_id, meta = deck_map[did]
        _, card_id = ids_from_guid(str(guid))
        card_id = unique_id(card_id, taken[did])
        taken[did].add(card_id)
        raw_tags = meta.get("tags")
        drop = (
            frozenset(t for t in raw_tags if isinstance(t, str))
            if isinstance(raw_tags, list)
            else frozenset()
        )
        fields = str(flds).split("\x1f")
        kind = note_kind(nt, ords[nid])
        type_kinds[int(mid)][kind] += 1
        note_kinds[nid] = (nt, kind)
        layout = layouts.get((mid, len(fields)))
        if layout is None:
            layout = layouts[mid, len(fields)] = field_layout(nt, len(fields))
        card_fields, extra = _card_fields(fields, layout)
        note_tags = tuple(str(tags).split())
        marked = any(is_leech_tag(t) for t in note_tags) and not any(is_leech_tag(t) for t in drop)
        if marked:  # Anki's leech mark: progress (with the history), never card text
            note_tags = tuple(t for t in note_tags if not is_leech_tag(t))
        card = note_to_card(card_id, kind, card_fields, note_tags, media.fn(deck_id), drop, extra)
        if marked and not any(is_leech_tag(t) for t in card.tags):  # (not the card's own "leech" tag)
            leeches.add(nid)
        card = flatten_cloze(card, f"note {nid}", bundle.warnings)
        kept[did][card_id] = (str(guid), int(mid), fields)
        per_deck[did].append((f"note {nid}", card))
        note_key[nid] = (deck_id, card)
        if n % 1000 == 0 or n == total:
            progress("read notes", n, total)
    if unknown:
        bundle.warnings.append(f"notes of {len(unknown)} unknown note type(s) skipped")
    if media.missing:
        bundle.warnings.append(_missing_media(list(media.missing)))
    bundle.warnings.extend(_left_out_templates(db, cards, note_kinds))
    bundle.warnings.extend(_split_notes(db, [c for c in cards if c.nid in note_kinds], first_deck))
    bundle.warnings.extend(_left_out_flags([c for c in cards if c.nid in note_kinds]))
    bad = [f"{db.left_out[t]} {t[:-1]}(s)" for t in ("notes", "cards") if db.left_out[t]]
    if bad:
        bundle.warnings.append(
            f"{' and '.join(bad)} left out: their ids are not numbers (a damaged collection)"
        )
    notetypes = read_notetypes(db, _type_kinds(db, type_kinds))
    for did, pairs in per_deck.items():
        deck_id, meta = deck_map[did]
        name = meta.get("name")
        deck = make_deck(
            deck_id,
            name if isinstance(name, str) else deck_id,
            pairs,
            bundle.warnings,
            limits,
            **deck_fields(meta),
            **({"group": meta["group"]} if isinstance(meta.get("group"), str) else {}),
        )
        bundle.decks.append(deck)
        keep = AnkiKeep(media=dict(media.done))
        for kept_card in deck.cards:
            guid, mid, fields = kept[did][kept_card.id]
            ours = ids_from_guid(guid)[0] is not None and mid in RETAIN_MODEL_IDS  # retain wrote it
            if mid in notetypes and not ours:
                keep.notes[kept_card.id] = KeptNote(guid, mid, fields, card_fingerprint(kept_card))
                keep.notetypes.setdefault(mid, notetypes[mid])
        if keep.notes:
            bundle.keeps[deck_id] = keep.to_json()
    if len(bundle.decks) == 1 and bundle.card_count == 1 and arc.collection == "collection.anki2":
        card = bundle.decks[0].cards[0]
        if _DUMMY_RE.search(card.front + card.back):
            raise InteropError("this package was made by a newer Anki and holds only an 'update Anki' note")
    if with_history:
        bundle.reviews = card_reviews(db, cards, note_key, bundle.warnings, rollover_hour, leeches)
    return bundle
