"""A config.toml with mixed line endings (a line pasted from a Windows editor, or appended by a synced
Windows machine): saving one value rewrote every line to CRLF, so `git diff` showed the whole file
changed, though docs/settings.md promises "only the values you changed are rewritten". Each line
the edit leaves alone now keeps its own bytes; a new line takes the ending most lines have."""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.store.config_edit import ConfigDocument, save_value


def _lines(data: bytes) -> list[bytes]:
    """The file's lines, each with its own ending."""
    return data.splitlines(keepends=True)


def test_one_crlf_line_among_lf_lines_stays_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    before = b'# my settings\nrollover_hour = 4\r\ntheme = "nord"\n\n[study]\nnew_per_day = 20\n'
    path.write_bytes(before)
    edit = ConfigDocument.open(path)
    edit.set(("study", "new_per_day"), 5)
    edit.save()
    assert path.read_bytes() == before.replace(b"new_per_day = 20", b"new_per_day = 5")


def test_an_edited_line_keeps_its_ending_and_a_new_line_takes_the_usual_one(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    before = b"rollover_hour = 4\r\n[study]\r\nnew_per_day = 20\r\nfuzz = true\n"
    path.write_bytes(before)
    edit = ConfigDocument.open(path)
    edit.set(("study", "new_per_day"), 5)
    edit.set(("study", "reviews_per_day"), 100)
    edit.save()
    after = path.read_bytes()
    assert b"new_per_day = 5\r\n" in after
    assert b"reviews_per_day = 100\r\n" in after  # (three lines of four end in CRLF)
    assert [line for line in _lines(after) if not line.startswith((b"new_per", b"reviews"))] == [
        line for line in _lines(before) if not line.startswith(b"new_per")
    ]
    # a second save from the same document keeps them too
    edit.set(("rollover_hour",), 5)
    edit.save()
    assert path.read_bytes() == after.replace(b"rollover_hour = 4", b"rollover_hour = 5")


def test_the_text_as_opened_is_the_file_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    before = b"# a\r\nrollover_hour = 4\n# b\r\n"
    path.write_bytes(before)
    edit = ConfigDocument.open(path)
    assert edit.text().encode() == before
    assert not edit.dirty
    save_value(path, ("theme",), "nord")
    assert path.read_bytes().startswith(before)


TOP = ["rollover_hour = 4", "learn_ahead_minutes = 20", 'theme = "nord"', "# a comment", ""]
STUDY = ["new_per_day = 20", "reviews_per_day = 200", "desired_retention = 0.9", "fuzz = true", "# study", ""]
CHANGES = [
    (("rollover_hour",), 7, "rollover_hour"),
    (("study", "new_per_day"), 5, "new_per_day"),
    (("study", "reviews_per_day"), 99, "reviews_per_day"),
    (("study", "fuzz"), False, "fuzz"),
]


@st.composite
def _configs(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    top = draw(st.lists(st.sampled_from(TOP), max_size=6))
    study = draw(st.lists(st.sampled_from(STUDY), max_size=6))
    lines = [*dict.fromkeys(top), "[study]", *dict.fromkeys(study)]  # (each key once)
    lines = [line for i, line in enumerate(lines) if line.strip() or i == 0 or lines[i - 1].strip()]
    ends = draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=len(lines), max_size=len(lines)))
    return lines, ends


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_configs(), st.sampled_from(CHANGES))
def test_every_line_not_changed_keeps_its_bytes(
    tmp_path: Path, config: tuple[list[str], list[str]], change: tuple[tuple[str, ...], object, str]
) -> None:
    lines, ends = config
    keys, value, name = change
    path = tmp_path / "config.toml"
    before = "".join(line + end for line, end in zip(lines, ends, strict=True)).encode()
    path.write_bytes(before)
    edit = ConfigDocument.open(path)
    edit.set(keys, value)
    edit.save()
    after = path.read_bytes()
    mine = name.encode() + b" ="
    for tag, i1, i2, j1, j2 in SequenceMatcher(
        None, _lines(before), _lines(after), autojunk=False
    ).get_opcodes():
        if tag != "equal":  # only the key's line changed, or added (with a blank line before a table)
            assert all(line.startswith(mine) for line in _lines(before)[i1:i2]), (before, after)
            assert all(line.startswith(mine) or not line.strip() for line in _lines(after)[j1:j2]), (
                before,
                after,
            )
    old = [line for line in _lines(before) if line.startswith(mine)]
    new = [line for line in _lines(after) if line.startswith(mine)]
    assert len(new) == 1
    if old:  # the edited line keeps its own ending
        assert new[0].endswith(b"\r\n") == old[0].endswith(b"\r\n")
    else:  # a new line takes the ending most lines have (LF on a tie)
        crlf = sum(e == "\r\n" for e in ends)
        assert new[0].endswith(b"\r\n") == (crlf > len(ends) - crlf)


def test_edits_far_apart_in_a_long_file_of_blank_lines_keep_the_rest() -> None:
    """Many lines alike (blank ones, repeated comments) are no anchor: each line between the
    edits still keeps its own ending, and the comparison stays near linear."""
    from retain.store.line_ends import with_line_ends

    lines = ["" if i % 3 == 0 else ("# x" if i % 3 == 1 else f"k{i} = {i}") for i in range(3000)]
    raw = "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines))
    edited = list(lines)
    edited[2], edited[2999] = "k2 = 0", "k2999 = 0"
    edited.insert(1500, "added = 1")
    out = with_line_ends(raw, "\n".join(edited) + "\n")
    expected = raw.replace("k2 = 2\n", "k2 = 0\n").replace("k2999 = 2999\r\n", "k2999 = 0\r\n")
    cut = sum(len(line) + 1 + i % 2 for i, line in enumerate(lines[:1500]))
    assert out == expected[:cut] + "added = 1\n" + expected[cut:]
