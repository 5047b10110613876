"""Read an Anki package (`.apkg`, any of the three layouts) into retain decks.

Each Anki deck that holds notes becomes a retain deck (`A::B::C` -> group
`A::B`, name `C`); a note goes to the (home) deck of its first card. Note types map to
kinds by structure (`apkg_templates`: a cloze type, a first template with a type-in box, two
templates = reversed when the second asks with a field the first does not), so renamed or
translated stock types work too; the card asks what the templates show (`field_layout`: not
what a comment or a hidden element holds), their `{{#F}}` and `{{^F}}` sections decided by
each note's fields as Anki decides them; a note of a two-template type with only its first
card in the package (Anki's "Basic (optional reversed card)" with an empty "Add Reverse") is
basic, one without a card of its first template is read from the first template it has a card
of, and a field the question templates only test (`{{#Add Reverse}}`), never show, is not card
text. A field named Extra that no question template uses (retain's package note
types) is the card's extra. GUIDs become card ids. Media
that cards use is extracted (bounded), stored under content-hash names and
shown as placeholders; so are the `_` files the kept note types' CSS and templates load (a
font, a script: `notetype_media`), which `DECK.anki.json` maps as it maps the fields' media. A
deck lists its notes so that retain serves the new cards in Anki's new-card order
(`_new_card_order`). With `with_history`, the review log becomes history (of the cards the
decks hold: none for a note skipped), `DECK.anki.json`
keeps each card's SM-2 ease factor, counts and interval (`ankikeep`), which an export gives back,
and each deck's Anki options preset is read (`deck_options`: `Bundle.presets`).
A note or card row whose ids are not numbers (a damaged or crafted collection)
is left out with one warning line.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from retain.core.clock import DEFAULT_ROLLOVER_HOUR
from retain.core.gcpause import gc_paused
from retain.core.model import Card, Deck, Kind
from retain.core.units import card_unit_keys
from retain.interop.anki.ankidb import AnkiCard, AnkiDb, NoteType, open_db
from retain.interop.anki.ankinote import (
    anki_tag,
    deck_fields,
    flatten_cloze,
    ids_from_guid,
    is_leech_tag,
    note_to_card,
    stable_deck_ids,
    unique_id,
)
from retain.interop.anki.apkg_archive import Archive, open_archive
from retain.interop.anki.apkg_history import anki_cards_kept, card_history
from retain.interop.anki.apkg_schema import RETAIN_MODEL_IDS
from retain.interop.anki.apkg_templates import (
    Layout,
    anki_filter,
    card_fields,
    extra_field,
    field_layout,
    first_template,
    flag_fields,
    from_template,
    kind_of,
    legacy_layout,
    note_filled,
    note_kind,
    template_warnings,
)
from retain.interop.anki.apkg_templates import _furigana_spans as _furigana_spans  # (readings')
from retain.interop.anki.deck_options import deck_limits, deck_presets, deck_steps
from retain.interop.anki.deckmeta import current_deck_meta
from retain.interop.anki.notetype_media import kept_type_media
from retain.interop.anki.occlusion import LeftOut
from retain.interop.ankikeep import AnkiKeep, KeptNote, card_fingerprint, read_notetypes
from retain.interop.assemble import make_deck
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.html_media import MediaFn
from retain.interop.limits import Limits
from retain.interop.media import hash_name, placeholder
from retain.interop.progress import ProgressFn, no_progress

__all__ = [  # (the template reading is `apkg_templates`'; its names stay importable from here)
    "Layout",
    "anki_filter",
    "card_fields",
    "extra_field",
    "field_layout",
    "flag_fields",
    "kind_of",
    "legacy_layout",
    "note_filled",
    "note_kind",
    "read_apkg",
]

_DUMMY_RE = re.compile(r"update to the latest anki|please update", re.IGNORECASE)


@dataclass(slots=True)
class _Media:
    """The package's media files the cards use, staged once each under content-hash names. `done`
    maps each name as the notes write it to its file's, as `DECK.anki.json` keeps it; the file is
    found as Anki finds it (`Archive.media_entry`: a name in NFD finds the file listed in NFC)."""

    arc: Archive
    stage: Path
    bundle: Bundle
    done: dict[str, str]
    missing: dict[str, None] = field(default_factory=dict)  # names cards use that the package lacks
    staged: dict[str, str] = field(default_factory=dict)  # zip entry -> its content-hash name

    def fn(self, deck_id: str) -> MediaFn:
        def lookup(name: str) -> str | None:
            hashed = self.done.get(name)
            if hashed is None:
                entry = self.arc.media_entry(name)
                if entry is None:
                    self.missing.setdefault(name)
                    return None
                hashed = self._extract(name, entry)
            return placeholder(deck_id, hashed)

        return lookup

    def take(self, name: str) -> str | None:
        """The content-hash name of the package's file `name`, staged (once); None when the
        package has no such file (a note type's file Anki did not pack: no warning, as Anki's own
        export leaves out a file that is not there)."""
        hashed = self.done.get(name)
        if hashed is None and (entry := self.arc.media_entry(name)) is not None:
            hashed = self._extract(name, entry)
        return hashed

    def _extract(self, name: str, entry: str) -> str:
        hashed = self.staged.get(entry)  # (the file, written by a note in the other form)
        if hashed is not None:
            self.done[name] = hashed
            return hashed
        tmp = self.stage / f"part-{len(self.staged)}"
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
        self.staged[entry] = hashed
        return hashed


class _Hashing:
    """A writer that hashes what passes through it."""

    def __init__(self, fh: BinaryIO, h: hashlib._Hash) -> None:
        self.fh, self.h = fh, h

    def write(self, data: bytes, /) -> int:
        self.h.update(data)
        return self.fh.write(data)


def _deck_ids(db: AnkiDb, used: set[int]) -> dict[int, tuple[str, dict[str, object]]]:
    """Anki deck id -> (retain deck id, metadata from the description), unique ids: the id a
    retain export gave the deck (its description says), else `stable_deck_ids`'."""
    rows = {did: db.decks.get(did, (f"Deck {did}", "")) for did in sorted(used)}
    # (a retain deck renamed or re-described in Anki takes Anki's name, group and description)
    metas = {did: current_deck_meta(full, desc) for did, (full, desc) in rows.items()}
    given = {did: raw for did, meta in metas.items() if isinstance(raw := meta.get("id"), str)}
    derived = stable_deck_ids((full for did, (full, _) in rows.items() if did not in given), given.values())
    out: dict[int, tuple[str, dict[str, object]]] = {}
    taken: set[str] = set()
    for did, (full, _desc) in rows.items():
        meta = metas[did]
        # (unique: a crafted package may hold a name twice, or a description's id twice)
        deck_id = unique_id(given[did] if did in given else derived[full], taken)
        taken.add(deck_id)
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
    cards: list[AnkiCard], note_kinds: dict[int, tuple[NoteType, Kind, int]]
) -> list[str]:
    """One line per note type and template whose cards retain has no review unit for: a basic or
    typed note is one card (its first template), a reversed note two (front -> back and back),
    counted from the first template the note has a card of (`first_template`); worded by the
    note's kind, not by the template's place."""
    left: dict[tuple[str, int, int], int] = defaultdict(int)
    names: dict[tuple[str, int, int], str] = {}
    for c in cards:
        found = note_kinds.get(c.nid)
        if found is None:
            continue
        nt, kind, first = found
        units = 2 if kind == "reversed" else 1
        if kind == "cloze" or first <= c.ord < first + units:
            continue
        key = (nt.name, c.ord, units)
        left[key] += 1
        names[key] = (
            nt.tnames[c.ord] if 0 <= c.ord < len(nt.tnames) and nt.tnames[c.ord] else f"card {c.ord + 1}"
        )
    return [
        f"note type {name!r}: {count} card(s) of its template {names[name, ord_, units]!r} left out "
        f"(retain keeps {'the first two templates' if units == 2 else 'the first template'} of a note)"
        for (name, ord_, units), count in sorted(left.items())
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


def _carried(deck_tags: frozenset[str], note_tags: tuple[str, ...]) -> frozenset[str]:
    """The deck tags (retain's spelling) a note's tags hold (as Anki spells them: no spaces)."""
    held = set(note_tags)
    return frozenset(t for t in deck_tags if t in held or anki_tag(t) in held)


def _deck_tags(
    deck_tags: tuple[str, ...], notes: list[tuple[int, str, Card]], carried: dict[int, frozenset[str]]
) -> tuple[tuple[str, ...], list[tuple[int, str, Card]]]:
    """A retain deck's tags as its notes carry them now: those every note carries (its metadata
    tells which were the deck's and how they are spelled); one a note lacks (taken off a note in
    Anki) is no longer the deck's, and goes on the cards of the notes that still carry it."""
    every = tuple(t for t in deck_tags if all(t in carried.get(nid, ()) for nid, _, _ in notes))
    if len(every) == len(deck_tags):
        return deck_tags, notes
    out: list[tuple[int, str, Card]] = []
    for nid, where, card in notes:
        more = tuple(
            t for t in deck_tags if t not in every and t in carried.get(nid, ()) and t not in card.tags
        )
        out.append((nid, where, replace(card, tags=card.tags + more) if more else card))
    return every, out


def _kept_notes(
    note_key: dict[int, tuple[str, Card]], decks: list[tuple[int, Deck]]
) -> dict[int, tuple[str, Card]]:
    """The notes (note id -> (deck id, card)) whose card a deck holds: the history and the kept SM-2
    state are of those only, never of a card the import did not make."""
    held = {(deck.id, card.id) for _did, deck in decks for card in deck.cards}
    return {nid: (deck_id, card) for nid, (deck_id, card) in note_key.items() if (deck_id, card.id) in held}


def _new_card_order(notes: list[tuple[int, str, Card]], new_at: dict[int, int]) -> list[tuple[str, Card]]:
    """A deck's (note id, where, card), in note id order, as (where, card) in the order that serves
    new cards as Anki does: retain serves new cards in deck-file order, Anki by each new card's
    position (`AnkiCard.new_position`, which "Reposition" and shared frequency decks set apart from
    the order notes were made in). The notes with a new card take the places such notes hold, in
    the order of their first new card's position (ties by note id); a note with no new card (all
    studied) keeps its place, so a deck whose positions follow note order is listed as before.
    Card ids are not touched: they were given in note id order, so progress stays."""
    slots = [i for i, (nid, _where, _card) in enumerate(notes) if nid in new_at]
    ranked = sorted(slots, key=lambda i: (new_at[notes[i][0]], notes[i][0]))
    out = [(where, card) for _nid, where, card in notes]
    for slot, i in zip(slots, ranked, strict=True):
        out[slot] = notes[i][1], notes[i][2]
    return out


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
    new_at: dict[int, int] = {}  # note -> the first position of its new cards in Anki's new queue
    for c in cards:
        first_deck.setdefault(c.nid, c.home_did)  # a filtered deck is a view: never a retain deck
        ords[c.nid].add(c.ord)
        position = c.new_position
        if position is not None and position < new_at.get(c.nid, position + 1):
            new_at[c.nid] = position
    deck_map = _deck_ids(db, set(first_deck.values()))
    media = _Media(arc, stage, bundle, {})
    per_deck: dict[int, list[tuple[int, str, Card]]] = defaultdict(list)  # (note id, where, card)
    taken: dict[int, set[str]] = defaultdict(set)
    note_key: dict[int, tuple[str, Card]] = {}
    kept: dict[int, dict[str, tuple[str, int, list[str], bool]]] = defaultdict(dict)  # did -> card id -> note
    unknown: set[str] = set()
    occluded = LeftOut()  # Image Occlusion notes: left out, counted in one line (occlusion.py)
    type_kinds: dict[int, Counter[Kind]] = defaultdict(Counter)
    note_kinds: dict[int, tuple[NoteType, Kind, int]] = {}  # note -> its type, kind, first template
    leeches: set[int] = set()  # notes with Anki's leech tag
    # by type id, first template, field count, kind, filled
    layouts: dict[tuple[int, int, int, Kind, frozenset[int]], Layout] = {}
    lost: dict[tuple[int, int], list[str]] = {}  # per note type (and first template): what its reverse loses
    # per note type and first template: `kind_of` (its templates read once, not per note)
    type_kind: dict[tuple[int, int], Kind] = {}
    firsts: dict[int, int] = {}  # note -> its first template, where that is not the type's first
    carried: dict[int, frozenset[str]] = {}  # note -> the deck tags (its deck's metadata) it carries
    for n, (nid, guid, mid, tags, flds) in enumerate(db.notes(), 1):
        did = first_deck.get(nid)
        nt = db.notetypes.get(mid)
        if did is None:
            continue
        if nt is None:
            unknown.add(str(mid))
            continue
        if occluded.takes(nt, str(flds), len(ords[nid])):
            continue
        deck_id, meta = deck_map[did]
        deck_hint, card_id = ids_from_guid(str(guid))
        card_id = unique_id(card_id, taken[did])
        taken[did].add(card_id)
        raw_tags = meta.get("tags")
        drop = (
            frozenset(t for t in raw_tags if isinstance(t, str))
            if isinstance(raw_tags, list)
            else frozenset()
        )
        fields = str(flds).split("\x1f")
        # a note without a card of the first template(s) (a conditional one its fields leave
        # empty) is read from the first it has a card of: the card Anki asks
        first = first_template(nt, ords[nid])
        view = from_template(nt, first)
        if first:
            firsts[nid] = first
        own = type_kind.get((mid, first))
        if own is None:
            own = type_kind[mid, first] = kind_of(view)
        kind = note_kind(own, {o - first for o in ords[nid]})
        type_kinds[int(mid)][kind] += 1
        note_kinds[nid] = (nt, kind, first)
        filled = note_filled(view, fields)
        layout = layouts.get((mid, first, len(fields), kind, filled))
        if layout is None:
            layout = field_layout(view, len(fields), kind, filled)
            layouts[mid, first, len(fields), kind, filled] = layout
        if kind == "reversed" and (mid, first) not in lost:
            lost[mid, first] = template_warnings(view, kind)
        card_fields_, front_count, extra_parts, extra = card_fields(fields, layout)
        note_tags = tuple(str(tags).split())
        carried[nid] = _carried(drop, note_tags)
        marked = any(is_leech_tag(t) for t in note_tags) and not any(is_leech_tag(t) for t in drop)
        if marked:  # Anki's leech mark: progress (with the history), never card text
            note_tags = tuple(t for t in note_tags if not is_leech_tag(t))
        card = note_to_card(
            card_id,
            kind,
            card_fields_,
            note_tags,
            media.fn(deck_id),
            drop,
            extra,
            front_count=front_count,
            extra_parts=extra_parts,
        )
        if marked and not any(is_leech_tag(t) for t in card.tags):  # (not the card's own "leech" tag)
            leeches.add(nid)
        card = flatten_cloze(card, f"note {nid}", bundle.warnings)
        kept[did][card_id] = (str(guid), int(mid), fields, deck_hint is not None)
        per_deck[did].append((nid, f"note {nid}", card))
        note_key[nid] = (deck_id, card)
        if n % 1000 == 0 or n == total:
            progress("read notes", n, total)
    if unknown:
        bundle.warnings.append(f"notes of {len(unknown)} unknown note type(s) skipped")
    if media.missing:
        bundle.warnings.append(_missing_media(list(media.missing)))
    bundle.warnings.extend(_left_out_templates(cards, note_kinds))
    bundle.warnings.extend(line for lines in lost.values() for line in lines)
    bundle.warnings.extend(_split_notes(db, [c for c in cards if c.nid in note_kinds], first_deck))
    bundle.warnings.extend(_left_out_flags([c for c in cards if c.nid in note_kinds]))
    bad = [f"{db.left_out[t]} {t[:-1]}(s)" for t in ("notes", "cards") if db.left_out[t]]
    if bad:
        bundle.warnings.append(
            f"{' and '.join(bad)} left out: their ids are not numbers (a damaged collection)"
        )
    if line := db.text_warning():  # (text that is not UTF-8, read with U+FFFD in its place)
        bundle.warnings.append(line)
    notetypes = read_notetypes(db, _type_kinds(db, type_kinds))
    made: list[tuple[int, Deck]] = []
    for did, notes in per_deck.items():
        deck_id, meta = deck_map[did]
        name = meta.get("name")
        kwargs = deck_fields(meta)
        if "tags" in kwargs:
            kwargs["tags"], notes = _deck_tags(kwargs["tags"], notes, carried)
        deck = make_deck(
            deck_id,
            name if isinstance(name, str) else deck_id,
            _new_card_order(notes, new_at),
            bundle.warnings,
            limits,
            **kwargs,
            **({"group": meta["group"]} if isinstance(meta.get("group"), str) else {}),
        )
        bundle.decks.append(deck)
        made.append((did, deck))
    # Only a card a deck holds has Anki cards: one `make_deck` skipped (an empty front) gets no
    # history, and a note read from a later template has its cards' ords counted from there.
    note_key = _kept_notes(note_key, made)
    cards = [c._replace(ord=c.ord - firsts[c.nid]) if c.nid in firsts else c for c in cards]
    # with the history (the cards' progress), each card's SM-2 ease and counts (see ankikeep)
    kept_cards = anki_cards_kept(db, cards, note_key) if with_history else {}
    for did, deck in made:
        deck_id = deck.id
        keep = AnkiKeep(media=dict(media.done))
        for kept_card in deck.cards:
            guid, mid, fields, retain_guid = kept[did][kept_card.id]
            ours = retain_guid and mid in RETAIN_MODEL_IDS  # retain wrote it
            if mid in notetypes and not ours:
                keep.notes[kept_card.id] = KeptNote(guid, mid, fields, card_fingerprint(kept_card))
                keep.notetypes.setdefault(mid, notetypes[mid])
        for kept_type in keep.notetypes.values():  # the `_` files they load (a font, a script)
            for name in kept_type_media(kept_type):
                if (hashed := media.take(name)) is not None:
                    keep.media[name] = hashed
        for kept_card in deck.cards:
            for key in card_unit_keys(deck_id, kept_card):
                found = kept_cards.get(key)
                if found is not None:
                    keep.cards[key.split("/", 1)[1]] = found
        if keep.notes or keep.cards:
            bundle.keeps[deck_id] = keep.to_json()
    occluded.finish(bundle)
    if len(bundle.decks) == 1 and bundle.card_count == 1 and arc.collection == "collection.anki2":
        card = bundle.decks[0].cards[0]
        if _DUMMY_RE.search(card.front + card.back):
            raise InteropError("this package was made by a newer Anki and holds only an 'update Anki' note")
    if with_history:
        steps = deck_steps(db, {c.home_did for c in cards})  # what a card's `left` counts against
        bundle.reviews = card_history(db, cards, note_key, bundle.warnings, rollover_hour, leeches, steps)
        # the learner's own collection: its decks' options presets go with it (deck_options)
        made_ids = {deck.id for deck in bundle.decks}
        anki_ids = {deck_map[did][0]: did for did in per_deck if deck_map[did][0] in made_ids}
        bundle.presets = deck_presets(db, anki_ids, bundle.warnings)
        bundle.deck_limits = deck_limits(db, anki_ids, bundle.warnings)
    return bundle
