"""`retain export GROUP`: every deck of the group, as one .apkg with its hierarchy or a folder of .toml files."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.deckfile import parse_deck
from retain.core.state import REVIEW, CardState, Event
from retain.interop.bundle import Bundle, Review
from retain.interop.importer import read_file
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.paths import bundled_decks_dir

from .conftest import run_cli, tree

GROUP = "Distributed Systems Interview"


def _read(path: Path, stage: Path, *, with_history: bool = False) -> Bundle:
    stage.mkdir(exist_ok=True)
    return read_file(path, stage, with_history=with_history)


def _bundled_ids() -> list[str]:
    folder = bundled_decks_dir()
    assert folder is not None
    return sorted(p.stem for p in folder.glob("*.toml"))


def test_a_group_exports_to_one_apkg_with_its_hierarchy(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ds.apkg"
    code, msg, err = run_cli(capsys, "export", "distributed systems interview", "-o", str(out))
    assert code == 0, err
    assert f"exported 10 decks of {GROUP!r}" in msg
    bundle = _read(out, tmp_path / "stage")
    assert sorted(d.id for d in bundle.decks) == _bundled_ids()
    assert {d.group for d in bundle.decks} == {GROUP}


def test_a_group_exports_to_a_folder_of_toml_files(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    code, msg, err = run_cli(capsys, "export", GROUP, "-o", f"{folder}/")
    assert code == 0, err
    assert tree(folder) == [f"{i}.toml" for i in _bundled_ids()]
    for path in folder.iterdir():
        deck = parse_deck(path.read_text(encoding="utf-8")).deck
        assert deck is not None and deck.id == path.stem and deck.group == GROUP
        assert str(path) in msg
    # a second export is refused without --force, and nothing changes
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, _, err = run_cli(capsys, "export", GROUP, "-o", str(folder))
    assert code == 1 and "already exists (and 9 more); add --force" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    code, _, err = run_cli(capsys, "export", GROUP, "-o", str(folder), "--force")
    assert code == 0, err


def test_one_deck_to_a_folder_and_a_group_into_one_toml_file(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "export", "kafka", "-o", f"{tmp_path / 'one'}/")
    assert code == 0, err
    assert tree(tmp_path / "one") == ["kafka.toml"]
    code, _, err = run_cli(capsys, "export", GROUP, "-o", str(tmp_path / "all.toml"))
    assert code == 2 and err.count("\n") == 1
    assert "a .toml file holds one deck; export the 10 decks to a folder" in err
    assert not (tmp_path / "all.toml").exists()


def test_an_unknown_name_lists_decks_and_groups(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "export", "Distributed", "-o", "x.apkg")
    assert code == 2 and err.count("\n") == 1
    assert "no deck or group 'Distributed'" in err and f"groups: {GROUP!r}" in err


def test_a_group_with_progress_splits_the_history_by_deck(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    col = Collection.open(open_home(), now)
    try:
        for deck_id in ("kafka", "redis"):
            unit = next(u for u in col.units if u.deck_id == deck_id)
            at = now - timedelta(days=2)
            after = CardState(REVIEW, None, 5.0, 5.0, now + timedelta(days=3), at, 3, 0)
            col.record(Event(col.new_event_id(at), "review", unit.key, at, after, None, 3))
    finally:
        col.close(now)
    folder = tmp_path / "out"
    code, msg, err = run_cli(capsys, "export", GROUP, "-o", f"{folder}/", "--with-progress")
    assert code == 0, err
    assert "and 2 review(s)" in msg
    for deck_id in ("kafka", "redis"):
        side = tomllib.loads((folder / f"{deck_id}.progress.toml").read_text(encoding="utf-8"))
        text = str(side)
        assert f"{deck_id}/" in text and ("redis/" if deck_id == "kafka" else "kafka/") not in text
    apkg = tmp_path / "ds.apkg"
    code, _, err = run_cli(capsys, "export", GROUP, "-o", str(apkg), "--with-progress")
    assert code == 0, err
    reviews = _read(apkg, tmp_path / "stage", with_history=True).reviews
    assert sorted(r.key.split("/")[0] for r in reviews) == ["kafka", "redis"]


def test_a_folder_export_reads_one_deck_s_history_at_a_time(tmp_path: Path, home: Path) -> None:
    """Each file's decks are asked for just before it is written (a group of 10 decks at 50k cards
    held every deck's history at once: 634 MB); the .apkg of a group asks once for all of them."""
    from retain.interop.group_export import decks_in_group, plan_export, run_export

    decks = decks_in_group(open_home().library().decks, GROUP)
    asked: list[list[str]] = []

    def progress_of(ids: list[str]) -> tuple[dict[str, CardState], list[Review]]:
        asked.append(ids)
        return {}, []

    now = datetime.now(UTC)
    run_export(plan_export(decks, f"{tmp_path / 'out'}/"), now=now, progress_of=progress_of)
    assert asked == [[d.id] for d in decks]
    asked.clear()
    run_export(plan_export(decks, str(tmp_path / "all.apkg")), now=now, progress_of=progress_of)
    assert asked == [[d.id for d in decks]]


def test_the_export_line_counts_ratings_not_every_event(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export --with-progress` said "3 review(s)" for one rating, a suspend and an unsuspend
    (an .apkg carries only the rating in its review log)."""
    now = datetime.now(UTC)
    col = Collection.open(open_home(), now)
    try:
        unit = next(u for u in col.units if u.deck_id == "kafka")
        at = now - timedelta(days=2)
        rated = CardState(REVIEW, None, 5.0, 5.0, now + timedelta(days=3), at, 3, 0)
        col.record(Event(col.new_event_id(at), "review", unit.key, at, rated, None, 3))
        held = replace(rated, suspended=True)
        col.record(Event(col.new_event_id(at), "suspend", unit.key, at + timedelta(minutes=1), held, rated))
        col.record(Event(col.new_event_id(at), "unsuspend", unit.key, at + timedelta(minutes=2), rated, held))
    finally:
        col.close(now)
    code, msg, err = run_cli(capsys, "export", "kafka", "-o", str(tmp_path / "k.apkg"), "--with-progress")
    assert code == 0, err
    assert "and 1 review(s)" in msg, msg
