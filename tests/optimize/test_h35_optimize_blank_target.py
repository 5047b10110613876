"""`retain optimize ""` (an unset shell variable) is a usage error, as `retain export ""` is.

An empty or whitespace-only DECK|GROUP matched the decks without a group (their group's key
is empty too): it fitted and saved `[presets.default] parameters` for them, and with
--reschedule rewrote their cards' schedules. It is refused in one line, exit 2, before
anything is read or written; `presets_for` refuses it as well.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from optimize_home import copy_home, make_home, run, states

from retain.store.collection import Collection
from retain.store.fsrs_presets import SelectionError, presets_for
from retain.store.home import open_home

BLANKS = ["", " ", "\t", "  \n ", "\u3000"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alpha (with history) has no group: the decks an empty group's key matched."""
    root = make_home(tmp_path_factory.mktemp("blank") / "home", cards=120)
    deck = root / "decks" / "alpha.toml"
    deck.write_text(deck.read_text(encoding="utf-8").replace('group = "Tests"\n', ""), encoding="utf-8")
    return root


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
@pytest.mark.parametrize(
    "flags", [(), ("--reschedule",), ("--dry-run",), ("--simulate",), ("--undo-reschedule",)], ids=str
)
def test_a_blank_deck_or_group_is_refused_in_one_line(
    built: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    blank: str,
    flags: tuple[str, ...],
) -> None:
    root = copy_home(built, tmp_path, monkeypatch)
    before = states(root)
    code, out, err = run(capsys, blank, *flags)
    assert code == 2, (out, err)
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("retain: optimize: ") and "--all" in err, err
    assert repr(blank) in err  # (what was given, quoted: an empty string shows as '')
    assert not (root / "config.toml").exists()
    assert not (root / "state" / "backups").exists()
    assert states(root) == before


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
def test_presets_for_refuses_a_blank_target(built: Path, blank: str) -> None:
    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(built)}), now, cards=False, read_only=True)
    try:
        ((preset),) = presets_for(col, "alpha")
        assert "alpha" in preset.decks
        with pytest.raises(SelectionError) as caught:
            presets_for(col, blank)
        assert "\n" not in str(caught.value)
    finally:
        col.close(now)
