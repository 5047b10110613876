"""Edges of the deck reload warning, the editor's "no longer studied", config tables naming no deck
and JSON from a package (found by a review of the fourteenth session's commits)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from retain.core.state import REVIEW, CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.card_edits import CardEdit, read_card, save_card
from retain.store.home import open_home
from retain.ui.live_reload import LiveReload

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def _deck(deck_id: str, cards: list[str]) -> str:
    body = "".join(f'\n[[cards]]\nid = "{c}"\nfront = "{c}?"\nback = "{c}!"\n' for c in cards)
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.title()}"\n{body}'


def _studied(col: Collection, key: str) -> None:
    at = NOW - timedelta(days=1)
    after = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 2, 0)
    col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), 3, 1000))


class _Screen:
    def post_message(self, message: object) -> bool:
        return True


class _App:
    """What LiveReload._reload uses of the app: notify() and screen.post_message()."""

    def __init__(self) -> None:
        self.toasts: list[dict[str, Any]] = []
        self.screen = _Screen()

    def notify(self, message: str, **kw: Any) -> None:
        self.toasts.append({"message": message, **kw})


@pytest.fixture
def home_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    return tmp_path


# ---- (1) live_reload: studied units that leave the decks ----------------------------------------


def test_a_new_file_taking_a_deck_id_hides_studied_cards_without_a_word(home_dir: Path) -> None:
    """A second file with the same deck id that sorts first (a copy made to start a new deck from,
    `a-copy.toml`) takes the id when neither is named after it (a file `spanish.toml` would keep
    it): `spanish-words.toml` becomes broken and its studied cards leave the decks.
    `_studied_gone` leaves out units of a broken file because "its error is said", but the error
    toast is only for *changed* files: spanish.toml did not change, so neither its error nor the
    studied cards gone are said. The reload says only `a-copy.toml changed on disk`."""
    decks = home_dir / "decks"
    (decks / "spanish-words.toml").write_text(_deck("spanish", ["hola", "adios"]), "utf-8")
    col = Collection.open(open_home(), NOW, tz=UTC)
    try:
        _studied(col, "spanish/hola")
        live = LiveReload(col)
        live._app = app = _App()  # type: ignore[assignment]
        live.watcher.changed(settled=False)  # the stamps as they are now
        (decks / "a-copy.toml").write_text(_deck("spanish", ["new-word"]), "utf-8")
        assert live.check(settled=False)
        assert "spanish/hola" not in {u.key for u in col.units}  # the studied card is gone
        said = " | ".join(t["message"] for t in app.toasts)
        assert "spanish/hola" in said or "spanish-words.toml" in said, said
    finally:
        col.close()


# ---- (2) the editor's "no longer studied" ------------------------------------------------------


def test_a_deleted_cloze_whose_number_is_reused_is_named_as_no_longer_studied(home_dir: Path) -> None:
    """`{{c1::Paris}} .. {{c2::France}}`, both studied; the learner deletes the Paris deletion and
    renumbers France to c1. Its progress moves c2 -> c1 (right), which overwrites c1's: the Paris
    deletion's progress is gone. `_dropped` skips every old key still present after the edit
    (`tiny/x:c1` is, now meaning France), so the save names nothing no longer studied, although a
    studied deletion was taken away (the same edit without the renumber names `c1`)."""
    text = 'format = 1\n\n[deck]\nid = "tiny"\nname = "T"\n\n[[cards]]\nid = "x"\nkind = "cloze"\n'
    text += 'text = "{{c1::Paris}} is the capital of {{c2::France}}"\n'
    (home_dir / "decks" / "tiny.toml").write_text(text, "utf-8")
    col = Collection.open(open_home(), NOW, tz=UTC)
    try:
        _studied(col, "tiny/x:c1")
        _studied(col, "tiny/x:c2")
        origin, card = read_card(col, "tiny", "x")
        new = replace(card, text="Paris is the capital of {{c1::France}}")
        result = save_card(col, CardEdit("tiny", new, origin, "tiny", card), NOW)
        assert result.moves == {"tiny/x:c2": "tiny/x:c1"}
        assert result.dropped == ["tiny/x:c1"], result  # the Paris deletion's progress is gone
    finally:
        col.close()


# ---- (4) config: `[decks.ID]` naming no deck ---------------------------------------------------


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_due_from_the_launch_summary_says_the_unknown_deck_table_too(tmp_path: Path) -> None:
    """`[decks.kafak]` (a typo of kafka) is said "at each start" by `Collection.messages`. But once
    the TUI has closed and saved its launch summary, `retain due` answers from the summary
    (`commands/due.py _from_summary`), whose warnings copy "as Collection.messages gives them"
    without `_unknown_decks`: the warning appears or not depending on whether the app ran last."""
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "kafka.toml").write_text(_deck("kafka", ["a"]), "utf-8")
    (tmp_path / "config.toml").write_text("[decks.kafak]\nnew_per_day = 5\n", "utf-8")
    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), now)
    assert any("[decks.kafak]" in m for m in col.messages)
    col.close(now, save_summary=True)  # as the TUI closes
    assert (tmp_path / "cache" / "home-summary.marshal").is_file()
    fast = _run(tmp_path, "due", "--json")
    (tmp_path / "cache" / "home-summary.marshal").write_bytes(b"damaged")  # the collection is opened
    slow = _run(tmp_path, "due", "--json")
    assert fast.returncode == slow.returncode == 0
    assert fast.stdout == slow.stdout and json.loads(fast.stdout)
    assert "[decks.kafak]" in slow.stderr
    assert fast.stderr == slow.stderr, (fast.stderr, slow.stderr)


def test_a_broken_deck_whose_file_name_is_not_its_id_is_not_called_a_typo(home_dir: Path) -> None:
    """`spanish-vocab.toml` holds deck `spanish` and has a syntax error today. `_unknown_decks`
    counts a broken file's *name* as its id, so `[decks.spanish]` is said to name no deck, with
    "did you mean 'spanish-vocab'?": following that advice points the settings at no deck once the
    file is fixed. The deck id is readable (`[deck] id` above the error), or the line should not
    guess."""
    (home_dir / "decks" / "spanish-vocab.toml").write_text(
        _deck("spanish", ["hola"]) + '\n[[cards]]\nid = "b"\nfront = "x\n', "utf-8"
    )
    (home_dir / "config.toml").write_text("[decks.spanish]\nnew_per_day = 5\n", "utf-8")
    col = Collection.open(open_home(), NOW, tz=UTC)
    try:
        assert [e.path.name for e in col.library.broken] == ["spanish-vocab.toml"]
        said = [m for m in col.messages if "[decks." in m]
        assert said == [], said
    finally:
        col.close()


# ---- (3) jsontext: every JSON value of a package ------------------------------------------------


def test_a_utf16_json_column_with_a_lone_surrogate_imports(tmp_path: Path) -> None:
    """`jsontext.loads` looks for a surrogate's escape in `raw.decode("utf-8", "replace")`, but
    `json.loads` also reads bytes as UTF-16/32 (a BLOB column: SQLite hands it over as bytes). In
    UTF-16 the escape's characters are NUL-separated, the search misses it, and `\\ud800` survives:
    `retain import` (dry run too) stops with a UnicodeEncodeError traceback, the very failure
    33c042b fixed for UTF-8 text."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
    import make_hostile_apkg

    from retain.interop.anki.jsontext import loads

    def edit(conn: sqlite3.Connection) -> None:
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        for deck in decks.values():
            deck["name"] += " \ud800 lone"
        conn.execute("UPDATE col SET decks = ?", (json.dumps(decks).encode("utf-16"),))

    entries = make_hostile_apkg.edited_entries(edit)
    apkg = tmp_path / "u16.apkg"
    make_hostile_apkg._write(apkg, entries)
    run = _run(tmp_path / "home", "import", str(apkg), "--dry-run")
    assert "Traceback" not in run.stderr, run.stderr[-400:]
    assert loads('{"a": "\\ud800"}'.encode("utf-16")) == {"a": "\ufffd"}
