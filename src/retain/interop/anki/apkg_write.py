"""Write retain decks as an Anki package (`.apkg`, legacy `collection.anki2` layout).

Kinds become note types (Anki's stock ones; basic, reversed and typed with an
Extra field shown after the answer), tags carry over, a deck's group becomes the
`Group::Deck` hierarchy, GUIDs are `deck/card` (so a second import into Anki
updates the notes; a card from Anki goes back as its note, GUID and note type, while that
type still makes the card's kind: `_fits`), text Anki would read as its own markup
(`[sound:x]`, `[latex]`) is escaped (`fieldmarkup`), and media placeholders become `<img>`/`[sound:]` with the
files packed in (a sound or a video by its name, `clip.mov`, is always a `[sound:]`: Anki plays
it so and cannot show it as an `<img>`; a file without an extension, such as a content-hash
name, is one by its first bytes, `core.mediaref.is_played_head`), and with a note type
imported from Anki, the `_` files its CSS and templates load (a font, a script: `_type_media`).
With `states`/`reviews`, cards carry their scheduling and the package a review log, a card's
`mod` the time of its last event (`_last_changes`). A card's SM-2 ease factor is the one its FSRS difficulty gives, except for a
card imported from Anki with its history (`DECK.anki.json` keeps Anki's factor): Anki's own, as
SM-2 changed it for the answers given in retain since (`ankikeep.AnkiEase`). Such a card's
interval is Anki's while retain has not answered or reset it since (SM-2's "Set due date" keeps
the interval, not the days from the last review to the due day), in the card and in the log
(`ankikeep.AnkiIntervals`).

Days are counted as Anki counts them: the collection is made (`crt`) at 4 am,
Anki's rollover, of the date of today's study day in the local zone, with that
zone's offset as `creationOffset`; a review card's due is the number of days
from that date to the date of the study day its due time falls on, study days
beginning at the learner's `rollover_hour` (so a card comes back due on the
same dated day, in retain with the same hour and in Anki from its rollover). A (re)learning
step that ends on a later study day is counted in study days too, as Anki's `maybe_as_days`
counts it: the review log's interval (`apkg_revlog`), and a day number in queue 3 for a card on
such a step.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from retain.core.clock import DEFAULT_ROLLOVER_HOUR, day_start
from retain.core.due import deck_of
from retain.core.mediaref import is_played_head
from retain.core.model import Card, Deck
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, set_aside
from retain.core.stats import step_rule
from retain.core.studyday import StudyDay
from retain.core.units import card_unit_keys
from retain.interop.anki.ankidb import NoteType
from retain.interop.anki.ankinote import (
    LEECH_TAG,
    Packing,
    anki_deck_names,
    answer_field_html,
    card_to_note,
    deck_description,
    is_leech_tag,
    note_tags,
    note_to_card,
)
from retain.interop.anki.apkg_deckconf import DeckConfs
from retain.interop.anki.apkg_read import (
    card_fields,
    field_layout,
    flag_fields,
    kind_of,
    legacy_layout,
    note_filled,
)
from retain.interop.anki.apkg_revlog import Revlog, anki_factor, card_ivl, step_days
from retain.interop.anki.apkg_schema import (
    MODEL_IDS,
    SCHEMA,
    col_conf,
    deck_json,
    kept_model_json,
    model_json,
)
from retain.interop.anki.apkg_templates import from_template, made_templates
from retain.interop.anki.fieldmarkup import field_text
from retain.interop.anki.notetype_media import kept_type_media
from retain.interop.anki.readings import reading_field_html
from retain.interop.ankikeep import (
    AnkiEase,
    AnkiKeep,
    KeptNote,
    card_fingerprint,
    keep_path,
    load_keep,
)
from retain.interop.bundle import DeckReviews, Review
from retain.interop.errors import InteropError
from retain.interop.html import html_to_text, markdown_to_html
from retain.interop.html_media import kind_by_name
from retain.interop.media import (
    deck_media_dir,
    hash_name,
    media_file,
    placeholder,
    sha256_file,
)
from retain.interop.outfile import atomic_output, media_left_out, open_media
from retain.interop.progress import ProgressFn, no_progress
from retain.store.files import NotRegularFileError
from retain.store.localzone import local_timezone
from retain.store.oserror import os_error_text

__all__ = ["ApkgOptions", "write_apkg"]

_PLACEHOLDER_HTML = re.compile(
    r'(<img src="|\[sound:)([a-z0-9][a-z0-9-]*)\.media/([^"<>/\\\]\n]+)(?:"( alt="[^"<>]*")?>|\])'
)


@dataclass(slots=True)
class ApkgOptions:
    now: datetime
    decks_dir: Path | None = None  # where `<deck>.media/` folders live
    states: Mapping[str, CardState] = field(default_factory=dict)
    reviews: Sequence[Review] | DeckReviews = ()  # a group's: `DeckReviews`, a deck at a time
    progress: ProgressFn = no_progress
    settings_of: Callable[[str], StudySettings] = lambda _deck_id: StudySettings()  # a deck's steps
    tz: tzinfo | None = None  # the zone study days are counted in (None: the local zone)
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR  # the hour the learner's study day begins
    warnings: list[str] | None = None  # a line per media file left out (no regular file when read)


def _media_file(folder: Path, src: str) -> tuple[str, Path] | None:
    """The media name and file an HTML `src` points at; only a plain name in `folder`. The Markdown
    renderer percent-encodes the target, `%` too (`html.markdown_to_html`), so the src decoded is
    the target as the card wrote it: that file, else the target read as a URL (`a%20b.png` names
    `a b.png` when there is no `a%20b.png`), as the study screen reads it; else the src as written."""
    raw = html.unescape(src)
    target = unquote(raw)
    for name in dict.fromkeys((target, unquote(target), raw)):
        found = media_file(folder, name)
        if found is not None:
            return name, found
    return None


def _package_name(name: str, src: Path, used: dict[str, Path]) -> str:
    """`name` in the package: the file's own name, or its content-hash name when another deck's
    file of that name is already packed (a content-hash name already packed holds the same bytes)."""
    return name if used.get(name, src) == src else hash_name(sha256_file(src), name)


def _played(name: str, path: Path) -> bool:
    """A file Anki plays (`[sound:]`): a sound or a video by its name; one without an extension by
    its first bytes (`is_played_head`, the rule `o` opens it by). NotRegularFileError when it is
    no regular file now; an unreadable one counts as not played (packing it says why)."""
    kind = kind_by_name(name)
    if kind is not None or PurePosixPath(name).suffix[1:].isalnum():  # an extension, as `o` sees one
        return kind == "audio"
    try:
        with open_media(path) as fh:
            head = fh.read(16)
    except NotRegularFileError:  # (an OSError too): the caller leaves it out
        raise
    except OSError:
        return False
    return is_played_head(head, named=False)


def _media_html(
    html_text: str,
    used: dict[str, Path],
    deck_id: str,
    folder: Path | None,
    warnings: list[str] | None = None,
    packed: list[str] | None = None,
) -> str:
    """`html_text` with the deck's media placeholders as Anki's `<img>`/`[sound:]` (a sound or a
    video by its name, or without an extension by its content, always `[sound:]`, whatever the
    tag: `_played`); the files they name in the deck's media `folder` are added to `used` (only
    its own folder: another deck's folder is never read), their package names to `packed`. One
    that is no regular file when read is left out (a line in `warnings`)."""

    def sub(m: re.Match[str]) -> str:
        found = _media_file(folder, m[3]) if folder is not None and m[2] == deck_id else None
        if found is None:
            return m[0]
        try:
            name = _package_name(*found, used)
            played = m[1] == "[sound:" or _played(name, found[1])
        except NotRegularFileError as exc:  # (hashed to tell it from another deck's file of its name)
            if warnings is not None:
                warnings.append(media_left_out(found[1], exc))
            return m[0]
        used[name] = found[1]
        if packed is not None:
            packed.append(name)
        if played:  # never an `<img>`
            return f"[sound:{name}]"
        return f'<img src="{html.escape(name)}"{m[4] or ""}>'  # its description kept

    return _PLACEHOLDER_HTML.sub(sub, html_text)


def _packing(used: dict[str, Path], deck_id: str, folder: Path | None, warnings: list[str] | None) -> Packing:
    """The deck's media as this package carries them (`_media_html`), for `card_to_note` to check
    its hidden text against the fields as packed."""

    def html(text: str) -> tuple[str, list[str]]:
        packed: list[str] = []
        return _media_html(text, used, deck_id, folder, warnings, packed), packed

    def name(written: str) -> str | None:  # as `_media_html` names the file an HTML `src` points at
        found = _media_file(folder, written) if folder is not None else None
        return _package_name(*found, used) if found is not None else None

    return Packing(html, name)


# The files a field of Anki's uses, as its media check finds them: `[sound:]`, and the `src` of
# `<img>`, `<audio>`, `<video>` and `<source>` or the `data` of `<object>` (quoted or not).
_ANKI_MEDIA = re.compile(
    r"""<(?:img|audio|video|source|object)\b(?:[^>"']|"[^"]*"|'[^']*')*?\s(?:src|data)\s*=\s*"""
    r"""(?:"([^"]+)"|'([^']+)'|([^\s"'>]+))|\[sound:([^\]\n]+)\]""",
    re.IGNORECASE,
)


def _anki_media_names(fields: Sequence[str]) -> list[str]:
    """The media file names Anki's `fields` use (`_ANKI_MEDIA`), HTML entities decoded."""
    return [
        html.unescape(next(g for g in m.groups() if g)) for m in _ANKI_MEDIA.finditer("\x1f".join(fields))
    ]


def _shape(nt: dict[str, Any]) -> NoteType:
    """A kept note type (`ankikeep`) as the reader's `NoteType`: what its templates ask and show."""
    tmpls = [t for t in nt["tmpls"] if isinstance(t, list)]
    return NoteType(
        str(nt["name"]), nt["kind"] == "cloze", list(nt["flds"]), [t[1] for t in tmpls], [t[2] for t in tmpls]
    )


def _fits(shape: NoteType, kind: str) -> bool:
    """Whether a card of `kind` can go back into its kept note type, by what the type's templates
    make (`kind_of`): a cloze only into a cloze type, a typed card only into a type with a
    `{{type:}}` template, a reversed card only into a type whose second template asks with another
    field (a one-template "Basic" has no card for its reverse side: Anki could not show it), a
    basic card into a basic type or a two-template one (Anki's "optional reversed": one note type,
    notes of either kind). Whether the note's fields make the reverse card is `_switched`'s."""
    made = kind_of(shape)
    if kind in ("cloze", "typed") or made in ("cloze", "typed"):
        return made == kind
    return kind == "basic" or made == "reversed"


def _switched(shape: NoteType, kind: str, fields: list[str]) -> list[str] | None:
    """The note's `fields`, for a reversed card with its empty card switches (`flag_fields`: "Add
    Reverse") filled, so that Anki makes its reverse card; None when the fields make no reverse
    card all the same (the second template asks with no field they fill). A basic card's as they
    are (a switch the note has on stays: the reverse card may be in another deck of Anki's)."""
    if kind != "reversed":
        return fields
    flags = flag_fields(shape)
    out = [("y" if i in flags and not html_to_text(f).strip() else f) for i, f in enumerate(fields)]
    asked = field_layout(shape, len(out), "reversed", note_filled(shape, out)).back
    return out if any(html_to_text(out[i]).strip() for i in asked if i < len(out)) else None


def _kept_media(fields: list[str], keep: AnkiKeep, folder: Path | None, used: dict[str, Path]) -> None:
    """The packed files of the Anki media the kept fields name (`DECK.anki.json`'s hashes)."""
    for name in _anki_media_names(fields):
        hashed = keep.media.get(name)
        found = media_file(folder, hashed) if hashed else None
        if found is not None:
            used[name] = found


@dataclass(slots=True)
class _Note:
    guid: str
    mid: int
    fields: list[str]
    tags: tuple[str, ...]
    first: int = 0  # the template of its first card (`_first_template`): its cards' ords start there


def _note_for(
    deck: Deck,
    card: Card,
    keep: AnkiKeep | None,
    used: dict[str, Path],
    opts: ApkgOptions,
    models: dict[str, object],
    did: int,
    now_s: int,
) -> _Note:
    """The card as an Anki note: with its kept GUID and note type when it came from Anki (see ankikeep)."""
    folder = deck_media_dir(deck, opts.decks_dir)
    kept = keep.notes.get(card.id) if keep else None
    nt = keep.notetypes.get(kept.mid) if keep and kept else None
    shape = _shape(nt) if nt is not None and nt["flds"] else None
    fields: list[str] | None = None
    first = 0
    if keep is not None and kept is not None and shape is not None:
        first = _first_template(deck, card, kept, shape, keep.media)
        shape = from_template(shape, first)
    if (
        keep is not None
        and kept is not None
        and nt is not None
        and shape is not None
        and _fits(shape, card.kind)
    ):
        width = len(nt["flds"])
        if kept.sum == card_fingerprint(card) and len(kept.fields) == width:  # unedited: Anki's own fields
            fields = list(kept.fields)
            _kept_media(fields, keep, folder, used)
        elif width == 1:
            fresh = [
                _media_html(f, used, deck.id, folder, opts.warnings) for f in card_to_note(deck, card).fields
            ]
            fields = ["<br><br>".join(f for f in fresh if f)]
        else:  # into the fields the import read them from (see `_refill`), its switches set
            fields = _switched(
                shape, card.kind, _refill(deck, card, kept.fields, kept.sum, shape, keep.media)
            )
            if fields is not None:
                fields = [_media_html(f, used, deck.id, folder, opts.warnings) for f in fields]
                _kept_media(fields, keep, folder, used)  # (the fields kept as they were)
    if keep is None or kept is None or nt is None or fields is None:
        # retain's own note type for its kind, under its own GUID: Anki's import skips a note whose
        # GUID it has under another note type ("conflicting"), so the kept one cannot go with it
        packing = _packing(used, deck.id, folder, opts.warnings)
        note = card_to_note(deck, card, extra_field=True, packing=packing)  # its media packed
        mid = MODEL_IDS[note.kind]
        models.setdefault(str(mid), model_json(note.kind, now_s, did))
        return _Note(note.guid, mid, list(note.fields), note.tags)
    models.setdefault(str(kept.mid), kept_model_json(kept.mid, nt, now_s, did))
    return _Note(kept.guid, kept.mid, fields, note_tags(deck, card), first)


def _first_template(deck: Deck, card: Card, kept: KeptNote, shape: NoteType, media: dict[str, str]) -> int:
    """The template the import read the card's note from (`apkg_templates.first_template`): the
    first one Anki makes a card of for the note's kept fields (`made_templates`; a conditional
    first template they leave empty makes none), so that its card goes back as a card of that
    template, asking what it asked in Anki. Where that is not the first, the card the kept fields
    make from each candidate, and from the first (Anki keeps the card of a template a field edit
    emptied), is matched against the one the import made (`kept.sum`)."""
    made = made_templates(shape, kept.fields, bool(note_tags(deck, card)))
    if not made or made[0] == 0 or len(kept.fields) != len(shape.fields):
        return 0

    def lookup(name: str) -> str | None:
        hashed = media.get(name)
        return placeholder(deck.id, hashed) if hashed else None

    for first in (*made, 0):
        view = from_template(shape, first)
        layout = field_layout(view, len(kept.fields), card.kind, note_filled(view, kept.fields))
        parts, count, rest, extra = card_fields(kept.fields, layout)
        made_card = note_to_card(
            card.id, card.kind, parts, (), lookup, extra=extra, front_count=count, extra_parts=rest
        )
        if card_fingerprint(made_card) == kept.sum:
            return first
    return made[0]


_RETAIN_COMMENT = re.compile(r"<!--retain \{.*?\}-->", re.DOTALL)


def _refill(
    deck: Deck, card: Card, kept: list[str], made_sum: str, shape: NoteType, media: dict[str, str]
) -> list[str]:
    """An edited card's note fields: each side of the card (front, back, extra) goes back into the
    fields the import made it from (`field_layout` of `shape`, the kept note type from the template
    the note was read from), a field whose text the side still holds as it was keeps Anki's HTML
    exactly, and the changed text goes into the field(s) it replaced. What the note type has no
    field for travels in retain's hidden comment, with what it always carries."""
    width = len(shape.fields)

    def lookup(name: str) -> str | None:
        hashed = media.get(name)
        return placeholder(deck.id, hashed) if hashed else None

    # the note's own layout: which fields its question shows depends on which are filled
    # (`{{#F}}`/`{{^F}}` sections); the type's alone and an older retain's are candidates too
    filled = note_filled(shape, kept) if len(kept) == width else None
    layout = field_layout(shape, width, card.kind, filled)
    if len(kept) == width:  # the layout the card was made with: an earlier import's, if it was
        for candidate in (layout, field_layout(shape, width, card.kind), legacy_layout(shape, width)):
            parts, count, rest, extra = card_fields(kept, candidate)
            made = note_to_card(
                card.id, card.kind, parts, (), lookup, extra=extra, front_count=count, extra_parts=rest
            )
            if card_fingerprint(made) == made_sum:
                layout = candidate
                break
    fields = [_RETAIN_COMMENT.sub("", f) for f in kept] if len(kept) == width else [""] * width

    old = [field_text(f, lookup) for f in layout.fields(fields)]
    sides: list[tuple[tuple[int, ...], str]] = (
        [(layout.front, card.text), (layout.back, card.extra)]
        if card.kind == "cloze"
        else [(layout.front, card.front), (layout.back, card.back), (layout.extra, card.extra)]
    )
    overflow = ""
    for indices, text in sides:
        if overflow:  # a side the note type has no field for goes into the next side's fields
            text = "\n\n".join(t for t in (overflow, text) if t)
        changed, overflow = _fit(indices, old, text)
        typed_back = card.kind == "typed" and indices == layout.back
        render = answer_field_html if typed_back else markdown_to_html
        for i, value in changed.items():  # (a field shown through a reading filter: in Anki's form)
            fields[i] = reading_field_html(value, layout.filters.get(i, ()), fields[i], lookup, render)
    # What is left has no field (an extra in a type without one): shown under the back as retain's
    # two-field types show a basic card's, else in the hidden comment. The comment also carries what
    # note types cannot hold (accepted answers, source, ...) and goes where the import looks for it.
    kept_extra = overflow if card.kind != "cloze" else ""
    shown = card.kind == "basic" and bool(layout.back)
    note = card_to_note(deck, replace(card, extra=kept_extra), hidden_extra=not shown)
    if kept_extra and shown:
        fields[layout.back[0]] += note.fields[1][len(markdown_to_html(card.back)) :]
    comment = _RETAIN_COMMENT.search(note.fields[0])
    if comment is not None:
        fields[layout.front[0] if layout.front else 0] += comment[0]
    return fields


def _fit(indices: tuple[int, ...], old: list[str], new: str) -> tuple[dict[int, str], str]:
    """({field: its new text} for the fields of one side whose text changed, text left over for
    which the side has no field). `old` holds each field's text as the import read it; the side's
    text is the non-empty ones joined by blank lines. The fields whose texts still begin or end the
    side are kept; the text between goes into the first field it replaced (the others emptied), or
    into an empty field of the side there, or else next to the kept text before it."""
    parts = [(i, old[i]) for i in indices if i < len(old) and old[i]]
    if "\n\n".join(t for _, t in parts) == new:
        return {}, ""
    if not indices:
        return {}, new
    start, head = 0, 0
    while head < len(parts) and _starts(new, start, parts[head][1]):
        start = min(len(new), start + len(parts[head][1]) + 2)
        head += 1
    end, tail = len(new), 0
    while tail < len(parts) - head and _ends(new, start, end, parts[-1 - tail][1]):
        end = max(start, end - len(parts[-1 - tail][1]) - 2)
        tail += 1
    middle = new[start:end].strip("\n")
    replaced = [i for i, _ in parts[head : len(parts) - tail]]
    if replaced:
        return {i: (middle if n == 0 else "") for n, i in enumerate(replaced)}, ""
    if not middle:
        return {}, ""
    before = parts[head - 1][0] if head else None
    after = parts[len(parts) - tail][0] if tail else None
    lo = indices.index(before) + 1 if before is not None else 0
    hi = indices.index(after) if after is not None else len(indices)
    empty = [i for i in indices[lo:hi] if not (i < len(old) and old[i])]
    if empty:
        return {empty[0]: middle}, ""
    if before is not None:
        return {before: f"{old[before]}\n\n{middle}"}, ""
    if after is not None:
        return {after: f"{middle}\n\n{old[after]}"}, ""
    return {indices[0]: middle}, ""


def _starts(text: str, at: int, part: str) -> bool:
    """Whether `part` is the next field's text of `text` at `at` (the side ends or a blank line follows)."""
    stop = at + len(part)
    return text.startswith(part, at) and (stop == len(text) or text.startswith("\n\n", stop))


def _ends(text: str, start: int, end: int, part: str) -> bool:
    """Whether `part` is the field's text that ends `text[start:end]` (after a blank line or at `start`)."""
    begin = end - len(part)
    return (
        begin >= start
        and text.startswith(part, begin)
        and (begin == start or (begin - 2 >= start and text.startswith("\n\n", begin - 2)))
    )


def _left(state: CardState, settings: StudySettings) -> int:
    """Anki's `left` for a (re)learning card: the steps still to go, today's in the thousands part
    and all of them in the units (the v3 scheduler reads only the units), from retain's step."""
    steps = settings.learning_steps if state.state == LEARNING else settings.relearning_steps
    remaining = max(1, len(steps) - (state.step or 0))
    return remaining * 1000 + remaining


def _sched(
    state: CardState | None, pos: int, day: StudyDay, today: date, settings: StudySettings
) -> tuple[int, int, int, int, int, int, str]:
    """(type, queue, due, ivl, factor, left, data) for a card in state `state`. A suspended card is
    in Anki's queue -1, one buried past today -3 (buried by hand: Anki lifts it at its next day).
    A (re)learning card whose step ended on a later study day than it was answered on (see
    `step_days`) is in Anki's queue 3 with the day number it is due as its due, as Anki puts a
    card on an interday step; one on a step within its day, or set aside, in queue 1 (or its
    queue -1/-3) with the time."""
    queue_off = _set_aside(state, today)
    if state is None or state.state not in (LEARNING, REVIEW, RELEARNING) or state.due is None:
        return 0, queue_off or 0, pos, 0, 0, 0, ""
    diff = state.difficulty or 5.0
    factor = anki_factor(state)
    data = json.dumps({"s": round(state.stability, 4), "d": round(diff, 4)}) if state.stability else ""
    last = state.last_review or state.due
    ivl = max(1, round((state.due - last) / timedelta(days=1)))
    due_day = (day.of(state.due) - today).days  # Anki's day number: study days since `crt`
    if state.state == REVIEW:
        return 2, queue_off or 2, due_day, ivl, factor, 0, data
    kind = 1 if state.state == LEARNING else 3
    left = _left(state, settings)
    answered = state.last_review
    interday = (step_days(state.due, answered, day) if answered is not None else due_day) > 0
    if interday and queue_off is None:
        return kind, 3, due_day, card_ivl(state, day), factor, left, data
    # A suspended or buried one keeps its time: Anki's import moves a day number to its own
    # days only in queues 2 and 3 (and for review cards), and Anki puts a card set aside back
    # in queue 1 when its due is a time.
    return kind, queue_off or 1, int(state.due.timestamp()), card_ivl(state, day), factor, left, data


def _set_aside(state: CardState | None, today: date) -> int | None:
    """Anki's queue for a card set aside on study day `today` (`core.state.set_aside`): -1 when
    suspended (buried too or not), -3 when buried until a later study day; None for one in its own
    queue (a bury that ended today included)."""
    if state is None or not set_aside(state.suspended, state.buried_until, today.isoformat()):
        return None
    return -1 if state.suspended else -3


def _leech_mark(tags: Sequence[str], states: Sequence[CardState | None]) -> tuple[str, ...]:
    """("leech",) when a card of the note is a leech and its tags do not say so yet: Anki marks a
    leech with that note tag."""
    leech = any(s is not None and s.leech for s in states)
    return (LEECH_TAG,) if leech and not any(is_leech_tag(t) for t in tags) else ()


def _csum(sort_field: str) -> int:
    return int(hashlib.sha1(sort_field.encode()).hexdigest()[:8], 16)


def _fill(db: sqlite3.Connection, decks: Sequence[Deck], opts: ApkgOptions) -> dict[str, Path]:
    now_s = int(opts.now.timestamp())
    base = now_s * 1000
    zone = opts.tz or local_timezone()
    day = StudyDay(opts.rollover_hour, zone)  # due dates are the learner's study days
    today = day.today(opts.now)
    # As Anki makes a collection: 4 am (its rollover) of the date of today's study day. Its day
    # numbers are dates from there, which Anki and retain start at their own rollover hour.
    crt = day_start(today, DEFAULT_ROLLOVER_HOUR, zone)
    offset = crt.astimezone(day.tz).utcoffset()
    west = -int(offset.total_seconds()) // 60 if offset is not None else 0
    decks_json: dict[str, object] = {"1": deck_json(1, "Default", "", now_s)}
    confs = DeckConfs(now_s)  # each deck's settings as its Anki options preset
    names: dict[str, int] = {}
    models: dict[str, object] = {}
    used_media: dict[str, Path] = {}
    cids: dict[str, int] = {}
    total = sum(len(d.cards) for d in decks)
    nid = cid = base
    pos = 0
    fulls = anki_deck_names(decks)
    keeps = {deck.id: _keep(deck, opts.decks_dir) for deck in decks}
    ease = _anki_ease(decks, keeps, opts)
    reviews_of = _by_deck(opts.reviews)
    revlog = Revlog(
        db, cids, day, ease, step_rule(StudySettings(), {d.id: opts.settings_of(d.id) for d in decks})
    )
    for i, deck in enumerate(decks):
        reviews = reviews_of(deck.id)  # (a deck's at a time: a group's whole history is never held)
        ease.replay(reviews)
        changed = _last_changes(reviews)
        full = fulls[deck.id]
        settings = opts.settings_of(deck.id)
        parts = full.split("::")
        for depth in range(1, len(parts) + 1):
            name = "::".join(parts[:depth])
            own = depth == len(parts)  # (a deck named as the group of one before it: made, then its own)
            if name not in names or own:
                did = names.setdefault(name, base + 10_000 * (i + 1) + depth)
                desc, conf = (deck_description(deck), confs.conf_id(settings)) if own else ("", 1)
                decks_json[str(did)] = deck_json(did, name, desc, now_s, conf)
        did = names[full]
        keep = keeps[deck.id]
        kept_types: dict[int, None] = {}  # the kept note types of the deck's notes
        for card in deck.cards:
            note = _note_for(deck, card, keep, used_media, opts, models, did, now_s)
            fields, mid = note.fields, note.mid
            if keep is not None and mid in keep.notetypes:
                kept_types.setdefault(mid)
            nid += 1
            keys = card_unit_keys(deck.id, card)
            marks = _leech_mark(note.tags, [opts.states.get(key) for key in keys])
            tags = f" {' '.join(note.tags + marks)} " if note.tags or marks else ""
            sfld = html_to_text(fields[0])
            db.execute(
                "INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (nid, note.guid, mid, now_s, -1, tags, "\x1f".join(fields), sfld, _csum(sfld), 0, ""),
            )
            for ord_, key in enumerate(keys, note.first):
                if card.kind == "cloze":
                    ord_ = int(key.rsplit(":c", 1)[1]) - 1
                cid += 1
                pos += 1
                cids[key] = cid
                st = opts.states.get(key)
                typ, queue, due, ivl, factor, left, data = _sched(st, pos, day, today, settings)
                reps, lapses = (st.reps, st.lapses) if st else (0, 0)
                if factor:
                    factor = ease.factor(key) or factor  # Anki's own, as SM-2 changed it since
                if typ in (2, 3) and (anki_ivl := ease.interval(key)):
                    ivl = anki_ivl  # Anki's own while unanswered since ("Set due date" keeps it)
                kept = ease.kept(key)
                if typ == 0 and kept is not None and ease.untouched(key):
                    reps, lapses = kept.reps, kept.lapses  # Anki's "reset to new" can keep its counts
                db.execute(
                    "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        cid,
                        nid,
                        did,
                        ord_,
                        changed.get(key, now_s),  # `mod`: when retain last changed it
                        -1,
                        typ,
                        queue,
                        due,
                        ivl,
                        factor,
                        reps,
                        lapses,
                        left,
                        0,
                        0,
                        0,
                        data,
                    ),
                )
            if (nid - base) % 500 == 0 or nid - base == total:
                opts.progress("export", nid - base, total)
        if keep is not None:
            _type_media(deck, keep, kept_types, used_media, opts)
        revlog.write(reviews)
        del reviews
    revlog.finish()
    db.execute(
        "INSERT INTO col VALUES (1,?,?,?,11,0,0,0,?,?,?,?,?)",
        (
            int(crt.timestamp()),
            base,
            base,
            json.dumps(col_conf(next(iter(MODEL_IDS.values()))) | {"creationOffset": west}),
            json.dumps(models),
            json.dumps(decks_json),
            json.dumps(confs.dconf()),
            "{}",
        ),
    )
    return used_media


def _last_changes(reviews: Iterable[Review]) -> dict[str, int]:
    """Per unit key, the time (Unix seconds, as Anki keeps a card's `mod`) of its last event in
    `reviews` (an answer, a reset, a suspend, ...): when the card last changed, which an import
    dates a set-aside new card's suspension or bury by (`apkg_history`), so that importing this
    package again finds the event it already holds. A card without one: the export's time."""
    out: dict[str, int] = {}
    for r in reviews:
        t = int(r.time.timestamp())
        if t > out.get(r.key, -1):
            out[r.key] = t
    return out


def _type_media(
    deck: Deck, keep: AnkiKeep, mids: Iterable[int], used: dict[str, Path], opts: ApkgOptions
) -> None:
    """Add to `used` the `_` files the kept note types `mids` load (a font, a script), under the
    names their CSS and templates use, as Anki's package carries them (`notetype_media`): the
    files the import kept in the deck's media folder. A name another deck's file of other bytes
    already has in the package is left out, with a line in `opts.warnings`: the note type names
    it, so it cannot go under another name."""
    folder = deck_media_dir(deck, opts.decks_dir)
    names = dict.fromkeys(name for mid in mids for name in kept_type_media(keep.notetypes[mid]))
    for name in names:
        hashed = keep.media.get(name)
        found = media_file(folder, hashed) if hashed is not None else None
        if found is None:
            continue
        packed = used.get(name)
        if packed is not None and packed != found and not _same_bytes(packed, found):
            if opts.warnings is not None:
                opts.warnings.append(
                    f"deck {deck.id}: the note type file {name} is left out: another deck's file of "
                    "that name is in the package"
                )
            continue
        used.setdefault(name, found)


def _same_bytes(a: Path, b: Path) -> bool:
    """Whether the media files `a` and `b` hold the same bytes (False when one cannot be read)."""
    try:
        return sha256_file(a) == sha256_file(b)
    except OSError:
        return False


def _keep(deck: Deck, decks_dir: Path | None) -> AnkiKeep | None:
    """What the deck's Anki import kept (`DECK.anki.json` beside its file), or None."""
    home = Path(deck.path).parent if deck.path else decks_dir
    return load_keep(keep_path(home, deck.id)) if home is not None else None


def _anki_ease(decks: Sequence[Deck], keeps: Mapping[str, AnkiKeep | None], opts: ApkgOptions) -> AnkiEase:
    """The SM-2 ease factors of the cards imported from Anki with their history (`ankikeep.AnkiEase`),
    to replay the answers retain recorded since, a deck at a time; none without progress to export."""
    kept = {
        f"{deck.id}/{key}": card
        for deck in decks
        if (keep := keeps.get(deck.id)) is not None
        for key, card in keep.cards.items()
    }
    return AnkiEase(kept if opts.states or opts.reviews else {})  # (each deck's reviews replayed in turn)


def _by_deck(reviews: Sequence[Review] | DeckReviews) -> Callable[[str], list[Review]]:
    """A deck's reviews (unit keys of the deck; oldest first) from the export's: read a deck at a
    time when they come as `DeckReviews`, else grouped once by the deck of their key."""
    if isinstance(reviews, DeckReviews):
        return reviews.of
    groups: dict[str, list[Review]] = {}
    for r in reviews:
        groups.setdefault(deck_of(r.key), []).append(r)
    return lambda deck_id: groups.pop(deck_id, [])


def write_apkg(decks: Sequence[Deck], out: Path, opts: ApkgOptions) -> int:
    """Write `decks` to `out` atomically; returns the number of notes."""
    with tempfile.TemporaryDirectory(prefix="retain-apkg-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        db = sqlite3.connect(db_path)
        try:
            db.executescript(SCHEMA)
            with db:
                used = _fill(db, decks, opts)
        finally:
            db.close()
        with atomic_output(out) as part, zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(db_path, "collection.anki2")
            mapping: dict[str, str] = {}
            for name, src in used.items():
                if _pack(zf, str(len(mapping)), src, opts.warnings):
                    mapping[str(len(mapping))] = name
            zf.writestr("media", json.dumps(mapping))
    return sum(len(d.cards) for d in decks)


def _pack(zf: zipfile.ZipFile, member: str, src: Path, warnings: list[str] | None) -> bool:
    """Pack the media file `src` as `member`; False (and a line in `warnings`) when it is no regular
    file now: a FIFO or a device is never opened so that it could block, a symbolic link swapped
    in since `media_file` checked it is never followed."""
    try:
        fh = open_media(src)
    except NotRegularFileError as exc:
        if warnings is not None:
            warnings.append(media_left_out(src, exc))
        return False
    except OSError as exc:
        raise InteropError(f"cannot read {src}: {os_error_text(exc, name=False)}; nothing written") from None
    with fh:
        st = os.fstat(fh.fileno())
        # ZIP's dates begin in 1980 (a file dated 1970 made `zf.write` raise)
        t = time.localtime(st.st_mtime)
        stamp = max((t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec), (1980, 1, 1, 0, 0, 0))
        info = zipfile.ZipInfo(member, stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=st.st_size >= zipfile.ZIP64_LIMIT) as dst:
            shutil.copyfileobj(fh, dst, 1 << 20)
    return True
