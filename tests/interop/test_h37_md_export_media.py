"""h37: a `.md` export is always a file retain's own `.md` import takes, with the same cards.

Before, the exporter wrote each image reference as the deck holds it, and the import's hashcards
rules (`md_media`) refused the whole file for one it would not bring in:
`import refused: line 14: image path '/usr/share/pixmaps/debian-logo.png' leaves the collection
root ...`, for a deck that `retain check` passes and that `.toml`, `.csv` and `.apkg` carry. Now a
reference the `.md` format cannot carry (not the deck's own `DECK.media/NAME`, nor a URL) is
written as text in the card's lines (`![logo]\\(/usr/...)`: hashcards shows it as written) and
the card's exact text goes in its `[retain]` entry, which the import gives back as written
without reading any file for it: only what the card's lines show as an image is resolved.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.mediaref import image_refs
from retain.core.model import Card, Deck
from retain.interop.errors import InteropError
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file
from retain.interop.markdown import write_markdown

from .conftest import run_cli

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\nnot really"


def _fields(card: Card) -> tuple[str, ...]:
    return (card.id, card.kind, card.front, card.back, card.text, card.extra)


def _deck(folder: Path, *cards: Card) -> Deck:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "logos.toml"
    path.write_text('format = 1\n[deck]\nid = "logos"\nname = "Logos"\n', encoding="utf-8")
    return Deck("logos", "Logos", cards, path=str(path))


def _export(deck: Deck, out: Path, decks_dir: Path | None = None) -> list[str]:
    warnings: list[str] = []
    export_decks([deck], out, now=NOW, decks_dir=decks_dir, warnings=warnings)
    return warnings


def _import(path: Path, stage: Path) -> tuple[list[Card], dict[str, Path], list[str]]:
    stage.mkdir()
    bundle = read_file(path, stage)
    return list(bundle.decks[0].cards), dict(bundle.media), bundle.warnings


def test_an_absolute_image_path_round_trips_through_md(tmp_path: Path) -> None:
    logo = tmp_path / "pixmaps" / "debian-logo.png"  # there: an import must not read it
    logo.parent.mkdir()
    logo.write_bytes(PNG)
    card = Card("debian", front=f"Whose logo is this? ![logo]({logo})", back="Debian")
    plain = Card("plain", front="2+2", back="4")
    deck = _deck(tmp_path / "decks", card, plain)
    out = tmp_path / "out" / "logos.md"
    out.parent.mkdir()
    _export(deck, out)
    text = out.read_text(encoding="utf-8")
    assert f"Q: Whose logo is this? ![logo]\\({logo})" in text  # hashcards shows it as text
    cards, media, _ = _import(out, tmp_path / "stage")
    assert [_fields(c) for c in cards] == [_fields(card), _fields(plain)]
    assert media == {}


def test_a_reference_leaving_the_media_folder_is_text_and_no_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(PNG)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "near.png").write_bytes(PNG)
    card = Card("x", front="![x](logos.media/../../secret.png) ![n](near.png)", back="b")
    out = tmp_path / "out" / "logos.md"
    _export(_deck(tmp_path / "decks", card), out)
    cards, media, _ = _import(out, tmp_path / "stage")
    assert [_fields(c) for c in cards] == [_fields(card)]
    assert media == {}


def test_the_decks_own_media_still_travel_beside_the_md(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    (decks / "logos.media").mkdir(parents=True)
    (decks / "logos.media" / "a.png").write_bytes(PNG)
    card = Card("x", front="![a](logos.media/a.png) and ![b](/etc/hostname)", back="b")
    out = tmp_path / "out" / "logos.md"
    out.parent.mkdir()
    _export(_deck(decks, card), out, decks)
    assert (tmp_path / "out" / "logos.media" / "a.png").read_bytes() == PNG
    cards, media, _ = _import(out, tmp_path / "stage")
    (hashed,) = media
    assert cards[0].front == f"![a](logos.media/{hashed}) and ![b](/etc/hostname)"


def test_the_export_warns_once_per_deck_with_the_count(tmp_path: Path) -> None:
    cards = (
        Card("a", front="![x](/a.png) ![y](../b.png)", back="![z](\\\\srv\\c.png)"),
        Card("b", kind="cloze", text="{{c1::Paris}} ![m](~/map.png)"),
        Card("c", front="![u](https://example.org/u.png) ![v](logos.media/v.png)", back="k"),
    )
    warnings: list[str] = []
    write_markdown(Deck("logos", "Logos", cards), warnings)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("deck logos: 4 image reference(s)"), warnings
    assert "\n" not in warnings[0]
    warnings = []
    write_markdown(Deck("logos", "Logos", cards[2:]), warnings)
    assert warnings == []


def test_the_cli_export_prints_the_warning_line(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "logos.toml"
    deck.write_text(
        'format = 1\n[deck]\nid = "logos"\nname = "Logos"\n[[cards]]\nid = "d"\n'
        'front = "Whose? ![logo](/usr/share/pixmaps/debian-logo.png)"\nback = "Debian"\n',
        encoding="utf-8",
    )
    assert run_cli(capsys, "import", str(deck))[0] == 0
    code, _out, err = run_cli(capsys, "export", "logos", "-o", str(tmp_path / "out" / "logos.md"))
    assert code == 0
    assert [ln for ln in err.splitlines() if "written as text" in ln] != [], err


_ODD = st.sampled_from(
    [
        "/etc/passwd",
        "/usr/share/pixmaps/debian-logo.png",
        "../secret.png",
        "logos.media/../../secret.png",
        "logos.media/%2e%2e%2fsecret.png",
        "other.media/x.png",
        "img.png",
        "~/x.png",
        "C:\\x.png",
        "\\\\server\\x.png",
        "a\\)b.png",
        "file:///etc/passwd",
        "https://example.org/a b.png",
        "#frag",
        "javascript:alert(1)",
        "logos.media/missing.png",
        "my pic (1).png",
        "a(1).png",
        ".ssh/id_rsa",
    ]
)


@st.composite
def _ref(draw: st.DrawFn) -> str:
    target = draw(_ODD) + draw(st.sampled_from(["", " x", "(", ")", "<", ">", "\\", " ", "%20"]))
    alt = draw(st.sampled_from(["", "logo", "a b", "!", "x\\"]))
    form = draw(st.sampled_from(["{t}", "<{t}>", '{t} "title"', " {t} "]))
    return f"![{alt}](" + form.format(t=target) + ")"


_GLUE = st.sampled_from(["", " ", "!", "[", "]", "(", ")", "`", "\n", "\n\n", "    ", "x", "\\", "<", ">"])


@st.composite
def _piece(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(st.one_of(_ref(), _GLUE), min_size=1, max_size=6)))


@st.composite
def _odd_card(draw: st.DrawFn, card_id: str) -> Card:
    if draw(st.booleans()):
        deletion = draw(
            st.sampled_from(
                [
                    "{{c1::Paris}}",
                    "!{{c1::x}}(/etc/passwd)",
                    "{{c1::![a](/a.png)}}",
                    "{{c1::x::![h](/h.png)}}",
                ]
            )
        )
        text = (draw(_piece()) + deletion + draw(_piece())).strip()
        return Card(card_id, kind="cloze", text=text, extra=draw(st.sampled_from(["", "![e](/e.png)"])))
    front = draw(_piece()).strip() or "q"
    return Card(card_id, front=front, back=draw(_piece()).strip())


@given(data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_md_export_then_import_never_refuses_and_keeps_the_cards(tmp_path: Path, data: st.DataObject) -> None:
    cards = tuple(data.draw(_odd_card(f"c{i}")) for i in range(data.draw(st.integers(1, 3))))
    with tempfile.TemporaryDirectory(dir=tmp_path) as tmp:
        root = Path(tmp)
        (root / "secret.png").write_bytes(PNG)  # what a `..` would find
        out = root / "out" / "logos.md"
        out.parent.mkdir()
        for name in ("img.png", "a(1).png", "my pic (1).png"):
            (out.parent / name).write_bytes(PNG)  # a relative path is the deck's text, not a file here
        (out.parent / "other.media").mkdir()
        (out.parent / "other.media" / "x.png").write_bytes(PNG)
        _export(_deck(root / "decks", *cards), out)
        text = out.read_text(encoding="utf-8")
        try:
            got, media, _ = _import(out, root / "stage")
        except InteropError as exc:
            pytest.fail(f"import refused: {exc}\n{text}")
    assert [_fields(c) for c in got] == [_fields(c) for c in cards], text
    assert media == {}


def test_a_hostile_hand_written_md_is_refused_in_one_line(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "two\nlines"
    folder.mkdir()
    path = folder / "evil.md"
    path.write_text("Q: key? ![k](/etc/passwd)\nA: yes\n", encoding="utf-8")
    with pytest.raises(InteropError) as exc:
        read_file(path, tmp_path / "stage")
    assert "leaves the collection root" in str(exc.value)
    code, _out, err = run_cli(capsys, "import", str(path))
    assert code != 0
    assert err.count("\n") == 1 and "leaves the collection root" in err, err


def test_exact_text_in_the_retain_table_never_reads_a_file(tmp_path: Path) -> None:
    """A hand-written `[retain]` entry whose exact text shows an image the card's lines do not:
    that image is the card's text, as in a `.toml`, and no file is read for it."""
    (tmp_path / "secret.png").write_bytes(PNG)
    folder = tmp_path / "deck"
    folder.mkdir()
    (folder / "pic.png").write_bytes(PNG)
    body = "Q: key?\nA: yes"
    from retain.interop.markdown import block_key

    h = block_key(body.split("\n"))
    front = "key? ![s](../secret.png) ![p](pic.png)"
    path = folder / "evil.md"
    path.write_text(
        f'---\nname = "E"\n[retain]\ncards = [{{ h = "{h}", id = "k", front = "{front}" }}]\n---\n\n{body}\n',
        encoding="utf-8",
    )
    cards, media, _ = _import(path, tmp_path / "stage")
    assert cards[0].front == front
    assert media == {}


def test_a_cloze_image_written_with_escaped_brackets_is_looked_up(tmp_path: Path) -> None:
    """`!\\[a\\](/x.png)` in `C:` text is the image `![a](/x.png)` (`\\[` `\\]` are hashcards'
    escapes): a hand-written file showing it is refused, as for `![a](/x.png)`."""
    path = tmp_path / "c.md"
    path.write_text("C: [Paris] !\\[a\\](/etc/passwd.png)\n", encoding="utf-8")
    with pytest.raises(InteropError, match="leaves the collection root"):
        read_file(path, tmp_path / "stage")


def test_image_refs_never_match_the_text_form() -> None:
    assert list(image_refs("![logo]\\(/usr/share/pixmaps/debian-logo.png)")) == []
