"""Every toast is sanitised: config keys, deck and file names reach the terminal inert."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.sanitize import is_unsafe


def test_a_keymap_id_with_escape_sequences_reaches_the_toast_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `[keymap]` id holding `ESC ]0;PWNED BEL` retitles the terminal window (and `ESC [2J`
    clears it) when `retain` starts: the "unknown binding ids" toast prints the ids unsanitised."""
    pytest.importorskip("textual")
    from retain.store import home as store_home
    from retain.store.collection import Collection
    from retain.store.home import open_home
    from retain.ui.app import make_app

    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)  # fewer decks: a faster start

    evil = "home.evil\x1b]0;PWNED\x07\x1b[2J\u202e"
    (tmp_path / "config.toml").write_text(f'[keymap]\n{json.dumps(evil)} = "x"\n', "utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    home = open_home()
    col = Collection.open(home, datetime.now(UTC))
    try:
        app = make_app(col, config=home.config, decks_dir=home.paths.decks_dir)

        async def run() -> list[str]:
            async with app.run_test(size=(120, 40)) as pilot:
                for _ in range(3):
                    await pilot.pause()
                return [n.message for n in app._notifications]

        said = asyncio.run(run())
    finally:
        col.close()
    about = [m for m in said if "keymap" in m]
    assert about, said  # the warning is shown...
    unsafe = sorted({repr(ch) for m in about for ch in m if is_unsafe(ch)})
    assert unsafe == [], about  # ...but with the terminal's control sequences in it
