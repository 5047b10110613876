"""Media references in card Markdown: `![alt](DECK.media/NAME)`, split out where they stand.

A card refers to a file in its deck's media folder with a Markdown image whose
target is `DECK.media/NAME` (imports write content-hash names; authors may use
their own). `split_media` says where the study screen draws them, each text piece
a Markdown document of its own: a reference standing at the top level is drawn in
place, between the text before and after it; one inside a table cell, emphasis, a
link, a list item, a quote or a heading (a revealed cloze's `**...**`) leaves that
construct whole, named in it (`🖼 image`), and is drawn right after its top-level
block. The first `MAX_SHOWN` of one text are drawn, so a stranger's card with
thousands of references does not freeze the screen (the rest stay in the text, where
the Markdown renderer shows a placeholder). Names are data: `is_safe_name` refuses separators,
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
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

from retain.core.codespans import code_ranges, in_ranges

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

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
    """The text cut where the study screen draws its media (the first `limit` of them; None:
    all): text pieces and references, in order, each piece sound Markdown of its own
    (`_placed`). A reference the Markdown parser does not read as an image (in an indented code
    block, an autolink, behind an escaped `!`) or inside `$...$` math is left in the text."""
    if not may_hold_refs(text):
        return [text]
    return list(_placed(text, limit))


def media_refs(text: str) -> list[MediaRef]:
    """Every media reference of the text outside code, in order (what exports and the store
    carry: wherever it stands in the Markdown)."""
    return [ref for m in image_refs(text) if (ref := _ref(m)) is not None]


# Where a media reference is drawn. The study screen renders each text piece as a Markdown
# document of its own, so the text is cut only where that changes nothing: at a reference that
# stands at the top level, alone or among a paragraph's plain text (`Name it. ![audio](...)`),
# drawn where it stands; and between top-level blocks. A reference inside a construct (a table
# cell, emphasis, a link, a list item, a quote, a heading: a revealed cloze's `**...**` too)
# stays in the text, which shows it as its description (`🖼 image`, `ui.card_text`), and is
# drawn right after the top-level block that holds it. Each cut is checked: the pieces parsed
# alone must give the blocks and inline content the whole text gave; when they do not (a piece
# would start with `    ` or `2. `), each reference is drawn after its block instead, and
# should that change the Markdown too (a link whose definition is in another piece), nothing is
# cut: the media are drawn after the text.
PLACE_BUDGET = 20_000  # characters: a longer text is not parsed for this; its media go after it
PARSE_BUDGET = 0.02  # seconds: a text whose parse took longer is not cut either (`[a` runs: 0.4 s)
_MARK = "\ue000"  # (a private-use character) the stand-in targets' prefix: `\ue0000`, `\ue0001`, ...
_BREAKS = frozenset({"softbreak", "hardbreak"})
_LINE_END = re.compile(r"\r\n|\r|\n")
Sig = tuple[object, ...]
Cut = tuple[int, int, list[MediaRef]]  # text[start:end] is left out; the references drawn there


@cache
def _parser() -> MarkdownIt:
    from retain.core.answer.shown import card_parser  # (markdown-it: loaded on first use)

    return card_parser()


@lru_cache(maxsize=64)
def _placed(text: str, limit: int | None) -> tuple[str | MediaRef, ...]:
    from retain.core.mathtext import math_spans

    math = [(start, end) for start, end, _display in math_spans(text)]  # (shown as math, as written)
    found = [(m, ref) for m in image_refs(text) if (ref := _ref(m)) and not in_ranges(m.start(), math)]
    if not found:
        return (text,)
    if len(text) > PLACE_BUDGET or _MARK in text:
        return (text, *[ref for _m, ref in found][:limit])
    parser = _parser()
    marked: list[str] = []
    pos = 0
    for i, (m, _) in enumerate(found):  # each target marked, to know which image token is which
        marked += [text[pos : m.start()], with_target(m, f"{_MARK}{i}")]
        pos = m.end()
    began = time.perf_counter()
    tokens = parser.parse("".join([*marked, text[pos:]]))
    if time.perf_counter() - began > PARSE_BUDGET:  # (its pieces would take as long again, twice)
        return (text, *[ref for _m, ref in found][:limit])
    shown: list[MediaRef] = []
    for in_place in (True, False):
        cuts, expected, shown = _cuts(text, tokens, found, limit, in_place=in_place)
        bounds = [0, *(at for cut in cuts for at in cut[:2]), len(text)]
        pieces = [text[bounds[k] : bounds[k + 1]] for k in range(0, len(bounds), 2)]
        if all(_doc_sig(parser.parse(p)) == want for p, want in zip(pieces, expected, strict=True)):
            out: list[str | MediaRef] = []
            for piece, cut in zip(pieces, [*cuts, None], strict=True):
                if piece:
                    out.append(piece)
                if cut is not None:
                    out += cut[2]
            return tuple(out)
    return (text, *shown)  # (a cut would change the Markdown: the media go after the text)


def _cuts(
    text: str,
    tokens: list[Token],
    found: list[tuple[re.Match[str], MediaRef]],
    limit: int | None,
    *,
    in_place: bool,
) -> tuple[list[Cut], list[list[Sig]], list[MediaRef]]:
    """Where to cut `text` (parsed as `tokens`, its references' targets marked), the signature
    of each piece's tokens as the whole text has them, and the references drawn, in order.
    Without `in_place`, every reference is drawn after its top-level block."""
    starts = [0, *(e.end() for e in _LINE_END.finditer(text))]
    cuts: list[Cut] = []
    expected: list[list[Sig]] = []
    piece: list[Sig] = []
    shown: list[MediaRef] = []
    for first, end in _blocks(tokens):
        images: list[tuple[int, int, int]] = []  # (reference, depth, index among the inline's children)
        for t in tokens[first:end]:
            if t.type == "inline":
                _images(t.children or [], 0, images)
        placed = images if limit is None else images[: max(0, limit - len(shown))]
        if not placed:
            piece += [_sig(t) for t in tokens[first:end]]
            continue
        top = in_place and tokens[first].type == "paragraph_open"
        here = [i for i in placed if top and i[1] == 0]  # cut where it stands
        after = [found[i[0]][1] for i in placed if not (top and i[1] == 0)]
        if here:
            inline = tokens[first + 1]
            children = inline.children or []
            at = 0
            for ref, _depth, index in here:
                m = found[ref][0]
                piece += _paragraph(children[at:index])
                expected.append(piece)
                piece = []
                cuts.append((m.start(), m.end(), [found[ref][1]]))
                at = index + 1
            piece += _paragraph(children[at:])
        else:
            piece += [_sig(t) for t in tokens[first:end]]
        shown += [found[i[0]][1] for i in placed]
        if after:
            line = (tokens[first].map or [0, len(starts)])[1]
            offset = starts[line] if line < len(starts) else len(text)
            expected.append(piece)
            piece = []
            cuts.append((offset, offset, after))
    expected.append(piece)
    return cuts, expected, [ref for cut in cuts for ref in cut[2]]


def _blocks(tokens: list[Token]) -> Iterator[tuple[int, int]]:
    """Each top-level block: the (first, end) indexes of its tokens."""
    i = 0
    while i < len(tokens):
        j, depth = i, 0
        while True:
            depth += tokens[j].nesting
            j += 1
            if depth <= 0 or j >= len(tokens):
                break
        yield i, j
        i = j


def _images(children: list[Token], depth: int, out: list[tuple[int, int, int]]) -> None:
    """The marked references among inline `children`: (which, how many spans open around it,
    its index among `children`), an image inside another image's description at depth 1 or more."""
    for index, c in enumerate(children):
        if c.type == "image":
            src = c.attrs.get("src")
            if isinstance(src, str) and src.startswith(_MARK) and src[len(_MARK) :].isdigit():
                out.append((int(src[len(_MARK) :]), depth, index))
            if c.children:
                _images(c.children, depth + 1, out)  # (in a description: never cut where it stands)
        depth += c.nesting


def _paragraph(children: list[Token]) -> list[Sig]:
    inline = _inline_sig(children)
    return [("paragraph_open",), ("inline", inline), ("paragraph_close",)] if inline else []


def _sig(t: Token) -> Sig:
    if t.type == "inline":
        return ("inline", _inline_sig(t.children or []))
    if t.type == "paragraph_open" or t.type == "paragraph_close":
        return (t.type,) if not t.hidden else (t.type, "hidden")
    content = t.content if t.type in ("fence", "code_block", "html_block") else ""
    return (t.type, t.tag, t.markup, t.info, t.hidden, content, tuple(sorted(t.attrs.items())))


def _inline_sig(children: list[Token]) -> tuple[Sig, ...]:
    """Inline tokens as shown, whatever an image's target (marked or not): text joined, and the
    line breaks and blanks at the ends (a piece's ends) left out."""
    out: list[list[object]] = []
    for c in children:
        if c.type == "text" and out and out[-1][0] == "text":
            out[-1][1] = f"{out[-1][1]}{c.content}"
            continue
        attrs = tuple(sorted((k, v) for k, v in c.attrs.items() if k != "src"))
        inner = _inline_sig(c.children or []) if c.type == "image" else ()
        out.append([c.type, c.content, c.markup, attrs, inner])
    while out and (out[0][0] in _BREAKS or (out[0][0] == "text" and not str(out[0][1]).strip())):
        out.pop(0)
    while out and (out[-1][0] in _BREAKS or (out[-1][0] == "text" and not str(out[-1][1]).strip())):
        out.pop()
    if out and out[0][0] == "text":
        out[0][1] = str(out[0][1]).lstrip()
    if out and out[-1][0] == "text":
        out[-1][1] = str(out[-1][1]).rstrip()
    return tuple(tuple(x) for x in out)


def _doc_sig(tokens: list[Token]) -> list[Sig]:
    return [_sig(t) for t in tokens]
