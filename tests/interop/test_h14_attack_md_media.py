"""h14 attack: a `.md` deck's hostile or broken video and sound references each give one clear
line that names what the file is, never "image" for a video or a sound, and a folder named like
a video is said to be a folder, not "not found".

Before: `image 'clip.mov' is 2 GiB; the media-file size limit is 256 MiB`, `image path
'../clip.mov' leaves the collection root`, `image x.mov not found under ...` for a folder
`x.mov`, `the file uses more than N images`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retain.interop.errors import InteropError
from retain.interop.importer import read_file
from retain.interop.limits import Limits

MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "


def _md(folder: Path, *refs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "vids.md"
    path.write_text("".join(f"Q: q{i} ![v]({r})\nA: a\n\n" for i, r in enumerate(refs)), encoding="utf-8")
    return path


def _message(path: Path, stage: Path, limits: Limits | None = None) -> str:
    """The one line the import gives: its error, else its warnings."""
    stage.mkdir(exist_ok=True)
    try:
        bundle = read_file(path, stage, limits) if limits else read_file(path, stage)
    except InteropError as exc:  # (LimitError too)
        return str(exc)
    return "\n".join(bundle.warnings)


@pytest.mark.parametrize("name", ["clip.mov", "CLIP.MKV", "talk.mp3", "song.ogg"])
@pytest.mark.parametrize("case", ["big", "outside", "missing", "folder", "many"])
def test_a_played_file_is_never_called_an_image(tmp_path: Path, name: str, case: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    limits = None
    refs: list[str] = [name]
    if case == "big":
        with (src / name).open("wb") as fh:  # sparse: no disk used
            fh.write(MOV)
            fh.truncate(300 * 2**20)
    elif case == "outside":
        refs = [f"../{name}"]
        (tmp_path / name).write_bytes(MOV)
    elif case == "folder":
        (src / name).mkdir()
    elif case == "many":
        stem, ext = os.path.splitext(name)
        refs = [f"{stem}{i}{ext}" for i in range(3)]
        for r in refs:
            (src / r).write_bytes(MOV + r.encode())
        limits = Limits(max_entries=2)
    message = _message(_md(src, *refs), tmp_path / "stage", limits)
    assert message and "\n" not in message, message
    assert "image" not in message.lower(), message
    if case == "folder":
        assert "folder" in message and "not found" not in message, message
