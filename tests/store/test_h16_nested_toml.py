"""Hostile nesting in the state files: a record (or header, or device file) of thousands of `[` or
`{`. The careful TOML reader (tomllib) recurses per level and raises RecursionError, which the
journal readers did not expect: every command printed a ~3,000-line traceback and the TUI would not
open until the line was cut by hand. Now such a record is set aside like any damaged one, and the
reviews around it still count."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from store_helpers import (
    assert_commands_say_one_line,
    assert_ratings_still_count,
    crc_line,
    journal_paths,
    rated_home,
)

DEPTH = 5000


def _nested_record(root: Path, opening: str) -> None:
    """A CRC-valid format-2 record whose state is `opening` * DEPTH deep, at the journal's end."""
    (path,) = journal_paths(root)
    closing = {"{": "}", "[": "]"}[opening]
    inner = "{a=" * DEPTH + "1" + "}" * DEPTH if opening == "{" else "[" * DEPTH + "]" * DEPTH
    body = f'{path.stat().st_size}={{i=900,u="tiny/one",t=2026-03-28T12:30:00Z,r=3,a={inner},'.encode()
    assert closing in inner
    with path.open("ab") as fh:
        fh.write(crc_line(body))


def _nested_v1_file(root: Path, _opening: str) -> None:
    """A format-1 journal (an older retain's) whose one block holds a nested array."""
    (path,) = journal_paths(root)
    block = (
        '[[review]]\nid = "x-2"\nkey = "tiny/one"\ntime = 2026-02-05T11:00:00Z\nrating = 3\n'
        "zz = " + "[" * DEPTH + "]" * DEPTH + "\n"
    ).encode()
    old = path.parent / "journal-2026-02.toml"
    old.write_bytes(b'format = 1\ndevice = "x"\n\n' + block + b'crc = "%08x"\n' % zlib.crc32(block))


def _nested_header(root: Path, _opening: str) -> None:
    """An older month's journal whose header (not CRC-checked) is nested."""
    (path,) = journal_paths(root)
    (path.parent / "journal-2026-02.v2.toml").write_text(
        "format = 2\nx = " + "[" * DEPTH + "]" * DEPTH + "\n", encoding="utf-8"
    )


def _nested_device_file(root: Path, _opening: str) -> None:
    (path,) = journal_paths(root)
    (path.parent / "device.toml").write_text("x = " + "[" * DEPTH + "]" * DEPTH + "\n", encoding="utf-8")


DAMAGE: dict[str, Callable[[Path, str], None]] = {
    "record {": lambda root, _o: _nested_record(root, "{"),
    "record [": lambda root, _o: _nested_record(root, "["),
    "format-1 block": _nested_v1_file,
    "journal header": _nested_header,
    "device.toml": _nested_device_file,
}


@pytest.mark.parametrize("where", list(DAMAGE))
def test_deep_nesting_in_a_state_file_is_set_aside_and_the_reviews_still_count(
    tmp_path: Path, where: str
) -> None:
    rated_home(tmp_path)
    DAMAGE[where](tmp_path, "")
    assert_ratings_still_count(tmp_path)


@pytest.mark.parametrize("where", ["record {", "format-1 block", "journal header"])
def test_deep_nesting_gives_commands_one_line_not_a_traceback(tmp_path: Path, where: str) -> None:
    rated_home(tmp_path)
    DAMAGE[where](tmp_path, "")
    assert_commands_say_one_line(tmp_path)
