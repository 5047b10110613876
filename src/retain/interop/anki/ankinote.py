"""retain cards as Anki notes and back: note types, fields, tags, GUIDs and ids.

Shared by the .apkg and Anki-text formats. Each kind maps to a stock note type,
its fields holding the card's Markdown rendered as HTML. In a package
(`extra_field=True`) the basic, reversed and typed types have a third field,
Extra, which only the answer templates show: the extra comes after the answer,
as in retain, never in Back (Anki checks a typed answer against the whole Back
field and asks a reverse card with it). A text file has Anki's two-field stock
types: there a basic card's extra is shown under the back and a typed or
reversed card's travels hidden. What the note types cannot hold (`accept`,
`source`, that hidden extra, tags that Anki cannot spell) travels in an HTML
comment at the end of the first field, which Anki shows nowhere. The same
comment keeps the exact Markdown of every field whose HTML does not convert
back to it (`md`); an import uses it while the field still holds the HTML
retain wrote, so a round trip through Anki returns the same text, and a field
edited in Anki is read from its HTML. A hash tells the two apart: `mh`, of the HTML as rendered,
and, for a field whose media a package renamed (`Packing`: `vid.media/clip.mov` is
`[sound:clip.mov]` there), `ph`, of the field as packed, with its Markdown's references to the
packed files written by their package names (`![a clip](clip.mov)`), which the import points at
the files it stores. Older packages had only `mh`, of the HTML before the rename, which a field
with media never matched: read from its HTML, as then.

A field Anki shows through `{{furigana:X}}`, `{{kana:X}}` or `{{kanji:X}}` was read as Anki shows it
(`漢字[かんじ]` as `漢字(かんじ)`, `かんじ` or `漢字`); an edited one goes back in Anki's form
(`reading_field_html`).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from retain.core.answer.spec import from_meta, to_meta
from retain.core.answer.textmode import plain_answer
from retain.core.cloze import cloze_numbers, nesting_problem
from retain.core.ids import is_valid_id
from retain.core.mediaref import REF_RE, image_refs, ref_target, sub_refs, with_target
from retain.core.model import Card, Deck, Kind
from retain.core.typed import answer_spec
from retain.interop.anki import jsontext
from retain.interop.anki.fieldmarkup import field_text
from retain.interop.html import escape_anki, is_plain, markdown_to_html, text_to_html
from retain.interop.html_media import MediaFn

__all__ = [
    "APKG_NOTETYPE_NAMES",
    "LEECH_TAG",
    "NOTETYPE_NAMES",
    "AnkiNote",
    "Packing",
    "anki_deck_names",
    "anki_name",
    "answer_field_html",
    "card_to_note",
    "deck_description",
    "deck_fields",
    "deck_id_for_name",
    "deck_meta_json",
    "flatten_cloze",
    "guid_for",
    "ids_from_guid",
    "is_leech_tag",
    "kind_from_name",
    "note_tags",
    "note_to_card",
    "parse_deck_description",
    "parse_deck_meta_json",
    "split_deck_description",
    "split_deck_name",
    "stable_deck_ids",
    "unique_id",
]

NOTETYPE_NAMES: dict[Kind, str] = {
    "basic": "Basic",
    "reversed": "Basic (and reversed card)",
    "cloze": "Cloze",
    "typed": "Basic (type in the answer)",
}
# A package's note types: the basic, reversed and typed ones have an Extra field, so they are not
# Anki's stock types and are named apart (no "Basic+", no clash with older exports' two-field types).
APKG_NOTETYPE_NAMES: dict[Kind, str] = {
    "basic": "retain Basic",
    "reversed": "retain Basic (and reversed card)",
    "cloze": "Cloze",
    "typed": "retain Basic (type in the answer)",
}
_BY_NAME = {v.lower(): k for names in (NOTETYPE_NAMES, APKG_NOTETYPE_NAMES) for k, v in names.items()}
_META_RE = re.compile(r"<!--retain (\{.*?\})-->", re.DOTALL)
_DECK_META_RE = re.compile(r"<!--retain-deck (\{.*?\})-->", re.DOTALL)
_EXTRA_RE = re.compile(r'^(.*)<br><br><div class="retain-extra">(.*)</div>$', re.DOTALL)
_COPY_SUFFIX_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")  # Anki's "Basic+", older "Basic-1a2b3"
_RETAIN_GUID = re.compile(r"^([a-z0-9][a-z0-9-]{0,63})/([a-z0-9][a-z0-9-]{0,63})\Z")
_NOT_ID_CHARS = re.compile(r"[^a-z0-9]+")  # (compiled once: `ids_from_guid` runs for every note)
_SLUG_LEN = 48  # how long an id `deck_id_for_name` makes of a name at most


@dataclass(frozen=True, slots=True)
class AnkiNote:
    guid: str
    kind: Kind
    fields: tuple[str, ...]  # (Front, Back) / (Text, Back Extra); with `extra_field`, (Front, Back, Extra)
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Packing:
    """How a package carries the media of a deck's own folder: `html` gives a field's HTML as
    packed (its references as Anki's `<img>`/`[sound:]` of package names) and the package names
    it packed; `name` the package name of a file a reference names (`DECK.media/NAME`, NAME as
    written), or None when it is not packed."""

    html: Callable[[str], tuple[str, list[str]]]
    name: Callable[[str], str | None]


_BARE_TARGET = re.compile(r"[^()\s<>]{1,1000}\Z")
_ANGLE_TARGET = re.compile(r"[^<>\n\\]{1,1000}\Z")


def _packed_refs(
    md: str, deck_id: str, name_of: Callable[[str], str | None], packed: list[str]
) -> str | None:
    """`md` with each reference to a packed file of the deck's folder written by its package name
    alone (`![a clip](clip.mov)`, a target without a `/`, which no other reference in it has), or
    None when that cannot be told apart: the Markdown already has a target without a `/`, a name
    cannot be written as a target, or the references found are not the files the HTML packed."""
    prefix = f"{deck_id}.media/"
    if any("/" not in ref_target(m) for m in image_refs(md)):
        return None
    got: list[str] = []
    ok = True

    def repoint(m: re.Match[str]) -> str:
        nonlocal ok
        target = ref_target(m)
        name = name_of(target[len(prefix) :]) if target.startswith(prefix) else None
        if name is None:
            return m[0]
        got.append(name)
        if _BARE_TARGET.match(name):
            return with_target(m, name)
        if _ANGLE_TARGET.match(name) and name.strip() == name:
            return with_target(m, f"<{name}>")
        ok = False
        return m[0]

    out = sub_refs(md, repoint)
    return out if ok and sorted(got) == sorted(packed) else None


def _unpacked_refs(md: str, media: MediaFn) -> str | None:
    """`md` (written by `_packed_refs`) with each package name pointed at the file the import
    stores (`media`), or None when one of them is not in the package."""
    ok = True

    def repoint(m: re.Match[str]) -> str:
        nonlocal ok
        target = ref_target(m)
        if "/" in target:
            return m[0]
        found = media(target)
        ref = REF_RE.fullmatch(found) if found is not None else None
        if ref is None:
            ok = False
            return m[0]
        return with_target(m, ref_target(ref))

    out = sub_refs(md, repoint)
    return out if ok else None


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _json_comment(tag: str, data: dict[str, Any]) -> str:
    """`data` as a `<!--TAG {...}-->` comment. No `[` in it follows a character a reading's base
    takes (one in a string is `\\u005b`, a list's has a space before it): Anki's furigana filters,
    and the import's after them, read a field's comment too, and would make `:[` a reading."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    parts: list[str] = []
    pos = 0
    for m in _JSON_STRING.finditer(raw):
        parts += [raw[pos : m.start()].replace("[", " ["), m[0].replace("[", "\\u005b")]
        pos = m.end()
    parts.append(raw[pos:].replace("[", " ["))
    return f"<!--{tag} {''.join(parts)}-->"


def _load_json(raw: str) -> dict[str, Any]:
    try:
        data = jsontext.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


_NEUTRALISED = re.compile(r"^&#(61|43|45|64|9|13);")


def _html_hash(html: str) -> str:
    return hashlib.sha1(html.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def guid_for(deck_id: str, card_id: str) -> str:
    return f"{deck_id}/{card_id}"


LEECH_TAG = "leech"  # Anki's leech mark: a note tag (Anki's tags match in any case)


def is_leech_tag(tag: str) -> bool:
    return tag.lower() == LEECH_TAG


def anki_tag(tag: str) -> str:
    """The tag as Anki can hold it: Anki tags have no spaces."""
    return "_".join(tag.split()) or "_"


def _shown_extra(card: Card) -> bool:
    """Whether the extra is shown under Back in a two-field note: only for basic (a typed answer is
    checked against all of Back, and a reverse card asks with it)."""
    return card.kind == "basic" and bool(card.extra)


_LINE_BREAKS = re.compile(r"(?:\n|<br\s*/?>|</?div>)+", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def answer_field_html(back: str) -> str:
    """A typed card's `back` as the HTML of an Anki field the typed answer is checked against.

    Anki checks against the field's text (line breaks as spaces, tags stripped); retain against
    the back as the card shows it (`plain_answer`). Where the rendered Markdown keeps that text
    (`**Raft**`, a list of words) it is the field; where it does not (a lone `>`, `-` or `#` renders
    as an empty quote, list or heading, `1. first` as a list whose number is no text), the field is
    that text, escaped: an answer right in retain is right in Anki.
    """
    rendered = markdown_to_html(back)
    if REF_RE.search(back):  # media: kept as it is (a back that is only media has no text to type)
        return rendered
    shown = " ".join(html.unescape(_TAG.sub("", _LINE_BREAKS.sub(" ", rendered))).split())
    checked = plain_answer(back)
    return rendered if shown == " ".join(checked.split()) else escape_anki(text_to_html(checked))


def card_to_note(
    deck: Deck,
    card: Card,
    *,
    extra_field: bool = False,
    hidden_extra: bool = False,
    packing: Packing | None = None,
) -> AnkiNote:
    """The card as a note. `extra_field`: a basic, reversed or typed card's extra goes into a third
    field, Extra (retain's package note types show it after the answer); otherwise a basic card's is
    appended to Back and a reversed or typed card's travels in the hidden comment only (a basic
    card's too with `hidden_extra`). `packing`: the fields' media as a package carries them, the
    hidden text's check hash over each field as packed (`ph`)."""
    meta: dict[str, Any] = {}
    own_field = extra_field and card.kind != "cloze"
    if card.accept:
        meta["accept"] = list(card.accept)
    if card.source:
        meta["source"] = card.source
    meta.update(to_meta(answer_spec(card)))
    if any(anki_tag(t) != t or is_leech_tag(t) for t in card.tags):  # a "leech" tag of the card's own
        meta["tags"] = list(card.tags)  # is no leech mark (the package's reader tells them apart)
    texts = {"0": card.text, "1": card.extra} if card.kind == "cloze" else {"0": card.front, "1": card.back}
    if own_field or (_shown_extra(card) and not hidden_extra):
        texts["x"] = card.extra
    elif card.kind != "cloze" and card.extra:
        meta["extra"] = card.extra
    rendered = {k: markdown_to_html(v) for k, v in texts.items()}
    if card.kind == "typed":
        rendered["1"] = answer_field_html(card.back)
    html_of = dict(rendered)
    packed: dict[str, list[str]] = {}
    if packing is not None:
        for k, html in rendered.items():
            html_of[k], packed[k] = packing.html(html)
    # plain text comes back from its HTML unchanged, except no-break spaces and CRs
    exact = {k: v for k, v in texts.items() if not is_plain(v) or "\xa0" in v or "\r" in v}
    if exact:
        # `mh`: of the HTML as rendered, all an older reader checks (a field with media renamed
        # never matches it: such a reader takes the field's HTML, never the package's names)
        meta["md"] = dict(exact)
        meta["mh"] = {k: _html_hash(rendered[k]) for k in exact}
        hashes = {}
        for k in exact:
            if packing is not None and html_of[k] != rendered[k]:
                md = _packed_refs(exact[k], deck.id, packing.name, packed[k])
                if md is not None:
                    meta["md"][k] = md
                    hashes[k] = _html_hash(html_of[k])
        if hashes:
            meta["ph"] = hashes
    first, second = html_of["0"], html_of["1"]
    if "x" in html_of and not own_field:
        meta["extra"] = True
        second += f'<br><br><div class="retain-extra">{html_of["x"]}</div>'
    if meta:
        first += _json_comment("retain", meta)
    fields = (first, second, html_of["x"]) if own_field else (first, second)
    return AnkiNote(guid_for(deck.id, card.id), card.kind, fields, note_tags(deck, card))


def note_tags(deck: Deck, card: Card) -> tuple[str, ...]:
    """Anki tags for the card's note: the deck's tags, then the card's."""
    return tuple(dict.fromkeys(anki_tag(t) for t in deck.tags + card.tags))


def _deck_meta(deck: Deck) -> dict[str, Any]:
    meta: dict[str, Any] = {"id": deck.id, "name": deck.name}
    for key in ("group", "description", "version", "license"):
        if getattr(deck, key):
            meta[key] = getattr(deck, key)
    if deck.authors:
        meta["authors"] = list(deck.authors)
    meta["tags"] = list(deck.tags)  # always: an empty list means "no deck tags", not "unknown"
    return meta


def deck_description(deck: Deck) -> str:
    """An Anki deck description: the visible description plus retain's deck fields in a comment."""
    return markdown_to_html(deck.description) + _json_comment("retain-deck", _deck_meta(deck))


def anki_name(deck: Deck) -> str:
    """The deck's own Anki name: `Group::Name`, or its name without a group."""
    return f"{deck.group}::{deck.name}" if deck.group else deck.name


def anki_deck_names(decks: Sequence[Deck]) -> dict[str, str]:
    """Each deck's Anki name (`Group::Name`), by deck id, unique as Anki compares deck names (any
    case, blanks around `::` aside): Anki holds one deck per name, so two decks of one group with
    the same name would be one. A name taken by a deck before gets the deck's id added
    (`G::Vocabulary (voc2)`); the deck's own name and group travel in its description."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for deck in decks:
        full = anki_name(deck)
        if _anki_key(full) in taken:
            full = f"{full} ({deck.id})"
        taken.add(_anki_key(full))
        names[deck.id] = full
    return names


def _anki_key(full: str) -> str:
    return "::".join(part.strip() for part in full.split("::")).casefold()


# In a `#retain deck:` line, the characters written as `\uXXXX` inside its JSON strings: those a
# spreadsheet may split a line at (`,` `;` `|`, and line ends other than the CR and LF JSON escapes
# itself), `"` (it would open a quoted cell), and what a formula starts with (`= + - @`). The line
# so stays one cell, starting with `#`, for any separator; and it is still plain JSON, which any
# JSON reader (an older retain's too) reads back unchanged.
_META_ESCAPED = re.compile("[,;|=+\\-@\x85\u2028\u2029]")


def _meta_json(value: object) -> str:
    """`value` (deck fields: strings, and lists and dicts of them) as compact JSON, keys sorted,
    non-ASCII kept as it is, with the `_META_ESCAPED` characters and `"` in strings as `\\uXXXX`."""
    if isinstance(value, dict):
        pairs = (f"{_meta_json(str(k))}:{_meta_json(v)}" for k, v in sorted(value.items()))
        return "{" + ",".join(pairs) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_meta_json(v) for v in value) + "]"
    if not isinstance(value, str):
        return json.dumps(value)
    # every `"` inside is escaped (`\"`: no `\\` ends right before a bare quote), so each `\"` is one
    inner = json.dumps(value, ensure_ascii=False)[1:-1].replace('\\"', "\\u0022")
    return '"' + _META_ESCAPED.sub(lambda m: f"\\u{ord(m[0]):04x}", inner) + '"'


def deck_meta_json(deck: Deck, full: str | None = None) -> str:
    """retain's deck fields as one JSON line (for a `#retain deck:` text-file header); `full`: the
    deck's Anki name in the file (`anki_deck_names`), else its own. No character in it makes a
    spreadsheet split the line or start a formula (`_META_ESCAPED`)."""
    return _meta_json(_deck_meta(deck) | {"full": anki_name(deck) if full is None else full})


def parse_deck_meta_json(raw: str) -> dict[str, Any]:
    return _load_json(raw.strip())


def deck_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """The Deck keyword arguments (description, version, ...) found in retain deck metadata."""
    out: dict[str, Any] = {}
    for key in ("description", "version", "license"):
        if isinstance(meta.get(key), str):
            out[key] = meta[key]
    for key in ("authors", "tags"):
        value = meta.get(key)
        if isinstance(value, list):
            out[key] = tuple(v for v in value if isinstance(v, str))
    return out


def _search_comment(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)` for a `<!--... {...}-->` comment, in linear time.

    An opener with no `}-->` after it is retried at every later opener, each
    scanning to the end (quadratic); searching only up to the last `}-->` finds
    the same match, and every opener tried there closes.
    """
    last = text.rfind("}-->")
    return pattern.search(text, 0, last + 4) if last >= 0 else None


def parse_deck_description(desc: str) -> dict[str, Any]:
    """The retain deck metadata carried in an Anki deck description, or {}."""
    return split_deck_description(desc)[1]


def split_deck_description(desc: str) -> tuple[str, dict[str, Any]]:
    """An Anki deck description's visible HTML (without retain's metadata comment) and the retain
    deck metadata the comment carries ({} when there is none)."""
    m = _search_comment(_DECK_META_RE, desc)
    return (desc[: m.start()] + desc[m.end() :], _load_json(m[1])) if m else (desc, {})


def split_deck_name(full: str) -> tuple[str, str]:
    """'Group::Sub::Deck' -> ('Group::Sub', 'Deck')."""
    parts = [p.strip() for p in full.split("::")]
    name = parts[-1] or full.strip() or "Imported"
    return "::".join(p for p in parts[:-1] if p), name


def deck_id_for_name(full: str) -> str:
    """A deterministic deck id from an Anki deck name."""
    norm = unicodedata.normalize("NFKD", full).encode("ascii", "ignore").decode().lower()
    slug = _NOT_ID_CHARS.sub("-", norm).strip("-")[:_SLUG_LEN].strip("-")
    if not slug:
        return "deck-" + hashlib.sha1(full.encode()).hexdigest()[:8]
    return slug


# What a name may hold that its id need not: ASCII letters and digits (the id's own), blanks,
# accents (`Español` is `espanol`) and the punctuation that only separates words. Anything
# else (`語彙`, the `++` of `C++`) tells names apart that the id would not.
_WORD_PUNCTUATION = frozenset(" -_:.,;'\"()[]!?/")


def _held_whole(name: str) -> bool:
    """The id `deck_id_for_name` makes of `name` drops nothing that tells it from other names."""
    norm = unicodedata.normalize("NFKD", name)
    slug = _NOT_ID_CHARS.sub("-", norm.encode("ascii", "ignore").decode().lower()).strip("-")
    return len(slug) <= _SLUG_LEN and all(
        (ch.isascii() and ch.isalnum())
        or ch in _WORD_PUNCTUATION
        or ch.isspace()
        or unicodedata.combining(ch)
        for ch in norm
    )


def stable_deck_ids(names: Iterable[str], held: Iterable[str] = ()) -> dict[str, str]:
    """Each Anki deck name's retain id, the same whatever other decks a package holds.

    The id is `deck_id_for_name`'s (`Languages::Spanish` -> `languages-spanish`) when that holds
    the name whole and no other name (nor an id in `held`, given by a deck's description) gives
    it; otherwise 8 hex digits of the name's hash are added (`Japanese::語彙` ->
    `japanese-8d0a5219`, never a number by its place in the package, which moved when a deck
    before it went). A name with no letter an id can hold is `deck-` and its hash already."""
    taken = set(held)
    given = frozenset(taken)
    slugs = {name: deck_id_for_name(name) for name in dict.fromkeys(names)}
    whole = {name for name in slugs if _held_whole(name)}
    plain = Counter(slugs[name] for name in whole)
    out: dict[str, str] = {}
    for name, slug in slugs.items():
        lettered = any(ch.isascii() and ch.isalnum() for ch in unicodedata.normalize("NFKD", name))
        if lettered and not (name in whole and plain[slug] == 1 and slug not in given):
            key = unicodedata.normalize("NFC", name).encode("utf-8", "surrogatepass")
            slug = f"{slug[:_SLUG_LEN].rstrip('-')}-{hashlib.sha1(key).hexdigest()[:8]}"
        out[name] = unique_id(slug, taken)  # (two names of one hash: one in 4 billion)
        taken.add(out[name])
    return out


def ids_from_guid(guid: str) -> tuple[str | None, str]:
    """(deck id or None, card id) from an Anki GUID. Deterministic.

    GUIDs retain wrote (`deck/card`) give back both ids; a GUID already in the id
    charset is kept; any other is lowered to the charset plus a short hash of
    the original, so two GUIDs differing only in case stay distinct.
    """
    m = _RETAIN_GUID.match(guid)
    if m:
        return m[1], m[2]
    if is_valid_id(guid):
        return None, guid
    base = _NOT_ID_CHARS.sub("-", guid.lower()).strip("-")[:40].strip("-")
    digest = hashlib.sha1(guid.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return None, f"{base}-{digest}" if base else f"n-{digest}"


def unique_id(card_id: str, taken: set[str]) -> str:
    if card_id not in taken:
        return card_id
    for n in range(2, 10):
        if f"{card_id[:58]}-{n}" not in taken:
            return f"{card_id[:58]}-{n}"
    # Past a few, counting up from 2 again for every clash was quadratic (10,000 equal fronts:
    # 80 s): a suffix from the number of ids taken is free at once, nearly always.
    salt = len(taken)
    while True:
        digest = hashlib.sha1(f"{card_id}\0{salt}".encode()).hexdigest()[:8]
        candidate = f"{card_id[:50]}-{digest}"
        if candidate not in taken:
            return candidate
        salt += 1


def kind_from_name(name: str) -> Kind | None:
    """The kind of a stock note type name, also as Anki renames its copies ("Basic+", "Cloze-1a2b3")."""
    low = name.strip().lower()
    return _BY_NAME.get(low) or _BY_NAME.get(_strip_copy_suffixes(low))


def is_optional_reverse(name: str) -> bool:
    """True for Anki's stock "Basic (optional reversed card)" (also its renamed copies): its third
    field, "Add Reverse", is a switch for the reverse card, not card text."""
    return _strip_copy_suffixes(name.strip().lower()) == "basic (optional reversed card)"


def _strip_copy_suffixes(name: str) -> str:
    """`name` without its run of copy suffixes (`+`, `-` and five of [0-9a-z]) at the end, read from
    the end in one pass (a regex search for the run takes time with the square of its length)."""
    end = len(name)
    while end:
        if name[end - 1] == "+":
            end -= 1
        elif end >= 6 and name[end - 6] == "-" and _COPY_SUFFIX_CHARS.issuperset(name[end - 5 : end]):
            end -= 6
        else:
            break
    return name[:end]


def _card_tags(tags: tuple[str, ...], drop_tags: frozenset[str], meta: dict[str, Any]) -> tuple[str, ...]:
    """The note's tags less the deck's (as Anki spells them); the card's own spelling while they match."""
    dropped = drop_tags | {anki_tag(t) for t in drop_tags}
    kept = tuple(t for t in tags if t and t not in dropped)
    raw = meta.get("tags")
    exact = tuple(t for t in raw if isinstance(t, str)) if isinstance(raw, list) else ()
    # (a package's reader has taken Anki's leech mark off `tags`: the card's own "leech" tag is in `exact`)
    unmarked = {t for t in kept if not is_leech_tag(t)}
    if exact and {anki_tag(t) for t in exact if not is_leech_tag(t)} - dropped == unmarked:
        return exact
    return kept


def _split_extra(kind: Kind, second: str, meta: dict[str, Any]) -> tuple[str, str | None]:
    """(the back field without a shown extra, the extra's HTML or None); older exports showed it under
    any kind's back."""
    if kind != "cloze" and meta.get("extra") is True:
        em = _EXTRA_RE.match(second)
        if em:
            return em[1], em[2]
    return second, None


def note_to_card(
    card_id: str,
    kind: Kind,
    fields: list[str],
    tags: tuple[str, ...],
    media: MediaFn | None,
    drop_tags: frozenset[str] = frozenset(),
    extra: str | None = None,
    *,
    front_count: int = 1,
    extra_parts: Sequence[str] = (),
) -> Card:
    """Build a card from a note's raw HTML fields: the first `front_count` make the front (a cloze's
    text), joined by blank lines, and the others the back (a cloze's extra).

    `extra`: the note's Extra field (retain's package note types), kept out of `fields`. Empty, the
    extra is looked for where older exports put it: under Back or in the hidden comment (a note Anki
    moved from an older type into the newer one). retain's newer exports never put it there.
    `extra_parts`: more fields shown after the answer (a custom type's), after the Extra field.
    """
    front_count = max(1, front_count)
    first = fields[0] if fields else ""
    m = _search_comment(_META_RE, first)
    meta = _load_json(m[1]) if m else {}
    if m:
        first = first[: m.start()] + first[m.end() :]
    more_front = [field_text(f, media) for f in fields[1:front_count]]
    fields = [first, *fields[front_count:]]
    second = fields[1] if len(fields) > 1 else ""
    raw_md, raw_mh, raw_ph = meta.get("md"), meta.get("mh"), meta.get("ph")
    exact: dict[str, Any] = raw_md if isinstance(raw_md, dict) else {}
    hashes: dict[str, Any] = raw_mh if isinstance(raw_mh, dict) else {}
    packed: dict[str, Any] = raw_ph if isinstance(raw_ph, dict) else {}

    def read(key: str, value: str) -> str:
        md = exact.get(key)
        if isinstance(md, str):
            # unedited since retain wrote it: the hash of the field as packed (its media renamed),
            # of the HTML it rendered, else render again (older exports)
            value = _NEUTRALISED.sub(lambda m: chr(int(m[1])), value, count=1)  # CSV formula guard
            in_package, known = packed.get(key), hashes.get(key)
            if isinstance(in_package, str):
                if media is not None and _html_hash(value) == in_package:
                    text = _unpacked_refs(md, media)
                    if text is not None:
                        return text
            elif _html_hash(value) == known if isinstance(known, str) else markdown_to_html(md) == value:
                return md
        return field_text(value, media)

    second, shown_extra = _split_extra(kind, second, meta)
    hidden_extra = meta.get("extra")
    extra_text = hidden_extra if isinstance(hidden_extra, str) and kind != "cloze" else ""
    if shown_extra is not None:
        extra_text = read("x", shown_extra)
    if extra and kind != "cloze":
        extra_text = read("x", extra)
    more_extra = [field_text(f, media) for f in extra_parts]
    rest = [field_text(f, media) for f in fields[2:]]
    accept = meta.get("accept", [])
    accept_t = tuple(a for a in accept if isinstance(a, str)) if isinstance(accept, list) else ()
    source = meta.get("source", "")
    kept_tags = _card_tags(tags, drop_tags, meta)
    common: dict[str, Any] = {
        "id": card_id,
        "kind": kind,
        "tags": kept_tags,
        "accept": accept_t,
        "source": source if isinstance(source, str) else "",
    }
    front = _joined([read("0", first), *more_front])
    if kind == "cloze":
        return Card(text=front, extra=_joined([read("1", second), *rest, *more_extra]), **common)
    back = _joined([read("1", second), *rest])
    common.update(from_meta(meta, kind, back, accept_t))
    return Card(front=front, back=back, extra=_joined([extra_text, *more_extra]), **common)


def _joined(parts: list[str]) -> str:
    """A side's text from its fields' texts: the non-empty ones, blank lines between."""
    return "\n\n".join(p for p in parts if p)


_CLOZE_MARK = re.compile(r"\{\{c(\d{1,4})::|\}\}")


def flatten_cloze(card: Card, where: str, warnings: list[str]) -> Card:
    """A cloze card whose deletions nest (Anki's `{{c3::Mt {{c4::Fuji}}}}`), which retain cannot
    hold, with each inner deletion made text of the outer one (its hint dropped); a warning names
    the deletions that so lose their card. Anything else comes back as it is."""
    if card.kind != "cloze" or nesting_problem(card.text) is None:
        return card
    out: list[str] = []
    stack: list[tuple[int, int]] = []  # per open deletion: its number, where its text begins in `out`
    inner: set[int] = set()
    pos = 0
    for m in _CLOZE_MARK.finditer(card.text):
        out.append(card.text[pos : m.start()])
        pos = m.end()
        if m[1] is not None:
            if not stack:
                out.append(m[0])
            stack.append((int(m[1]), len(out)))
        elif not stack:
            out.append(m[0])
        else:
            number, begin = stack.pop()
            if stack:  # an inner deletion: its answer stays, as text of the outer one
                answer = "".join(out[begin:]).split("::", 1)[0]
                del out[begin:]
                out.append(answer)
                inner.add(number)
            else:
                out.append(m[0])
    out.append(card.text[pos:])
    if stack:  # an opener never closed: leave the text as it is (it imports as before)
        return card
    text = "".join(out)
    lost = sorted(inner - set(cloze_numbers(text)))
    if lost:
        names = ", ".join(f"c{n}" for n in lost)
        warnings.append(
            f"{where}: nested cloze {names} kept as text of the deletion around it; "
            f"retain has no nested clozes, so its card{'s' if len(lost) > 1 else ''} {names} left out"
        )
    return replace(card, text=text)


# A field shown through a reading filter: read as Anki shows it, written back in Anki's form.
