"""Sharing decks with strangers: folder imports, Markdown round trips, media beside an export,
and the progress sidecar (h3)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks
from retain.interop.folder_import import deck_files
from retain.interop.importer import read_file

from .conftest import run_cli, tree

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# ---- a folder import never follows a symbolic link ------------------------------------------


def _shared_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "words.tsv").write_text("hola\thello\n", encoding="utf-8")
    secret = tmp_path / "secret.csv"  # a file of the user's, outside the folder
    secret.write_text("my-private-key,do not share\n", encoding="utf-8")
    (folder / "notes.csv").symlink_to(secret)
    (folder / "inside.tsv").symlink_to(folder / "words.tsv")  # a link that stays in: still a link
    return folder


def test_deck_files_leave_symbolic_links_out(tmp_path: Path) -> None:
    folder = _shared_folder(tmp_path)
    assert [p.name for p in deck_files(folder)] == ["words.tsv"]


def test_a_folder_import_never_reads_a_file_a_link_points_to(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _shared_folder(tmp_path)
    code, msg, err = run_cli(capsys, "import", str(folder))
    assert code == 0, err
    assert msg.splitlines()[-1] == "imported 1 file (1 deck)"
    assert tree(home / "decks") == ["words.toml"]
    assert "my-private-key" not in msg + err
    assert err == (
        "retain: warning: 2 symbolic link(s) not imported: inside.tsv, notes.csv "
        "(import the file a link points to by its own path)\n"
    )


def test_a_folder_of_links_only_is_refused_in_one_line(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "links"
    folder.mkdir()
    target = tmp_path / "elsewhere.md"
    target.write_text("Q: a\nA: b\n", encoding="utf-8")
    (folder / "deck.md").symlink_to(target)
    code, msg, err = run_cli(capsys, "import", str(folder), "--dry-run")
    assert code == 1
    assert msg == ""
    assert err.count("\n") == 2 and "no deck files here" in err.splitlines()[-1]
    assert tree(home / "decks") == []


# ---- Markdown keeps every character of a card, carriage returns included ---------------------

_ATOMS = st.sampled_from(
    ['"', "\\", "\n", "\r", "\r\n", "\t", "#", "---", "<b>x</b>", "😀", "Q:", "A:", "C:", " ", "[", "]",
     "\n---\n", "\n# x\n", "a", "\x0c", "\x85", "\u2028", "\xa0", "\x1b[31m", "`", "$"]
)  # fmt: skip
_TEXT = st.lists(_ATOMS, min_size=1, max_size=8).map("".join)


def _stored(deck: Deck) -> Deck | None:
    """The deck as its own file keeps it (the round trip starts from what retain can hold)."""
    result = parse_deck(deck_to_toml(deck), "deck.toml")
    return result.deck if result.deck is not None and not result.errors and result.deck.cards else None


def _md_roundtrip(deck: Deck) -> Deck:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "deck.md"
        export_decks([deck], out, now=NOW)
        stage = Path(tmp) / "stage"
        stage.mkdir()
        return read_file(out, stage).decks[0]


@pytest.mark.parametrize("kind", ["basic", "reversed", "typed", "cloze"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=_TEXT, b=_TEXT, extra=_TEXT)
def test_markdown_keeps_any_card_text(kind: str, a: str, b: str, extra: str) -> None:
    if kind == "cloze":
        card = Card(id="c1", kind="cloze", text=f"{a}{{{{c1::{b.strip() or 'x'}}}}}", extra=extra)
    else:
        card = Card(id="c1", kind=kind, front=a, back=b, extra=extra)  # type: ignore[arg-type]
    deck = _stored(Deck(id="d", name="D", cards=(card, Card(id="c2", front="next", back="card"))))
    if deck is None:
        return
    after = _md_roundtrip(deck)
    assert [c.id for c in after.cards] == [c.id for c in deck.cards]
    for old, new in zip(deck.cards, after.cards, strict=True):
        for key in ("kind", "front", "back", "text", "extra"):
            assert getattr(new, key) == getattr(old, key), key


def test_a_back_ending_in_a_carriage_return_survives_markdown() -> None:
    deck = Deck(id="d", name="D", cards=(Card(id="c1", front="q", back="line\r"),))
    assert _md_roundtrip(deck).cards[0].back == "line\r"


# ---- an export never ships stale media from an earlier export --------------------------------


def _media_deck(home: Path, image: bytes) -> None:
    decks = home / "decks"
    (decks / "pics.media").mkdir(parents=True, exist_ok=True)
    (decks / "pics.toml").write_text(
        'format = 1\n[deck]\nid = "pics"\nname = "Pics"\n\n[[cards]]\nid = "c1"\n'
        'front = "what is this? ![diagram](pics.media/diagram.png)"\nback = "a diagram"\n',
        encoding="utf-8",
    )
    (decks / "pics.media" / "diagram.png").write_bytes(image)


@pytest.mark.parametrize("suffix", [".toml", ".md"])
def test_an_export_beside_an_older_media_folder_asks_then_replaces_it(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out = tmp_path / "out"
    _media_deck(home, b"old picture")
    code, _, err = run_cli(capsys, "export", "pics", "-o", str(out / f"pics{suffix}"))
    assert code == 0, err
    (out / f"pics{suffix}").unlink()  # the deck file is gone; its media folder stays
    _media_deck(home, b"new picture")
    code, _, err = run_cli(capsys, "export", "pics", "-o", str(out / f"pics{suffix}"))
    assert code == 1
    assert err == f"retain: {out / 'pics.media' / 'diagram.png'} already exists; add --force to replace it\n"
    assert (out / "pics.media" / "diagram.png").read_bytes() == b"old picture"
    assert not (out / f"pics{suffix}").exists()
    code, _, err = run_cli(capsys, "export", "pics", "-o", str(out / f"pics{suffix}"), "--force")
    assert code == 0, err
    assert (out / "pics.media" / "diagram.png").read_bytes() == b"new picture"


def test_an_export_beside_the_same_media_needs_no_force(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    _media_deck(home, b"picture")
    assert run_cli(capsys, "export", "pics", "-o", str(out / "pics.toml"))[0] == 0
    code, _, err = run_cli(capsys, "export", "pics", "-o", str(out / "pics.md"))
    assert code == 0, err


# ---- a sidecar that cannot be read is named ---------------------------------------------------


def test_a_sidecar_that_is_not_utf8_is_named_in_the_refusal(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "kafka.toml"
    assert run_cli(capsys, "export", "kafka", "-o", str(deck), "--with-progress")[0] == 0
    (tmp_path / "kafka.progress.toml").write_bytes(b"\xff\xfe not utf-8")
    code, msg, err = run_cli(capsys, "import", str(deck), "--with-history")
    assert code == 1 and msg == ""
    assert err.startswith("retain: import refused: kafka.progress.toml: not UTF-8 text")
    assert err.count("\n") == 1


# ---- a file whose every card is skipped says why -----------------------------------------------


def test_a_file_whose_cards_are_all_skipped_says_why(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cards = tmp_path / "cloze.csv"
    cards.write_text("#notetype:Cloze\nno deletion here,extra\n", encoding="utf-8")
    code, msg, err = run_cli(capsys, "import", str(cards))
    assert code == 1 and msg == ""
    assert err.splitlines() == [
        "warning: line 2 skipped: cloze note without {{c1::...}} deletions",
        "retain: import refused: nothing to import: the file holds no cards",
    ]
    assert tree(home / "decks") == []


def test_an_export_without_progress_beside_an_old_sidecar_says_so(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export kafka -o k.toml --with-progress`, later `export kafka -o k.toml --force` without it:
    the old `k.progress.toml` stayed beside the new file without a word, and an import
    `--with-history` of it (or a stranger the folder is shared with) read that history."""
    out = tmp_path / "k.toml"
    code, _msg, _err = run_cli(capsys, "export", "kafka", "-o", str(out), "--with-progress")
    assert code == 0 and (tmp_path / "k.progress.toml").is_file()
    code, _msg, err = run_cli(capsys, "export", "kafka", "-o", str(out), "--force")
    assert code == 0
    assert err.splitlines() == [
        "retain: warning: k.progress.toml beside it holds an earlier export's review history, not this "
        "export's: an import --with-history of the file reads it; delete it before sharing the folder, "
        "or export --with-progress to replace it"
    ]
    (tmp_path / "k.progress.toml").unlink()
    code, _msg, err = run_cli(capsys, "export", "kafka", "-o", str(out), "--force")
    assert code == 0 and err == ""
