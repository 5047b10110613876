"""Hostile files and odd targets for the text formats (Markdown, hashcards images, `.toml` media)
(h3, eighteenth session).

- An export never writes media through a symbolic link beside it (a `DECK.media` folder that is a
  link to another folder, or a link in it to a file elsewhere), and a refused export writes
  nothing: not even the deck file.
- A hashcards `.md` only brings in image and audio files: a stranger's `deck.md` saved in a home
  folder must not copy `.ssh/id_rsa` into the deck (from where every export would ship it).
- The media an import reads from beside a text deck are bounded in count and total size.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.errors import InteropError, LimitError
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file
from retain.interop.limits import Limits

from .conftest import run_cli, tree

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\nnot really"


def _deck(decks: Path, deck_id: str = "pics") -> Deck:
    folder = decks / f"{deck_id}.media"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a b.png").write_bytes(PNG)
    (folder / "two.png").write_bytes(PNG + b"2")
    path = decks / f"{deck_id}.toml"
    path.write_text(
        f'format = 1\n[deck]\nid = "{deck_id}"\nname = "Pics"\n\n'
        f'[[cards]]\nid = "one"\nfront = "![x](<{deck_id}.media/a b.png>)"\nback = "b"\n\n'
        f'[[cards]]\nid = "two"\nfront = "![y]({deck_id}.media/two.png)"\nback = "c"\n',
        encoding="utf-8",
    )
    cards = (
        Card("one", front=f"![x](<{deck_id}.media/a b.png>)", back="b"),
        Card("two", front=f"![y]({deck_id}.media/two.png)", back="c"),
    )
    return Deck(deck_id, "Pics", cards, path=str(path))


# ---- an export never writes media through a symbolic link -----------------------------------


@pytest.mark.parametrize("suffix", [".md", ".toml"])
def test_an_export_never_writes_into_a_media_folder_that_links_elsewhere(tmp_path: Path, suffix: str) -> None:
    deck = _deck(tmp_path / "decks")
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    shared.mkdir()
    elsewhere.mkdir()
    (shared / "pics.media").symlink_to(elsewhere)  # planted in a folder the user exports into
    with pytest.raises(InteropError, match=r"pics\.media.* symbolic link"):
        export_decks([deck], shared / f"pics{suffix}", now=NOW)
    assert tree(elsewhere) == []
    assert tree(shared) == []  # nor the deck file: a refused export writes nothing


@pytest.mark.parametrize("dangling", [True, False])
def test_an_export_never_writes_a_media_file_through_a_link(tmp_path: Path, dangling: bool) -> None:
    deck = _deck(tmp_path / "decks")
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    (shared / "pics.media").mkdir(parents=True)
    elsewhere.mkdir()
    planted = elsewhere / "planted.png"
    if not dangling:
        planted.write_bytes(b"the user's own file")
    (shared / "pics.media" / "two.png").symlink_to(planted)
    with pytest.raises(InteropError, match=r"two\.png.* symbolic link"):
        export_decks([deck], shared / "pics.md", now=NOW)
    assert [p.name for p in elsewhere.iterdir()] == ([] if dangling else ["planted.png"])
    if not dangling:
        assert planted.read_bytes() == b"the user's own file"
    assert not (shared / "pics.md").exists()
    assert not (shared / "pics.media" / "a b.png").exists()


def test_the_cli_names_the_link_and_writes_nothing(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _deck(home / "decks")
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    shared.mkdir()
    elsewhere.mkdir()
    (shared / "pics.media").symlink_to(elsewhere)
    for force in ((), ("--force",)):
        code, out, err = run_cli(capsys, "export", "pics", "-o", str(shared / "pics.md"), *force)
        assert code == 1 and out == ""
        assert len(err.splitlines()) == 1 and "symbolic link" in err and "pics.media" in err, err
        assert tree(elsewhere) == [] and tree(shared) == []


def test_a_failed_media_copy_leaves_no_deck_file_and_the_retry_needs_no_force(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _deck(home / "decks")
    shared = tmp_path / "shared"
    (shared / "pics.media" / "two.png").mkdir(parents=True)  # a folder where a file must go
    code, _out, err = run_cli(capsys, "export", "pics", "-o", str(shared / "pics.md"))
    assert code == 1 and len(err.splitlines()) == 1
    assert "two.png" in err, err  # names the file that could not be written, not the deck file
    assert not (shared / "pics.md").exists()
    (shared / "pics.media" / "two.png").rmdir()
    code, _out, err = run_cli(capsys, "export", "pics", "-o", str(shared / "pics.md"))
    assert code == 0, err
    assert (shared / "pics.media" / "two.png").read_bytes() == PNG + b"2"


# ---- a hashcards file brings in images and audio, nothing else ------------------------------


def _md_in_home(tmp_path: Path, ref: str) -> Path:
    root = tmp_path / "user"
    (root / ".ssh").mkdir(parents=True)
    (root / ".ssh" / "id_rsa").write_text("PRIVATE KEY")
    (root / ".ssh" / "key.png").write_bytes(PNG)
    (root / ".bash_history").write_text("secret commands")
    (root / "notes.txt").write_text("my notes")
    (root / "pic.png").write_bytes(PNG)
    deck = root / "deck.md"  # a stranger's deck, saved in the home folder
    deck.write_text(f"Q: Look\n![x]({ref})\nA: fine\n\nQ: And\nA: ![y](pic.png)\n", encoding="utf-8")
    return deck


@pytest.mark.parametrize(
    "ref", [".ssh/id_rsa", ".bash_history", "notes.txt", ".ssh/key.png", "<.ssh/id_rsa>", "%2Essh/id_rsa"]
)
def test_a_markdown_image_that_is_no_image_file_is_never_read(tmp_path: Path, ref: str) -> None:
    deck_file = _md_in_home(tmp_path, ref)
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(deck_file, stage)
    staged = b"".join(p.read_bytes() for p in bundle.media.values())
    assert staged == PNG  # the real image only
    assert [p.read_bytes() for p in stage.iterdir()] == [PNG]
    deck = bundle.decks[0]
    assert f"![x]({ref})" in deck.cards[0].front  # kept as written
    digest = hashlib.sha256(PNG).hexdigest()
    assert deck.cards[1].back == f"![y](deck.media/{digest}.png)"
    assert [w for w in bundle.warnings if "not imported" in w] == [
        f"line 2: {ref.strip('<>')} is not imported: "
        + (
            "it is in a hidden folder"
            if "ssh/" in ref.lower() and "key.png" in ref
            else "not an image, sound or video file (by its name)"
        )
        + "; kept as text"
    ]


def test_the_cli_import_of_such_a_file_stores_no_secret(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck_file = _md_in_home(tmp_path, ".ssh/id_rsa")
    code, _out, err = run_cli(capsys, "import", str(deck_file))
    assert code == 0, err
    stored = [p.read_bytes() for p in (home / "decks" / "deck.media").iterdir()]
    assert stored == [PNG]
    assert "warning: line 2: .ssh/id_rsa is not imported" in err


def test_content_hash_names_without_extension_still_come_back(tmp_path: Path) -> None:
    """retain's own export of an extension-less content-hash file (from an Anki package) reads back."""
    digest = hashlib.sha256(b"blob").hexdigest()
    (tmp_path / "d.media").mkdir()
    (tmp_path / "d.media" / digest).write_bytes(b"blob")
    (tmp_path / "d.md").write_text(f"Q: q\nA: ![i](d.media/{digest})\n", encoding="utf-8")
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(tmp_path / "d.md", stage)
    assert bundle.decks[0].cards[0].back == f"![i](d.media/{digest})"
    assert set(bundle.media) == {digest} and not bundle.warnings


# ---- the media beside a text deck are bounded -------------------------------------------------


def test_markdown_images_are_bounded_in_count_and_total_size(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"p{i}.png").write_bytes(PNG + bytes([i]) * 100)
    (tmp_path / "d.md").write_text(
        "\n\n".join(f"Q: q{i}\nA: ![i](p{i}.png)" for i in range(3)) + "\n", encoding="utf-8"
    )
    stage = tmp_path / "stage"
    stage.mkdir()
    with pytest.raises(LimitError, match="limit is 2"):
        read_file(tmp_path / "d.md", stage, Limits(max_entries=2))
    with pytest.raises(LimitError, match="total size limit"):
        read_file(tmp_path / "d.md", stage, Limits(max_total_bytes=250))
    assert len(read_file(tmp_path / "d.md", stage, Limits(max_entries=3)).media) == 3


def test_toml_media_are_bounded_in_total_size(tmp_path: Path) -> None:
    _deck(tmp_path)
    stage = tmp_path / "stage"
    stage.mkdir()
    with pytest.raises(LimitError, match="total size limit"):
        read_file(tmp_path / "pics.toml", stage, Limits(max_total_bytes=len(PNG) + 1))
    assert len(read_file(tmp_path / "pics.toml", stage).media) == 2


# ---- a duplicate id in a Markdown file's metadata loses no card ------------------------------


def test_a_duplicate_id_in_markdown_metadata_keeps_both_cards(tmp_path: Path) -> None:
    from retain.interop.markdown import write_markdown

    deck = Deck("dm", "dm", (Card("a", front="one", back="1"), Card("b", front="two", back="2")))
    text = write_markdown(deck)
    assert text.count('id = "b"') == 1
    (tmp_path / "dm.md").write_text(text.replace('id = "b"', 'id = "a"'), encoding="utf-8")  # a hand edit
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(tmp_path / "dm.md", stage)
    cards = bundle.decks[0].cards
    assert [(c.front, c.back) for c in cards] == [("one", "1"), ("two", "2")]
    assert cards[0].id == "a" and cards[1].id not in ("a", "b")
    assert bundle.warnings == [
        f"line 17: id 'a' is an earlier card's; this card is imported as {cards[1].id!r}"
    ]


@pytest.mark.parametrize("value", ["[1]", "{ a = 1 }", "1", '"Not An Id!"'])
def test_an_id_of_any_type_in_markdown_metadata_is_no_crash(tmp_path: Path, value: str) -> None:
    from retain.interop.markdown import write_markdown

    deck = Deck("dm", "dm", (Card("a", front="one", back="1"), Card("b", front="two", back="2")))
    (tmp_path / "dm.md").write_text(
        write_markdown(deck).replace('id = "b"', f"id = {value}"), encoding="utf-8"
    )
    stage = tmp_path / "stage"
    stage.mkdir()
    cards = read_file(tmp_path / "dm.md", stage).decks[0].cards
    assert [c.front for c in cards] == ["one", "two"] and cards[0].id == "a"


def test_any_media_name_of_a_markdown_export_comes_back(tmp_path: Path) -> None:
    """The deck's own `DECK.media/` beside the export may hold names without an image extension."""
    deck = Deck("pics", "Pics", (Card("one", front="![x](pics.media/noext)", back="b"),))
    (tmp_path / "decks" / "pics.media").mkdir(parents=True)
    (tmp_path / "decks" / "pics.media" / "noext").write_bytes(PNG)
    export_decks([deck], tmp_path / "out" / "pics.md", now=NOW, decks_dir=tmp_path / "decks")
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(tmp_path / "out" / "pics.md", stage)
    digest = hashlib.sha256(PNG).hexdigest()
    assert bundle.decks[0].cards[0].front == f"![x](pics.media/{digest})" and not bundle.warnings
