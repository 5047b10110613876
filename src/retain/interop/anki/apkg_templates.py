"""How an Anki note type's templates make a retain card: the template reading of `apkg_read`.

A note type's kind comes from the templates retain keeps (`kind_of`): a cloze type; a first
template with a type-in box for a field its question does not show (typed); two templates whose
second asks with a field the first does not (reversed); else basic. A type-in box in a template
retain does not keep, or in the second one of a reversed note, makes nothing typed. The card asks
what those templates ask (`field_layout`), their `{{#F}}` and `{{^F}}` sections decided per note as
Anki decides them. Tags are read as Anki's parser reads them (`_anki_tokens`, for the import and
the export's card generation alike): an HTML comment is text to it, so a section tag in one
decides nothing. A reference that Anki renders where nothing shows it (in an HTML comment, in an
element whose style is `display: none` or that has `hidden`, in a `<script>`, `<style>` or
`<template>`: `hidden_spans`) asks with nothing: `{{Front}}<!-- {{Back}} -->` asks with the front
only (a cloze type's `{{cloze:X}}` is its card's text wherever it is). A note whose package holds
no card of its type's first template(s) (a conditional first template that its fields leave
empty) is read from the first template it has a card of (`from_template`); an export finds that
template again from the note's fields, as Anki's card generation does (`made_templates`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from retain.core.model import Kind
from retain.interop.anki.ankidb import NoteType
from retain.interop.anki.template_hiding import hidden_spans

__all__ = [
    "Layout",
    "anki_filter",
    "card_fields",
    "extra_field",
    "field_layout",
    "first_template",
    "flag_fields",
    "from_template",
    "kind_of",
    "legacy_layout",
    "made_templates",
    "note_filled",
    "note_kind",
    "template_warnings",
]

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
    hidden: bool = False  # where Anki renders it nothing shows it (`hidden_spans`)

    @property
    def shown(self) -> bool:
        """Whether the reference shows the field's text (not a typed-answer box, hint or speech,
        nor anything in a comment or a hidden element; but a cloze's text is its card's deletions
        wherever it is: Image Occlusion's script draws them from a hidden element)."""
        if self.hidden and "cloze" not in self.filters:
            return False
        return not any(f in _UNSHOWN_FILTERS or f.startswith("tts") for f in self.filters)

    @property
    def typed(self) -> bool:
        """Whether the reference is a type-in box that Anki shows (`{{type:X}}`, `{{type:nc:X}}`)."""
        return not self.hidden and "type" in self.filters


def _field_refs(nt: NoteType, template: str, filled: frozenset[int] | None = None) -> list[_Ref]:
    """The references to the note type's fields a template shows, in order: with `filled` (a
    note's `note_filled`), those its sections show for that note, as Anki decides: `{{#F}}` when
    F is not empty, `{{^F}}` when it is (a key that names no field, Tags, Card or a cloze number,
    is taken as open); with None, those in any section too (what the type can show)."""
    empty: frozenset[str] = frozenset()
    full: frozenset[str] = frozenset()
    if filled is not None:
        keys = [k for k in _section_keys(template) if k in nt.fields]
        full = frozenset(k for k in keys if nt.fields.index(k) in filled)
        empty = frozenset(keys) - full
    out: list[_Ref] = []
    for ref, hidden in _refs(template, empty, full):
        *filters, name = (part.strip() for part in ref.split(":"))
        if name in nt.fields:
            out.append(_Ref(nt.fields.index(name), tuple(filters), hidden))
    return out


def _asked_fields(nt: NoteType, template: str, filled: frozenset[int] | None = None) -> list[int]:
    """The fields a question template asks with, in template order, each once (see `_field_refs`)."""
    return list(dict.fromkeys(r.index for r in _field_refs(nt, template, filled) if r.shown))


def kind_of(nt: NoteType) -> Kind:
    """The kind of the note type's notes: a cloze type; typed when its first template (the one
    retain keeps of a typed note) has a type-in box for a field its question does not show
    (`_typed_field`); two templates whose second asks with a field the first does not (else it is
    no reverse: basic), a type-in box in the second kept no more than a third template's; or basic."""
    if nt.is_cloze:
        return "cloze"
    if nt.qfmts and _typed_field(nt, nt.qfmts[0]) is not None:
        return "typed"
    if len(nt.qfmts) >= 2 and set(_asked_fields(nt, nt.qfmts[1])) - set(_asked_fields(nt, nt.qfmts[0])):
        return "reversed"
    return "basic"


def _typed_field(nt: NoteType, template: str) -> int | None:
    """The field a question template's (first shown) type-in box checks, when its question does not
    show that field too (a box for what the card shows asks nothing: the card is no typed card)."""
    asked = set(_asked_fields(nt, template))
    refs = _field_refs(nt, template)
    return next((r.index for r in refs if r.typed and r.index not in asked), None)


def flag_fields(nt: NoteType) -> frozenset[int]:
    """Indices of the fields the question templates only test and no template shows (a card switch
    like "Add Reverse"); a field a question tests and an answer shows is card text."""
    tested = {name.strip() for q in nt.qfmts for name in _TESTED_RE.findall(q)}
    shown = {ref.rsplit(":", 1)[-1].strip() for t in nt.qfmts + nt.afmts for ref in _SHOWN_RE.findall(t)}
    return frozenset(i for i, name in enumerate(nt.fields) if name in tested - shown)


def note_kind(type_kind: Kind, ords: set[int]) -> Kind:
    """The note's kind from its type's (`kind_of`) and the templates its cards in the package are
    of (`ords`, counted from `first_template`): a reversed type's note is reversed only with both
    its cards in the package (without the second it is basic: retain makes no card Anki has not)."""
    return "basic" if type_kind == "reversed" and not {0, 1} <= ords else type_kind


def first_template(nt: NoteType, ords: set[int]) -> int:
    """The first template a note of `nt` whose cards in the package are of `ords` has a card of,
    when that is not the first (a conditional first template its fields leave empty makes no
    card); else 0. A cloze type's cards are its numbers, and a card of no template counts none."""
    if nt.is_cloze or not ords:
        return 0
    first = min(ords)
    return first if 0 < first < len(nt.qfmts) else 0


# Anki's special fields that its card generation takes as never empty (`{{#Deck}}` opens, a
# question showing `{{Card}}` makes a card); `{{Tags}}` is not empty when the note has tags.
_SPECIAL_FILLED = frozenset({"Card", "CardID", "CardFlag", "Deck", "Subdeck", "Type"})


def made_templates(nt: NoteType, fields: list[str], tagged: bool = False) -> tuple[int, ...]:
    """The templates of a non-cloze type that Anki makes a card of for a note with `fields` (its
    HTML, in order; `tagged`: it has tags), as its card generation decides (rslib
    `renders_with_fields`): a question that refers to a field that is not empty (`_EMPTY_FIELD`;
    or a special one, `_SPECIAL_FILLED`), through any filter (a type-in box too), outside every
    `{{#F}}` section whose F is empty and every `{{^F}}` whose F is not. A reference in an HTML
    comment counts for nothing: Anki's template parser takes a comment as text. When none makes
    a card Anki makes the first, (0,). () for a cloze type."""
    if nt.is_cloze:
        return ()
    filled = {name for name, html in zip(nt.fields, fields, strict=False) if not _EMPTY_FIELD.fullmatch(html)}
    filled |= _SPECIAL_FILLED | ({"Tags"} if tagged else set())
    return tuple(i for i, q in enumerate(nt.qfmts) if _renders(q, filled)) or (0,)


def _renders(template: str, filled: set[str]) -> bool:
    """Whether a question template shows a field of `filled` for Anki (see `made_templates`), its
    tags read as Anki's parser reads them (`_anki_tokens`); linear in the template's tags."""
    sections = _Open(lambda negated, key: (key in filled) == negated)
    for _start, _end, tag in _anki_tokens(template):
        if tag is None or sections.took(tag):
            continue
        if not sections.shut and tag.rsplit(":", 1)[-1] in filled:
            return True
    return False


def _anki_tokens(template: str) -> Iterator[tuple[int, int, str | None]]:
    """The `{{...}}` tags and HTML comments of a template as Anki's parser reads them, as (start,
    end, tag): a tag up to the first `}}`, trimmed (and any `{` it starts with dropped); a comment
    from `<!--` to the first `-->` after it, with None: Anki takes it as text, so nothing in it is
    a tag (`<!--{{^Back}}-->` opens no section). A `<!--` never closed is text, and the tags after
    it count. Linear: once a closing is missing, no later one can be found either."""
    pos, comments = 0, True
    while True:
        at = template.find("{{", pos)
        if at < 0:
            return
        note = template.find("<!--", pos, at) if comments else -1
        if note >= 0:
            end = template.find("-->", note + 4)
            if end >= 0:
                yield note, end + 3, None
                pos = end + 3
                continue
            comments = False
        end = template.find("}}", at + 2)
        if end < 0:
            return
        yield at, end + 2, template[at + 2 : end].lstrip("{").strip()
        pos = end + 2


def _kind(tag: str) -> str:
    """A tag's kind: "#" or "^" opens a section, "/" closes one; "" a reference (a one-character
    tag is a field name, and so is `{{!x}}`: Anki has no `{{!...}}` comments)."""
    return tag[:1] if len(tag) >= 2 and tag[0] in "#^/" else ""


class _Open:
    """The sections open at a place of a template, as Anki's parser nests them: a closing tag
    closes the innermost open section of its key (Anki refuses a template whose sections do not
    nest), any other is left; `closed(negated, key)` says whether one is shut for the note.
    Linear in the tags: a closing tag of no open key is found so at once."""

    def __init__(self, closed: Callable[[bool, str], bool]) -> None:
        self.closed = closed
        self.stack: list[tuple[str, bool]] = []  # (key, shut for the note), outermost first
        self.depth: dict[str, int] = {}  # key -> its sections open
        self.shut = 0  # open sections that are shut

    def took(self, tag: str) -> bool:
        """Whether `tag` is a section tag, its section opened or closed."""
        kind = _kind(tag)
        if kind in ("#", "^"):
            key = tag[1:].strip()
            closed = self.closed(kind == "^", key)
            self.stack.append((key, closed))
            self.depth[key] = self.depth.get(key, 0) + 1
            self.shut += closed
        elif kind == "/":
            key = tag[1:].strip()
            while self.depth.get(key) and self.stack:
                top, closed = self.stack.pop()
                self.depth[top] -= 1
                self.shut -= closed
                if top == key:
                    break
        return kind != ""


def from_template(nt: NoteType, first: int) -> NoteType:
    """The note type as a note whose first card is of its template `first` (`first_template`)
    reads it: its templates from that one on (a note with only the second card of a two-template
    type is a basic note asking what that template asks). `nt` itself for 0."""
    if first <= 0 or nt.is_cloze or first >= len(nt.qfmts):
        return nt
    return replace(nt, qfmts=nt.qfmts[first:], afmts=nt.afmts[first:], tnames=nt.tnames[first:])


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


# What an unshown reference's field renders as, where the browser's hiding is looked for.
_PLACEHOLDER = "x"


@functools.lru_cache(maxsize=1024)
def _refs(
    template: str, empty: frozenset[str] = frozenset(), full: frozenset[str] = frozenset()
) -> tuple[tuple[str, bool], ...]:
    """The field references of a template that Anki renders for a note whose `{{#F}}` sections
    are shut for F in `empty` and `{{^F}}` ones for F in `full` (with neither, every section
    shows: what the type can show), in order, each with whether nothing shows it there. Tags and
    comments are read as Anki's parser reads them (`_anki_tokens`): a section tag in a comment
    decides nothing, and a reference in one is text that nothing shows. What the browser hides
    (`hidden_spans`) is found in the template as Anki renders it for the note, each reference a
    placeholder: a shut section takes the `<!--` or the hidden element's tag it holds with it."""
    rendered: list[str] = []
    size = 0
    found: list[tuple[str, int | None]] = []  # (the reference, its place in `rendered`; None: a comment's)
    sections = _Open(lambda negated, key: key in (full if negated else empty))
    pos = 0
    for start, end, tag in _anki_tokens(template):
        if not sections.shut:
            rendered.append(template[pos:start])
            size += start - pos
        pos = end
        if tag is None:
            if not sections.shut:
                inside = (m[1].strip() for m in _TAG_RE.finditer(template, start, end))
                found.extend((ref, None) for ref in inside if not _kind(ref))
                rendered.append(template[start:end])
                size += end - start
        elif not sections.took(tag) and not sections.shut:
            found.append((tag, size))
            rendered.append(_PLACEHOLDER)
            size += len(_PLACEHOLDER)
    if not sections.shut:
        rendered.append(template[pos:])
    spans = hidden_spans("".join(rendered))
    out: list[tuple[str, bool]] = []
    span = 0
    hidden_to = 0  # the end of the hidden spans begun so far
    for ref, at in found:
        if at is not None:
            while span < len(spans) and spans[span][0] <= at:
                hidden_to = max(hidden_to, spans[span][1])
                span += 1
        out.append((ref, at is None or at < hidden_to))
    return tuple(out)


@functools.lru_cache(maxsize=512)
def _section_keys(template: str) -> frozenset[str]:
    """The keys of a template's `{{#F}}` and `{{^F}}` sections (none in a comment)."""
    tags = (tag for _start, _end, tag in _anki_tokens(template) if tag is not None)
    return frozenset(tag[1:].strip() for tag in tags if _kind(tag) in ("#", "^"))


def _legacy_refs(template: str) -> tuple[tuple[str, int], ...]:
    """The field references of a template as earlier imports read them (`legacy_layout`), each
    with how many sections it is in: every `{{...}}` holding no brace but `{{!...}}`, in a
    comment too, and a section tag in a comment as one."""
    out: list[tuple[str, int]] = []
    sections = _Open(lambda negated, key: False)
    for m in _TAG_RE.finditer(template):
        tag = m[1].strip()
        if not sections.took(tag) and not (len(tag) >= 2 and tag[0] == "!"):
            out.append((tag, len(sections.stack)))
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _tested(names: tuple[str, ...], templates: tuple[str, ...]) -> tuple[int, ...]:
    """The indices of the fields `names` that a section of `templates` tests (one around no
    reference still decides what the browser hides: `{{^F}}<!--{{/F}}` hides the rest or not)."""
    keys = frozenset().union(*(_section_keys(t) for t in templates))
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
    hint, nor a field in a comment or an element Anki does not show (`hidden_spans`). A reversed
    note's back is what its second template asks with and the fields neither question shows come
    after the answer (the extra), so each of its cards asks what Anki's does; a typed note's back is
    the field its first template's answer is typed into (`_typed_field`), the others the extra. Otherwise the back
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
    typed = _typed_field(nt, q1) if kind == "typed" else None  # (the first template's: the one kept)
    # (a question that shows nothing for the note: Anki made no such card; asked as the type asks)
    front = (
        only(_asked_fields(nt, q1, filled))
        or only(_asked_fields(nt, q1))
        or [i for i in usable if i != typed][:1]
    )
    answer_order = only([r.index for r in _field_refs(nt, a1, filled)]) + usable
    rest = [i for i in dict.fromkeys(answer_order) if i not in front]
    back: list[int] = []
    extra: list[int] = []
    if kind == "reversed" and len(templates) >= 2:
        back = [i for i in only(_asked_fields(nt, templates[1][0], filled)) if i not in front]
    elif typed is not None:
        back = [i for i in only([typed]) if i not in front]
    if back:
        extra = [i for i in rest if i not in back]
    else:
        back = rest
    filters: dict[int, tuple[str, ...]] = {}
    for q, a in templates[:2]:
        for ref in sorted(_field_refs(nt, q) + _field_refs(nt, a), key=lambda r: r.hidden):
            filters.setdefault(ref.index, ref.filters)  # (where it is shown, when it is)
    return Layout(
        tuple(front),
        tuple(back),
        tuple(([named] if named is not None else []) + extra),
        named,
        {i: f for i, f in filters.items() if any(x in ("furigana", "kana", "kanji") for x in f)},
    )


def template_warnings(nt: NoteType, kind: Kind) -> list[str]:
    """What a reversed type's second template asks that retain's reverse card (it asks with the
    back, and shows the front) cannot: fields of the first template too, a type-in box."""
    if kind != "reversed" or len(nt.qfmts) < 2:
        return []
    first = _asked_fields(nt, nt.qfmts[0])
    second = _asked_fields(nt, nt.qfmts[1])
    shared = [nt.fields[i] for i in second if i in first]
    name = nt.tnames[1] if len(nt.tnames) > 1 and nt.tnames[1] else "card 2"
    out: list[str] = []
    if shared:
        asks = ", ".join(nt.fields[i] for i in second if i not in first)
        out.append(
            f"note type {nt.name!r}: its template {name!r} also asks with {', '.join(shared)}, which "
            f"retain's reverse card cannot show (it asks with {asks}); the note keeps its fields for Anki"
        )
    typed = next((r.index for r in _field_refs(nt, nt.qfmts[1]) if r.typed), None)
    if typed is not None:
        out.append(
            f"note type {nt.name!r}: its template {name!r} asks to type {nt.fields[typed]}; retain's "
            "reverse card shows the answer instead (a typed card is one whose first template asks to type)"
        )
    return out


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
        for ref, sections in _legacy_refs(q):  # (hidden or not: as earlier imports read it)
            *filters, name = (part.strip() for part in ref.split(":"))
            if name in nt.fields and ("cloze" in filters) == nt.is_cloze and "type" not in filters:
                found.append((nt.fields.index(name), sections))
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
