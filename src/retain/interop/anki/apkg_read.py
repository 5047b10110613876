"""Read an Anki package (`.apkg`, any of the three layouts) into retain decks.

Each Anki deck that holds notes becomes a retain deck (`A::B::C` -> group
`A::B`, name `C`); a note goes to the (home) deck of its first card. Note types map to
kinds by structure (cloze type, a `{{type:` template, two templates = reversed when
the second asks with a field the first does not), so renamed or translated stock
types work too; the card asks what the templates ask (`field_layout`), their `{{#F}}` and `{{^F}}`
sections decided by each note's fields as Anki decides them; a note of a two-template type
with only its first card in the package (Anki's "Basic (optional reversed
card)" with an empty "Add Reverse") is basic, and a field the question
templates only test (`{{#Add Reverse}}`), never show, is not card text. A
field named Extra that no question template uses (retain's package note
types) is the card's extra. GUIDs become card ids. Media
that cards use is extracted (bounded), stored under content-hash names and
shown as placeholders; so are the `_` files the kept note types' CSS and templates load (a
font, a script: `notetype_media`), which `DECK.anki.json` maps as it maps the fields' media. A
deck lists its notes so that retain serves the new cards in Anki's new-card order
(`_new_card_order`). With `with_history`, the review log becomes history, `DECK.anki.json`
keeps each card's SM-2 ease factor, counts and interval (`ankikeep`), which an export gives back,
and each deck's Anki options preset is read (`deck_options`: `Bundle.presets`).
A note or card row whose ids are not numbers (a damaged or crafted collection)
is left out with one warning line.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from retain.core.clock import DEFAULT_ROLLOVER_HOUR
from retain.core.gcpause import gc_paused
from retain.core.model import Card, Kind
from retain.core.units import card_unit_keys
from retain.interop.anki.ankidb import AnkiCard, AnkiDb, NoteType, open_db
from retain.interop.anki.ankinote import (
    anki_tag,
    deck_fields,
    flatten_cloze,
    ids_from_guid,
    is_leech_tag,
    note_to_card,
    parse_deck_description,
    split_deck_name,
    stable_deck_ids,
    unique_id,
)
from retain.interop.anki.apkg_archive import Archive, open_archive
from retain.interop.anki.apkg_history import anki_cards_kept, card_history
from retain.interop.anki.apkg_schema import RETAIN_MODEL_IDS
from retain.interop.anki.deck_options import deck_limits, deck_presets
from retain.interop.anki.notetype_media import kept_type_media
from retain.interop.anki.occlusion import LeftOut
from retain.interop.ankikeep import AnkiKeep, KeptNote, card_fingerprint, read_notetypes
from retain.interop.assemble import make_deck
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.html import html_to_text
from retain.interop.html_media import MediaFn
from retain.interop.limits import Limits
from retain.interop.media import hash_name, placeholder
from retain.interop.progress import ProgressFn, no_progress

__all__ = [
    "Layout",
    "anki_filter",
    "card_fields",
    "field_layout",
    "kind_of",
    "legacy_layout",
    "note_filled",
    "read_apkg",
]

_DUMMY_RE = re.compile(r"update to the latest anki|please update", re.IGNORECASE)
_TESTED_RE = re.compile(r"\{\{[#^]([^}]*)\}\}")
_SHOWN_RE = re.compile(r"\{\{(?![#^/!])([^}]*)\}\}")


# Filters whose field shows no text on the card: a typed answer box, a hint behind a click, speech.
_UNSHOWN_FILTERS = frozenset({"type", "hint"})


def anki_filter(html: str, filters: tuple[str, ...]) -> str:
    """A field's HTML as Anki shows it through `filters` (as written, outermost first): `furigana`
    makes `漢字[かんじ]` ruby, `kana` keeps the reading, `kanji` the base; others change nothing."""
    for name in reversed(filters):  # Anki applies the filter next to the field name first
        if name in ("furigana", "kana", "kanji"):
            html = html.replace("&nbsp;", " ")
            if "[" not in html:
                continue
            out: list[str] = []
            pos = 0
            for start, end, base, reading in _furigana_spans(html):
                out.append(html[pos:start])
                if reading.startswith("sound:"):
                    out.append(html[start:end])
                elif name == "furigana":
                    out.append(f"<ruby><rb>{base}</rb><rt>{reading}</rt></ruby>")
                else:
                    out.append(base if name == "kanji" else reading)
                pos = end
            out.append(html[pos:])
            html = "".join(out)
    return html


def _furigana_spans(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, base, reading) of each match of Anki's furigana pattern, ` ?([^ >]+?)\\[(.+?)\\]`,
    as its (linear-time) regex engine finds them, in linear time: Python's regex engine backtracks
    on that pattern, in time with the square of a long line's length."""
    n = len(text)
    next_close = [n] * (n + 2)  # the first "]" at or after i
    next_newline = [n] * (n + 2)
    next_stop = [n] * (n + 2)  # the first " " or ">" (which end a base) at or after i
    for i in range(n - 1, -1, -1):
        c = text[i]
        next_close[i] = i if c == "]" else next_close[i + 1]
        next_newline[i] = i if c == "\n" else next_newline[i + 1]
        next_stop[i] = i if c in " >" else next_stop[i + 1]
    # the first "[" at or after i that a reading follows: a "]" after one or more characters, all
    # on its line (the reading is as short as can be: up to that first "]")
    next_open = [n] * (n + 2)
    for i in range(n - 1, -1, -1):
        ok = text[i] == "[" and next_close[min(i + 2, n)] < next_newline[min(i + 1, n)]
        next_open[i] = i if ok else next_open[i + 1]
    p = 0
    while p < n:
        s = p + 1 if text[p] == " " else p  # the optional space, taken when it is there
        if s < n and text[s] not in " >":
            b = next_open[s + 1]
            if b < next_stop[s]:  # the base is one or more characters, none of them " " or ">"
                close = next_close[b + 2]
                yield p, close + 1, text[s:b], text[b + 1 : close]
                p = close + 1
                continue
        p += 1


@dataclass(frozen=True, slots=True)
class _Ref:
    index: int  # the field
    filters: tuple[str, ...]  # its filters, as written

    @property
    def shown(self) -> bool:
        """Whether the reference shows the field's text (not a typed-answer box, hint or speech)."""
        return not any(f in _UNSHOWN_FILTERS or f.startswith("tts") for f in self.filters)


def _field_refs(nt: NoteType, template: str, filled: frozenset[int] | None = None) -> list[_Ref]:
    """The references to the note type's fields a template shows, in order: with `filled` (a
    note's `note_filled`), those its sections show for that note; with None, those in any section
    too (what the type can show)."""
    out: list[_Ref] = []
    for ref, sections in _refs(template):
        if filled is not None and not _opens(nt, sections, filled):
            continue
        *filters, name = (part.strip() for part in ref.split(":"))
        if name in nt.fields:
            out.append(_Ref(nt.fields.index(name), tuple(filters)))
    return out


def _opens(nt: NoteType, sections: tuple[tuple[bool, str], ...], filled: frozenset[int]) -> bool:
    """Whether every one of `sections` (negated, key) shows its content for a note whose non-empty
    tested fields are `filled`, as Anki decides: `{{#F}}` when F is not empty, `{{^F}}` when it
    is. A key that names no field (Tags, Card, a cloze number) is taken as open, as before."""
    for negated, key in sections:
        if key in nt.fields and (nt.fields.index(key) in filled) == negated:
            return False
    return True


def _asked_fields(nt: NoteType, template: str, filled: frozenset[int] | None = None) -> list[int]:
    """The fields a question template asks with, in template order, each once (see `_field_refs`)."""
    return list(dict.fromkeys(r.index for r in _field_refs(nt, template, filled) if r.shown))


def kind_of(nt: NoteType) -> Kind:
    """The kind of the note type's notes: a cloze type, a `{{type:}}` template, two templates whose
    second asks with a field the first does not (else it is no reverse: basic), or basic."""
    if nt.is_cloze:
        return "cloze"
    if any("{{type:" in q for q in nt.qfmts):
        return "typed"
    if len(nt.qfmts) >= 2 and set(_asked_fields(nt, nt.qfmts[1])) - set(_asked_fields(nt, nt.qfmts[0])):
        return "reversed"
    return "basic"


def flag_fields(nt: NoteType) -> frozenset[int]:
    """Indices of the fields the question templates only test and no template shows (a card switch
    like "Add Reverse"); a field a question tests and an answer shows is card text."""
    tested = {name.strip() for q in nt.qfmts for name in _TESTED_RE.findall(q)}
    shown = {ref.rsplit(":", 1)[-1].strip() for t in nt.qfmts + nt.afmts for ref in _SHOWN_RE.findall(t)}
    return frozenset(i for i, name in enumerate(nt.fields) if name in tested - shown)


def note_kind(type_kind: Kind, ords: set[int]) -> Kind:
    """The note's kind from its type's (`kind_of`): a reversed type's note with only its first card
    in the package is basic."""
    return "basic" if type_kind == "reversed" and ords == {0} else type_kind


def extra_field(nt: NoteType) -> int | None:
    """The index of the field that holds the card's extra: one named Extra that no question template
    uses (retain's note types show it after the answer only), in a non-cloze type; else None."""
    if nt.is_cloze:
        return None
    used = {ref.rsplit(":", 1)[-1].strip() for q in nt.qfmts for ref in re.findall(r"\{\{([^}]*)\}\}", q)}
    used = {u.lstrip("#^/").strip() for u in used}
    return next((i for i, name in enumerate(nt.fields) if name == "Extra" and name not in used), None)


_TAG_RE = re.compile(r"\{\{([^{}]*)\}\}")
# Anki's rule for an empty field (rslib `field_is_empty`): only ASCII whitespace and `<br>`,
# `<div>`, `</div>` tags; `&nbsp;`, `<span></span>` or `<p></p>` make a field non-empty.
_EMPTY_FIELD = re.compile(r"(?:[ \t\n\v\f\r]|</?(?:br|div) ?/?>)*", re.IGNORECASE)


def _refs(template: str) -> list[tuple[str, tuple[tuple[bool, str], ...]]]:
    """The field references of a template, each with the sections it is in, outermost first, as
    (negated, key): `{{#F}}` is (False, "F"), `{{^F}}` (True, "F"). Tags are read as Anki reads
    them: trimmed, a one-character tag is a reference; a closing tag closes the innermost open
    section of its key (Anki refuses a template whose sections do not nest), any other is left."""
    out: list[tuple[str, tuple[tuple[bool, str], ...]]] = []
    open_: list[tuple[bool, str]] = []
    for m in _TAG_RE.finditer(template):
        tag = m[1].strip()
        kind = tag[:1] if len(tag) >= 2 else ""
        if kind in ("#", "^"):
            open_.append((kind == "^", tag[1:].strip()))
        elif kind == "/":
            key = tag[1:].strip()
            for depth in range(len(open_) - 1, -1, -1):
                if open_[depth][1] == key:
                    del open_[depth:]
                    break
        elif kind != "!":
            out.append((tag, tuple(open_)))
    return out


@functools.lru_cache(maxsize=256)
def _tested(names: tuple[str, ...], templates: tuple[str, ...]) -> tuple[int, ...]:
    """The indices of the fields `names` that a section of `templates` holding a reference tests
    (a section around no reference decides nothing retain reads)."""
    keys = {key for t in templates for _ref, sections in _refs(t) for _neg, key in sections}
    return tuple(i for i, name in enumerate(names) if name in keys)


def note_filled(nt: NoteType, fields: list[str]) -> frozenset[int]:
    """The fields of a note (its HTML, in order) that a section of its type's templates tests and
    that are not empty by Anki's rule (`_EMPTY_FIELD`): what decides, per note, which sections
    of its card show (`field_layout`)."""
    tested = _tested(tuple(nt.fields), (*nt.qfmts, *nt.afmts))
    return frozenset(i for i in tested if i < len(fields) and not _EMPTY_FIELD.fullmatch(fields[i]))


@dataclass(frozen=True, slots=True)
class Layout:
    """Which fields of a note make each part of its card, in order (see `field_layout`)."""

    front: tuple[int, ...]  # what the card asks with (a cloze's text)
    back: tuple[int, ...]  # its answer (a cloze's extra)
    extra: tuple[int, ...]  # shown after the answer: the Extra field (`named_extra`) first
    named_extra: int | None
    filters: dict[int, tuple[str, ...]]  # a field's filters where it is first shown (furigana ...)

    def fields(self, html: list[str]) -> list[str]:
        """The note's fields as its card shows them (through furigana filters); "" past the end."""
        return [
            anki_filter(html[i], self.filters.get(i, ())) if i < len(html) else ""
            for i in range(max((*self.front, *self.back, *self.extra), default=-1) + 1)
        ]


def field_layout(
    nt: NoteType, count: int, kind: Kind | None = None, filled: frozenset[int] | None = None
) -> Layout:
    """How a note of `nt` with `count` fields, of `kind` (the type's own by default), makes a card.

    The front is every field the first question template shows, in template order (a cloze type's
    too: its `{{cloze:X}}` field with any context its question shows), never a typed-answer box or a
    hint. A reversed note's back is what its second template asks with and the fields neither
    question shows come after the answer (the extra), so each of its cards asks what Anki's does; a
    typed note's back is the field its answer is typed into, the others the extra. Otherwise the back
    is the other fields, in the order the answer template shows them, then the ones it does not. A
    switch (`flag_fields`) is left out; a field named Extra (`extra_field`) is the extra.

    With `filled` (the note's `note_filled`) the templates' sections are decided for the note as
    Anki decides them: a field in `{{^F}}...{{/F}}` is no question text when F is filled, nor one in
    `{{#F}}...{{/F}}` when F is empty (it goes with the others, after the answer); with None every
    section counts as shown (what the type can show).
    """
    kind = kind or kind_of(nt)
    skip, named = _left_aside(nt, count)
    usable = [i for i in range(count) if i not in skip]

    def only(indices: list[int]) -> list[int]:
        return [i for i in dict.fromkeys(indices) if i in usable]

    templates = list(zip(nt.qfmts, nt.afmts + [""] * len(nt.qfmts), strict=False))
    q1, a1 = templates[0] if templates else ("", "")
    # (a question that shows nothing for the note: Anki made no such card; asked as the type asks)
    front = only(_asked_fields(nt, q1, filled)) or only(_asked_fields(nt, q1)) or usable[:1]
    answer_order = only([r.index for r in _field_refs(nt, a1, filled)]) + usable
    rest = [i for i in dict.fromkeys(answer_order) if i not in front]
    back: list[int] = []
    extra: list[int] = []
    if kind == "reversed" and len(templates) >= 2:
        back = [i for i in only(_asked_fields(nt, templates[1][0], filled)) if i not in front]
    elif kind == "typed":
        typed = [r.index for t in nt.qfmts for r in _field_refs(nt, t) if "type" in r.filters]
        back = [i for i in only(typed) if i not in front][:1]
    if back:
        extra = [i for i in rest if i not in back]
    else:
        back = rest
    filters: dict[int, tuple[str, ...]] = {}
    for q, a in templates[:2]:
        for ref in _field_refs(nt, q) + _field_refs(nt, a):
            filters.setdefault(ref.index, ref.filters)
    return Layout(
        tuple(front),
        tuple(back),
        tuple(([named] if named is not None else []) + extra),
        named,
        {i: f for i, f in filters.items() if any(x in ("furigana", "kana", "kanji") for x in f)},
    )


def _shared_cue(nt: NoteType, kind: Kind) -> str | None:
    """A warning when a reversed type's second template also asks with fields of the first, which
    retain's reverse card (it asks with the back) cannot show; else None."""
    if kind != "reversed" or len(nt.qfmts) < 2:
        return None
    first = _asked_fields(nt, nt.qfmts[0])
    second = _asked_fields(nt, nt.qfmts[1])
    shared = [nt.fields[i] for i in second if i in first]
    if not shared:
        return None
    asks = ", ".join(nt.fields[i] for i in second if i not in first)
    name = nt.tnames[1] if len(nt.tnames) > 1 and nt.tnames[1] else "card 2"
    return (
        f"note type {nt.name!r}: its template {name!r} also asks with {', '.join(shared)}, which "
        f"retain's reverse card cannot show (it asks with {asks}); the note keeps its fields for Anki"
    )


def _left_aside(nt: NoteType, count: int) -> tuple[set[int], int | None]:
    """(the fields no card text takes: switches and the extra field; the extra field, if any)."""
    skip = set(flag_fields(nt))
    named = extra_field(nt)
    if named is not None and named < count:
        skip.add(named)
        return skip, named
    return skip, None


def legacy_layout(nt: NoteType, count: int) -> Layout:
    """The layout earlier imports made (a deck imported before this one keeps its cards as they
    were made): the front one field, the first its first question shows unconditionally (else the
    first in a conditional; a cloze type's `{{cloze:X}}`), the back the others in note order."""
    skip, named = _left_aside(nt, count)
    front = 0
    found: list[tuple[int, int]] = []
    for q in nt.qfmts if nt.is_cloze else nt.qfmts[:1]:
        for ref, sections in _refs(q):
            *filters, name = (part.strip() for part in ref.split(":"))
            if name in nt.fields and ("cloze" in filters) == nt.is_cloze and "type" not in filters:
                found.append((nt.fields.index(name), len(sections)))
        if found:
            break
    found.sort(key=lambda ref: ref[1] > 0)  # (stable) a field shown unconditionally first
    if found:
        front = found[0][0]
    order = [i for i in range(count) if i not in skip]
    if front in order:
        order.remove(front)
        order.insert(0, front)
    extra = (named,) if named is not None else ()
    return Layout(tuple(order[:1]), tuple(order[1:]), extra, named, {})


def card_fields(fields: list[str], layout: Layout) -> tuple[list[str], int, list[str], str | None]:
    """(the note's front and back fields, how many of them are the front, its other extra fields,
    its Extra field or None), by `layout` (made once per note type: its templates are parsed)."""
    shown = layout.fields(fields)
    named = layout.named_extra
    extra = shown[named] if named is not None else None
    rest = [shown[i] for i in layout.extra if i != named]
    return [shown[i] for i in layout.front + layout.back], len(layout.front), rest, extra


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
    metas = {did: parse_deck_description(desc) for did, (_, desc) in rows.items()}
    given = {did: raw for did, meta in metas.items() if isinstance(raw := meta.get("id"), str)}
    derived = stable_deck_ids((full for did, (full, _) in rows.items() if did not in given), given.values())
    out: dict[int, tuple[str, dict[str, object]]] = {}
    taken: set[str] = set()
    for did, (full, desc) in rows.items():
        meta = metas[did]
        # (unique: a crafted package may hold a name twice, or a description's id twice)
        deck_id = unique_id(given[did] if did in given else derived[full], taken)
        taken.add(deck_id)
        group, name = split_deck_name(full)
        if "group" not in meta and meta.get("name") == full:
            group = ""  # retain wrote no group, and the Anki name is its own: a name holding `::`
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
    note_kinds: dict[int, tuple[NoteType, Kind]] = {}
    leeches: set[int] = set()  # notes with Anki's leech tag
    layouts: dict[tuple[int, int, Kind, frozenset[int]], Layout] = {}  # by type id, field count, kind, filled
    shared_cue: dict[int, str | None] = {}  # per note type: its reverse template's lost cue
    type_kind: dict[int, Kind] = {}  # per note type: `kind_of` (its templates read once, not per note)
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
        own = type_kind.get(mid)
        if own is None:
            own = type_kind[mid] = kind_of(nt)
        kind = note_kind(own, ords[nid])
        type_kinds[int(mid)][kind] += 1
        note_kinds[nid] = (nt, kind)
        filled = note_filled(nt, fields)
        layout = layouts.get((mid, len(fields), kind, filled))
        if layout is None:
            layout = layouts[mid, len(fields), kind, filled] = field_layout(nt, len(fields), kind, filled)
        if kind == "reversed" and mid not in shared_cue:
            shared_cue[mid] = _shared_cue(nt, kind)
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
    bundle.warnings.extend(_left_out_templates(db, cards, note_kinds))
    bundle.warnings.extend(line for line in shared_cue.values() if line)
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
    # with the history (the cards' progress), each card's SM-2 ease and counts (see ankikeep)
    kept_cards = anki_cards_kept(db, cards, note_key) if with_history else {}
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
        bundle.reviews = card_history(db, cards, note_key, bundle.warnings, rollover_hour, leeches)
        # the learner's own collection: its decks' options presets go with it (deck_options)
        made = {deck.id for deck in bundle.decks}
        anki_ids = {deck_map[did][0]: did for did in per_deck if deck_map[did][0] in made}
        bundle.presets = deck_presets(db, anki_ids, bundle.warnings)
        bundle.deck_limits = deck_limits(db, anki_ids, bundle.warnings)
    return bundle
