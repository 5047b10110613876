"""A package's zip directory is measured from its end record before `zipfile` parses it.

`zipfile.ZipFile()` builds one `ZipInfo` per directory entry before any check can run: a
51 MB `.apkg` whose ZIP64 end record lists 1,000,000 entries took ~490 MB and 5 s before the
entry-count refusal. The entry count and the directory's size are now read from the end
record (ZIP64's, a comment after it, data before the zip, as `zipfile` finds them), and the
directory's entries are counted from its bytes, before `zipfile` is given the file. The zips
here are built with `struct`: a few bytes that claim much.
"""

from __future__ import annotations

import json
import shutil
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.interop.anki.apkg_archive import open_archive
from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits

from .conftest import FIXTURES, run_cli, tree

_EOCD = struct.Struct("<4s4H2LH")
_LOCATOR64 = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")


def build_zip(
    names: list[bytes],
    *,
    claimed: int | None = None,
    zip64: bool = False,
    comment: bytes = b"",
    prefix: bytes = b"",
    pad: int = 0,
) -> bytes:
    """A zip of empty stored entries named `names`; its end record says `claimed` entries (ZIP64's
    with `zip64`), `comment` follows it, `prefix` comes before the zip, each directory entry
    carries `pad` bytes of comment."""
    out = bytearray(prefix)
    offsets = []
    for name in names:
        offsets.append(len(out) - len(prefix))
        out += _LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
    directory = b"".join(
        _CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, pad, 0, 0, 0, at)
        + name
        + b"\0" * pad
        for name, at in zip(names, offsets, strict=True)
    )
    start = len(out) - len(prefix)
    out += directory
    n = len(names) if claimed is None else claimed
    if zip64:
        record = len(out) - len(prefix)
        out += _EOCD64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, len(directory), start)
        out += _LOCATOR64.pack(b"PK\x06\x07", 0, record, 1)
        out += _EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, len(comment))
    else:
        out += _EOCD.pack(b"PK\x05\x06", 0, 0, n, n, len(directory), start, len(comment))
    return bytes(out + comment)


def _names(n: int) -> list[bytes]:
    return [b"%x" % i for i in range(n)]


def _refusal(path: Path, limits: Limits) -> str:
    with pytest.raises(InteropError) as caught:
        open_archive(path, limits).zf.close()
    return str(caught.value)


# -- the end record's count ----------------------------------------------------------------------


def test_an_end_record_claiming_more_entries_than_the_limit_is_refused(tmp_path: Path) -> None:
    """A real Anki package (4 entries) whose end record says 65,535: refused from that number."""
    data = bytearray((FIXTURES / "layout-anki2.apkg").read_bytes())
    assert data[-22:-18] == b"PK\x05\x06"
    struct.pack_into("<2H", data, len(data) - 22 + 8, 0xFFFF, 0xFFFF)
    path = tmp_path / "claims.apkg"
    path.write_bytes(bytes(data))
    with pytest.raises(LimitError, match=r"^package has 65535 entries; the entry-count limit is 1000$"):
        open_archive(path, Limits(max_entries=1000))


@pytest.mark.parametrize("comment", [b"", b"made by hand", b"PK\x05\x07 not an end record"])
def test_a_zip64_end_record_claiming_a_trillion_entries_is_refused_in_one_line(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], comment: bytes
) -> None:
    path = tmp_path / "trillion.apkg"
    path.write_bytes(build_zip([b"collection.anki2"], claimed=10**12, zip64=True, comment=comment))
    code, _out, err = run_cli(capsys, "import", str(path))
    assert code == 1
    assert err.strip().splitlines() == [
        "retain: import refused: package has 1000000000000 entries; the entry-count limit is 100000"
    ]
    assert tree(home / "decks") == []


@pytest.mark.parametrize("zip64", [False, True])
def test_a_claimed_count_over_the_limit_is_refused_before_the_directory_is_read(
    tmp_path: Path, zip64: bool
) -> None:
    """The repro's shape, smaller: 60,000 real entries, the limit 1,000."""
    path = tmp_path / "many.apkg"
    path.write_bytes(build_zip(_names(60_000), zip64=zip64))
    tracemalloc.start()
    try:
        message = _refusal(path, Limits(max_entries=1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "package has 60000 entries; the entry-count limit is 1000"
    assert peak < 1024 * 1024, f"{peak} bytes to refuse from the end record"


def test_a_zip64_record_only_later_pythons_read_is_checked_too(tmp_path: Path) -> None:
    """The locator points at a ZIP64 record followed by 8 bytes of "extensible data": Python 3.11
    looks for the record right before the locator (and finds none), 3.12+ reads it where the
    locator says. Its claim is checked whichever Python runs."""
    head = build_zip([b"collection.anki2"])[: -_EOCD.size]
    record = len(head)
    data = head + _EOCD64.pack(b"PK\x06\x06", 52, 45, 45, 0, 0, 10**9, 10**9, 46 + 16, record - 62)
    data += b"\0" * 8 + _LOCATOR64.pack(b"PK\x06\x07", 0, record, 1)
    data += _EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path = tmp_path / "extensible.apkg"
    path.write_bytes(data)
    assert _refusal(path, Limits()) == "package has 1000000000 entries; the entry-count limit is 100000"


# -- a directory that holds more than its end record says ----------------------------------------


@pytest.mark.parametrize("zip64", [False, True])
def test_entries_the_end_record_hides_are_counted_without_building_them(tmp_path: Path, zip64: bool) -> None:
    """The end record says 1; the directory lists 40,000 (zipfile reads the directory's bytes, not
    the count): they are counted from the bytes, in a few MB, not built as 40,000 ZipInfos."""
    path = tmp_path / "hidden.apkg"
    data = build_zip(_names(40_000), claimed=1, zip64=zip64)
    path.write_bytes(data)
    tracemalloc.start()
    try:
        message = _refusal(path, Limits(max_entries=1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "package has 40000 entries; the entry-count limit is 1000"
    assert peak < 3 * len(data), f"{peak} bytes to count a {len(data)}-byte directory"


def test_a_directory_over_its_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """300 entries, each with a 65,000-byte comment: 18.7 MiB of directory, over its 16 MiB limit
    (Anki's entries take ~50 bytes: 100,000 of them fit in 5 MiB); 200 such entries pass."""
    fat = tmp_path / "fat.apkg"
    fat.write_bytes(build_zip(_names(300), zip64=True, pad=65_000))
    tracemalloc.start()
    try:
        message = _refusal(fat, Limits())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "package's zip directory is 18.7 MiB; the directory-size limit is 16 MiB"
    assert peak < 1024 * 1024
    fat.write_bytes(build_zip(_names(200), pad=65_000))
    assert _refusal(fat, Limits()).startswith("not an Anki package:")


# -- the pre-check agrees with zipfile -----------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(0, 40),
    zip64=st.booleans(),
    comment=st.binary(max_size=200),
    prefix=st.binary(max_size=100),
)
def test_the_count_is_the_one_zipfile_finds(
    tmp_path: Path, count: int, zip64: bool, comment: bytes, prefix: bytes
) -> None:
    """Any layout `zipfile` opens: refused at one entry under its count, passed at its count."""
    path = tmp_path / "any.apkg"
    path.write_bytes(build_zip(_names(count), zip64=zip64, comment=comment, prefix=prefix))
    try:
        with zipfile.ZipFile(path) as zf:
            found = len(zf.infolist())
    except zipfile.BadZipFile:
        return  # (a comment holding an end record's signature: zipfile refuses it, and so do we)
    assert found == count
    message = _refusal(path, Limits(max_entries=max(count, 1)))
    assert message.startswith("not an Anki package"), message  # past the directory checks
    if count:
        message = _refusal(path, Limits(max_entries=count - 1))
        assert message == f"package has {count} entries; the entry-count limit is {count - 1}"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(comment=st.binary(max_size=300), with_comment=st.booleans())
def test_a_real_package_with_a_comment_still_opens(
    tmp_path: Path, comment: bytes, with_comment: bool
) -> None:
    path = tmp_path / "commented.apkg"
    shutil.copy(FIXTURES / "layout-latest.apkg", path)
    if with_comment:
        with zipfile.ZipFile(path, "a") as zf:
            zf.comment = comment
    try:
        with zipfile.ZipFile(path) as zf:
            zf.infolist()
    except zipfile.BadZipFile:
        return
    arc = open_archive(path, Limits())
    try:
        assert arc.collection == "collection.anki21b"
    finally:
        arc.zf.close()


def test_an_unusual_file_is_not_opened(tmp_path: Path) -> None:
    """No end record at all, and an end record that points before the file: zipfile's own words."""
    junk = tmp_path / "junk.apkg"
    junk.write_bytes(b"not a zip" * 100)
    assert _refusal(junk, Limits()).startswith("not an Anki package (not a zip archive")
    short = tmp_path / "short.apkg"
    short.write_bytes(_EOCD.pack(b"PK\x05\x06", 0, 0, 1, 1, 10_000, 0, 0))
    assert _refusal(short, Limits()).startswith("not an Anki package (not a zip archive")


# -- names with a control character --------------------------------------------------------------


def _legacy_with(tmp_path: Path, media: dict[str, str] | None = None, extra: str = "") -> Path:
    out = tmp_path / "named.apkg"
    with zipfile.ZipFile(FIXTURES / "layout-anki2.apkg") as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "media" and media is not None:
                data = json.dumps(media).encode()
            zout.writestr(info.filename, data)
        if extra:
            zout.writestr(extra, b"x")
    return out


def test_a_media_name_with_a_control_character_says_so(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _legacy_with(tmp_path, {"0": "bell\x07.png", "1": "ok.mp3"})
    code, _out, err = run_cli(capsys, "import", str(path))
    assert code == 1
    assert err.strip().splitlines() == [
        "retain: import refused: media name 'bell\\x07.png' has a control character in it; refused"
    ]
    assert tree(home / "decks") == []


def test_an_entry_name_with_a_control_character_says_so(tmp_path: Path) -> None:
    path = _legacy_with(tmp_path, extra="tab\tname")
    message = _refusal(path, Limits())
    assert message == "package entry 'tab\\tname' has a control character in its name; refused"


def test_names_with_a_path_are_still_refused_as_paths(tmp_path: Path) -> None:
    path = _legacy_with(tmp_path, {"0": "../evil\x07.png"})
    assert (
        _refusal(path, Limits()) == "media name '../evil\\x07.png' has a path in it (path traversal); refused"
    )
    slip = _legacy_with(tmp_path, extra="../x")
    assert "(zip slip)" in _refusal(slip, Limits())
