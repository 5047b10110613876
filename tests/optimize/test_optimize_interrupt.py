"""`retain optimize` stopped by Ctrl-C: exit 130, no traceback on the way out, nothing half-written."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from optimize_home import copy_home, make_home, run

from retain.core.fsrsfit import card_histories


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("interrupt") / "home", cards=120)


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield copy_home(built, tmp_path, monkeypatch)


def _unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What Python would print as "Exception ignored in: ..." from now on."""
    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value}"))
    return seen


def test_ctrl_c_while_reading_the_history_leaves_no_traceback(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The history stream was left open while the collection closed: on exit Python printed
    "Exception ignored in: <generator object History.card_events ...> sqlite3.ProgrammingError:
    Cannot operate on a closed database"."""

    def interrupted(rows: Iterable[Any], *_args: object) -> None:
        next(iter(rows))
        raise KeyboardInterrupt

    monkeypatch.setattr("retain.store.fsrs_presets.training_set", interrupted)
    seen = _unraisable(monkeypatch)
    code, _out, _err = run(capsys, "--all", "--no-reschedule")
    gc.collect()
    assert code == 130
    assert seen == []
    assert "parameters" not in ((home / "config.toml").read_text() if (home / "config.toml").exists() else "")


def test_ctrl_c_while_replaying_for_a_reschedule_leaves_no_traceback(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(rows: Iterable[Any], *args: Any) -> Iterator[Any]:
        found = card_histories(rows, *args)
        yield next(found)
        raise KeyboardInterrupt

    monkeypatch.setattr("retain.store.fsrs_presets.card_histories", interrupted)
    seen = _unraisable(monkeypatch)
    code, _out, _err = run(capsys, "--all", "--reschedule")
    gc.collect()
    assert code == 130
    assert seen == []
    assert not (home / "state" / "backups").is_dir() or not [
        p for p in (home / "state" / "backups").iterdir() if "reschedule" in p.name
    ]


def test_ctrl_c_during_the_backup_leaves_no_half_copied_folder(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reschedule's backup is copied into `backups/.reschedule-<time>.tmp` first: an
    interrupted copy stayed there (a partial copy of the journals), never cleaned up."""
    import retain.store.fsrs_presets as fsrs_presets
    from retain.store.files import copy_tree_regular as real

    calls: list[object] = []

    def copy(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(src)
        if len(calls) == 2:  # the snapshots are copied, the journals are being copied
            raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(fsrs_presets, "copy_tree_regular", copy)
    code, _out, _err = run(capsys, "--all", "--reschedule")
    assert code == 130 and len(calls) == 2
    assert [p.name for p in (home / "state" / "backups").iterdir() if "reschedule" in p.name] == []
