"""Media references in card Markdown: `![alt](DECK.media/NAME)`, split out where they stand.

A card refers to a file in its deck's media folder with a Markdown image whose
target is `DECK.media/NAME` (imports write content-hash names; authors may use
their own). `split_media` cuts the text at each such reference outside code,
so the study screen shows the image (or the audio line) in place, between the
text before and after it: the first `MAX_SHOWN` of one text, so a stranger's
card with thousands of references does not freeze the screen (the rest stay in
the text, where the Markdown renderer shows a placeholder). Names are data: `is_safe_name` refuses separators,
`..`, control characters and drive letters; the store resolves a safe name
inside the media folder only (`store.media`).

`REF_RE` is the one pattern of an image reference: the study screen, exports and every
importer that reads or re-points references (`.toml`, `.md`) use it, through `image_refs` and
`sub_refs`, so what one of them takes for an image the others do too (a place that skips a text
before reading it asks `may_hold_refs`, never narrower than the pattern). The target is written bare or in
angle brackets (`<k8s.media/my file.png>`), neither holding `<` or `>`, a bare one holding
parentheses only in balanced pairs (`k8s.media/pod(1).png`) or escaped, and may be followed
by a title in quotes (`"..."` or `'...'`), which retain does not show. A target's backslash
escapes are CommonMark's (`![v](vid.media/a\\)b.mov)` names `a)b.mov`): `ref_target` reads them.
A reference moved to another folder (a deck imported under a new id) or to a package's name has
its target alone replaced (`with_target`; a target as `written_target` writes it), its
description and title as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from retain.core.codespans import code_ranges, in_ranges

__all__ = [
    "AUDIO_EXTS",
    "IMAGE_EXTS",
    "MAX_SHOWN",
    "REF_RE",
    "VIDEO_EXTS",
    "MediaRef",
    "image_refs",
    "is_played_head",
    "is_safe_name",
    "may_hold_refs",
    "media_refs",
    "ref_target",
    "repoint_refs",
    "short_name",
    "split_media",
    "sub_refs",
    "with_target",
    "written_target",
]

AUDIO_EXTS = frozenset({"mp3", "ogg", "oga", "wav", "m4a", "flac", "opus", "aac", "webm", "mp4", "spx"})
# Video files (beside `webm` and `mp4`, above): played media, as a sound is (Anki plays a
# `[sound:clip.mov]`); `o` hands them to the system player
VIDEO_EXTS = frozenset({"mov", "m4v", "mkv", "avi", "mpg", "mpeg", "ogv", "3gp", "wmv", "flv"})
IMAGE_EXTS = frozenset(
    {"png", "apng", "jpg", "jpeg", "jpe", "jfif", "gif", "webp", "bmp", "tif", "tiff", "ico", "svg", "avif"}
)
MAX_NAME = 255
MAX_SHOWN = 16  # media references of one text that the study screen draws in place
# Groups by number (`import_memo` relies on them): 1 the description, 2 the target as written
# (with its angle brackets), 3 or 4 the target's text, 5 the title.
# A target may hold CommonMark's backslash escapes (`a\)b.mov`, `<a \<b\>.png>`), read as the
# character escaped (`ref_target`); a backslash before anything else is one. A bare target may
# hold balanced parentheses, unescaped (`a(1).png`), one level deep (CommonMark allows more).
# Each alternative starts with its own character and the repeats are possessive (`{m,n}+`: a
# unit taken is never given back), so a long or hostile target is matched in linear time.
_ESC = r"\\[!-/:-@\[-`{-~]"
_ESC_OR_BACKSLASH = r"\\(?:[!-/:-@\[-`{-~]|(?![!-/:-@\[-`{-~]))"  # (never both: no backtracking)
_BARE_UNIT = rf"(?:{_ESC_OR_BACKSLASH}|[^()\s<>\\])"
REF_RE = re.compile(
    r"!\[(?P<alt>[^\[\]\n]{0,500})\]\(\s*"
    rf"(?P<target><(?P<angle>(?:{_ESC_OR_BACKSLASH}|[^<>\n\\]){{1,1000}}+)>"
    rf"|(?P<bare>(?:{_BARE_UNIT}|\({_BARE_UNIT}{{0,1000}}+\)){{1,1000}}+))"
    r"(?:\s+(?P<title>\"(?:\\.|[^\"\n\\]){0,500}\"|'(?:\\.|[^'\n\\]){0,500}'))?\s*\)"
)
_UNESCAPE = re.compile(_ESC)
_BLANK = re.compile(r"\s")
_ANGLE_SPECIAL = re.compile(r"([\\<>])")  # what `written_target` escapes in angle brackets
_BARE_SPECIAL = re.compile(r"([\\()<>])")  # and in a bare target
_FOLDER = re.compile(r"^([a-z0-9][a-z0-9-]*)\.media/(.+)$", re.DOTALL)
_HASH = re.compile(r"^[0-9a-f]{64}\Z")


_PLAYED_MAGIC = (
    b"ID3",
    b"OggS",
    b"fLaC",
    b"RIFF",  # WAV, AVI
    b"\x1a\x45\xdf\xa3",  # Matroska, WebM
    b"ADIF",
    b"\x00\x00\x01\xba",  # MPEG program stream
    b"\x00\x00\x01\xb3",  # MPEG video sequence header
    b"\x30\x26\xb2\x75\x8e\x66\xcf\x11",  # ASF (WMV, WMA)
    b"FLV\x01",
)
# The first box of a QuickTime file written before `ftyp` (which starts any other ISO media file:
# MP4, M4A, MOV, M4V, 3GP): a movie, its data, or padding. Taken only with a played file's name.
_QUICKTIME_FIRST_BOX = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


def is_played_head(head: bytes, *, named: bool) -> bool:
    """The first bytes (16 are enough) are those of a sound or video file: MP3, Ogg, FLAC, WAV,
    AVI, WebM/Matroska, MP4/M4A/MOV (ISO media; an older QuickTime file only when `named` as a
    played file), MPEG, WMV, FLV, AAC (ADTS), or an MPEG audio frame. The one rule for a file's
    content: `o` opens a played file by it (`ui.media`), and an `.apkg` export makes a file
    without an extension a `[sound:]` by it."""
    if head.startswith(_PLAYED_MAGIC) or head[4:8] == b"ftyp":
        return True
    if named and head[4:8] in _QUICKTIME_FIRST_BOX:
        return True
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0  # MPEG/ADTS frame sync


def is_safe_name(name: str) -> bool:
    """One plain file name: no separators, no `.`/`..`, no control characters, no drive or home prefix."""
    if not name or len(name) > MAX_NAME or name in (".", "..") or name.startswith("~"):
        return False
    if "/" in name or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return False
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in name)


def short_name(name: str) -> str:
    """A name to show: a 64-hex content hash is cut to its first 8 digits (`3fa9c2d1….png`)."""
    p = PurePosixPath(name)
    if _HASH.match(p.stem):
        return f"{p.stem[:8]}…{p.suffix}"
    return name


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A reference to `NAME` in the media folder of deck `folder`."""

    alt: str
    folder: str
    name: str

    @property
    def kind(self) -> Literal["audio", "image"]:
        ext = PurePosixPath(self.name).suffix.lower().lstrip(".")
        played = ext in AUDIO_EXTS or ext in VIDEO_EXTS or self.alt.strip() == "audio"
        return "audio" if played else "image"

    @property
    def safe(self) -> bool:
        return is_safe_name(self.name)

    @property
    def shown(self) -> str:
        return short_name(self.name)


def ref_target(m: re.Match[str]) -> str:
    """The target of a `REF_RE` match, without its angle brackets and the blanks inside them, its
    backslash escapes read (`a\\)b.mov` is `a)b.mov`, as CommonMark and the HTML export read it)."""
    raw = (m["angle"] if m["angle"] is not None else m["bare"]).strip()
    return _UNESCAPE.sub(lambda e: e[0][1], raw) if "\\" in raw else raw


def with_target(m: re.Match[str], target: str) -> str:
    """The reference `m` (a `REF_RE` match) with `target` (as written: bare or in angle brackets,
    escapes and all) for its target, all else as written: the description, the title, the blanks."""
    start, end = m.span("target")
    return m[0][: start - m.start()] + target + m[0][end - m.start() :]


def written_target(target: str) -> str | None:
    """`target` as a reference writes it, read back by `ref_target` as `target`: bare, with its
    `\\`, `(`, `)`, `<` and `>` escaped, or in angle brackets when it holds a blank; None when
    no reference can hold it (a line break, blanks at its ends, too long)."""
    if _BLANK.search(target):
        written = "<" + _ANGLE_SPECIAL.sub(r"\\\1", target) + ">"
    else:
        written = _BARE_SPECIAL.sub(r"\\\1", target)
    m = REF_RE.fullmatch(f"![]({written})")
    return written if m is not None and ref_target(m) == target else None


def may_hold_refs(text: str) -> bool:
    """False only when the text can hold no reference to a deck's media folder: the quick test
    to run before reading the references of many texts, never narrower than `REF_RE` and
    `ref_target`. A folder's `.` and `/` may be written escaped (`pics\\.media\\/x.png`), the
    letters between them never are, so `.media` is in any such text, whatever its escapes."""
    return "![" in text and ".media" in text


def image_refs(text: str) -> Iterator[re.Match[str]]:
    """Every image reference of the text outside code (`REF_RE` matches), in order: whatever the
    target (the deck's media, a URL, a path an importer resolves)."""
    if "![" not in text:
        return
    code = code_ranges(text)
    for m in REF_RE.finditer(text):
        if not in_ranges(m.start(), code):
            yield m


def sub_refs(text: str, repl: Callable[[re.Match[str]], str]) -> str:
    """The text with each image reference outside code replaced by `repl(match)`."""
    out: list[str] = []
    pos = 0
    for m in image_refs(text):
        out += [text[pos : m.start()], repl(m)]
        pos = m.end()
    return "".join(out) + text[pos:] if out else text


def repoint_refs(text: str, old_id: str, new_id: str, renamed: Mapping[str, str] | None = None) -> str:
    """The text with its image references to deck `old_id`'s media folder re-pointed to
    `new_id`'s (a deck imported under a new id, a card moved to another deck): every one the
    study screen reads as an image of that folder (angle brackets and escapes too), none written
    inside code. Only the folder changes, and a name `renamed` maps (the new folder holds other
    bytes under it): the target's angle brackets and escapes, the description and a title stay
    as written (`with_target`)."""
    if not may_hold_refs(text):
        return text
    folder = f"{old_id}.media/"
    new_folder = f"{new_id}.media/"
    names = renamed or {}

    def repoint(m: re.Match[str]) -> str:
        target = ref_target(m)
        if not target.startswith(folder):
            return m[0]
        name = target[len(folder) :]
        moved = new_folder + names.get(name, name)
        raw = m["angle"] if m["angle"] is not None else m["bare"]
        lead = len(raw) - len(raw.lstrip())
        # The name as written, escapes and all; else (the folder written with escapes,
        # `old\\.media/`, a target at the length limit, a name changed) the whole target anew.
        same = raw.startswith(folder, lead) and name not in names
        kept = raw[:lead] + new_folder + raw[lead + len(folder) :] if same else None
        for written in (
            f"<{kept}>" if m["angle"] is not None and kept is not None else kept,
            written_target(moved),
        ):
            new = with_target(m, written) if written is not None else ""
            again = REF_RE.fullmatch(new) if new else None
            if again is not None and ref_target(again) == moved:
                return new
        return m[0]  # (no reference can hold it: none could before either)

    return sub_refs(text, repoint)


def _ref(m: re.Match[str]) -> MediaRef | None:
    f = _FOLDER.match(ref_target(m))
    if f is None:
        return None  # a URL or some other path: left to the Markdown renderer as a placeholder
    return MediaRef(m["alt"], f[1], f[2])


def split_media(text: str, limit: int | None = MAX_SHOWN) -> list[str | MediaRef]:
    """The text cut at each media reference outside code (the first `limit` of them; None: all):
    text pieces and references, in order."""
    if "![" not in text:
        return [text]
    out: list[str | MediaRef] = []
    pos = 0
    refs = 0
    for m in image_refs(text):
        if limit is not None and refs >= limit:
            break
        ref = _ref(m)
        if ref is None:
            continue
        if m.start() > pos:
            out.append(text[pos : m.start()])
        out.append(ref)
        refs += 1
        pos = m.end()
    if pos < len(text) or not out:
        out.append(text[pos:])
    return out


def media_refs(text: str) -> list[MediaRef]:
    """Every media reference of the text outside code, in order."""
    return [p for p in split_media(text, None) if isinstance(p, MediaRef)]
