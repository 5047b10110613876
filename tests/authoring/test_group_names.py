"""A group named in any case or spacing: `retain review`, presets and exams find all its decks."""

from __future__ import annotations

from pathlib import Path

import pytest


def _group_decks(decks: Path) -> None:
    decks.mkdir(parents=True, exist_ok=True)
    for deck_id, group in (("alpha", "Ops"), ("beta", "ops ")):
        (decks / f"{deck_id}.toml").write_text(
            f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{deck_id}"\ngroup = "{group}"\n'
            f'[[cards]]\nid = "c"\nfront = "{deck_id} q"\nback = "a"\n',
            encoding="utf-8",
        )


def test_review_of_a_group_takes_every_deck_the_home_screen_shows_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """e3c330d: home (core/deckrows.py) now lists decks with group "Ops" and "ops " as one group
    "Ops", and export/stats find both (`decks_in_group`), but `retain review Ops` (commands/review.py
    builds `groups` keyed by the exact `deck.group`) studies only `alpha`, and `retain review ops`
    says "no deck 'ops' in the library"."""
    import sys

    import retain.ui.app as ui_app
    from retain.cli import main
    from retain.core.deckrows import deck_rows
    from retain.store.decks.library import load_library

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    _group_decks(tmp_path / "home" / "decks")
    rows = deck_rows(load_library([(tmp_path / "home" / "decks", "user")]).decks, {}, {})
    groups = [r for r in rows if r.is_group]
    assert [(r.label, sorted(r.deck_ids)) for r in groups] == [("Ops", ["alpha", "beta"])]  # home

    asked: list[object] = []

    class _App:
        return_code = 0

        def run(self) -> None:
            pass

    def fake_make_app(*_a: object, **kw: object) -> _App:
        asked.append(kw.get("review"))
        return _App()

    monkeypatch.setattr(ui_app, "make_app", fake_make_app)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(["review", "ops"]) == 0
    last = asked[-1] if asked else None
    assert isinstance(last, list) and sorted(last) == ["alpha", "beta"]
