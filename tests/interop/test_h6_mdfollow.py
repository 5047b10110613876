"""Sharing follow-ups: one image pattern for every reader, references in code stay text, and a
folder import names what it skips.

1. A `.md` and a `.toml` import of one deck give the same card text (an export's
   `![x](<d.media/HASH.png>)` used to lose its angle brackets from a `.md` only).
2. What a `.md` import looks up is what core shows as media (`core.mediaref`).
3. A reference in a code span or a fenced block is text: no import re-points it.
4. A folder import names the FIFOs, devices and sub-folders named like decks it leaves out,
   and never blocks on a FIFO.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.mediaref import media_refs
from retain.core.model import Card
from retain.interop.bundle import Bundle
from retain.interop.folder_import import deck_files, linked_files, links_line
from retain.interop.limits import Limits
from retain.interop.markdown import _Block, read_markdown
from retain.interop.md_media import ImageImporter
from retain.interop.native import read_native

from .conftest import run_cli, tree

PNG = b"\x89PNG\r\n\x1a\nnot really"
DIGEST = hashlib.sha256(PNG).hexdigest()
HASHED = f"d.media/{DIGEST}.png"


def _toml(front: str, comment: str = "") -> str:
    return (
        f'format = 1\n{comment}\n[deck]\nid = "d"\nname = "D"\n\n'
        f'[[cards]]\nid = "c1"\nfront = """{front}"""\nback = "b"\n'
    )


def _md(front: str) -> str:
    return f'---\nname = "D"\nid = "d"\n[retain]\ncards = []\n---\n\nQ: {front}\nA: b\n'


def _folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "src"
    (folder / "d.media").mkdir(parents=True)
    for name in names:
        (folder / "d.media" / name).write_bytes(PNG)
    (folder / "img").mkdir()
    (folder / "img" / "a b.png").write_bytes(PNG)
    return folder


def _fronts(tmp_path: Path, front: str) -> tuple[str, str, Bundle]:
    """The card's front as a `.toml` and as a `.md` import read it (`front` in both files)."""
    folder = _folder(tmp_path, "a b.png", "a.png", f"{DIGEST}.png")
    (folder / "d.toml").write_text(_toml(front), encoding="utf-8")
    (folder / "d.md").write_text(_md(front), encoding="utf-8")
    native = read_native(folder / "d.toml", Limits())
    stage = tmp_path / "stage"
    stage.mkdir(exist_ok=True)
    md = read_markdown(folder / "d.md", Limits(), stage)
    return native.decks[0].cards[0].front, md.decks[0].cards[0].front, native


# ---- 1. one deck, two formats, the same cards ----------------------------------------------


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("![x](<d.media/a b.png>)", f"![x]({HASHED})"),
        ("![x](d.media/a.png)", f"![x]({HASHED})"),
        ("![x](<d.media/a.png>)", f"![x]({HASHED})"),
        ("![x](  <d.media/a.png>  )", f"![x]({HASHED})"),
        ('![x](d.media/a.png "a title")', f"![x]({HASHED})"),
        ("![x](d.media/a.png 'a title')", f"![x]({HASHED})"),
        # an export's own reference (a content-hash name) stays exactly as written
        (f"![x](<{HASHED}>)", f"![x](<{HASHED}>)"),
        (f'![x]({HASHED} "t")', f'![x]({HASHED} "t")'),
        (f"![x]({HASHED})", f"![x]({HASHED})"),
    ],
)
def test_a_toml_and_a_md_import_write_a_reference_alike(tmp_path: Path, front: str, expected: str) -> None:
    native, md, bundle = _fronts(tmp_path, front)
    assert (native, md) == (expected, expected)
    kept = bundle.texts.get("d")  # the file's own text is kept while it reads back as the cards
    assert kept is not None and parse_deck(kept, "d.toml").deck.cards[0].front == expected  # type: ignore[union-attr]


def test_reimporting_a_md_export_changes_nothing(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, "a b.png")
    (folder / "d.toml").write_text(_toml("What? ![x](<d.media/a b.png>)"), encoding="utf-8")
    code, _, err = run_cli(capsys, "import", str(folder / "d.toml"))
    assert code == 0, err
    out = tmp_path / "out"
    for name in ("d.md", "d.toml"):
        code, _, err = run_cli(capsys, "export", "d", "-o", str(out / name))
        assert code == 0, err
    for name in ("d.md", "d.toml"):
        code, msg, err = run_cli(capsys, "import", str(out / name), "--dry-run")
        assert code == 0, err
        assert "deck d: 0 added, 0 changed, 0 removed, 1 unchanged" in msg, (name, msg)


# ---- 2. one pattern decides what an image is ---------------------------------------------


@pytest.mark.parametrize(
    "ref", ["![x](a<b.png)", "![x](<a<b.png>)", "![x](a>b.png)", "![x](<a>b.png>)", "![x](d.media/a<b.png)"]
)
def test_a_name_with_angle_brackets_is_no_image_anywhere(tmp_path: Path, ref: str) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "d.md").write_text(_md(f"see {ref}"), encoding="utf-8")
    bundle = read_markdown(folder / "d.md", Limits(), tmp_path)
    assert bundle.decks[0].cards[0].front == f"see {ref}"
    assert bundle.warnings == []  # no "not found" for what retain does not take for an image
    assert media_refs(f"see {ref}") == []


_SOUP = st.lists(
    st.sampled_from(
        ["![", "](", ")", "x", "a.png", "d.media/a.png", "<", ">", "`", "```\n", " ", '"t"', "\n", "%20", "b"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_SOUP)
def test_a_md_import_rewrites_exactly_the_references_core_sees(tmp_path: Path, text: str) -> None:
    """Every reference core's pattern finds outside code that names `a.png` is brought in; nothing
    else of the text changes, and every warning is about a reference core finds."""
    from retain.core.mediaref import image_refs, ref_target

    root = tmp_path / "root"
    if not root.exists():
        (root / "d.media").mkdir(parents=True)
        (root / "a.png").write_bytes(PNG)
        (root / "d.media" / "a.png").write_bytes(PNG)
    (root / "d.md").touch()
    bundle = Bundle("md")
    images = ImageImporter(root / "d.md", tmp_path, Limits(), bundle, "d")
    card = Card(id="c", kind="basic", front=text, back="b")
    got = images.rewrite(card, _Block("Q", 1, [text], [text])).front
    expected, pos, targets = "", 0, set()
    for m in image_refs(text):
        target = ref_target(m)
        targets.add(target)
        new = f"![{m['alt']}]({HASHED})" if target in ("a.png", "d.media/a.png") else m[0]
        expected += text[pos : m.start()] + new
        pos = m.end()
    assert got == expected + text[pos:]
    for warning in bundle.warnings:
        assert any(t[:80] in warning for t in targets if t), warning


# ---- 3. references in code are text ---------------------------------------------------------

CODE_FRONT = (
    "Write `![x](d.media/a.png)` to show ![x](d.media/a.png):\n\n"
    "```markdown\n![x](d.media/a.png)\n```\n\n~~~\n![y](<d.media/a b.png>)\n~~~"
)


def test_a_toml_import_leaves_references_in_code_alone(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "a.png", "a b.png")
    (folder / "d.toml").write_text(_toml(CODE_FRONT, comment="# my own notes"), encoding="utf-8")
    bundle = read_native(folder / "d.toml", Limits())
    front = bundle.decks[0].cards[0].front
    assert front == CODE_FRONT.replace(" ![x](d.media/a.png):", f" ![x]({HASHED}):")
    assert [r.name for r in media_refs(front)] == [f"{DIGEST}.png"]
    assert "# my own notes" in bundle.texts["d"]  # the author's file is kept, comments and all
    assert parse_deck(bundle.texts["d"], "d.toml").deck.cards[0].front == front  # type: ignore[union-attr]


def test_a_md_import_leaves_references_in_code_alone(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "a.png")
    (folder / "img" / "c.png").write_bytes(b"\x89PNG\r\n\x1a\nanother")
    front = (
        "Write `![x](img/c.png)` to show ![x](d.media/a.png)\n```\n![x](img/c.png)\n![y](missing.png)\n```"
    )
    (folder / "d.md").write_text(_md(front), encoding="utf-8")
    bundle = read_markdown(folder / "d.md", Limits(), tmp_path)
    assert bundle.decks[0].cards[0].front == front.replace("show ![x](d.media/a.png)", f"show ![x]({HASHED})")
    assert list(bundle.media) == [f"{DIGEST}.png"]  # img/c.png is only written about: not brought in
    assert bundle.warnings == []  # and `missing.png` in code is no missing image


# ---- 4. a folder import names what is no regular file ---------------------------------------


def _import_in_thread(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    result: list[tuple[int, str, str]] = []
    worker = threading.Thread(target=lambda: result.append(run_cli(capsys, *args)), daemon=True)
    worker.start()
    worker.join(30)
    assert result, "the import blocked"
    return result[0]


def test_a_folder_import_names_fifos_and_folders_it_skips(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "words.tsv").write_text("hola\thello\n", encoding="utf-8")
    os.mkfifo(folder / "x.toml")  # no writer: opening it would wait forever
    os.mkfifo(folder / "y.md")
    (folder / "old.csv").mkdir()
    (folder / "notes.csv").symlink_to(folder / "words.tsv")
    code, msg, err = _import_in_thread(capsys, "import", str(folder))
    assert code == 0, err
    assert msg.splitlines()[-1] == "imported 1 file (1 deck)"
    assert err == (
        "retain: warning: 1 symbolic link(s) not imported: notes.csv "
        "(import the file a link points to by its own path); "
        "1 folder(s) not imported: old.csv (a folder import does not look into sub-folders); "
        "2 FIFO(s) not imported: x.toml, y.md (not a regular file: never opened)\n"
    )
    assert tree(home / "decks") == ["words.toml"]


def test_a_folder_of_fifos_only_is_refused_naming_them(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "fifos"
    folder.mkdir()
    os.mkfifo(folder / "deck.toml")
    code, msg, err = _import_in_thread(capsys, "import", str(folder), "--dry-run")
    assert code == 1 and msg == ""
    first, last = err.splitlines()
    assert first == "retain: warning: 1 FIFO(s) not imported: deck.toml (not a regular file: never opened)"
    assert last.startswith(f"retain: import refused: {folder}: no deck files here")


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device file needs root")
def test_a_device_named_like_a_deck_is_named_too(tmp_path: Path) -> None:
    import stat

    os.mknod(tmp_path / "null.csv", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    assert deck_files(tmp_path) == []
    assert links_line(linked_files(tmp_path)) == (
        "1 device file(s) not imported: null.csv (not a regular file: never opened)"
    )


def test_many_skipped_entries_are_counted_not_all_named(tmp_path: Path) -> None:
    for i in range(9):
        os.mkfifo(tmp_path / f"f{i}.toml")
    assert links_line(linked_files(tmp_path)) == (
        "9 FIFO(s) not imported: f0.toml, f1.toml, f2.toml, f3.toml, f4.toml and 4 more "
        "(not a regular file: never opened)"
    )
    assert links_line([]) == ""
