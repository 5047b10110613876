"""Media in Anki field HTML, as `html.html_to_text` reads it: what each media element and each
`[sound:...]` shows on a card, and where it goes.

Images (`<img>`) and `[sound:...]` become media placeholders through `media` (a `MediaFn`, the
import's lookup of a file by its name in the package). An image keeps its `alt` description,
unless that is its file name; without it, or when there is no placeholder for a file, `[image]`
or `[audio]`: a card never shows a media file name. `<audio>`/`<video>` are media by their `src`
(or first `<source>`), an `<object>` by its `data` (as Anki's media check counts it) and an
`<embed>` by its `src`, their fallback content dropped.

What kind of media a file is comes from its name (`core.mediaref`'s `IMAGE_EXTS`, `AUDIO_EXTS`
and `VIDEO_EXTS`, a video being played media as a sound is), as for a placeholder, never from its
tag: a missing file's `[image]` or `[audio]` is the kind its placeholder would have (`<img
src="x.mp3">` is `[audio]`), a video's placeholder is audio whatever its tag (`<object
data="clip.mov">`), and a played file (`<audio>`, `<video>`, `<source>`, `[sound:]`) that is no
image by its name is audio (`clip.mov`, or `clip.xyz`).
An `<object>` or `<embed>` whose file is neither an image nor a sound by its name (`paper.pdf`,
`game.swf`, `page.html`) is still brought in when the package holds it, as Anki's media check
counts it (so an export gives it back; the card names it as a file it cannot show); when the
package lacks it, the card shows its name, never an `[image]` it never was.

An image (or `<audio>`/`<video>`, `<object>`, `<embed>`) at an http or https address is no file
of the package: it is a Markdown link to that address (`[image](https://...)`, its description
as the link's text when it has one; `remote_address`, `link_destination`), never a missing file.
Any other scheme (`javascript:`, `data:`, `file:`) is a file name, as before.

Media inside `<pre>` or `<code>`, which Anki shows there, is placed outside the code where it
stands (the code ended before it and begun again after it), as a reference in code is only text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import quote, unquote

from retain.core.mediaref import AUDIO_EXTS, IMAGE_EXTS, VIDEO_EXTS

__all__ = [
    "AV",
    "MEDIA_TAGS",
    "SOUND_RE",
    "MediaFn",
    "MediaPlacement",
    "image_description",
    "kind_by_name",
    "link_destination",
    "remote_address",
    "sound_shown",
    "sounds_shown",
]

MediaFn = Callable[[str], str | None]  # original media name -> placeholder text, or None

SOUND_RE = re.compile(r"\[sound:([^\]\n]{1,500})\]")
# Anki plays (shows) their `src` (or first <source>), an <object>'s `data`; their content is a fallback
AV = frozenset({"audio", "video", "object"})
MEDIA_TAGS = AV | {"img", "embed"}  # the elements `MediaPlacement.media_start` reads
_DESCRIPTION_MAX = 500  # what a media reference's description may hold (`core.mediaref`)
_PLACEHOLDER_IMAGE = "![image]("
_PLACEHOLDER_AUDIO = "![audio]("


_REMOTE = re.compile(r"https?://[^\s/?#]", re.IGNORECASE)
# What a link's address keeps as it is (ASCII letters, digits and `_.-~` too): not `(`, `)`, `<`,
# `>`, `\`, `|`, `` ` ``, `$` and spaces, which a link, a table row, code or math would act on.
_ADDRESS_SAFE = "!#%&'*+,/:;=?@[]"
_ENTITY_AMP = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def remote_address(src: str) -> str | None:
    """`src` as an http or https address (the spaces around it, which HTML drops, left out), or
    None when it is not one (a media file's name; `javascript:`, `data:`, `file:`)."""
    address = src.strip(" \t\n\f\r")
    return address if _REMOTE.match(address) else None


def link_destination(address: str) -> str:
    """`address` as a Markdown link's destination: what Markdown or retain would act on there
    percent-encoded, and an `&` that would begin an entity escaped."""
    return _ENTITY_AMP.sub(r"\\&", quote(address, safe=_ADDRESS_SAFE))


def kind_by_name(name: str) -> Literal["image", "audio"] | None:
    """The kind of file `name` is by its extension: "image", "audio" (a sound, or a video: played
    media), or None (`x.pdf`, `x`)."""
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    return "image" if ext in IMAGE_EXTS else "audio" if ext in AUDIO_EXTS or ext in VIDEO_EXTS else None


def _as_audio(shown: str) -> str:
    """A placeholder as audio: `![image](...)` (the import's for a file it does not know as a
    sound, such as a video) becomes `![audio](...)`; any other text is kept."""
    if shown.startswith(_PLACEHOLDER_IMAGE):
        return _PLACEHOLDER_AUDIO + shown[len(_PLACEHOLDER_IMAGE) :]
    return shown


def image_description(alt: str, src: str) -> str:
    """What an image's description (`alt`) shows on a card, or "" for none: one line without the
    brackets a Markdown image description cannot hold; never the file name (names often hold the
    answer, like `181 Fremont.jpg`), and never the words retain's placeholders use alone."""
    shown = " ".join(alt.replace("[", " ").replace("]", " ").split())[:_DESCRIPTION_MAX].strip()
    names = {src, unquote(src)}
    names |= {PurePosixPath(n).name for n in names} | {PurePosixPath(n).stem for n in names}
    if not shown or shown in names or shown.casefold() in ("image", "audio"):
        return ""
    return shown


def sound_shown(name: str, media: MediaFn | None) -> str:
    """What a played file (`[sound:NAME]`, an `<audio>`/`<video>` or its `<source>`) shows: its
    placeholder, audio unless it is an image by its name (a video, `clip.mov`, is played too)."""
    image = kind_by_name(name) == "image"
    shown = media(name) if media is not None and name else None
    if shown is None:
        return "[image]" if image else "[audio]"
    return shown if image else _as_audio(shown)


# A `[sound:]` placeholder's stand-in while its text is converted (`sounds_shown`): private-use marks
_LATER_OPEN, _LATER_CLOSE = "\ue01a", "\ue01b"
_LATER = re.compile("\ue01a(\\d+)\ue01b")


def sounds_shown(text: str, media: MediaFn | None, convert: Callable[[MediaFn | None], str]) -> str:
    """`convert(media)`, `text` converted, with only the files of the `[sound:]`s the result shows
    looked up through `media`: one inside math (`\\[[sound:a.mp3]\\]`) is math's text, no file
    played, and is no file the cards use (a lookup would report it missing from a package)."""
    if media is None or "[sound:" not in text or _LATER_OPEN in text or _LATER_CLOSE in text:
        return convert(media)
    names: list[str] = []

    def later(name: str) -> str:
        names.append(name)
        return f"{_LATER_OPEN}{len(names) - 1}{_LATER_CLOSE}"

    return _LATER.sub(lambda m: sound_shown(names[int(m[1])], media), convert(later))


class MediaPlacement:
    """The media part of `html._Converter` (an `HTMLParser`): each media element's placeholder,
    put where it stands and always outside code, and the fallback content of `<audio>`, `<video>`
    and `<object>` dropped. The converter ends an open inline `<code>` (`_end_code`)."""

    out: list[str]
    media: MediaFn | None
    code_text: list[str] | None  # the text of an open inline <code> (literal)
    pre: int  # how many <pre> are open

    def handle_data(self, data: str) -> None:
        raise NotImplementedError  # the converter's: text where it stands

    def _media_init(self, media: MediaFn | None) -> None:
        self.media = media
        self.fence_at: int | None = None  # where the open code block's fence is in `out`
        self.reopened = False  # the open code block was opened again after media inside it
        self.av = 0  # inside an <audio>/<video>: its content is the fallback Anki never shows
        self.av_shown = False  # the open <audio>/<video> has put its media in `out`

    def _end_code(self) -> None:
        raise NotImplementedError  # the converter's: close an open inline <code>

    def _remote(self, text: str, address: str) -> str:
        raise NotImplementedError  # the converter's: a Markdown link to `address` showing `text`

    def _newline(self) -> None:
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def _open_fence(self) -> None:
        self.fence_at = len(self.out)
        self.out.append("```\n")

    def _close_fence(self, drop_empty: bool) -> None:
        """End the open code block; with `drop_empty`, one that holds nothing but blank lines (the
        fence before or after media that stood alone in `<pre>`) is left out instead."""
        at = self.fence_at
        if drop_empty and at is not None and at < len(self.out) and not "".join(self.out[at + 1 :]).strip():
            del self.out[at:]
        else:
            self._newline()
            self.out.append("```\n")
        self.fence_at = None
        self.reopened = False

    def _place(self, shown: str) -> None:
        """Media (an image, a sound) where it stands, and always outside code: Anki shows an image
        in `<pre>` or `<code>` and plays a `[sound:]` written there, while a Markdown reference in
        code is only its text (never shown, never exported). An open code span or code block is
        ended before it and begun again after it."""
        if self.code_text is not None:
            self._end_code()
            self.out.append(shown)
            self.code_text = []
        elif self.pre:
            self._close_fence(drop_empty=True)
            self._newline()
            self.out.append(shown + "\n")
            self._open_fence()
            self.reopened = True
        else:
            self.out.append(shown)

    def _image(self, attrs: list[tuple[str, str | None]]) -> str:
        found = dict(attrs)
        src = found.get("src") or ""
        address = remote_address(src)
        if address is not None:
            return self._remote(image_description(found.get("alt") or "", address) or "image", address)
        shown = self.media(src) if self.media and src else None
        described = image_description(found.get("alt") or "", src)
        if shown is not None and described and shown.startswith(_PLACEHOLDER_IMAGE):
            shown = f"![{described}]({shown[len(_PLACEHOLDER_IMAGE) :]}"
        if shown is None:
            return "[audio]" if kind_by_name(src) == "audio" else "[image]"
        return shown

    def _sound(self, name: str) -> str:
        return sound_shown(name, self.media)

    def _played(self, src: str) -> str:
        """An `<audio>`'s, `<video>`'s or `<source>`'s file: its placeholder, or a link to it when
        it is an address."""
        address = remote_address(src)
        return self._sound(src) if address is None else self._remote("audio", address)

    def _object(self, name: str) -> None:
        """An `<object>`'s file (`data`) or an `<embed>`'s (`src`): its placeholder when the
        package holds it; else `[image]`/`[audio]` by its name, or the name itself when it is
        neither (`paper.pdf`). A video's placeholder is audio (played), as a sound's is."""
        address = remote_address(name)
        if address is not None:
            self._place(self._remote(kind_by_name(address) or "link", address))
            return
        shown = self.media(name) if self.media is not None else None
        kind = kind_by_name(name)
        if shown is not None and kind == "audio":
            shown = _as_audio(shown)
        if shown is None and kind is None:
            self.handle_data(name)
        else:
            self._place(shown if shown is not None else f"[{kind}]")

    def _code_data(self, data: str, keep: Callable[[str], None]) -> None:
        """Text inside code: kept by `keep`, except each `[sound:...]` in it, placed outside."""
        pos = 0
        for m in SOUND_RE.finditer(data):
            if m.start() > pos:
                keep(data[pos : m.start()])
            self._place(self._sound(m[1]))
            pos = m.end()
        if pos < len(data):
            keep(data[pos:])

    def _keep_code(self, text: str) -> None:
        if self.code_text is not None:
            self.code_text.append(text)

    def media_start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A start tag of `MEDIA_TAGS` outside any fallback: its media placed."""
        if tag == "img":
            self._place(self._image(attrs))
        elif tag == "embed":  # (no content, no end tag)
            src = dict(attrs).get("src") or ""
            if src:
                self._object(src)
        elif tag == "object":
            data = dict(attrs).get("data") or ""
            if data:  # (without a file its content is what shows)
                self._object(data)
                self.av, self.av_shown = 1, True
        else:
            src = dict(attrs).get("src") or ""
            self.av, self.av_shown = 1, bool(src)
            if src:
                self._place(self._played(src))

    def fallback_start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A start tag in an `<audio>`/`<video>`/`<object>` (`av`): its first <source> is its media
        when it has no `src`; anything else is fallback content."""
        if tag == "source" and not self.av_shown:
            self.av_shown = True
            self._place(self._played(dict(attrs).get("src") or ""))
        elif tag in AV:
            self.av += 1

    def fallback_end(self, tag: str, ends_block: bool) -> bool:
        """An end tag in an `<audio>`/`<video>`/`<object>` (`av`): True when it is one of the
        fallback's. An element around an unclosed one (`ends_block`) ended it too."""
        if tag in AV:
            self.av -= 1
            return True
        if not ends_block:
            return True
        self.av = 0
        return False
