"""h35: a damaged entry of an `.apkg`, whatever its zip method, is one refusal line.

Found (attacker 36): a package whose collection entry (or meta, media list, a media file) is
deflate- or LZMA-compressed with a damaged block (a bad download) made `retain import` (and
`--dry-run`) die with a traceback: `zlib.error` and `LZMAError` escaped `Archive.extract`, which
caught only zstd's, `BadZipFile`, `OSError` and `EOFError` (bzip2's). Now whatever a decoder of
any zip method Python reads (stored with a bad CRC, deflate, bzip2, LZMA; a zstd frame inside an
entry) raises on damaged bytes is `import refused: <what> is damaged (...)`, for every entry the
import reads, and nothing is written. (A damaged media file refuses the import, as a damaged zstd
media file and one over the size limit did before.)

The packages are the fixture packages (`collection.anki21` and the current layout) written again
with Python's `zipfile` in each method, one entry damaged.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FIXTURES, run_cli, tree

LAYOUTS = {"anki21": FIXTURES / "layout-anki21.apkg", "latest": FIXTURES / "layout-latest.apkg"}
METHODS = {
    "stored": zipfile.ZIP_STORED,
    "deflate": zipfile.ZIP_DEFLATED,
    "bzip2": zipfile.ZIP_BZIP2,
    "lzma": zipfile.ZIP_LZMA,
}
# entry kind -> (its name in each layout, what the refusal calls it)
ENTRIES = {
    "collection": ({"anki21": "collection.anki21", "latest": "collection.anki21b"}, "embedded database"),
    "meta": ({"anki21": "meta", "latest": "meta"}, "package meta"),
    "media list": ({"anki21": "media", "latest": "media"}, "media list"),
    "media file": ({"anki21": "0", "latest": "0"}, "media file 'tiny dot.png'"),
}
# bytes of an entry's data a damage leaves as they were: LZMA's header (version, size,
# properties), so that the decoder itself meets the damage; a zstd frame's magic number
_KEEP = {zipfile.ZIP_LZMA: 9}
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

Damage = Callable[[bytes], bytes]


def _data_span(package: bytes, entry: str) -> tuple[int, int]:
    """(where the entry's data starts in the package, its length), from its local header."""
    info = zipfile.ZipFile(io.BytesIO(package)).getinfo(entry)
    name_len, extra_len = struct.unpack_from("<HH", package, info.header_offset + 26)
    return info.header_offset + 30 + name_len + extra_len, info.compress_size


def repack(
    layout: str, method: int, entry: str, *, packed: Damage | None = None, content: Damage | None = None
) -> bytes:
    """The fixture package of `layout` with every entry in `method`; `content` changes `entry`'s
    bytes before they are compressed (the package stays a sound zip: its CRC is of those), and
    `packed` its compressed bytes (the zip's CRC no longer matches)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(LAYOUTS[layout]) as zin, zipfile.ZipFile(buf, "w", method) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == entry and content is not None:
                data = content(data)
            zout.writestr(info.filename, data)
    out = bytearray(buf.getvalue())
    if packed is not None:
        start, size = _data_span(bytes(out), entry)
        damaged = packed(bytes(out[start : start + size]))
        assert len(damaged) == size
        out[start : start + size] = damaged
    return bytes(out)


def fill(keep: int) -> Damage:
    """All of the data but its first `keep` bytes set to 0xFF: no decoder reads that as its own
    (deflate: a reserved block type; bzip2: no block magic; LZMA: a range coder must start at 0;
    zstd: a reserved block type), and a stored entry's CRC no longer matches."""
    return lambda data: data[:keep] + b"\xff" * (len(data) - keep) if len(data) > keep else data


def _import(capsys: pytest.CaptureFixture[str], path: Path, *flags: str) -> tuple[int, str, str]:
    code, out, err = run_cli(capsys, "import", *flags, str(path))
    return code, out, err


def _cases() -> list[tuple[str, str, str]]:
    return [(layout, method, kind) for layout in LAYOUTS for method in METHODS for kind in ENTRIES]


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize(("layout", "method", "kind"), _cases())
def test_damaged_compressed_entry_is_one_refusal_line(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    layout: str,
    method: str,
    kind: str,
    dry_run: bool,
) -> None:
    """The entry's compressed bytes damaged past its header: one line saying which part is damaged
    (and by which decoder), exit 1, nothing written."""
    names, what = ENTRIES[kind]
    number = METHODS[method]
    path = tmp_path / f"{layout}-{method}.apkg"
    path.write_bytes(repack(layout, number, names[layout], packed=fill(_KEEP.get(number, 0))))
    code, out, err = _import(capsys, path, *(["--dry-run"] if dry_run else []))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [err.strip()], err
    assert err.startswith(f"retain: import refused: {what} is damaged ("), err
    assert f"({method}: " in err, err
    assert not (home / "decks").exists(), tree(home)


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("kind", ["collection", "media list", "media file"])
def test_damaged_zstd_frame_inside_an_entry(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], method: str, kind: str
) -> None:
    """The current layout's zstd frame damaged inside a sound zip entry of any method: the zstd
    decoder's refusal, in one line."""
    names, what = ENTRIES[kind]
    path = tmp_path / f"zstd-{method}.apkg"

    def damage(data: bytes) -> bytes:
        assert data.startswith(_ZSTD_MAGIC)
        return fill(len(_ZSTD_MAGIC))(data)

    path.write_bytes(repack("latest", METHODS[method], names["latest"], content=damage))
    code, out, err = _import(capsys, path)
    assert (code, out) == (1, "")
    assert err.splitlines() == [err.strip()], err
    assert err.startswith(f"retain: import refused: {what} is damaged (zstd: "), err
    assert not (home / "decks").exists()


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_sound_repacked_packages_still_import(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    """The same packages undamaged, in every method, import in full (the refusals above are the
    damage's)."""
    for method, number in METHODS.items():
        path = tmp_path / f"{layout}-{method}.apkg"
        path.write_bytes(repack(layout, number, "meta"))
        code, out, err = _import(capsys, path, "--dry-run")
        assert code == 0, err
        assert "2 added" in out and "3 added" in out, out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layout=st.sampled_from(list(LAYOUTS)),
    method=st.sampled_from(list(METHODS)),
    kind=st.sampled_from(list(ENTRIES)),
    at=st.floats(0, 1, exclude_max=True),
    length=st.integers(1, 64),
    xor=st.integers(1, 255),
)
def test_any_damage_to_any_entry_is_never_a_traceback(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    layout: str,
    method: str,
    kind: str,
    at: float,
    length: int,
    xor: int,
) -> None:
    """Any run of bytes of any entry's compressed data flipped: the import either goes through
    or is refused in one line; never a traceback."""
    names, _what = ENTRIES[kind]

    def flip(data: bytes) -> bytes:
        start = int(at * len(data))
        end = min(start + length, len(data))
        return data[:start] + bytes(b ^ xor for b in data[start:end]) + data[end:]

    with tempfile.TemporaryDirectory(prefix="h35-") as tmp:
        monkeypatch.setenv("RETAIN_HOME", os.path.join(tmp, "home"))
        path = Path(tmp) / "damaged.apkg"
        path.write_bytes(repack(layout, METHODS[method], names[layout], packed=flip))
        code, out, err = _import(capsys, path)
    assert "Traceback" not in out + err
    if code != 0:
        assert out == ""
        assert len(err.splitlines()) == 1 and err.startswith("retain: import refused: "), err


def test_directory_asking_for_a_newer_zip_version_is_one_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A directory entry whose "version needed to extract" is past what `zipfile` reads (a damaged
    byte, found by flipping bytes at random) raised NotImplementedError out of the import."""
    raw = bytearray(repack("anki21", zipfile.ZIP_DEFLATED, "meta"))
    at = raw.find(b"PK\x01\x02")
    raw[at + 6 : at + 8] = struct.pack("<H", 243)  # version 24.3
    path = tmp_path / "new.apkg"
    path.write_bytes(bytes(raw))
    code, out, err = _import(capsys, path)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "retain: import refused: package's zip directory is damaged or too new (zip file version 24.3)"
    ]
