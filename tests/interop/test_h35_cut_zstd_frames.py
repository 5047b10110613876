"""h35: a zstd frame cut short inside a sound zip entry, or a media file that is not the one the
package's media list records, refuses the package in one line.

Found (attacker 40): a current-layout `.apkg` whose media entry (a zstd frame inside a zip entry)
lost its last few bytes, the zip's CRC made valid for what was left, imported without a word:
"stored 1 media file(s)", exit 0, an empty file stored. `Archive.extract` read the frames with
zstd's `stream_reader(read_across_frames=True)`, which hands over what it has of an unfinished
frame and raises nothing, and the size and SHA-1 that the current media list records for each
file were never compared with what came out. (A cut collection or media list was refused, but
by what SQLite or the protobuf reader made of the cut bytes.) Now every zstd frame read must end,
for every entry (`embedded database is damaged (zstd: the frame is cut short)`), and a media
file must have the size and SHA-1 its media list records.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.interop.anki.protowire import messages, read_fields

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import FIXTURES, run_cli, tree

LATEST = FIXTURES / "layout-latest.apkg"
ENTRIES = {  # entry kind -> (its zip entry in the current layout, what the refusal calls it)
    "collection": ("collection.anki21b", "embedded database"),
    "media list": ("media", "media list"),
    "media file": ("0", "media file 'tiny dot.png'"),
}
CUT = "is damaged (zstd: the frame is cut short)"


def _entries() -> dict[str, bytes]:
    with zipfile.ZipFile(LATEST) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _package(path: Path, entries: dict[str, bytes]) -> Path:
    """A sound zip (its CRCs are of these bytes) holding `entries`."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def _unzstd(data: bytes) -> bytes:
    return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True).read()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _field(number: int, value: int | bytes) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _media_list(entries: list[list[tuple[int, int | bytes]]]) -> bytes:
    """A current-layout media list (zstd-compressed `MediaEntries`) of the entries' fields."""
    body = b"".join(_field(1, b"".join(_field(n, v) for n, v in fields)) for fields in entries)
    return zstandard.ZstdCompressor().compress(body)


def _listed(media_list: bytes) -> list[list[tuple[int, int | bytes]]]:
    return [list(read_fields(m)) for m in messages(_unzstd(media_list), 1)]


def _import(capsys: pytest.CaptureFixture[str], path: Path, *flags: str) -> tuple[int, str, str]:
    return run_cli(capsys, "import", *flags, str(path))


def _refused(code: int, out: str, err: str) -> str:
    """The one refusal line (asserted to be one line, exit 1, nothing on stdout)."""
    assert (code, out) == (1, ""), (code, out, err)
    assert err.splitlines() == [err.strip()], err
    assert err.startswith("retain: import refused: "), err
    return err.strip().removeprefix("retain: import refused: ")


def _stored(home: Path) -> list[bytes]:
    return sorted(p.read_bytes() for p in (home / "decks").rglob("*") if p.is_file() and ".media" in str(p))


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize("cut", [1, 3, 8])
@pytest.mark.parametrize("kind", list(ENTRIES))
def test_a_cut_zstd_frame_is_one_refusal_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, cut: int, dry_run: bool
) -> None:
    """The entry's zstd frame without its last `cut` bytes, in a sound zip: the part is named and
    the frame said to be cut short, whatever the part (before: a media file was stored empty)."""
    entry, what = ENTRIES[kind]
    entries = _entries()
    entries[entry] = entries[entry][:-cut]
    path = _package(tmp_path / "cut.apkg", entries)
    line = _refused(*_import(capsys, path, *(["--dry-run"] if dry_run else [])))
    assert line == f"{what} {CUT}"
    assert not (home / "decks").exists(), tree(home)


def test_a_media_file_not_the_size_its_list_records_is_refused(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole zstd frame of other bytes (shorter than listed) in the media file's place."""
    entries = _entries()
    entries["0"] = zstandard.ZstdCompressor().compress(b"\x89PNG short")
    path = _package(tmp_path / "short.apkg", entries)
    line = _refused(*_import(capsys, path))
    assert line == (
        "media file 'tiny dot.png' is damaged (10 bytes, not the 70 the package's media list records)"
    )
    assert not (home / "decks").exists(), tree(home)


def test_a_media_file_longer_than_its_list_records_is_refused_as_it_streams(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A media file longer than its recorded size is refused once past it, not read to the end."""
    entries = _entries()
    entries["0"] = zstandard.ZstdCompressor().compress(b"A" * 3_000_000)
    path = _package(tmp_path / "long.apkg", entries)
    line = _refused(*_import(capsys, path))
    assert (
        line
        == "media file 'tiny dot.png' is damaged (more than the 70 bytes the package's media list records)"
    )


def test_a_media_file_whose_sha1_differs_from_its_list_is_refused(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same size, one byte changed: its SHA-1 is not the one the list records."""
    entries = _entries()
    data = bytearray(_unzstd(entries["0"]))
    data[-1] ^= 1
    entries["0"] = zstandard.ZstdCompressor().compress(bytes(data))
    path = _package(tmp_path / "changed.apkg", entries)
    line = _refused(*_import(capsys, path))
    assert (
        line
        == "media file 'tiny dot.png' is damaged (its SHA-1 is not the one the package's media list records)"
    )


def test_a_stored_media_file_is_checked_against_its_list_too(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A media entry that is not a zstd frame (its bytes as they are) is held to the list as well."""
    entries = _entries()
    entries["0"] = _unzstd(entries["0"])[:-5]
    path = _package(tmp_path / "plain.apkg", entries)
    line = _refused(*_import(capsys, path))
    assert (
        line == "media file 'tiny dot.png' is damaged (65 bytes, not the 70 the package's media list records)"
    )


def test_list_without_sizes_and_an_empty_file_still_import(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the list does not record is not checked (a hand-made list of names only), and an empty
    file Anki lists (no size on the wire: protobuf's 0, the SHA-1 of nothing) is no damage."""
    entries = _entries()
    listed = _listed(entries["media"])
    assert [n for n, _v in listed[0]] == [1, 2, 3] and [n for n, _v in listed[1]] == [1, 2, 3]
    listed[0] = [(1, listed[0][0][1])]  # tiny dot.png: its name only
    listed[1] = [(1, listed[1][0][1]), (3, hashlib.sha1(b"").digest())]  # hola.mp3, empty
    entries["media"] = _media_list(listed)
    entries["1"] = zstandard.ZstdCompressor().compress(b"")
    path = _package(tmp_path / "names.apkg", entries)
    code, _out, err = _import(capsys, path)
    assert code == 0, err
    assert _stored(home) == sorted([b"", _unzstd(_entries()["0"])])


def test_the_sound_package_still_imports_its_media_in_full(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _import(capsys, LATEST)
    assert code == 0, err
    assert _stored(home) == sorted(_unzstd(data) for name, data in _entries().items() if name in ("0", "1"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(list(ENTRIES)),
    keep=st.floats(0, 1, exclude_max=True),
)
def test_any_cut_of_any_frame_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, kind: str, keep: float
) -> None:
    """Any strict prefix of the entry's frame that holds its magic number: one refusal line naming
    the frame as cut short. (Shorter, the entry is no zstd frame and is read as it is: a media
    file is then short of its recorded size, a collection no SQLite file, and a media list of one
    to three bytes lists nothing, its files named in a warning as missing.)"""
    entry, what = ENTRIES[kind]
    entries = _entries()
    kept = int(keep * len(entries[entry]))
    entries[entry] = entries[entry][:kept]
    with tempfile.TemporaryDirectory(prefix="h35-") as tmp:
        monkeypatch.setenv("RETAIN_HOME", os.path.join(tmp, "home"))
        path = _package(Path(tmp) / "cut.apkg", entries)
        code, out, err = _import(capsys, path)
        if kind == "media list" and kept < 4 and code == 0:
            assert "media file(s) the cards use are not in the package" in err, err
            return
        line = _refused(code, out, err)
        assert not (Path(tmp) / "home" / "decks").exists()
    if kept >= 4:
        assert line == f"{what} {CUT}"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.binary(min_size=0, max_size=3000) | st.integers(0, 400_000).map(lambda n: b"ab" * n),
    split=st.floats(0, 1),
    checksum=st.booleans(),
    sized=st.booleans(),
    cut=st.integers(0, 40),
)
def test_media_of_two_frames_cut_anywhere(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    split: float,
    checksum: bool,
    sized: bool,
    cut: int,
) -> None:
    """A media file written as two zstd frames (with or without a checksum or a content size),
    listed with its size and SHA-1, less its last `cut` bytes: whole, it imports byte for byte; cut
    inside a frame, the frame is cut short; cut where the first frame ends, it is short of its
    recorded size. Never a traceback, never a wrong file stored."""
    at = int(split * len(content))
    cctx = zstandard.ZstdCompressor(write_checksum=checksum, write_content_size=sized)
    first, second = cctx.compress(content[:at]), cctx.compress(content[at:])
    packed = (first + second)[: len(first + second) - cut]
    entries = _entries()
    listed = _listed(entries["media"])
    listed[0] = [(1, b"tiny dot.png"), (2, len(content)), (3, hashlib.sha1(content).digest())]
    entries["media"] = _media_list(listed)
    entries["0"] = packed
    # nothing lost: the whole package, or all but a second frame that holds nothing
    whole = cut == 0 or (len(packed) == len(first) and at == len(content)) or packed == content
    with tempfile.TemporaryDirectory(prefix="h35-") as tmp:
        home = Path(tmp) / "home"
        monkeypatch.setenv("RETAIN_HOME", str(home))
        path = _package(Path(tmp) / "frames.apkg", entries)
        code, out, err = _import(capsys, path)
        if whole:
            assert code == 0, err
            assert content in _stored(home)
            return
        line = _refused(code, out, err)
        assert not (home / "decks").exists()
    what = "media file 'tiny dot.png' is damaged"
    if len(packed) < 4:  # no zstd frame: the bytes as they are, held to the list
        assert line.startswith(f"{what} (") and line.endswith("the package's media list records)")
    elif len(packed) == len(first):  # the frames there end: the size does not
        assert line == f"{what} ({at} bytes, not the {len(content)} the package's media list records)"
    else:
        assert line == f"{what} (zstd: the frame is cut short)"


_ANKI = """
import os, random, sys
from anki.collection import Collection, ExportAnkiPackageOptions
w = sys.argv[1]
col = Collection(os.path.join(w, "c.anki2"))
random.seed(1)
p = os.path.join(w, "photo.png")
open(p, "wb").write(bytes(random.getrandbits(8) for _ in range(3000)) + b"A" * 20000)
name = col.media.add_file(p)
n = col.new_note(col.models.by_name("Basic"))
n["Front"] = f'<img src="{name}">'
n["Back"] = "b"
col.add_note(n, col.decks.id("Pics"))
col.export_anki_package(out_path=os.path.join(w, "good.apkg"), options=ExportAnkiPackageOptions(
    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False), limit=None)
col.close()
"""


@pytest.mark.slow
@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_a_package_real_anki_made_with_its_frames_cut(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anki's own current-layout package (attacker 40's): each zstd entry less its last 3 bytes is
    one refusal line naming the part; the package as Anki made it imports its 23,000-byte image."""
    run_anki(tmp_path, _ANKI, str(tmp_path))
    with zipfile.ZipFile(tmp_path / "good.apkg") as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    whats = {"collection.anki21b": "embedded database", "media": "media list", "0": "media file 'photo.png'"}
    for entry, what in whats.items():
        cut = dict(entries)
        cut[entry] = cut[entry][:-3]
        path = _package(tmp_path / f"cut-{entry}.apkg", cut)
        assert _refused(*_import(capsys, path)) == f"{what} {CUT}"
        assert not (home / "decks").exists(), tree(home)
    code, _out, err = _import(capsys, tmp_path / "good.apkg")
    assert code == 0, err
    assert [len(b) for b in _stored(home)] == [23000]
