"""An edited field that Anki shows through a reading filter (`{{furigana:F}}`, `{{kana:F}}`,
`{{kanji:F}}`) goes back in Anki's own form, so Anki still draws its readings.

The import reads such a field as Anki shows it (`apkg_read.anki_filter`: `猫[ねこ]` shown as
`猫(ねこ)` through furigana). On export, an edited field's readings it had go back as they were
where the edit left their text alone; in a furigana field, kana in parentheses right after
kanji is a new reading (`猫(ねこ) (noun)` goes back as `猫[ねこ] (noun)`), and other parentheses
stay as typed; a `[` Anki would read as a reading's start is written `&#91;`. A field that would
not read back as the same text goes out with the escaping alone (see docs/sharing.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from retain.interop.html import html_to_text, markdown_to_html
from retain.interop.html_media import MediaFn

__all__ = ["reading_field_html"]

_READING_FILTERS = frozenset({"furigana", "kana", "kanji"})
_SPAN_OPEN, _SPAN_CLOSE = "\ue000", "\ue001"  # around a reading's display while the old field is read
_SPAN_MARKS = re.compile("([\ue000\ue001])")
_SLOT = 0xF0000  # a reading's placeholder while the Markdown is rendered (plane 15, private use)
_MAX_SLOTS = 0xFFFE
_PAREN = re.compile(r"\(([^()\[\]<>\n]+)\)")
# a new reading: kana (also half-width) or bopomofo, never a word of the user's own (`(noun)`)
_PHONETIC = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3100-\u312f\u31a0-\u31bf]+")
_HTML_TAG = re.compile(r"(<[^<>]*>)")
_SLOT_CHAR = re.compile("[\U000f0000-\U000ffffd]")
_AFTER_READING = "]]"  # (`prev` below: a reading was just written)


def _is_kanji(c: str) -> bool:
    o = ord(c)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3134F
        or c in "々〆〇ヶヵ"
    )


@dataclass(frozen=True, slots=True)
class _Reading:
    """A reading in a field's text: `text[start:end]` shows `base[reading]` (Anki's form, HTML)."""

    start: int
    end: int
    base: str
    reading: str


def reading_field_html(
    text: str,
    filters: Sequence[str],
    kept: str = "",
    media: MediaFn | None = None,
    render: Callable[[str], str] = markdown_to_html,
) -> str:
    """The HTML of an edited Anki field whose card text is now `text`: `render(text)`, and for a
    field Anki shows through `furigana`, `kana` or `kanji` (`filters`, as the template writes them),
    which the import read as Anki shows it (`漢字[かんじ]` as `漢字(かんじ)`, `かんじ`, `漢字`),
    in Anki's form again. `kept`: the field as Anki had it (HTML), `media` as the import read it.

    A reading of `kept` whose text `text` still holds where it was (in the text before or after
    the edit) goes back as it was (`漢字[かんじ]`); in a furigana field, so does one the edit
    moved (found by its text), and parentheses of kana right after kanji the edit wrote
    (`猫(ねこ)`) become a reading over those kanji (`猫[ねこ]`). Other parentheses (`(noun)`,
    `猫(cat)`) stay, and a `[` Anki would read as a reading's start is written `&#91;`: Anki shows
    the field as retain does, and the import reads `text` back. A space Anki's rule takes before
    a reading (its base runs back to a space or a tag) is written where the base needs it.
    """
    plain = render(text)
    shown = next((f for f in reversed(filters) if f in _READING_FILTERS), None)
    if shown is None:
        return plain
    from retain.interop.anki.apkg_read import (
        anki_filter,  # (apkg_read imports ankinote, which this one may not)
    )

    fallback = _anki_form(plain, [], text)
    if any(ord(c) >= _SLOT for c in text):
        return fallback
    units = _readings(text, shown, tuple(filters), kept, media)[:_MAX_SLOTS]
    if not units:
        return fallback
    # each reading's text as a placeholder between its first and last characters, which Markdown
    # reads as it reads the text (`**猫(ねこ)**` is bold: `)` before `**` is no letter)
    slotted: list[str] = []
    pos = 0
    for n, unit in enumerate(units):
        slot = chr(_SLOT + n)
        if unit.end - unit.start >= 2:
            slot = f"{text[unit.start]}{slot}{text[unit.end - 1]}"
        slotted += [text[pos : unit.start], slot]
        pos = unit.end
    slotted.append(text[pos:])
    stored = _anki_form(_unwrapped(render("".join(slotted)), units, text), units, text)
    # as Anki shows it, read back: the text the field shows without readings (else: no readings)
    if html_to_text(anki_filter(stored, tuple(filters)), media) != html_to_text(plain, media):
        return fallback
    return stored


def _old_readings(
    kept: str, shown: str, filters: tuple[str, ...], media: MediaFn | None
) -> tuple[str, list[_Reading]] | None:
    """(the text the import read from `kept`, the readings in it), or None when the readings
    cannot be told apart in that text."""
    if "[" not in kept or _SPAN_OPEN in kept or _SPAN_CLOSE in kept:
        return None
    from retain.interop.anki.apkg_read import _furigana_spans, anki_filter

    field = kept.replace("&nbsp;", " ")  # (as Anki's filters read it)
    parts: list[str] = []
    found: list[tuple[str, str]] = []
    pos = 0
    for start, end, base, reading in _furigana_spans(field):
        if reading.startswith("sound:"):
            continue
        lead = len(base) - len(base.lstrip()) if base.strip() else 0  # (a line's start: `<br>\n猫[ねこ]`)
        start, base = start + lead, base[lead:]
        if shown == "furigana":
            piece = f"<ruby><rb>{base}</rb><rt>{reading}</rt></ruby>"
        else:
            piece = base if shown == "kanji" else reading
        parts += [field[pos:start], _SPAN_OPEN, piece, _SPAN_CLOSE]
        found.append((base, reading))
        pos = end
    parts.append(field[pos:])
    out: list[str] = []
    readings: list[_Reading] = []
    size, start_at = 0, -1
    for chunk in _SPAN_MARKS.split(html_to_text("".join(parts), media)):
        if chunk == _SPAN_OPEN:
            if start_at >= 0:
                return None
            start_at = size
        elif chunk == _SPAN_CLOSE:
            if start_at < 0 or len(readings) >= len(found):
                return None
            readings.append(_Reading(start_at, size, *found[len(readings)]))
            start_at = -1
        else:
            out.append(chunk)
            size += len(chunk)
    old = "".join(out)
    if start_at >= 0 or len(readings) != len(found) or old != html_to_text(anki_filter(kept, filters), media):
        return None
    return old, [r for r in readings if r.end > r.start]


def _readings(
    text: str, shown: str, filters: tuple[str, ...], kept: str, media: MediaFn | None
) -> list[_Reading]:
    """The readings `text` shows, in order (see `reading_field_html`)."""
    units: list[_Reading] = []
    covered = bytearray(len(text))
    lo, hi = 0, len(text)  # the part of `text` the edit changed: all of it without the old field
    olds: list[_Reading] = []
    old_text = ""
    found = _old_readings(kept, shown, filters, media)
    if found is not None:
        old_text, olds = found
        limit = min(len(old_text), len(text))
        head = 0
        while head < limit and old_text[head] == text[head]:
            head += 1
        tail = 0
        while tail < limit - head and old_text[-1 - tail] == text[-1 - tail]:
            tail += 1
        lo, hi = head, len(text) - tail
        shift = len(text) - len(old_text)
        for r in olds:
            if r.end <= head:
                units.append(r)
            elif r.start >= len(old_text) - tail:
                units.append(replace(r, start=r.start + shift, end=r.end + shift))
        for u in units:
            covered[u.start : u.end] = b"\x01" * (u.end - u.start)
    if shown != "furigana":
        return units
    # the old readings by their `(reading)`, by the length of their text, by their text
    by_paren: dict[str, dict[int, dict[str, _Reading]]] = {}
    for r in olds:
        shown_text = old_text[r.start : r.end]
        cut = shown_text.rfind("(")
        if cut > 0 and shown_text.endswith(")"):
            by_paren.setdefault(shown_text[cut:], {}).setdefault(len(shown_text), {}).setdefault(
                shown_text, r
            )
    for m in _PAREN.finditer(text):
        opened, closed = m.span()
        if any(covered[opened:closed]):
            continue
        best: _Reading | None = None
        begin = opened
        while begin > 0 and not covered[begin - 1] and _is_kanji(text[begin - 1]):
            begin -= 1
        if begin < opened and _PHONETIC.fullmatch(m[1]):
            best = _Reading(begin, closed, text[begin:opened], m[1])
        for size, known in by_paren.get(m[0], {}).items():  # (the longest base wins)
            begin = closed - size
            if begin < 0 or (best is not None and begin >= best.start) or any(covered[begin:opened]):
                continue
            was = known.get(text[begin:closed])
            if was is not None:
                best = _Reading(begin, closed, was.base, was.reading)
        if best is None:
            continue
        edited = best.start < hi and best.end > lo if lo < hi else best.start < lo < best.end
        if edited:  # (parentheses the edit left alone were parentheses in Anki too)
            units.append(best)
            covered[best.start : best.end] = b"\x01" * (best.end - best.start)
    return sorted(units, key=lambda u: u.start)


def _unwrapped(rendered: str, units: Sequence[_Reading], text: str) -> str:
    """`rendered` with each placeholder's first and last characters taken off (left where they
    are not as written: the check after finds the text changed)."""
    out: list[str] = []
    pos = 0
    for m in _SLOT_CHAR.finditer(rendered):
        at, n = m.start(), ord(m[0]) - _SLOT
        if n < len(units) and units[n].end - units[n].start >= 2:
            first, last = text[units[n].start], text[units[n].end - 1]
            if at > pos and rendered[at - 1] == first and rendered[at + 1 : at + 2] == last:
                out += [rendered[pos : at - 1], m[0]]
                pos = at + 2
                continue
        out.append(rendered[pos : at + 1])
        pos = at + 1
    out.append(rendered[pos:])
    return "".join(out)


def _as_typed(slot: str, units: Sequence[_Reading], text: str) -> str:
    """A placeholder in a tag: its reading's text as typed, escaped as Markdown's renderer escapes
    text (an unknown one is left: the check after finds it)."""
    n = ord(slot) - _SLOT
    if n >= len(units):
        return slot
    typed = text[units[n].start : units[n].end]
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _anki_form(rendered: str, units: Sequence[_Reading], text: str) -> str:
    """`rendered` (HTML with `_SLOT` placeholders for `units`) as Anki keeps a field shown through
    a reading filter: each reading `base[reading]`, with a space before it where Anki's rule would
    take more than its base (which runs back to a space or a tag, and eats one space); each `[`
    Anki would read as a reading's start `&#91;`. In a tag (an image's description) a reading is
    its text and every `[` is `&#91;` (Anki's rule reads in tags too)."""
    out: list[str] = []
    prev = ""  # the last character written ("" at the field's start)
    for piece in _HTML_TAG.split(rendered):
        if not piece:
            continue
        if piece.startswith("<") and piece.endswith(">"):
            piece = _SLOT_CHAR.sub(lambda m: _as_typed(m[0], units, text), piece)
            out.append(piece.replace("[", "&#91;"))
            prev = ">"
            continue
        for i, c in enumerate(piece):
            n = ord(c) - _SLOT
            if 0 <= n < len(units):
                if prev not in ("", ">", _AFTER_READING):
                    out.append(" ")  # (after a space: Anki eats this one, the space stays)
                out.append(f"{units[n].base}[{units[n].reading}]")
                prev = _AFTER_READING
            elif c == "[" and prev not in ("", " ", ">") and not piece.startswith("sound:", i + 1):
                out.append("&#91;")
                prev = ";"
            else:
                out.append(c)
                prev = c
    return "".join(out)
