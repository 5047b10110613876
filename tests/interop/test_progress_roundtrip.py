"""Decks with progress, exported and imported into a fresh home: what each format promises to
carry (docs/sharing.md) comes back, and importing the same file again changes nothing."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.model import Card, Deck
from retain.core.state import REVIEW, CardState, Event
from retain.interop import progress_io
from retain.interop.exporter import export_decks
from retain.interop.importer import apply_import, plan_import, read_file
from retain.interop.native import deck_file_text
from retain.store.collection import Collection
from retain.store.home import Home, open_home

from .strategies import decks

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DECK = Deck(
    id="rt",
    name="Round trip",
    cards=(
        Card(id="a", front="q", back="b"),
        Card(id="b", front="q2", back="b2"),
        Card(id="c", front="q3", back="b3"),
    ),
)


def _home(root: Path, deck: Deck = DECK) -> Home:
    (root / "decks").mkdir(parents=True)
    (root / "decks" / f"{deck.id}.toml").write_text(deck_file_text(deck), "utf-8")
    return open_home({"RETAIN_HOME": str(root)})


def _through(tmp: Path, src: Home, suffix: str) -> Home:
    """Export `rt` with its progress to `suffix`, import it with its history into a fresh home."""
    states, reviews = progress_io.deck_progress(src, "rt", NOW)
    out = tmp / f"out{suffix}"
    export_decks([DECK], out, now=NOW, states=states, reviews=reviews, decks_dir=src.paths.decks_dir)
    dst = open_home({"RETAIN_HOME": str(tmp / "dst")})
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(out, Path(stage), with_history=True)
        plan = plan_import(bundle, dst.library(), dst.paths.decks_dir)
        apply_import(plan, dst.paths.decks_dir, cache_dir=dst.paths.cache_dir)
        progress_io.record_history(dst, bundle.reviews, NOW)
    return dst


def test_apkg_keeps_a_review_cards_interval_to_the_minute(tmp_path: Path) -> None:
    """A 21-day interval came back as 20 days and some hours (the due moved to the start of its
    study day), so `retain stats` counted the card young instead of mature after the round trip."""
    src = _home(tmp_path / "src")
    col = Collection.open(src, NOW, tz=UTC)
    at = NOW - timedelta(days=3, hours=-3)  # mid-afternoon: after the study day's start
    state = CardState(REVIEW, None, 21.0, 5.0, at + timedelta(days=21), at, reps=3)
    col.record(Event(col.new_event_id(at), "review", "rt/a", at, state, None, 3, 900))
    col.close(NOW)
    dst = _through(tmp_path, src, ".apkg")
    got = progress_io.deck_progress(dst, "rt", NOW)[0]["rt/a"]
    assert got.due == state.due and got.last_review == state.last_review


def test_apkg_keeps_todays_buries(tmp_path: Path) -> None:
    """A card buried for the rest of the day (a new one and a reviewed one) came back unburied
    from an .apkg with its progress, and the new one lost its progress entry altogether."""
    src = _home(tmp_path / "src")
    at = NOW - timedelta(hours=2)
    col = Collection.open(src, at, tz=UTC)
    session = col.start_session(["rt"], at)
    for action in ("bury", "rate", "bury"):
        assert session.refresh(at) is not None
        session.reveal()
        if action == "bury":
            session.bury(at)
        else:
            session.rate(4, at)  # Easy: a review card
        at += timedelta(minutes=5)
    col.close(at)
    before = progress_io.deck_progress(src, "rt", NOW)[0]
    buried = {k: s.buried_until for k, s in before.items() if s.buried_until}
    assert len(buried) == 2 and set(buried.values()) == {"2026-03-02"}
    after = progress_io.deck_progress(_through(tmp_path, src, ".apkg"), "rt", NOW)[0]
    assert {k: s.buried_until for k, s in after.items() if s.buried_until} == buried


def test_with_history_says_when_the_file_brings_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--with-history` on a .toml shared without its NAME.progress.toml, or on a format that
    carries no progress, said only "recorded 0 event(s) of review history", as if the file held a
    history that was all here already."""
    src = _home(tmp_path / "src")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "src"))
    assert main(["export", "rt", "-o", str(tmp_path / "rt.toml")]) == 0
    assert main(["export", "rt", "-o", str(tmp_path / "rt.csv")]) == 0
    capsys.readouterr()
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "dst"))
    assert main(["import", str(tmp_path / "rt.toml"), "--with-history"]) == 0
    err = capsys.readouterr().err
    assert "rt.progress.toml" in err and "no review history" in err, err
    assert main(["import", str(tmp_path / "rt.csv"), "--with-history"]) == 0
    err = capsys.readouterr().err
    assert "a .csv file carries no review history" in err, err
    assert src.paths.decks_dir.is_dir()


TEXTS = (
    "$x^2 + \\frac{a}{b}$",
    "`a[0] = {b}`",
    "日本語 ünï 🎉",
    "```py\nx = [1]\n```",
    "| a | b |",
    "**bold**",
)


@st.composite
def _rich(draw: st.DrawFn) -> Deck:
    """A random deck (every kind) with math, code and unicode in its cards and typed cards with
    answer checks; its id cannot be a bundled deck's."""
    deck = draw(decks())
    cards = []
    for card in deck.cards:
        more = draw(st.sampled_from(TEXTS))
        if card.kind == "cloze":
            card = replace(card, extra=f"{card.extra}\n{more}".strip())
        else:
            card = replace(card, front=f"{card.front}\n{more}")
        if card.kind == "typed" and draw(st.booleans()):
            card = replace(
                card, back="20-50 GB", match="number", tolerance=0.5, aliases=(("gigabytes", "GB"),)
            )
        cards.append(card)
    return replace(deck, id=f"rt-{deck.id[:12]}", cards=tuple(cards))


def _study(home: Home, deck_id: str, seed: int) -> None:
    """A few days of reviews through the store's session API: ratings, a suspend now and then."""
    rnd = random.Random(seed)
    for days in range(rnd.randint(0, 8), 0, -1):
        at = NOW - timedelta(days=days, hours=rnd.randint(0, 5))
        col = Collection.open(home, at, tz=UTC)
        try:
            session = col.start_session([deck_id], at)
            for _ in range(rnd.randint(0, 5)):
                if session.refresh(at) is None:
                    break
                session.reveal()
                if rnd.random() < 0.08:
                    session.suspend(at)
                else:
                    session.rate(rnd.choice([1, 2, 3, 3, 4]), at, rnd.randint(500, 9000))
                at += timedelta(minutes=rnd.randint(1, 15))
        finally:
            col.close(at)


def _import(home: Home, out: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(out, Path(stage), with_history=True)
        plan = plan_import(bundle, home.library(), home.paths.decks_dir)
        apply_import(plan, home.paths.decks_dir, cache_dir=home.paths.cache_dir)
        if bundle.reviews:
            progress_io.record_history(home, bundle.reviews, NOW)
    return [line for planned in plan.decks for line in planned.lines()]


FIELDS = (
    "kind",
    "front",
    "back",
    "text",
    "extra",
    "accept",
    "tags",
    "source",
    "match",
    "tolerance",
    "aliases",
)


@pytest.mark.parametrize("suffix", [".toml", ".apkg", ".md", ".csv"])
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deck=_rich(), seed=st.integers(0, 10_000))
def test_a_studied_deck_comes_back_whole_and_a_second_import_changes_nothing(
    suffix: str, deck: Deck, seed: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        src = _home(tmp / "src", deck)
        _study(src, deck.id, seed)
        entry = src.library().get(deck.id)
        assert entry is not None
        states, reviews = progress_io.deck_progress(src, deck.id, NOW)
        progress = suffix in (".toml", ".apkg")
        out = tmp / f"out{suffix}"
        export_decks(
            [deck],
            out,
            now=NOW,
            decks_dir=src.paths.decks_dir,
            states=states if progress else None,
            reviews=reviews if progress else None,
        )
        dst = open_home({"RETAIN_HOME": str(tmp / "dst")})
        _import(dst, out)
        got = dst.library().get(deck.id)
        assert got is not None
        assert [c.id for c in got.cards] == [c.id for c in deck.cards]  # ids: progress stays attached
        for old, new in zip(deck.cards, got.cards, strict=True):
            for key in FIELDS:
                assert getattr(new, key) == getattr(old, key), (old.id, key)
        after, history = progress_io.deck_progress(dst, deck.id, NOW)
        if progress:
            assert after.keys() == states.keys()
            for key, state in states.items():
                if suffix == ".toml":
                    assert after[key] == state
                else:  # an .apkg holds times in ms and memory to 4 places
                    new_state = after[key]
                    assert (new_state.state, new_state.reps, new_state.lapses, new_state.suspended) == (
                        state.state,
                        state.reps,
                        state.lapses,
                        state.suspended,
                    )
                    if state.due is not None and new_state.due is not None:
                        assert abs(new_state.due - state.due) < timedelta(seconds=1), key
            rated = sorted(
                (r.key, r.time.replace(microsecond=0), r.rating) for r in reviews if r.kind == "review"
            )
            assert (
                sorted(
                    (r.key, r.time.replace(microsecond=0), r.rating) for r in history if r.kind == "review"
                )
                == rated
            )
        again = _import(dst, out)
        assert all(" 0 added, 0 changed, 0 removed" in line for line in again if line.startswith("deck ")), (
            again
        )
        assert progress_io.deck_progress(dst, deck.id, NOW) == (after, history)


def _retain(home: Path, *args: str) -> str:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "retain", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("target", ["rt.toml", "rt.apkg", "rt/"])
def test_the_cli_moves_progress_whole_and_a_second_import_changes_nothing(
    tmp_path: Path, target: str
) -> None:
    """`retain export --with-progress`, `retain import --with-history` into a fresh home:
    `retain stats --json` and `retain due --json` say the same there; importing again adds nothing."""
    src = _home(tmp_path / "src")
    now = datetime.now(UTC)
    col = Collection.open(src, now)
    for n, key in enumerate(("rt/a", "rt/b")):
        at = now - timedelta(days=3 + n, hours=-3)
        state = CardState(REVIEW, None, 21.0, 5.0, at + timedelta(days=21 + n), at, reps=3)
        col.record(Event(col.new_event_id(at), "review", key, at, state, None, 3, 900))
    col.close(now)

    def seen(home: Path) -> tuple[object, object]:
        return json.loads(_retain(home, "stats", "--json", "--days", "all")), json.loads(
            _retain(home, "due", "--json")
        )

    before = seen(tmp_path / "src")
    _retain(tmp_path / "src", "export", "rt", "-o", f"{tmp_path}/{target}", "--with-progress")
    _retain(tmp_path / "dst", "import", str(tmp_path / target), "--with-history")
    assert seen(tmp_path / "dst") == before
    again = _retain(tmp_path / "dst", "import", str(tmp_path / target), "--with-history")
    assert "0 added, 0 changed, 0 removed, 3 unchanged" in again and "recorded 0 event(s)" in again
    assert seen(tmp_path / "dst") == before
