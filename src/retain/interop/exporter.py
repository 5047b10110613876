"""Export decks by file extension: .toml, .apkg, .csv/.tsv/.txt, .md."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from retain.core.clock import DEFAULT_ROLLOVER_HOUR
from retain.core.model import Deck
from retain.core.settings import StudySettings
from retain.core.state import CardState
from retain.interop.anki.ankitext import separator_for, write_anki_text
from retain.interop.anki.apkg_write import ApkgOptions, write_apkg
from retain.interop.bundle import DeckReviews, Review
from retain.interop.errors import InteropError
from retain.interop.history import history_to_toml, sidecar_path
from retain.interop.markdown import write_markdown
from retain.interop.media import (
    deck_media_dir,
    media_dir,
    media_file,
    media_left_behind,
    missing_media,
    referenced_media,
)
from retain.interop.native import deck_file_text
from retain.interop.outfile import atomic_output, media_left_out, open_media
from retain.interop.progress import ProgressFn, no_progress
from retain.store.files import NotRegularFileError
from retain.store.oserror import os_error_text
from retain.store.paths import same_file

__all__ = ["EXPORT_SUFFIXES", "export_decks", "export_paths", "unknown_type_refused"]

EXPORT_SUFFIXES = (".toml", ".apkg", ".csv", ".tsv", ".txt", ".md")


def _write_text(out: Path, text: str) -> None:
    with atomic_output(out) as part:
        part.write_text(text, encoding="utf-8", newline="\n")


def _media_pairs(deck: Deck, decks_dir: Path | None, dest: Path) -> list[tuple[Path, Path]]:
    """(source, copy) of each media file a .toml or .md export puts beside it (`DECK.media/`)."""
    src, target = deck_media_dir(deck, decks_dir), media_dir(dest, deck.id)
    if src is None or same_file(target, src):  # (a `target` that loops is not `src`: refused later)
        return []
    pairs: list[tuple[Path, Path]] = []
    for name in referenced_media(deck):
        found = media_file(src, name)
        if found is not None:
            pairs.append((found, target / name))
    return pairs


def _same_bytes(a: Path, b: Path) -> bool:
    """Whether the regular files `a` and `b` hold the same bytes (False when either is none)."""
    try:
        with open_media(a) as fa, open_media(b) as fb:
            if os.fstat(fa.fileno()).st_size != os.fstat(fb.fileno()).st_size:
                return False
            while True:
                block = fa.read(1 << 16)
                if block != fb.read(1 << 16):
                    return False
                if not block:
                    return True
    except OSError:
        return False


def _link_refused(pairs: list[tuple[Path, Path]]) -> None:
    """Refuse (before anything is written) a media folder beside the export that is a symbolic
    link, or a link in it where a file goes: a folder someone else shares could hold
    `DECK.media -> ~/somewhere` or `DECK.media/x.png -> ~/.bashrc`, and writing through it would
    put files (or replace one) outside the export's folder."""
    if not pairs:
        return
    folder = pairs[0][1].parent
    for path, what in ((folder, "its media folder"), *((copy, "a media file") for _found, copy in pairs)):
        if path.is_symlink():
            raise InteropError(
                f"{what} {path} is a symbolic link (to {os.readlink(path)}); an export never writes "
                "through one: remove it, or export to another folder (nothing written)"
            )
        if path is folder and folder.exists() and not folder.is_dir():
            raise InteropError(f"{what} {path} is not a folder; remove it, or export to another folder")


def _copy_media(pairs: list[tuple[Path, Path]], out: Path, warnings: list[str] | None) -> list[Path]:
    """The deck's media beside a .toml or .md export (`DECK.media/`), where its image links point.

    A file already there with other bytes (an earlier export's, the picture since changed) is
    replaced: `export_paths` names it, so the caller asked first. One with the same bytes stays.
    They are copied before the deck file is written: a copy that fails leaves no deck file (so
    the next try needs no --force), and the line names the file that could not be written.
    A media file that is no regular file when it is read (a FIFO or a symbolic link swapped in
    since it was checked) is left out with a line in `warnings`, as a missing one is."""
    copied: list[Path] = []
    for found, copy in pairs:
        if copy.is_file() and _same_bytes(found, copy):
            continue
        try:
            src = open_media(found)
        except NotRegularFileError as exc:
            if warnings is not None:
                warnings.append(media_left_out(found, exc))
            continue
        except OSError as exc:
            raise InteropError(
                f"cannot read {found}: {os_error_text(exc, name=False)}; {out.name} not written"
            ) from None
        try:
            with src:
                copy.parent.mkdir(parents=True, exist_ok=True)
                with atomic_output(copy) as part, open(part, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        except OSError as exc:
            raise InteropError(
                f"cannot write {copy}: {os_error_text(exc, name=False)}; {out.name} not written"
            ) from None
        copied.append(copy)
    return copied


def export_decks(
    decks: Sequence[Deck],
    out: Path,
    *,
    now: datetime,
    decks_dir: Path | None = None,
    states: Mapping[str, CardState] | None = None,
    reviews: Sequence[Review] | DeckReviews | None = None,
    progress: ProgressFn = no_progress,
    warnings: list[str] | None = None,
    settings_of: Callable[[str], StudySettings] | None = None,
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
) -> list[Path]:
    """Write `decks` to `out` (format from its suffix). Returns the files written.

    With `reviews`/`states` (export with progress): `.toml` gets a
    `NAME.progress.toml` sidecar, `.apkg` carries scheduling and a review log
    (learning steps counted against `settings_of(deck id)`, retain's defaults
    without it; due days counted in study days that begin at `rollover_hour`). `.toml`, `.md` and `.apkg` carry the media the cards show; a
    media file that is missing adds one line per deck to `warnings`, and so do media a
    `.csv`/`.tsv`/`.txt` file cannot carry.
    """
    suffix = out.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise InteropError(
            f"unknown export type {suffix or '(none)'}; use one of {', '.join(EXPORT_SUFFIXES)}"
        )
    if suffix in (".toml", ".md") and len(decks) != 1:
        raise InteropError(f"a {suffix} file holds one deck; export decks one at a time")
    if suffix in (".toml", ".md", ".apkg") and warnings is not None:
        warnings += [line for deck in decks for line in missing_media(deck, decks_dir)]
    elif warnings is not None:  # Anki's text format carries no media
        warnings += [line for deck in decks for line in media_left_behind(deck, suffix)]
    if suffix in (".toml", ".md"):
        pairs = _media_pairs(decks[0], decks_dir, out.parent)
        _link_refused(pairs)
        side = Path(sidecar_path(str(out))) if reviews is not None and suffix == ".toml" else None
        if side is not None and side.is_dir() and not side.is_symlink():  # (a link: replaced)
            raise InteropError(
                f"{side} is a folder, not a file; remove it, or export to another name (nothing written)"
            )
        text = deck_file_text(decks[0]) if suffix == ".toml" else write_markdown(decks[0], warnings)
        media = _copy_media(pairs, out, warnings)
        _write_text(out, text)
        written = [out, *media]
        if side is not None:
            _write_text(side, history_to_toml(decks[0].id, reviews or ()))
            written.append(side)
        return written
    if suffix == ".apkg":
        opts = ApkgOptions(
            now=now,
            decks_dir=decks_dir,
            states=states or {},
            reviews=reviews or (),
            progress=progress,
            rollover_hour=rollover_hour,
            warnings=warnings,
        )
        if settings_of is not None:
            opts.settings_of = settings_of
        write_apkg(decks, out, opts)
        return [out]
    _write_text(out, write_anki_text(list(decks), separator_for(out), progress))
    return [out]


def export_paths(
    out: Path, *, with_progress: bool, decks: Sequence[Deck] = (), decks_dir: Path | None = None
) -> list[Path]:
    """The files `export_decks` would write to `out` (to ask before replacing any of them).

    With the `decks` (and the folder they were read from), the media files a `.toml` or `.md`
    export would replace beside it are named too: those already there with other bytes. A media
    link there that `export_decks` would refuse is refused here (`InteropError`), before anyone
    is asked to replace a file the export would then not write."""
    paths = [out]
    suffix = out.suffix.lower()
    if with_progress and suffix == ".toml":
        paths.append(Path(sidecar_path(str(out))))
    if suffix in (".toml", ".md") and len(decks) == 1:
        pairs = _media_pairs(decks[0], decks_dir, out.parent)
        _link_refused(pairs)
        paths += [copy for found, copy in pairs if copy.exists() and not _same_bytes(found, copy)]
    return paths


def unknown_type_refused(output: str, *, folder: bool = False) -> str:
    """Why `output` names a type export does not write ('' when it names one, or is a folder:
    `folder`), said before an existing file is looked at: `data.json` asked to be replaced, then
    was refused anyway. The CLI's words and the export dialog's."""
    suffix = Path(output).suffix
    if folder or suffix.lower() in EXPORT_SUFFIXES:
        return ""
    return (
        f"unknown export type {suffix or '(none)'}; use one of {', '.join(EXPORT_SUFFIXES)} "
        f"(like {output.removesuffix(suffix)}.apkg), or write {output}/ for a folder of .toml files"
    )
