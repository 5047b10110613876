"""The single-writer lock's info file (`state/writer.toml`) is anyone's to write: it never stops a
second instance from opening read-only, and only well-typed fields reach the message."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col

from retain.store.collection import Collection
from retain.store.state.lock import WriterLock


@pytest.mark.parametrize("pid", ["inf", "[1]", "nan", "true", '"12"', "1e400", "-3", "99999999999999999999"])
def test_a_hostile_writer_toml_opens_the_second_instance_read_only(tmp_path: Path, pid: str) -> None:
    """`pid = inf` (or `pid = [1]`) ended the second instance in a traceback (int() raised
    OverflowError/TypeError, only ValueError/KeyError were caught)."""
    home = make_home(tmp_path)
    first = open_col(home)
    try:
        (tmp_path / "state" / "writer.toml").write_text(f'pid = {pid}\nhost = "x"\n')
        second = open_col(make_home(tmp_path))
        try:
            assert second.read_only
            assert second.messages[0].startswith("another retain (a process on x) is writing the progress")
        finally:
            second.close()
    finally:
        first.close()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('pid = 123\nhost = "box"\nsince = 2026-03-28T12:00:00Z\n', "pid 123 on box"),
        ("pid = 123\nhost = 7\n", "pid 123"),
        ('pid = 123\nhost = ["box"]\n', "pid 123"),
        ('pid = 123\nhost = "evil\\nretain: all good\\u001b[2J"\n', "pid 123 on evilretain: all good[2J"),
        ('pid = 123\nhost = "' + "h" * 200 + '"\n', "pid 123 on " + "h" * 60),
        ("pid = 123\n", "pid 123"),
        ('host = "box"\n', "a process on box"),
        ("pid = " + "[" * 3000 + "]" * 3000 + "\n", "another process"),  # RecursionError in tomllib
        ("pid = 1\n" + "# " + "x" * 10_000 + "\n", "another process"),  # not a writer.toml retain wrote
        ("\0\0\0", "another process"),
        ("", "another process"),
    ],
)
def test_only_well_typed_fields_of_writer_toml_are_shown(tmp_path: Path, text: str, said: str) -> None:
    lock = WriterLock(tmp_path)
    (tmp_path / "writer.toml").write_text(text, encoding="utf-8")
    assert lock.holder() == said


def test_writer_toml_that_is_not_text_or_not_there(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path)
    assert lock.holder() == "another process"
    (tmp_path / "writer.toml").write_bytes(b'pid = 5\nhost = "\xff"\n')
    assert lock.holder() == "another process"
    (tmp_path / "writer.toml").unlink()
    (tmp_path / "writer.toml").mkdir()
    assert lock.holder() == "another process"


def test_a_read_only_retain_says_what_holds_the_lock_now(tmp_path: Path) -> None:
    """The refusal is true when it is said: the lock is tried (and let go at once)."""
    from retain.ui.app import read_only_refusal

    first = open_col(make_home(tmp_path))
    second = open_col(make_home(tmp_path))
    try:
        assert second.read_only
        said = read_only_refusal(second, "study", NOW)
        assert said == "Read-only: another retain is running. Close it to study here."
        first.close(NOW)
        said = read_only_refusal(second, "edit", NOW)
        assert said == "Read-only: the other retain has closed; restart retain to edit here."
        assert second.read_only  # never two writers: it stays a reader for its whole run
        third = open_col(make_home(tmp_path))  # the lock was let go after the try
        try:
            assert not third.read_only
        finally:
            third.close(NOW)
    finally:
        first.close(NOW)
        second.close(NOW)


def test_read_only_tui_tells_the_truth_after_the_other_retain_closed(tmp_path: Path) -> None:
    """A second TUI says "Read-only: another retain is running. Close it to study here." The
    learner closed the other retain and pressed `a` again: the same message, though nothing held
    the lock any more."""
    import asyncio
    from datetime import UTC

    from retain.ui.app import make_app

    home = make_home(tmp_path)
    first = open_col(home)
    second = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    assert second.read_only
    app = make_app(second, lambda: NOW, config=home.config, decks_dir=home.paths.decks_dir)

    async def run() -> tuple[list[str], list[str]]:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("a")
            await pilot.pause()
            before = [str(n.message) for n in app._notifications]
            first.close(NOW)  # the learner closes the other retain, as the message asks
            app._notifications.clear()
            await pilot.press("a")
            await pilot.pause()
            return before, [str(n.message) for n in app._notifications]

    try:
        before, after = asyncio.run(run())
    finally:
        first.close(NOW)
        second.close(NOW)
    assert "Read-only: another retain is running. Close it to study here." in before
    assert after == ["Read-only: the other retain has closed; restart retain to study here."]


def test_read_only_undo_and_edit_say_the_truth_after_the_other_retain_closed(tmp_path: Path) -> None:
    """`u` and `e`/`n` in a read-only retain kept saying "another retain is running" after it closed."""
    import asyncio
    from datetime import UTC

    from retain.ui.app import make_app

    home = make_home(tmp_path)
    first = open_col(home)
    second = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    app = make_app(second, lambda: NOW, config=home.config, decks_dir=home.paths.decks_dir)

    async def run() -> list[str]:
        async with app.run_test(size=(100, 30)) as pilot:
            first.close(NOW)
            await pilot.press("u")
            await pilot.pause()
            from retain.ui.authoring import open_editor

            open_editor(app, None)
            await pilot.pause()
            return [str(n.message) for n in app._notifications]

    try:
        said = asyncio.run(run())
    finally:
        first.close(NOW)
        second.close(NOW)
    assert "Read-only: the other retain has closed; restart retain to undo here. Nothing was undone." in said
    assert "Read-only: the other retain has closed; restart retain to edit here." in said
