"""h14: a card with media comes back from an `.apkg` round trip exactly as written.

retain hides each card's Markdown in its note (a `<!--retain {...}-->` comment, `md`) with a
check hash of the field it wrote, so an import takes the Markdown back while the field is as
retain wrote it, and Anki's HTML once the learner edited the field in Anki.

Before: the hash was over the field as rendered *before* the media names were rewritten for the
package (`<img src="vid.media/H.mov">`, where the package holds `[sound:H.mov]`), so it never
matched a field with media: every such card came back from its HTML, `![a described clip](...)`
as `![audio](...)`, blank lines, `*` lists and `__bold__` lost."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import struct
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.mediaref import image_refs, ref_target, sub_refs
from retain.core.model import Card, Deck
from retain.interop.bundle import Bundle
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file
from retain.interop.media import hash_name

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _png() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


FILES = {
    "pic.png": _png(),
    "s.mp3": b"ID3" + bytes(60),
    "H.mov": _box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ") + _box(b"mdat", bytes(64)) + _box(b"moov"),
    "a b.png": _png() + b"space",
    "x(1).png": _png() + b"paren",
}
# Markdown the HTML conversion cannot carry back exactly: blank lines, `*` lists, `__bold__`, ...
AROUND = [
    ("**What** is this?\n\n- one\n- `code`\n\n", ""),
    ("Pic: ", " and __bold__"),
    ("", "\n\n* star list\n* `x`"),
    ("1. first\n2. second\n\n", "\n\nEnd *here*."),
]


def _decks_dir(tmp: Path, files: dict[str, bytes] = FILES, deck_id: str = "vid") -> Path:
    media = tmp / "decks" / f"{deck_id}.media"
    media.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (media / name).write_bytes(data)
    return tmp / "decks"


def _roundtrip(tmp: Path, decks: list[Deck], decks_dir: Path) -> Bundle:
    out = tmp / "x.apkg"
    export_decks(decks, out, now=NOW, decks_dir=decks_dir)
    return _read(tmp, out)


def _read(tmp: Path, package: Path) -> Bundle:
    stage = tmp / f"stage-{package.stem}"
    stage.mkdir()
    return read_file(package, stage)


def _imported(text: str, deck_id: str, folder: Path) -> str:
    """`text` as an import writes it: each reference to a file of the deck's folder pointed at
    the file's content-hash name (what the import stores it under), the rest as written."""
    prefix = f"{deck_id}.media/"

    def repoint(m: re.Match[str]) -> str:
        target = ref_target(m)
        path = folder / target[len(prefix) :].replace("%20", " ")
        if not target.startswith(prefix) or not path.is_file():
            return m[0]
        new = f"{deck_id}.media/{hash_name(hashlib.sha256(path.read_bytes()).hexdigest(), path.name)}"
        start, end = m.span("target")
        return m[0][: start - m.start()] + new + m[0][end - m.start() :]

    return sub_refs(text, repoint)


SIDES = ("front", "back", "text", "extra")


def _assert_exact(before: Deck, after: Deck, folder: Path) -> None:
    assert [c.id for c in after.cards] == [c.id for c in before.cards]
    for old, new in zip(before.cards, after.cards, strict=True):
        for side in SIDES:
            assert getattr(new, side) == _imported(getattr(old, side), before.id, folder), (old.id, side)


def _card(card_id: str, name: str, desc: str, around: tuple[str, str], kind: str = "basic") -> Card:
    ref = f"![{desc}](vid.media/{name})"
    text = f"{around[0]}{ref}{around[1]}"
    if kind == "cloze":
        return Card(id=card_id, kind="cloze", text=f"{{{{c1::x}}}} {text}", extra=text)
    return Card(id=card_id, kind=kind, front=text, back=f"A *b*\n\n{ref}", extra=text)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["pic.png", "s.mp3", "H.mov"])
@pytest.mark.parametrize("kind", ["basic", "reversed", "typed", "cloze"])
def test_a_card_with_media_comes_back_exactly_as_written(tmp_path: Path, name: str, kind: str) -> None:
    decks_dir = _decks_dir(tmp_path)
    cards = tuple(_card(f"c{i}", name, f"a described {name}", a, kind) for i, a in enumerate(AROUND))
    deck = Deck(id="vid", name="Vid", cards=cards)
    bundle = _roundtrip(tmp_path, [deck], decks_dir)
    assert bundle.warnings == []
    _assert_exact(deck, bundle.decks[0], decks_dir / "vid.media")
    for card in bundle.decks[0].cards:  # each reference names a file the import stores
        for side in SIDES:
            for m in re.finditer(r"vid\.media/([0-9a-f]{64}\.\w+)", getattr(card, side)):
                assert m[1] in bundle.media


def test_the_reported_video_keeps_its_description(tmp_path: Path) -> None:
    decks_dir = _decks_dir(tmp_path)
    deck = Deck(
        id="vid", name="Vid", cards=(Card(id="v", front="![a described clip](vid.media/H.mov)", back="b"),)
    )
    front = _roundtrip(tmp_path, [deck], decks_dir).decks[0].cards[0].front
    assert front == _imported(deck.cards[0].front, "vid", decks_dir / "vid.media")
    assert front.startswith("![a described clip](vid.media/")


def test_a_card_without_media_still_comes_back_exactly(tmp_path: Path) -> None:
    deck = Deck(
        id="vid", name="Vid", cards=(Card(id="c", front="No media, **bold**\n\n* star list", back="__b__"),)
    )
    _assert_exact(deck, _roundtrip(tmp_path, [deck], _decks_dir(tmp_path)).decks[0], tmp_path)


def test_author_names_titles_and_references_the_package_does_not_carry(tmp_path: Path) -> None:
    decks_dir = _decks_dir(tmp_path)
    texts = [
        "Spaced: ![in angles](<vid.media/a b.png>)\n\n* x",
        "Encoded: ![pct](vid.media/a%20b.png) __u__",
        'Titled: ![t](vid.media/pic.png "a title") *x*\n\n- y',
        "Paren: ![p](<vid.media/x(1).png>)\n\n* z",
        "Missing: ![gone](vid.media/nothere.png) beside ![here](vid.media/pic.png)\n\n* m",
        "Other deck's: ![o](other.media/pic.png) beside ![here](vid.media/s.mp3)\n\n* o",
        "In code: `![c](vid.media/pic.png)` beside ![here](vid.media/pic.png)\n\n* c",
        "A URL: ![u](https://example.com/pic.png) beside ![here](vid.media/H.mov)\n\n* u",
    ]
    cards = tuple(Card(id=f"c{i}", front=t, back="__b__") for i, t in enumerate(texts))
    deck = Deck(id="vid", name="Vid", cards=cards)
    after = _roundtrip(tmp_path, [deck], decks_dir).decks[0]
    _assert_exact(deck, after, decks_dir / "vid.media")


def test_two_decks_with_a_file_of_the_same_name(tmp_path: Path) -> None:
    """The second deck's `pic.png` goes into the package under its content-hash name."""
    _decks_dir(tmp_path, {"pic.png": _png()}, "one")
    decks_dir = _decks_dir(tmp_path, {"pic.png": _png() + b"other"}, "two")
    decks = [
        Deck(id=d, name=d, cards=(Card(id="c", front=f"![{d}'s](<{d}.media/pic.png>)\n\n* {d}", back="b"),))
        for d in ("one", "two")
    ]
    bundle = _roundtrip(tmp_path, decks, decks_dir)
    for before, after in zip(decks, sorted(bundle.decks, key=lambda d: d.id), strict=True):
        _assert_exact(before, after, decks_dir / f"{before.id}.media")


# --- the note in the package: edited in Anki, written by an older retain ---


def _notes(package: Path, tmp: Path) -> list[tuple[int, str]]:
    db_path = tmp / "peek.anki2"
    with zipfile.ZipFile(package) as zf:
        db_path.write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(db_path)
    try:
        return [(int(r[0]), str(r[1])) for r in db.execute("SELECT id, flds FROM notes ORDER BY id")]
    finally:
        db.close()


def _changed(package: Path, tmp: Path, change: Callable[[str], str]) -> Path:
    """`package` with each note's fields (joined by \\x1f) changed by `change`."""
    db_path = tmp / "change.anki2"
    out = tmp / f"changed-{len(list(tmp.glob('changed-*')))}.apkg"
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(out, "w") as zout:
        db_path.write_bytes(zin.read("collection.anki2"))
        db = sqlite3.connect(db_path)
        for nid, flds in db.execute("SELECT id, flds FROM notes").fetchall():
            db.execute("UPDATE notes SET flds = ? WHERE id = ?", (change(flds), nid))
        db.commit()
        db.close()
        for info in zin.infolist():
            name = info.filename
            zout.writestr(name, db_path.read_bytes() if name == "collection.anki2" else zin.read(name))
    return out


_COMMENT = re.compile(r"<!--retain (\{.*?\})-->", re.DOTALL)


def _comment_changed(change: Callable[[dict[str, object]], object]) -> Callable[[str], str]:
    def sub(flds: str) -> str:
        def one(m: re.Match[str]) -> str:
            meta = json.loads(m[1])
            change(meta)
            raw = json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            return "<!--retain " + raw.replace("<", "\\u003c").replace(">", "\\u003e") + "-->"

        return _COMMENT.sub(one, flds)

    return sub


def _media_deck() -> Deck:
    cards = (
        Card(
            id="v", front="**What** is this?\n\n- one\n\n![a described clip](vid.media/H.mov)", back="A *b*"
        ),
        Card(id="i", front="Pic:\n\n![a described picture](vid.media/pic.png)\n\n* x", back="__b__"),
    )
    return Deck(id="vid", name="Vid", cards=cards)


def test_a_field_edited_in_anki_wins_over_the_hidden_text(tmp_path: Path) -> None:
    decks_dir = _decks_dir(tmp_path)
    out = tmp_path / "x.apkg"
    export_decks([_media_deck()], out, now=NOW, decks_dir=decks_dir)
    edited = _changed(out, tmp_path, lambda f: f.replace("is this?", "is this clip?", 1))
    v, i = _read(tmp_path, edited).decks[0].cards
    assert "is this clip?" in v.front and "a described clip" not in v.front  # Anki's HTML, read as text
    assert i.front == _imported(_media_deck().cards[1].front, "vid", decks_dir / "vid.media")  # unedited


def test_a_media_file_swapped_in_anki_wins_too(tmp_path: Path) -> None:
    decks_dir = _decks_dir(tmp_path)
    out = tmp_path / "x.apkg"
    export_decks([_media_deck()], out, now=NOW, decks_dir=decks_dir)
    edited = _changed(out, tmp_path, lambda f: f.replace('src="pic.png"', 'src="s.mp3"'))  # (not packed)
    bundle = _read(tmp_path, edited)
    assert "a described picture" not in bundle.decks[0].cards[1].front


def test_a_package_an_older_retain_wrote_reads_as_before(tmp_path: Path) -> None:
    """Older packages hashed the field before its media names were rewritten (`mh` of
    `<img src="vid.media/...">`) and had no `ph`: such a field is read from its HTML, as then (the
    hash cannot tell an Anki edit from retain's own rewrite)."""
    decks_dir = _decks_dir(tmp_path)
    out = tmp_path / "x.apkg"
    export_decks([_media_deck()], out, now=NOW, decks_dir=decks_dir)

    def older(meta: dict[str, object]) -> None:
        meta.pop("ph", None)
        md = meta.get("md")
        assert isinstance(md, dict)
        md["0"] = md["0"].replace("](", "](vid.media/")  # an older md: the card's own text

    def without(meta: dict[str, object]) -> None:
        for key in ("md", "mh", "ph"):
            meta.pop(key, None)

    old = _read(tmp_path, _changed(out, tmp_path, _comment_changed(older))).decks[0]
    html_only = _read(tmp_path, _changed(out, tmp_path, _comment_changed(without))).decks[0]
    assert [c.front for c in old.cards] == [c.front for c in html_only.cards]
    assert "a described clip" not in old.cards[0].front


def test_an_older_reader_never_takes_the_packed_text(tmp_path: Path) -> None:
    """What an older retain reads of a new package (it knows no `ph`): the field's HTML, its media
    found, never the hidden text with the package's names (which name no file of the deck)."""
    decks_dir = _decks_dir(tmp_path)
    out = tmp_path / "x.apkg"
    export_decks([_media_deck()], out, now=NOW, decks_dir=decks_dir)
    flds = "".join(f for _, f in _notes(out, tmp_path))
    assert '"ph"' in flds
    bundle = _read(tmp_path, _changed(out, tmp_path, _comment_changed(lambda meta: meta.pop("ph"))))
    for card in bundle.decks[0].cards:
        targets = [ref_target(m) for m in image_refs(card.front)]
        assert targets and all(t.startswith("vid.media/") and t[10:] in bundle.media for t in targets)
        # from the HTML: its paragraphs are lines (only a list is followed by a blank line)
        assert "?\n\n" not in card.front and ":\n\n" not in card.front


# --- the class: any Markdown around any media reference ---

_WORDS = st.sampled_from(
    [
        "**b**",
        "__u__",
        "*i*",
        "`c`",
        "- a",
        "* s",
        "1. n",
        "> q",
        "# h",
        "x",
        "a  b",
        "[l](u)",
        "\\*",
        "&amp;",
    ]
)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            name = draw(st.sampled_from(sorted(FILES)))
            desc = draw(st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), max_size=12))
            target = f"<vid.media/{name}>" if " " in name or "(" in name else f"vid.media/{name}"
            parts.append(f"![{desc}]({target})")
        else:
            parts.append(draw(_WORDS))
    return "".join(draw(st.sampled_from(["\n\n", " ", "\n"])) + p for p in parts).strip() or "x"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=_texts(), back=_texts(), extra=_texts(), kind=st.sampled_from(["basic", "reversed", "typed"]))
def test_any_markdown_around_media_round_trips(
    tmp_path_factory: pytest.TempPathFactory, front: str, back: str, extra: str, kind: str
) -> None:
    tmp = tmp_path_factory.mktemp("rt")
    decks_dir = _decks_dir(tmp)
    deck = Deck(id="vid", name="Vid", cards=(Card(id="c", kind=kind, front=front, back=back, extra=extra),))  # type: ignore[arg-type]
    _assert_exact(deck, _roundtrip(tmp, [deck], decks_dir).decks[0], decks_dir / "vid.media")
