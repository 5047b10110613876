"""h14: a Markdown (`.md`) deck brings in the videos its cards name (`![image](clip.mov)` beside
it, `core.mediaref.VIDEO_EXTS`), under the same rules as its pictures and sounds: bounded in
size, never through a symbolic link or a path that leaves the collection root, never from a
hidden folder; and `o` opens an imported one only when its content is a video's.

Before: `clip.mov` stayed text with the warning `clip.mov is not imported: not an image or audio
file (by its name)`, so the card showed `![image](clip.mov)` and had no video."""

from __future__ import annotations

import json
import shlex
import struct
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.mediaref import AUDIO_EXTS, IMAGE_EXTS, VIDEO_EXTS, media_refs
from retain.interop.errors import InteropError, LimitError
from retain.interop.importer import read_file
from retain.interop.limits import Limits
from retain.ui.media import open_media


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


MOV = _box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ") + _box(b"wide") + _box(b"mdat", bytes(64)) + _box(b"moov")
OPENER = """import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[2:]) + "\\n")
"""


def _md(folder: Path, ref: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "vids.md"
    path.write_text(f"Q: What is this? ![image]({ref})\nA: a clip\n", encoding="utf-8")
    return path


def _read(path: Path, stage: Path, limits: Limits | None = None) -> tuple[str, dict[str, Path], list[str]]:
    stage.mkdir(exist_ok=True)
    bundle = read_file(path, stage, limits) if limits is not None else read_file(path, stage)
    return bundle.decks[0].cards[0].front, bundle.media, bundle.warnings


@pytest.mark.parametrize("ext", sorted(VIDEO_EXTS))
def test_a_video_beside_a_markdown_deck_is_imported_as_played_media(tmp_path: Path, ext: str) -> None:
    path = _md(tmp_path / "src", f"clip.{ext}")
    (tmp_path / "src" / f"clip.{ext}").write_bytes(MOV)
    front, media, warnings = _read(path, tmp_path / "stage")
    assert warnings == []
    (ref,) = media_refs(front)
    assert ref.folder == "vids" and ref.name.endswith(f".{ext}") and ref.kind == "audio", front
    assert media[ref.name].read_bytes() == MOV


_OTHER = ["pdf", "sh", "desktop", "html", "jar", "exe", "txt", "key"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ext=st.sampled_from(sorted(IMAGE_EXTS | AUDIO_EXTS | VIDEO_EXTS) + _OTHER),
    upper=st.booleans(),
    sub=st.sampled_from(["", "media/", "a b/"]),
)
def test_what_a_markdown_deck_brings_in_is_every_picture_sound_and_video_and_nothing_else(
    tmp_path_factory: pytest.TempPathFactory, ext: str, upper: bool, sub: str
) -> None:
    tmp = tmp_path_factory.mktemp("md")
    name = f"{sub}f.{ext.upper() if upper else ext}"
    path = _md(tmp / "src", name.replace(" ", "%20"))
    (tmp / "src" / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp / "src" / name).write_bytes(MOV)
    front, media, warnings = _read(path, tmp / "stage")
    if ext in IMAGE_EXTS | AUDIO_EXTS | VIDEO_EXTS:
        assert warnings == [] and len(media) == 1, (front, warnings)
        (ref,) = media_refs(front)
        assert ref.kind == ("image" if ext in IMAGE_EXTS else "audio")
    else:
        assert media == {} and front.endswith(f"![image]({name.replace(' ', '%20')})")
        assert len(warnings) == 1 and "is not imported" in warnings[0], warnings


def test_a_video_over_the_media_size_limit_refuses_the_import(tmp_path: Path) -> None:
    path = _md(tmp_path / "src", "clip.mov")
    (tmp_path / "src" / "clip.mov").write_bytes(MOV)
    with pytest.raises(LimitError, match="media-file size limit"):
        _read(path, tmp_path / "stage", Limits(max_media_bytes=len(MOV) - 1))
    assert list((tmp_path / "stage").iterdir()) == []


def test_videos_count_toward_the_total_size_limit(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.mov").write_bytes(MOV)
    (src / "b.mkv").write_bytes(MOV + b"x")
    (src / "vids.md").write_text("Q: ![image](a.mov)\nA: ![image](b.mkv)\n", encoding="utf-8")
    with pytest.raises(LimitError, match="total size limit"):
        _read(src / "vids.md", tmp_path / "stage", Limits(max_total_bytes=2 * len(MOV)))


def test_a_video_that_is_a_symbolic_link_refuses_the_import(tmp_path: Path) -> None:
    outside = tmp_path / "private.mov"
    outside.write_bytes(MOV)
    path = _md(tmp_path / "src", "clip.mov")
    (tmp_path / "src" / "clip.mov").symlink_to(outside)
    with pytest.raises(InteropError, match="symbolic link"):
        _read(path, tmp_path / "stage")


@pytest.mark.parametrize("ref", ["../clip.mov", "/tmp/clip.mov", "sub/../../clip.mov"])
def test_a_video_path_that_leaves_the_root_refuses_the_import(tmp_path: Path, ref: str) -> None:
    (tmp_path / "clip.mov").write_bytes(MOV)
    path = _md(tmp_path / "src", ref)
    with pytest.raises(InteropError, match="leaves the collection root"):
        _read(path, tmp_path / "stage")


def test_a_video_in_a_hidden_folder_stays_text(tmp_path: Path) -> None:
    path = _md(tmp_path / "src", ".cache/clip.mov")
    (tmp_path / "src" / ".cache").mkdir()
    (tmp_path / "src" / ".cache" / "clip.mov").write_bytes(MOV)
    front, media, warnings = _read(path, tmp_path / "stage")
    assert media == {} and front.endswith("![image](.cache/clip.mov)")
    assert warnings == ["line 1: .cache/clip.mov is not imported: it is in a hidden folder; kept as text"]


def test_an_imported_video_opens_with_o_and_one_that_is_no_video_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The user's path: `retain import vids.md` with `clip.mov` and a page named `page.mov` beside
    it; `o` (ui.media.open_media) hands the real video to the opener and refuses the page."""
    home = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(home))
    src = tmp_path / "src"
    src.mkdir()
    (src / "clip.mov").write_bytes(MOV)
    (src / "page.mov").write_bytes(b"<html><script>alert(1)</script></html>")
    (src / "vids.md").write_text("Q: ![image](clip.mov)\nA: ![image](page.mov)\n", encoding="utf-8")
    assert main(["import", str(src / "vids.md")]) == 0
    out, err = capsys.readouterr()
    assert "stored 2 media file(s)" in out and "not imported" not in err, (out, err)
    text = (home / "decks" / "vids.toml").read_text(encoding="utf-8")
    video, page = (
        home / "decks" / "vids.media" / r.name for line in text.splitlines() for r in media_refs(line)
    )
    script, log = tmp_path / "opener.py", tmp_path / "opened.jsonl"
    script.write_text(OPENER, encoding="utf-8")
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {log}")
    refused = open_media(page)
    assert refused is not None and "is not a picture, sound or video file" in refused
    assert open_media(video) is None
    for _ in range(250):  # the opener runs in the background
        if log.exists() and log.read_text():
            break
        time.sleep(0.02)
    assert [json.loads(x) for x in log.read_text().splitlines()] == [[str(video.resolve())]]
