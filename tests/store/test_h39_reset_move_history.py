"""A card made new again (reset) and then moved takes its earlier reviews to the deck it is in now,
as its review log does in Anki (docs/stats.md; h39: the docs said they stayed with the old deck,
attacker 69)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.cli import main
from retain.store.collection import Collection
from retain.store.decks.card_edits import move_card
from retain.store.home import open_home
from retain.store.state.progress_edits import reset_progress


def _deck(decks: Path, deck_id: str) -> None:
    (decks / f"{deck_id}.toml").write_text(
        f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.upper()}"\n\n'
        f'[[cards]]\nid = "{deck_id}1"\nfront = "{deck_id} one"\nback = "1"\n',
        encoding="utf-8",
    )


def _reviews(capsys: pytest.CaptureFixture[str], deck: str) -> int:
    assert main(["stats", "--deck", deck, "--days", "all", "--json"]) == 0
    return int(json.loads(capsys.readouterr().out)["reviews"]["total"])


@pytest.mark.parametrize("reset", [True, False])
def test_a_moved_card_takes_its_reviews_along_reset_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], reset: bool
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    (tmp_path / "decks").mkdir()
    _deck(tmp_path / "decks", "a")
    _deck(tmp_path / "decks", "b")
    (tmp_path / "config.toml").write_text('[study]\nlearning_steps = ["1m"]\n', encoding="utf-8")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    for day in (0, 2):
        now = start + timedelta(days=day)
        col = Collection.open(open_home(), now)
        session = col.start_session(["a"], now)
        session.reveal()
        session.rate(3, now + timedelta(seconds=5), 5000)
        col.close(now + timedelta(seconds=5))
    now = start + timedelta(days=2, hours=1)
    col = Collection.open(open_home(), now)
    if reset:
        reset_progress(col, ["a/a1"], now)
    move_card(col, "a", "a1", "b", now + timedelta(minutes=1))
    col.close(now + timedelta(minutes=1))
    assert (_reviews(capsys, "a"), _reviews(capsys, "b")) == (0, 2)
