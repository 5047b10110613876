"""`retain optimize DECK` when the deck has its own `parameters` in [decks.DECK], which override its
preset's: the fit said "log loss A -> B: better, saved to [presets.default]" with A scored with
the preset's weights, not the ones the deck schedules with, and not a word that the saved weights
do not apply to the deck (`--reschedule` then changed 0 of its cards)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from optimize_home import NOW, copy_home, make_home, run
from optimize_synth import TRUE_WEIGHTS

from retain.core.fsrsfit import DEFAULT_WEIGHTS, Evaluation, evaluate
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.fsrs_presets import presets_for, training_for
from retain.store.home import open_home

OWN = TRUE_WEIGHTS  # far from FSRS's defaults: the two score apart
OWN_TEXT = ", ".join(map(str, OWN))
FIGURES = re.compile(r"log loss (\d+\.\d{4}) -> \d+\.\d{4}, RMSE (\d+\.\d{2})% -> ")


def _review_beta(root: Path, seed: int = 9) -> None:
    """Some 60 days of reviews of beta's 20 cards, as a learner gives them."""
    rng = random.Random(seed)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, fsync=False)
    try:
        sched = Scheduler(StudySettings())
        events: list[Event] = []
        for i in range(20):
            key, state = f"beta/c{i}", None
            at = NOW - timedelta(days=60) + timedelta(hours=rng.uniform(0, 24 * 10))
            while at < NOW - timedelta(hours=1):
                rating = rng.choices([1, 2, 3, 4], [0.15, 0.1, 0.6, 0.15])[0]
                after = sched.preview(key, state, at)[rating]
                events.append(Event(col.new_event_id(at), "review", key, at, after, state, rating, 3000))
                state = after
                assert after.due is not None
                at = after.due + timedelta(hours=rng.uniform(0, 30))
        col.record_many(events)
    finally:
        col.close(NOW)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_home(tmp_path_factory.mktemp("own") / "home", cards=200)
    _review_beta(root)
    return root


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield copy_home(built, tmp_path, monkeypatch)


def _scored(root: Path, weights: tuple[float, ...]) -> Evaluation:
    """`weights` on the items the fit of alpha's preset learns from (all of its decks)."""
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, read_only=True)
    try:
        (preset,) = presets_for(col, "alpha")
        return evaluate(weights, training_for(col, preset, NOW, None).items)
    finally:
        col.close()


def _before(out: str) -> tuple[str, str]:
    found = FIGURES.search(out)
    assert found is not None, out
    return found[1], found[2]


def _shown(e: Evaluation) -> tuple[str, str]:
    return f"{e.log_loss:.4f}", f"{100 * e.rmse:.2f}"


def test_the_fit_of_a_deck_with_its_own_parameters_scores_them_and_says_they_override(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only alpha's and beta's reviews train the preset; with both scheduling with the same own
    weights, "before" is those weights, and one line says the preset's do not apply to them."""
    (home / "config.toml").write_text(
        f"[decks.alpha]\nparameters = [{OWN_TEXT}]\n[decks.beta]\nparameters = [{OWN_TEXT}]\n"
    )
    code, out, err = run(capsys, "alpha", "--dry-run")
    assert code == 0, err
    own, preset = _scored(home, OWN), _scored(home, DEFAULT_WEIGHTS)
    assert _shown(own) != _shown(preset)  # the two scores can be told apart
    assert _before(out) == _shown(own), out
    assert (
        "  decks alpha, beta have their own `parameters` in [decks.ID]: they do not schedule with "
        "[presets.default]'s weights (delete them there to use the preset's)"
    ) in out.splitlines(), out


def test_a_deck_alone_with_its_own_parameters_is_named(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The repro: a deck with its own weights, alone in the preset; --reschedule changes none of its
    cards with the saved weights, and the line before says why."""
    (home / "decks" / "beta.toml").unlink()
    (home / "config.toml").write_text(f"# mine\n[decks.alpha]\nparameters = [{OWN_TEXT}]\n")
    code, out, err = run(capsys, "alpha", "--reschedule")
    assert code == 0, err
    assert _before(out) == _shown(_scored(home, OWN)), out
    note = (
        "  deck alpha has its own `parameters` in [decks.alpha]: it does not schedule with "
        "[presets.default]'s weights (delete them there to use the preset's)"
    )
    lines = out.splitlines()
    assert note in lines, out
    assert lines.index(note) == 1  # right after the fit's line, before the rescheduling
    assert "[decks.alpha]\nparameters = [" + OWN_TEXT + "]" in (home / "config.toml").read_text()


def test_with_some_decks_on_the_presets_weights_before_is_the_presets(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """beta keeps its own weights, alpha schedules with the preset's: both train it, the preset's
    current weights are the ones the new ones replace, and beta is named."""
    (home / "config.toml").write_text(f"[decks.beta]\nparameters = [{OWN_TEXT}]\n")
    code, out, err = run(capsys, "alpha", "--dry-run")
    assert code == 0, err
    assert _before(out) == _shown(_scored(home, DEFAULT_WEIGHTS)), out
    assert (
        "  deck beta has its own `parameters` in [decks.beta]: it does not schedule with "
        "[presets.default]'s weights (delete them there to use the preset's)"
    ) in out.splitlines(), out


def test_no_line_when_every_deck_schedules_with_the_presets_weights(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "config.toml").write_text(f"[presets.default]\nparameters = [{OWN_TEXT}]\n")
    code, out, err = run(capsys, "alpha", "--dry-run")
    assert code == 0, err
    assert _before(out) == _shown(_scored(home, OWN)), out
    assert "own `parameters`" not in out
