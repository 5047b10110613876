"""Every command, run for real on one hostile library: no terminal escape reaches the user's terminal.

The library holds deck names, groups, unknown keys, card text and a file name
carrying OSC 52 (clipboard), OSC 0 (title), CSI 2J (clear screen), BEL, C1
CSI (U+009B) and a bidi override (U+202E); imports bring more through a CSV
`#deck:` header, Markdown front matter and an `.apkg` deck name. Each
command's raw stdout and stderr bytes are checked. JSON output keeps the data
exact (escaped), so scripts still read the real names.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .conftest import Run, retain, unsafe_in

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))
from make_hostile_apkg import escape_deck_name

pytestmark = pytest.mark.slow

EVIL = "EVIL \x1b]52;c;cHduZWQ=\x07 \x1b]0;TITLE\x07 \x1b[2J \x9b31m \u202e \x00 end"


def _toml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string for these characters


DECK = f"""format = 1

[deck]
id = "evil"
name = {_toml(EVIL)}
group = {_toml(EVIL + " group")}
description = {_toml(EVIL)}
{_toml(EVIL)} = 1

[[cards]]
id = "c1"
front = {_toml("Q " + EVIL)}
back = {_toml("A " + EVIL)}
{_toml("key " + EVIL)} = 2

[[cards]]
front = {_toml("no id " + EVIL)}
back = "b"

[[cards]]
id = "c3"
kind = "cloze"
text = {_toml("{{c10000::" + EVIL + "}} {{c1::x}} " + EVIL)}
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hostile-cli")
    home = root / "home"
    decks = home / "decks"
    decks.mkdir(parents=True)
    (decks / "evil.toml").write_text(DECK, "utf-8")
    (decks / "broken \x1b]0;FILE\x07 \u202e.toml").write_text("format = 1\n[deck]\nid = \x1b\n", "utf-8")
    folder = root / "clone \x1b[2J"
    folder.mkdir()
    (folder / "other \x1b]52;c;x\x07.toml").write_text(
        f'format = 1\n[deck]\nid = "other"\nname = {_toml(EVIL)}\n[[cards]]\nid = "o1"\nfront = "q"\nback = "a"\n',
        "utf-8",
    )
    (home / "config.toml").write_text(f"deck_folders = [{_toml(str(folder))}]\n", "utf-8")
    files = root / "files"
    files.mkdir()
    (files / "deck.csv").write_text(
        f"#separator:Comma\n#deck:{EVIL.replace(chr(0), '')}\nq1,a1\nq2,a2\n", "utf-8"
    )
    (files / "bad.tsv").write_text("#guid column:\x1b[2J\x07\u202e\nq\ta\n", "utf-8")
    (files / "deck.md").write_text(f"---\nname = {_toml(EVIL)}\n---\n\nQ: what {EVIL}\nA: that\n", "utf-8")
    escape_deck_name(files / "evil.apkg")
    return home, files


def _check(run: Run) -> None:
    assert unsafe_in(run.out) == [], run.out
    assert unsafe_in(run.err) == [], run.err
    assert b"Traceback" not in run.err


COMMANDS: list[tuple[str, ...]] = [
    ("due",),
    ("due", "--json"),
    ("stats",),
    ("stats", "--json"),
    ("check",),
    ("locate",),
    ("review",),
    ("review", "no-such-\x1b[2J"),
    ("export", "evil", "-o", "{tmp}/out.csv"),
    ("export", "evil", "-o", "{tmp}/out.md"),
    ("export", "evil", "-o", "{tmp}/out.apkg"),
    ("export", "nope\x1b[2J", "-o", "{tmp}/x.toml"),
    ("export", "evil", "-o", "{tmp}/no dir \x1b[2J/x.toml"),
    ("import", "{files}/deck.csv", "--dry-run"),
    ("import", "{files}/bad.tsv"),
    ("import", "{files}/deck.md", "--dry-run"),
    ("import", "{files}/evil.apkg", "--dry-run"),
    ("import", "{files}/missing \x1b[2J.csv"),
    ("add", "--deck", "evil", "--front", "added " + EVIL.replace("\x00", ""), "--back", "b"),
    ("check", "--fix"),
    ("due",),
    ("stats",),
]


@pytest.mark.parametrize(
    "args", COMMANDS, ids=[" ".join(c)[:40].encode("unicode_escape").decode() for c in COMMANDS]
)
def test_command_output_has_no_terminal_escapes(
    args: tuple[str, ...], library: tuple[Path, Path], tmp_path: Path
) -> None:
    home, files = library
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{files}", str(files)) for a in args]
    _check(retain(home, *argv))


def test_json_keeps_the_names_exact(library: tuple[Path, Path]) -> None:
    home, _ = library
    for command in ("due", "stats"):
        run = retain(home, command, "--json")
        _check(run)
        data = json.loads(run.out)
        names = {d["name"] for d in data["decks"]}
        assert EVIL in names  # escaped in the bytes, exact once parsed
        assert rb"\u009b" in run.out and rb"\u202e" in run.out and rb"\u001b" in run.out


def test_the_tui_home_screen_on_the_same_library_writes_no_payload(library: tuple[Path, Path]) -> None:
    """The TUI's raw bytes: the payload escapes never reach the terminal (tests/e2e covers the pty run)."""
    pytest.importorskip("textual")
    import asyncio

    from retain.store.home import open_home
    from retain.ui.app import make_app

    home, _ = library
    import os

    os.environ["RETAIN_HOME"] = str(home)
    try:
        from datetime import UTC, datetime

        from retain.store.collection import Collection

        h = open_home()
        col = Collection.open(h, datetime.now(UTC))
        try:
            app = make_app(col, config=h.config, decks_dir=h.paths.decks_dir)

            async def run() -> str:
                async with app.run_test(size=(120, 40)) as pilot:
                    await pilot.pause(0.3)
                    return app.export_screenshot()

            svg = asyncio.run(run())
        finally:
            col.close()
    finally:
        del os.environ["RETAIN_HOME"]
    assert "EVIL" in svg
    assert "\x1b" not in svg and "\x9b" not in svg and "\u202e" not in svg and "\x07" not in svg
