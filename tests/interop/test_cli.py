"""`retain export` / `retain import` as a user runs them, on the bundled decks."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.store.decks.deckcache import units_for
from retain.store.paths import bundled_decks_dir

from .conftest import run_cli, tree

FORMATS = [".toml", ".apkg", ".csv", ".tsv", ".txt", ".md"]


@pytest.mark.parametrize("suffix", FORMATS)
def test_export_then_import_into_a_fresh_home(
    suffix: str, tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundled_dir = bundled_decks_dir()
    assert bundled_dir is not None
    bundled = parse_deck((bundled_dir / "kafka.toml").read_text()).deck
    assert bundled is not None
    count = len(bundled.cards)
    out = tmp_path / f"kafka{suffix}"
    code, msg, err = run_cli(capsys, "export", "kafka", "-o", str(out))
    assert code == 0, err
    units = len(units_for(bundled))
    assert f"{count} notes, {units} cards" in msg and out.is_file()
    code, msg, err = run_cli(capsys, "import", str(out))
    assert code == 0, err
    imported = home / "decks" / "kafka.toml"
    deck = parse_deck(imported.read_text()).deck
    assert deck is not None and len(deck.cards) == count
    assert deck.version == bundled.version
    # importing again changes nothing and duplicates nothing
    before = imported.read_text()
    code, msg, _ = run_cli(capsys, "import", str(out))
    assert code == 0
    assert f"0 added, 0 changed, 0 removed, {count} unchanged" in msg
    assert imported.read_text() == before
    # (an .apkg import records the cards the package gave the deck: `given` in its sidecar)
    assert tree(home / "decks") == (
        ["kafka.anki.json", "kafka.toml"] if suffix == ".apkg" else ["kafka.toml"]
    )
    code, msg, err = run_cli(capsys, "check", str(home / "decks"))
    assert code == 0, msg + err


def _write(path: Path, deck: Deck) -> Path:
    path.write_text(deck_to_toml(deck))
    return path


def test_upgrade_dry_run_shows_diff_and_apply_keeps_ids(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1 = Deck(
        "geo",
        "Geography",
        version="1.0.0",
        cards=(
            Card("capital-fr", front="Capital of France?", back="Paris"),
            Card("capital-de", front="Capital of Germany?", back="Bonn"),
            Card("old", front="Removed later?", back="yes"),
        ),
    )
    v2 = Deck(
        "geo",
        "Geography",
        version="1.1.0",
        cards=(
            Card("capital-fr", front="Capital of France?", back="Paris"),
            Card("capital-de", front="Capital of Germany?", back="Berlin"),
            Card("capital-it", front="Capital of Italy?", back="Rome"),
        ),
    )
    assert run_cli(capsys, "import", str(_write(tmp_path / "v1.toml", v1)))[0] == 0
    code, out, _ = run_cli(capsys, "import", "--dry-run", str(_write(tmp_path / "v2.toml", v2)))
    assert code == 0
    assert "deck geo: 1.0.0 -> 1.1.0: 1 added, 1 changed, 1 removed, 1 unchanged" in out
    assert "  + capital-it" in out and "  ~ capital-de" in out and "  - old" in out
    assert "Bonn" in (home / "decks" / "geo.toml").read_text()  # dry run wrote nothing
    assert run_cli(capsys, "import", str(tmp_path / "v2.toml"))[0] == 0
    deck = parse_deck((home / "decks" / "geo.toml").read_text()).deck
    assert deck is not None and [c.id for c in deck.cards] == ["capital-fr", "capital-de", "capital-it"]
    # going back to 1.0.0 needs --force
    code, _, err = run_cli(capsys, "import", str(tmp_path / "v1.toml"))
    assert code == 1 and "older than the installed 1.1.0" in err and "--force" in err
    assert run_cli(capsys, "import", "--force", str(tmp_path / "v1.toml"))[0] == 0


def test_csv_export_neutralises_formulas(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = Deck(
        "calc",
        "Calc",
        tags=("-neg",),
        cards=(
            Card("f1", front='=HYPERLINK("http://evil")', back="+1"),
            Card("f2", front="@SUM(A1)", back="-2"),
        ),
    )
    src = _write(tmp_path / "calc.toml", deck)
    assert run_cli(capsys, "import", str(src))[0] == 0
    out = tmp_path / "calc.csv"
    assert run_cli(capsys, "export", "calc", "-o", str(out))[0] == 0
    body = [ln for ln in out.read_text().splitlines() if not ln.startswith("#")]
    for row in csv.reader(io.StringIO("\n".join(body))):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    # and the values come back unchanged
    (home / "decks" / "calc.toml").unlink()
    assert run_cli(capsys, "import", str(out))[0] == 0
    back = parse_deck((home / "decks" / "calc.toml").read_text()).deck
    assert back is not None
    assert [(c.front, c.back) for c in back.cards] == [(c.front, c.back) for c in deck.cards]
    assert back.tags == ("-neg",)


def test_plain_hashcards_file(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md = tmp_path / "Geography.md"
    md.write_text(
        "Q: What is the capital of France?\nA: Paris\n\nC: [Paris] is the capital of [France].\n\n"
        "Q: List two rivers.\nA:\n\n- Seine\n- Loire\n"
    )
    code, out, err = run_cli(capsys, "import", str(md))
    assert code == 0, err
    deck = parse_deck((home / "decks" / "geography.toml").read_text()).deck
    assert deck is not None and deck.name == "Geography"
    kinds = [(c.kind, c.front or c.text, c.back) for c in deck.cards]
    assert kinds == [
        ("basic", "What is the capital of France?", "Paris"),
        ("cloze", "{{c1::Paris}} is the capital of {{c2::France}}.", ""),
        ("basic", "List two rivers.", "- Seine\n- Loire"),
    ]
    code, out, _ = run_cli(capsys, "import", str(md))
    assert "0 added, 0 changed, 0 removed, 3 unchanged" in out


def test_errors_are_one_line(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "import", str(tmp_path / "missing.apkg"))
    assert code == 1 and err.count("\n") == 1 and "no such file" in err
    (tmp_path / "x.docx").write_text("x")
    code, _, err = run_cli(capsys, "import", str(tmp_path / "x.docx"))
    assert code == 1 and "unknown file type .docx" in err
    code, _, err = run_cli(capsys, "export", "nope", "-o", str(tmp_path / "a.csv"))
    assert code == 2 and "no deck or group 'nope'" in err
    code, _, err = run_cli(capsys, "export", "kafka", "-o", str(tmp_path / "a.pdf"))
    assert code == 2 and "unknown export type .pdf" in err
    assert tree(home / "decks") == []


def test_history_from_anki_and_sidecar(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from retain.store.collection import Collection
    from retain.store.home import open_home

    from .conftest import FIXTURES

    code, out, err = run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))
    assert code == 0, err
    assert "recorded 2 event(s) of review history" in out
    code, out, _ = run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))
    assert "recorded 0 event(s)" in out  # nothing twice
    now = datetime.now(UTC)
    with Collection.open(open_home(), now, read_only=True) as coll:
        reviewed = {k: s for k, s in coll.states.items() if k.startswith("general-knowledge/")}
    assert len(reviewed) == 1 and next(iter(reviewed.values())).reps == 2
    # progress moves to another home through the .toml sidecar
    out_file = tmp_path / "gk.toml"
    code, out, err = run_cli(capsys, "export", "general-knowledge", "-o", str(out_file), "--with-progress")
    assert code == 0, err
    assert (tmp_path / "gk.progress.toml").is_file()
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "other"))
    code, out, err = run_cli(capsys, "import", "--with-history", str(out_file))
    assert code == 0, err
    assert "recorded 2 event(s)" in out
    with Collection.open(open_home(), now, read_only=True) as coll:
        assert {k: s.reps for k, s in coll.states.items()} == {k: s.reps for k, s in reviewed.items()}


def test_a_dry_run_says_the_media_and_history_a_real_run_writes(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--dry-run --with-history` showed the deck lines only: nothing about the media it would
    store or the review history it would record, which the real run then printed. Each line
    now comes first in the conditional, with the real run's counts."""
    from .conftest import FIXTURES

    pkg = str(FIXTURES / "layout-latest.apkg")

    def said(*args: str) -> list[str]:
        code, out, err = run_cli(capsys, "import", *args, pkg)
        assert code == 0, err
        return [line for line in out.splitlines() if line.startswith(("would ", "stored ", "recorded "))]

    assert said("--with-history", "--dry-run") == [
        "would store 2 media file(s)",
        "would record 2 event(s) of review history",
    ]
    assert [p for p in tree(home) if not p.startswith("cache/")] == []  # nothing written
    assert said("--with-history") == ["stored 2 media file(s)", "recorded 2 event(s) of review history"]
    again = "event(s) of review history; 1 card(s) already {} progress here and {} it"
    assert said("--with-history", "--dry-run") == ["would record 0 " + again.format("have", "would keep")]
    assert said("--with-history") == ["recorded 0 " + again.format("had", "kept")]
    assert said("--dry-run") == []  # without --with-history: no history line, as a real run


def test_history_dated_ahead_of_this_clock_is_kept_and_said(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sidecar written on a device whose clock ran two days ahead: the import records its
    reviews (the cards keep their progress) and its line says so (it dropped them silently)."""
    import re
    import tomllib
    from datetime import UTC, datetime, timedelta

    from retain.store.collection import Collection
    from retain.store.home import open_home

    from .conftest import FIXTURES

    assert run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))[0] == 0
    out_file = tmp_path / "gk.toml"
    assert run_cli(capsys, "export", "general-knowledge", "-o", str(out_file), "--with-progress")[0] == 0
    sidecar = tmp_path / "gk.progress.toml"
    stamp = re.compile(r"\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z|\+00:00)")  # every date-time, as written
    text = sidecar.read_text()
    dates = [datetime.fromisoformat(d.replace("Z", "+00:00")) for d in stamp.findall(text)]
    times = [r["time"] for r in tomllib.loads(text)["review"]]
    moved = datetime.now(UTC) + timedelta(days=2) - max(times)  # the last review two days from now
    assert len(times) == 2 and len(dates) > 2

    def shift(found: re.Match[str]) -> str:
        when: datetime = datetime.fromisoformat(found.group(0).replace("Z", "+00:00")) + moved
        return when.isoformat()

    sidecar.write_text(stamp.sub(shift, text))
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "other"))
    code, out, err = run_cli(capsys, "import", "--with-history", str(out_file))
    assert code == 0, err
    assert "recorded 2 event(s) of review history; 2 of them dated up to 2.0 days ahead" in out
    with Collection.open(open_home(), datetime.now(UTC), read_only=True) as coll:
        assert sum(1 for k in coll.states if k.startswith("general-knowledge/")) == 1


@pytest.mark.parametrize("command", ["export", "import"])
def test_export_and_import_with_progress_say_what_the_store_found(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """A damaged journal record is set aside; `export --with-progress` shared the deck with one
    review fewer, and `import --with-history` recorded into that store, without a word. The
    store's one-line messages go to stderr as warnings, as `retain due` gives them."""
    import shutil

    from .conftest import FIXTURES

    assert run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))[0] == 0
    (journal,) = (home / "state" / "devices").glob("*/journal-*.toml")
    lines = journal.read_bytes().split(b"\n")
    record = next(i for i, line in enumerate(lines) if line[:1].isdigit())
    lines[record] = lines[record][:30] + b"#" + lines[record][31:]  # one flipped byte: its check fails
    journal.write_bytes(b"\n".join(lines))
    for folder in ("cache", "state/snapshots"):
        shutil.rmtree(home / folder)
    (home / "state" / "snapshots.toml").unlink()
    capsys.readouterr()
    if command == "export":
        args = ["export", "general-knowledge", "-o", str(tmp_path / "gk.toml"), "--with-progress"]
    else:
        args = ["import", "--with-history", str(FIXTURES / "layout-latest.apkg")]
    code, _out, err = run_cli(capsys, *args)
    assert code == 0, err
    warned = [line for line in err.splitlines() if "warning: " in line]
    assert any("damaged event" in line for line in warned), err


def test_history_import_while_another_retain_writes_writes_nothing(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another retain holds the writer lock (the TUI is open): the import refuses before it writes a
    deck. It wrote the decks, then could not record their history; the open TUI showed them as new
    and, studied there, they kept that progress over Anki's when imported again."""
    import subprocess
    import sys

    from .conftest import FIXTURES

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from datetime import UTC, datetime; "
            "from retain.store.collection import Collection; from retain.store.home import open_home; "
            "c = Collection.open(open_home(), datetime.now(UTC)); assert not c.read_only; "
            "print('locked', flush=True); sys.stdin.readline(); c.close()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        decks_before = tree(home / "decks")
        code, out, err = run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))
    finally:
        holder.communicate("\n", timeout=30)
    assert code == 1 and "imported deck" not in out
    assert err.strip().splitlines() == [
        "retain: import refused: another retain is writing the progress (close it, or import from "
        "its import dialog: i); nothing was written"
    ]
    assert tree(home / "decks") == decks_before
    code, out, err = run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))
    assert code == 0 and "recorded 2 event(s) of review history" in out, err
    assert (home / "decks" / "general-knowledge.toml").exists()


def test_export_to_a_name_without_extension_says_what_to_write(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain export kafka -o kafka` quietly made a folder `kafka/` holding kafka.toml."""
    code, msg, err = run_cli(capsys, "export", "kafka", "-o", str(tmp_path / "kafka"))
    assert code == 2 and msg == "" and not (tmp_path / "kafka").exists()
    assert err.count("\n") == 1 and "kafka.toml (or .apkg" in err and "kafka/ for a folder" in err, err
    # an existing folder, or a name ending in /, is still a folder of .toml files
    code, _msg, err = run_cli(capsys, "export", "kafka", "-o", f"{tmp_path / 'out'}/")
    assert code == 0 and tree(tmp_path / "out") == ["kafka.toml"], err
    code, _msg, err = run_cli(capsys, "export", "kafka", "-o", str(tmp_path / "out"), "--force")
    assert code == 0, err


def test_import_of_a_name_that_is_no_file_says_what_it_is(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`retain import kafka` (a deck id, not a file) said only "no such file"."""
    monkeypatch.chdir(tmp_path)
    code, _msg, err = run_cli(capsys, "import", "kafka")
    assert code == 1 and err.count("\n") == 1, err
    assert "deck kafka is already in your library" in err and "retain export kafka -o kafka.toml" in err, err
    (tmp_path / "mine.apkg").write_bytes(b"")
    code, _msg, err = run_cli(capsys, "import", "mine")
    assert code == 1 and err == "retain: import refused: mine: no such file; did you mean mine.apkg?\n"
    code, _msg, err = run_cli(capsys, "import", "nothing")
    assert code == 1 and err == "retain: import refused: nothing: no such file\n"


def _interrupted_at(monkeypatch: pytest.MonkeyPatch, module: object, name: str, after: int) -> None:
    """Ctrl-C arriving at the call number `after` + 1 of `module.name` (a signal at that moment);
    `after` -1: as the write of the first deck's file returns, its work done."""
    real = getattr(module, name)
    calls = [0]

    def wrapper(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        if after < 0 and str(args[0]).endswith("general-knowledge.toml"):  # (a deck, not its kept notes)
            real(*args, **kwargs)
            raise KeyboardInterrupt
        if after < 0:
            return real(*args, **kwargs)
        if calls[0] > after:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


@pytest.mark.parametrize(
    ("where", "after", "said"),
    [
        ("atomic_write", 0, "retain: import stopped: no deck was written"),
        (  # the first deck's file written, the signal before its write returned
            "atomic_write",
            -1,
            "retain: import stopped: 1 of 2 decks were written before it stopped (general-knowledge) and "
            "are kept; import again to finish",
        ),
        (  # the first deck's file written, the signal while the deck cache learns it
            "remember",
            0,
            "retain: import stopped: 1 of 2 decks were written before it stopped (general-knowledge) and "
            "are kept; import again to finish",
        ),
        (
            "let_go",
            0,
            "retain: import stopped: the decks are imported (general-knowledge, languages-spanish), their review "
            "history was not recorded: import again with --with-history to add it",
        ),
    ],
)
def test_ctrl_c_while_decks_are_written_says_what_went_in(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    after: int,
    said: str,
) -> None:
    """Ctrl-C while an import wrote its decks (or just after) exited 130 without a word, though
    decks were in the library; only a Ctrl-C during the history said so."""
    from retain.commands import import_
    from retain.interop import importer

    from .conftest import FIXTURES

    _interrupted_at(monkeypatch, import_ if where == "let_go" else importer, where, after)
    assert main(["import", "--with-history", str(FIXTURES / "layout-latest.apkg")]) == 130
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == said, err
    assert (home / "decks" / "general-knowledge.toml").exists() == (where != "atomic_write" or after < 0)
